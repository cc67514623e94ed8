"""Services: edits and history, deletion, reactions, reports, pre-moderation, thread
moderation, the moderation log and the domain events sent after commit."""

import pytest
from django.core.exceptions import PermissionDenied, ValidationError

from discussions import services, signals
from discussions.models import ContentStatus, ModerationLogEntry, Post, Reaction, Report, Thread
from groups.models import Membership
from tests.factories import GroupFactory, PostFactory, UserFactory

from .conftest import make_member

Action = ModerationLogEntry.Action


@pytest.fixture
def events():
    """Collect every discussions signal sent (inside the write's transaction)."""
    received = []
    names = [n for n in dir(signals) if not n.startswith("_") and n != "Signal"]

    def make(name):
        def receiver(sender, **kwargs):
            received.append((name, kwargs))

        return receiver

    receivers = {name: make(name) for name in names}
    for name, receiver in receivers.items():
        getattr(signals, name).connect(receiver, weak=False, dispatch_uid=f"test-{name}")
    yield received
    for name in names:
        getattr(signals, name).disconnect(dispatch_uid=f"test-{name}")


@pytest.fixture
def world(public_group, thread_in):
    thread = thread_in(public_group, body="Opening")
    member = make_member(public_group)
    moderator = make_member(public_group, role=Membership.Role.MODERATOR)
    return thread, member, moderator


def test_edit_keeps_history_for_author_and_moderators(client, world):
    thread, member, moderator = world
    post = PostFactory(thread=thread, author=member, body="First version")
    services.post_edit(post=post, user=member, body="Second version")
    services.post_edit(post=post, user=member, body="Second version")  # unchanged: no revision
    post.refresh_from_db()
    assert post.body == "Second version" and post.edit_count == 1 and post.edited_at
    assert list(post.revisions.values_list("body", flat=True)) == ["First version"]
    url = f"/en/discussions/posts/{post.pk}/history/"
    for user, status in (
        (member, 200),
        (moderator, 200),
        (make_member(thread.group), 403),
        (None, 403),
    ):
        client.logout()
        if user:
            client.force_login(user)
        response = client.get(url)
        assert response.status_code == status
        assert ("First version" in response.content.decode()) == (status == 200)


def test_only_the_author_edits_and_the_title_follows_the_opening_post(world):
    thread, member, moderator = world
    opening = Post.objects.get(thread=thread, depth=0)
    with pytest.raises(PermissionDenied):
        services.post_edit(post=opening, user=member, body="Hijack")
    services.post_edit(
        post=opening, user=thread.author, body="Opening, revised", title="A better title"
    )
    thread.refresh_from_db()
    assert thread.title == "A better title"
    assert opening.revisions.get().title != "A better title"


def test_delete_leaves_a_placeholder_and_removes_text_and_history(world):
    thread, member, moderator = world
    post = PostFactory(thread=thread, author=member, body="Regrettable")
    services.post_edit(post=post, user=member, body="Still regrettable")
    child = PostFactory(thread=thread, parent=post)
    with pytest.raises(PermissionDenied):
        services.post_delete(post=post, user=moderator)  # moderators hide, they do not delete
    services.post_delete(post=post, user=member)
    post.refresh_from_db()
    assert (
        post.is_deleted and post.body == "" and post.body_html == "" and not post.revisions.exists()
    )
    assert Post.objects.filter(pk=child.pk, parent=post).exists()
    with pytest.raises(PermissionDenied):
        services.post_delete(post=post, user=member)


