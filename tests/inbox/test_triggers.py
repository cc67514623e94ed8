"""Each trigger notifies exactly the right people — and nobody muted, banned, no longer
permitted, nor the actor themself."""

import pytest
from django.core import mail

from discussions import services as discussions
from groups import services as groups
from groups.models import JoinRequest, Membership, WorkingGroup
from inbox import services
from inbox.models import EmailState, Kind, Notification, WatchLevel
from tests.factories import MembershipFactory, PostFactory, ThreadFactory, UserFactory

pytestmark = pytest.mark.django_db


def kinds_by_user(*users) -> dict:
    """{user: [kinds, oldest first]} for these users."""
    return {
        u.username: list(
            Notification.objects.filter(recipient=u).order_by("id").values_list("verb", flat=True)
        )
        for u in users
    }


def test_reply_to_my_thread_and_to_my_post(make_group, committed):
    group, owner, (a, b, c) = make_group(3)
    with committed():
        thread = ThreadFactory(group=group, author=a)
    with committed():
        reply = PostFactory(thread=thread, author=b)  # to the thread: its author hears of it
    assert kinds_by_user(a, b, c, owner) == {
        a.username: [Kind.REPLY],
        b.username: [],
        c.username: [],
        owner.username: [],
    }
    with committed():
        PostFactory(thread=thread, parent=reply, author=c)  # to b's post
    # b wrote in the thread, so b watches it; but "reply" beats "new post": one each.
    assert kinds_by_user(a, b, c, owner) == {
        a.username: [Kind.REPLY, Kind.NEW_POST],  # a started the thread: watching
        b.username: [Kind.REPLY],
        c.username: [],
        owner.username: [],
    }
    note = Notification.objects.get(recipient=b)
    assert note.url.endswith(f"#post-{note.post_ref}")
    assert note.data["actor"] == c.public_name and note.data["thread"] == thread.title


def test_mention_only_for_readers_of_the_thread(make_group, committed):
    group, owner, (a, b) = make_group(2, visibility=WorkingGroup.Visibility.MEMBERS)
    outsider = UserFactory(username="outsider")
    member = b
    with committed():
        thread = ThreadFactory(group=group, author=a)
    with committed():
        PostFactory(
            thread=thread, author=a, body=f"Hello @{member.username} and @{outsider.username}!"
        )
    assert kinds_by_user(member, outsider) == {
        member.username: [Kind.MENTION],
        outsider.username: [],
    }


def test_mention_in_a_public_group_reaches_non_members(make_group, committed):
    group, owner, (a,) = make_group(1)
    reader = UserFactory(username="reader")
    with committed():
        ThreadFactory(group=group, author=a, body=f"What do you think, @{reader.username}?")
    assert kinds_by_user(reader) == {reader.username: [Kind.MENTION]}


def test_new_threads_reach_tracking_and_watching_members_only(make_group, committed):
    group, owner, (tracker, watcher, normal, muted, author) = make_group(5)
    services.watch_set_group(user=tracker, group=group, level=WatchLevel.TRACKING)
    services.watch_set_group(user=watcher, group=group, level=WatchLevel.WATCHING)
    services.watch_set_group(user=muted, group=group, level=WatchLevel.MUTED)
    with committed():
        thread = ThreadFactory(group=group, author=author, body=f"cc @{muted.username}")
    assert kinds_by_user(tracker, watcher, normal, muted, author) == {
        tracker.username: [Kind.NEW_THREAD],
        watcher.username: [Kind.NEW_THREAD],
        normal.username: [],
        muted.username: [],  # muted: not even a mention
        author.username: [],
    }
    with committed():
        PostFactory(thread=thread, author=normal)
    # Every post: the watcher (group level) and the author (started it → watching it).
    assert kinds_by_user(tracker, watcher, author)[watcher.username] == [
        Kind.NEW_THREAD,
        Kind.NEW_POST,
    ]
    assert kinds_by_user(tracker)[tracker.username] == [Kind.NEW_THREAD]


def test_muting_a_thread_silences_it_even_in_a_watched_group(make_group, committed):
    group, owner, (a, b) = make_group(2)
    services.watch_set_group(user=b, group=group, level=WatchLevel.WATCHING)
    with committed():
        thread = ThreadFactory(group=group, author=a)
        first = PostFactory(thread=thread, author=b)  # b now watches the thread too
    services.watch_set_thread(user=b, thread=thread, level=WatchLevel.MUTED)
    Notification.objects.all().delete()
    with committed():
        PostFactory(thread=thread, parent=first, author=a)  # even a direct reply
    assert kinds_by_user(b) == {b.username: []}