def test_reactions_toggle_once_per_kind(world):
    thread, member, moderator = world
    post = PostFactory(thread=thread)
    assert services.reaction_toggle(post=post, user=member, kind="like") is True
    assert services.reaction_toggle(post=post, user=moderator, kind="like") is True
    assert services.reaction_toggle(post=post, user=member, kind="thanks") is True
    post.refresh_from_db()
    assert post.reaction_counts == {"like": 2, "thanks": 1}
    assert services.reaction_toggle(post=post, user=member, kind="like") is False
    post.refresh_from_db()
    assert post.reaction_counts == {"like": 1, "thanks": 1}
    assert Reaction.objects.filter(post=post, user=member).count() == 1
    with pytest.raises(ValidationError):
        services.reaction_toggle(post=post, user=member, kind="angry")
    with pytest.raises(PermissionDenied):
        services.reaction_toggle(post=post, user=UserFactory(), kind="like")  # not a member


def test_report_and_resolve_by_hiding(world, events, django_capture_on_commit_callbacks):
    thread, member, moderator = world
    post = PostFactory(thread=thread, body="Buy cheap watches")
    second = make_member(thread.group)
    with django_capture_on_commit_callbacks(execute=True):
        report = services.report_create(post=post, reporter=member, reason="spam")
        services.report_create(post=post, reporter=second, reason="other", details="Advertising")
    with pytest.raises(ValidationError, match="already reported"):
        services.report_create(post=post, reporter=member, reason="spam")
    with pytest.raises(PermissionDenied):
        services.report_create(post=post, reporter=post.author, reason="spam")
    with pytest.raises(PermissionDenied):
        services.report_resolve(report=report, by=member, hide=True, note="x")
    with pytest.raises(ValidationError, match="author will see"):
        services.report_resolve(report=report, by=moderator, hide=True, note="")
    services.post_edit(post=post, user=post.author, body="Nothing to see")
    with django_capture_on_commit_callbacks(execute=True):
        services.report_resolve(
            report=report, by=moderator, hide=True, note="Advertising is not allowed"
        )
    post.refresh_from_db()
    assert post.is_hidden and post.hidden_reason == "Advertising is not allowed"
    assert set(Report.objects.values_list("status", flat=True)) == {"hidden"}
    assert report.__class__.objects.get(pk=report.pk).snapshot == "Buy cheap watches"
    with pytest.raises(ValidationError, match="already been resolved"):
        services.report_resolve(report=report, by=moderator, hide=False)
    names = [name for name, _kw in events]
    assert names.count("report_created") == 2 and names.count("report_resolved") == 2
    assert "post_hidden" in names
    hidden = next(kw for name, kw in events if name == "post_hidden")
    assert (
        hidden["author_id"] == post.author_id and hidden["reason"] == "Advertising is not allowed"
    )
    actions = set(
        ModerationLogEntry.objects.filter(group=thread.group).values_list("action", flat=True)
    )
    assert {Action.POST_HIDDEN, Action.REPORT_UPHELD} <= actions


def test_dismissing_a_report_leaves_the_post(world):
    thread, member, moderator = world
    post = PostFactory(thread=thread)
    report = services.report_create(post=post, reporter=member, reason="off_topic")
    services.report_resolve(report=report, by=moderator, hide=False, note="It is on topic")
    report.refresh_from_db()
    post.refresh_from_db()
    assert report.status == "dismissed" and report.resolution_note == "It is on topic"
    assert not post.is_hidden


def test_hide_and_unhide(world, events, django_capture_on_commit_callbacks):
    thread, member, moderator = world
    post = PostFactory(thread=thread)
    with pytest.raises(ValidationError):
        services.post_hide(post=post, by=moderator, reason="  ")
    with pytest.raises(ValidationError, match="not hidden"):
        services.post_unhide(post=post, by=moderator)
    with pytest.raises(PermissionDenied):
        services.post_hide(post=post, by=member, reason="Members do not hide")
    with django_capture_on_commit_callbacks(execute=True):
        services.post_hide(post=post, by=moderator, reason="Insult")
    with pytest.raises(ValidationError, match="already hidden"):
        services.post_hide(post=post, by=moderator, reason="Again")
    with django_capture_on_commit_callbacks(execute=True):
        services.post_unhide(post=post, by=moderator, reason="Apology received")
    told = [(name, kw["reason"], kw["author_id"]) for name, kw in events if "hidden" in name]
    assert told == [
        ("post_hidden", "Insult", post.author_id),
        ("post_unhidden", "Apology received", post.author_id),
    ]
    post.refresh_from_db()
    assert not post.is_hidden and post.hidden_reason == ""
    log = list(
        ModerationLogEntry.objects.filter(post=post).values_list("action", "reason", "actor_id")
    )
    assert (Action.POST_HIDDEN, "Insult", moderator.pk) in log
    assert (Action.POST_UNHIDDEN, "Apology received", moderator.pk) in log


def test_premoderation_holds_the_first_posts_of_new_members(
    world, events, django_capture_on_commit_callbacks
):
    thread, member, moderator = world
    owner = make_member(thread.group, role=Membership.Role.OWNER)
    services.group_discussion_settings_update(
        group=thread.group, by=owner, premoderate_first_posts=2
    )
    newcomer = make_member(thread.group)
    with django_capture_on_commit_callbacks(execute=True):
        first = PostFactory(thread=thread, author=newcomer, body="Hello, I am new")
    assert first.status == ContentStatus.PENDING
    thread.refresh_from_db()
    assert thread.reply_count == 0  # counters only count what others can see
    assert [n for n, _ in events] == ["post_held"]
    with pytest.raises(ValidationError):
        PostFactory(thread=thread, parent=first)  # nobody replies to a held post
    mod_post = PostFactory(thread=thread, author=moderator)
    assert mod_post.status == ContentStatus.PUBLISHED  # moderators are never held
    with django_capture_on_commit_callbacks(execute=True):
        services.post_approve(post=first, by=moderator)
    first.refresh_from_db()
    thread.refresh_from_db()
    assert first.status == ContentStatus.PUBLISHED and thread.reply_count == 2
    assert "post_created" in [n for n, _ in events]
    second = PostFactory(thread=thread, author=newcomer)
    assert second.status == ContentStatus.PENDING
    services.post_reject(post=second, by=moderator, reason="Duplicate")
    second.refresh_from_db()
    assert second.status == ContentStatus.REJECTED and second.hidden_reason == "Duplicate"
    with pytest.raises(ValidationError, match="not waiting"):
        services.post_approve(post=second, by=moderator)
    # After two approved posts the member is no longer new.
    services.post_approve(post=PostFactory(thread=thread, author=newcomer), by=moderator)
    assert PostFactory(thread=thread, author=newcomer).status == ContentStatus.PUBLISHED


def test_premoderated_thread_is_published_on_approval(world):
    thread, member, moderator = world
    owner = make_member(thread.group, role=Membership.Role.OWNER)
    services.group_discussion_settings_update(
        group=thread.group, by=owner, premoderate_first_posts=1
    )
    newcomer = make_member(thread.group)
    held = services.thread_start(
        group=thread.group, author=newcomer, title="Newcomer question", body="Hi"
    )
    assert held.status == ContentStatus.PENDING
    services.post_approve(post=held.posts.get(depth=0), by=moderator)
    held.refresh_from_db()
    assert held.status == ContentStatus.PUBLISHED