def test_posting_starts_watching_but_keeps_an_explicit_mute(make_group, committed):
    group, owner, (a, b, c) = make_group(3)
    with committed():
        thread = ThreadFactory(group=group, author=a)
    services.watch_set_thread(user=c, thread=thread, level=WatchLevel.MUTED)
    with committed():
        PostFactory(thread=thread, author=b)
        PostFactory(thread=thread, author=c)
    Notification.objects.all().delete()
    with committed():
        PostFactory(thread=thread, author=a)
    assert kinds_by_user(b, c) == {b.username: [Kind.NEW_POST], c.username: []}


def test_banned_and_departed_members_hear_nothing(make_group, committed):
    group, owner, (a, banned, gone) = make_group(3, visibility=WorkingGroup.Visibility.MEMBERS)
    for user in (banned, gone):
        services.watch_set_group(user=user, group=group, level=WatchLevel.WATCHING)
    groups.ban_create(group=group, user=banned, by=owner, reason="Spam")
    groups.membership_leave(group=group, user=gone)
    with committed():
        ThreadFactory(group=group, author=a, body=f"@{banned.username} @{gone.username}")
    assert kinds_by_user(banned, gone) == {banned.username: [], gone.username: []}


def test_banned_reader_of_a_public_group_is_not_notified(make_group, committed):
    group, owner, (a, b) = make_group(2)
    with committed():
        thread = ThreadFactory(group=group, author=b)
    groups.ban_create(group=group, user=b, by=owner, reason="Trolling")
    with committed():
        PostFactory(thread=thread, author=a)  # a reply to b's thread
    assert kinds_by_user(b) == {b.username: []}


def test_join_request_reaches_moderators_and_the_decision_the_applicant(make_group, committed):
    group, owner, (member,) = make_group(1, join_policy=WorkingGroup.JoinPolicy.REQUEST)
    moderator = MembershipFactory(group=group, role=Membership.Role.MODERATOR).user
    applicant = UserFactory()
    with committed():
        request = groups.join_request_create(
            group=group, user=applicant, message="I work on buses."
        )
    assert kinds_by_user(owner, moderator, member, applicant) == {
        owner.username: [Kind.JOIN_REQUESTED],
        moderator.username: [Kind.JOIN_REQUESTED],
        member.username: [],
        applicant.username: [],
    }
    mail.outbox.clear()
    with committed():
        groups.join_request_approve(join_request=request, by=moderator)
    decided = Notification.objects.get(recipient=applicant)
    assert decided.verb == Kind.JOIN_APPROVED and decided.must_deliver
    # Must-deliver: emailed at once although the default is a daily digest.
    assert decided.email_state == EmailState.SENT
    assert [m.to for m in mail.outbox] == [[applicant.email]]
    # The other moderator's notice about the request is done; the decider's too.
    assert not Notification.objects.filter(verb=Kind.JOIN_REQUESTED, unread=True).exists()


def test_declined_request(make_group, committed):
    group, owner, _members = make_group(0, join_policy=WorkingGroup.JoinPolicy.REQUEST)
    applicant = UserFactory()
    request = groups.join_request_create(group=group, user=applicant)
    with committed():
        groups.join_request_decline(
            join_request=JoinRequest.objects.get(pk=request.pk), by=owner, reason="Only city staff."
        )
    note = Notification.objects.get(recipient=applicant)
    assert note.verb == Kind.JOIN_DECLINED and note.data["reason"] == "Only city staff."


def test_invitation_is_must_deliver_and_emailed_once(make_group, committed):
    group, owner, _members = make_group(0, join_policy=WorkingGroup.JoinPolicy.INVITE)
    invitee = UserFactory()
    services.email_preference_set(user=invitee, frequency="off")
    mail.outbox.clear()
    with committed():
        groups.invitation_create(group=group, by=owner, user=invitee, message="Join us!")
    note = Notification.objects.get(recipient=invitee)
    assert note.verb == Kind.INVITED and note.must_deliver and note.email_state == EmailState.SENT
    # Exactly one email, at once, although the member turned activity emails off.
    assert len(mail.outbox) == 1 and mail.outbox[0].to == [invitee.email]


def test_hidden_post_tells_its_author_and_disappears_for_others(make_group, committed):
    group, owner, (a, b) = make_group(2)
    with committed():
        thread = ThreadFactory(group=group, author=a)
        post = PostFactory(thread=thread, author=b, body=f"Hi @{a.username}")
    assert Notification.objects.filter(recipient=a, post_ref=post.pk, unread=True).exists()
    mail.outbox.clear()
    with committed():
        discussions.post_hide(post=post, by=owner, reason="Off topic")
    hidden = Notification.objects.get(recipient=b)
    assert (
        hidden.verb == Kind.POST_HIDDEN
        and hidden.must_deliver
        and hidden.data["reason"] == "Off topic"
    )
    assert [m.to for m in mail.outbox] == [[b.email]]
    assert not Notification.objects.filter(recipient=a, post_ref=post.pk, unread=True).exists()
    assert not Notification.objects.filter(recipient=owner).exists()  # the actor


def test_report_reaches_moderators_and_its_resolution_the_reporter(make_group, committed):
    group, owner, (a, b) = make_group(2)
    moderator = MembershipFactory(group=group, role=Membership.Role.MODERATOR).user
    with committed():
        thread = ThreadFactory(group=group, author=a)
        post = PostFactory(thread=thread, author=a)
    Notification.objects.all().delete()
    with committed():
        report = discussions.report_create(post=post, reporter=b, reason="spam")
    assert kinds_by_user(owner, moderator, a, b) == {
        owner.username: [Kind.REPORT_CREATED],
        moderator.username: [Kind.REPORT_CREATED],
        a.username: [],
        b.username: [],
    }
    with committed():
        discussions.report_resolve(report=report, by=moderator, hide=False, note="Looks fine")
    resolved = Notification.objects.get(recipient=b)
    assert resolved.verb == Kind.REPORT_RESOLVED and resolved.data["outcome"] == "dismissed"
    assert "note" not in resolved.data and "Looks fine" not in str(resolved.data)
    assert not Notification.objects.filter(verb=Kind.REPORT_CREATED, unread=True).exists()


def test_moderators_who_muted_the_group_get_no_queue_notices(make_group, committed):
    group, owner, _members = make_group(0, join_policy=WorkingGroup.JoinPolicy.REQUEST)
    services.watch_set_group(user=owner, group=group, level=WatchLevel.MUTED)
    with committed():
        groups.join_request_create(group=group, user=UserFactory())
    assert not Notification.objects.filter(recipient=owner).exists()


def test_an_edit_notifies_only_newly_mentioned_people_once(make_group, committed):
    group, owner, (a, b, c) = make_group(3)
    with committed():
        thread = ThreadFactory(group=group, author=a, body=f"Hi @{b.username}")
    opening = thread.posts.get(depth=0)
    with committed():
        discussions.post_edit(post=opening, user=a, body=f"Hi @{b.username} and @{c.username}")
    assert kinds_by_user(b, c) == {b.username: [Kind.MENTION], c.username: [Kind.MENTION]}


def test_leaving_a_private_group_withdraws_its_unread_notifications(make_group, committed):
    group, owner, (a, b) = make_group(2, visibility=WorkingGroup.Visibility.MEMBERS)
    with committed():
        thread = ThreadFactory(group=group, author=b)
        PostFactory(thread=thread, author=a)
    assert Notification.objects.filter(recipient=b, unread=True).count() == 1
    with committed():
        groups.membership_leave(group=group, user=b)
    assert Notification.objects.filter(recipient=b, unread=True).count() == 0


def test_contact_request_notifies_the_recipient_without_a_second_email(site_tree, committed):
    from knowledge import services as knowledge
    from tests.factories import ExpertProfileFactory

    expert = ExpertProfileFactory().user
    sender = UserFactory()
    mail.outbox.clear()
    with committed():
        knowledge.contact_request_create(
            sender=sender, recipient=expert, subject="Bus rapid transit", message="Can we talk?"
        )
    note = Notification.objects.get(recipient=expert)
    assert note.verb == Kind.CONTACT_REQUESTED and note.data["reason"] == "Bus rapid transit"
    assert note.email_state == EmailState.SENT  # knowledge emailed the message itself
    assert len([m for m in mail.outbox if m.to == [expert.email]]) == 1
    assert not Notification.objects.filter(recipient=sender).exists()