def test_lock_pin_move_and_slow_mode_are_logged(world, events, django_capture_on_commit_callbacks):
    thread, member, moderator = world
    elsewhere = GroupFactory()
    not_moderated = GroupFactory()
    Membership.objects.create(group=elsewhere, user=moderator, role=Membership.Role.MODERATOR)
    post = PostFactory(thread=thread)
    report = services.report_create(post=post, reporter=member, reason="off_topic")
    with django_capture_on_commit_callbacks(execute=True):
        services.thread_lock(thread=thread, by=moderator, locked=True, reason="Resolved")
        services.thread_pin(thread=thread, by=moderator, pinned=True)
        services.slow_mode_set(
            by=moderator, group=thread.group, thread=thread, seconds=60, reason="Cool down"
        )
    with pytest.raises(ValidationError, match="already locked"):
        services.thread_lock(thread=thread, by=moderator, locked=True, reason="Again")
    with pytest.raises(PermissionDenied):
        services.thread_pin(thread=thread, by=member, pinned=False)
    with pytest.raises(PermissionDenied):
        services.thread_move(thread=thread, by=moderator, target=not_moderated)
    source = thread.group
    with django_capture_on_commit_callbacks(execute=True):
        services.thread_move(thread=thread, by=moderator, target=elsewhere, reason="Better fit")
    thread.refresh_from_db()
    report.refresh_from_db()
    assert (
        thread.group == elsewhere
        and thread.locked
        and thread.pinned
        and thread.slow_mode_seconds == 60
    )
    assert set(Post.objects.filter(thread=thread).values_list("group_id", flat=True)) == {
        elsewhere.pk
    }
    assert report.group_id == elsewhere.pk
    source_log = set(
        ModerationLogEntry.objects.filter(group=source).values_list("action", flat=True)
    )
    assert {
        Action.THREAD_LOCKED,
        Action.THREAD_PINNED,
        Action.SLOW_MODE,
        Action.THREAD_MOVED_OUT,
    } <= source_log
    assert ModerationLogEntry.objects.filter(
        group=elsewhere, action=Action.THREAD_MOVED_IN
    ).exists()
    assert {"thread_locked", "thread_pinned", "slow_mode_changed", "thread_moved"} <= {
        n for n, _ in events
    }


def test_events_are_part_of_the_write_and_carry_ids(world, events):
    """The event is sent inside the post's transaction, so the notifications it causes
    commit with the post, and a rolled-back post takes them along (issue 11)."""
    from django.db import transaction

    from inbox.models import Notification

    thread, member, moderator = world

    class Abort(Exception):
        pass

    with pytest.raises(Abort), transaction.atomic():
        post = PostFactory(thread=thread, author=member, body=f"Hi @{thread.author.username}")
        name, kwargs = next(e for e in events if e[0] == "post_created")  # before any commit
        assert Notification.objects.filter(post_ref=post.pk).exists()
        raise Abort
    assert not Post.objects.filter(pk=post.pk).exists()
    assert not Notification.objects.filter(post_ref=post.pk).exists()
    assert kwargs["post_id"] == post.pk and kwargs["thread_id"] == thread.pk
    assert kwargs["parent_author_id"] == thread.author_id
    assert kwargs["mentioned_user_ids"] == [thread.author_id]


def test_a_failing_receiver_fails_the_write_whole(world):
    """A receiver that cannot store what it owes the event fails the post: no post
    without its notifications."""
    thread, member, moderator = world

    def broken(sender, **kwargs):
        raise RuntimeError("receiver down")

    signals.post_created.connect(broken, weak=False, dispatch_uid="test-broken")
    try:
        before = Post.objects.count()
        with pytest.raises(RuntimeError):
            services.post_reply(thread=thread, parent=None, author=member, body="Hello all")
        assert Post.objects.count() == before
    finally:
        signals.post_created.disconnect(dispatch_uid="test-broken")


def test_group_activity_is_touched(world):
    thread, member, moderator = world
    before = thread.group.last_activity_at
    post = PostFactory(thread=thread)
    thread.group.refresh_from_db()
    assert thread.group.last_activity_at >= post.created_at > before


def test_concurrent_style_allocation_never_reuses_a_path(world):
    """Paths come from the parent's counter (locked row), never from counting children."""
    thread, member, moderator = world
    a = PostFactory(thread=thread)
    b = PostFactory(thread=thread)
    services.post_delete(post=b, user=b.author)
    c = PostFactory(thread=thread)
    assert len({a.path, b.path, c.path}) == 3
    assert Thread.objects.get(pk=thread.pk).posts.count() == 4