def test_promotion_from_the_waiting_list_is_must_deliver(site_tree, committed):
    from knowledge import services as knowledge
    from tests.factories import EventFactory

    event = EventFactory(capacity=1)
    first, waiting = UserFactory(), UserFactory()
    with committed():
        knowledge.event_register(event=event, user=first)
        knowledge.event_register(event=event, user=waiting)
    assert not Notification.objects.exists()  # registering yourself is no news
    with committed():
        knowledge.event_cancel_registration(event=event, user=first)
    note = Notification.objects.get(recipient=waiting)
    assert (
        note.verb == Kind.EVENT_PROMOTED and note.must_deliver and note.data["event"] == event.title
    )
    assert not Notification.objects.filter(recipient=first).exists()


def test_a_thread_moved_into_a_private_group_withdraws_what_outsiders_can_no_longer_see(
    make_group, committed
):
    from tests.factories import GroupFactory

    public, owner, (a, b) = make_group(2)
    private = GroupFactory(owner=owner, visibility=WorkingGroup.Visibility.MEMBERS)
    groups.membership_add(group=private, user=b)  # b follows the thread into the private group
    with committed():
        thread = ThreadFactory(group=public, author=a)
        PostFactory(thread=thread, author=b)  # a hears of it; b now watches the thread
        PostFactory(thread=thread, author=a)  # b hears of it
    assert Notification.objects.filter(unread=True, recipient__in=[a, b]).count() == 2
    with committed():
        discussions.thread_move(thread=thread, by=owner, target=private, reason="Internal")
    # a cannot read the thread any more: nothing left to count or email; b still can.
    gone = Notification.objects.get(recipient=a)
    assert not gone.unread and gone.group_ref == private.pk
    kept = Notification.objects.get(recipient=b)
    assert kept.unread and kept.group_ref == private.pk
    from inbox.models import Watch

    assert set(Watch.objects.filter(thread_ref=thread.pk).values_list("group_ref", flat=True)) == {
        private.pk
    }


def test_a_report_upheld_hides_the_post_and_tells_author_and_reporter(make_group, committed):
    group, owner, (author, reporter, reader) = make_group(3)
    with committed():
        thread = ThreadFactory(group=group, author=reader, title="Parking")
        post = PostFactory(thread=thread, author=author, body=f"Hi @{reader.username}")
    assert Notification.objects.filter(recipient=reader, post_ref=post.pk, unread=True).exists()
    with committed():
        report = discussions.report_create(post=post, reporter=reporter, reason="abuse")
    mail.outbox.clear()
    with committed():
        discussions.report_resolve(report=report, by=owner, hide=True, note="Insults")
    hidden = Notification.objects.get(recipient=author, verb=Kind.POST_HIDDEN)
    assert hidden.must_deliver and hidden.data["reason"] == "Insults"
    resolved = Notification.objects.get(recipient=reporter, verb=Kind.REPORT_RESOLVED)
    assert resolved.data["outcome"] == "hidden" and not resolved.must_deliver
    # The author is emailed at once (must-deliver); the reader's mention is withdrawn;
    # the moderator who acted hears nothing of their own action.
    assert [author.email] in [m.to for m in mail.outbox]
    assert not Notification.objects.filter(recipient=reader, post_ref=post.pk, unread=True).exists()
    assert not Notification.objects.filter(recipient=owner, unread=True).exists()


def test_a_group_turning_private_withdraws_what_it_told_outsiders(make_group, committed):
    group, owner, (a, b) = make_group(2)
    reader = UserFactory(username="passer_by")
    with committed():
        thread = ThreadFactory(group=group, author=b, body=f"Any views, @{reader.username}?")
        PostFactory(thread=thread, author=a)  # a reply to b, a member
    assert Notification.objects.filter(recipient=reader, unread=True).count() == 1
    with committed():
        groups.group_update_settings(
            group=group, by=owner, visibility=WorkingGroup.Visibility.MEMBERS
        )
    assert Notification.objects.filter(recipient=reader, unread=True).count() == 0
    assert Notification.objects.filter(recipient=b, unread=True).count() == 1  # members keep theirs
