"""The notification centre: grouped entries, read state, links to the exact post,
nothing about what the member can no longer see, and a fixed number of queries."""

import pytest
from django.urls import reverse

from discussions import services as discussions
from groups.models import WorkingGroup
from inbox.models import Kind, Notification, Watch, WatchLevel
from tests.factories import PostFactory, ThreadFactory, UserFactory

pytestmark = pytest.mark.django_db


def replies(committed, thread, to_user, n: int, *, parent=None):
    """n replies by different members to `to_user`'s thread (or post)."""
    for _ in range(n):
        with committed():
            PostFactory(thread=thread, parent=parent, author=UserFactory())


def test_five_replies_show_as_one_entry_linking_to_the_first_new_post(
    client, make_group, committed
):
    group, owner, (a,) = make_group(1)
    with committed():
        thread = ThreadFactory(group=group, author=a, title="Bus lanes in Accra")
    replies(committed, thread, a, 5)
    client.force_login(a)
    response = client.get(reverse("inbox:centre"))
    assert response.status_code == 200
    entries = response.context["entries"]
    assert len(entries) == 1 and entries[0].count == 5 and entries[0].unread
    assert "5 new replies to you in “Bus lanes in Accra”" in response.content.decode()
    first = Notification.objects.filter(recipient=a).order_by("id").first()
    opened = client.get(reverse("inbox:open", args=[entries[0].first_id]))
    assert opened.status_code == 302 and opened["Location"] == first.url
    assert opened["Location"].endswith(f"/posts/{first.post_ref}/#post-{first.post_ref}")
    # Opening the entry read all five.
    assert not Notification.objects.filter(recipient=a, unread=True).exists()


def test_unread_filter_and_mark_one_and_all_read(client, make_group, committed):
    group, owner, (a, b) = make_group(2)
    with committed():
        thread = ThreadFactory(group=group, author=a)
        other = ThreadFactory(group=group, author=a)
        PostFactory(thread=thread, author=b)
        PostFactory(thread=other, author=b)
    client.force_login(a)
    entries = client.get(reverse("inbox:centre") + "?show=unread").context["entries"]
    assert len(entries) == 2
    response = client.post(
        reverse("inbox:read", args=[entries[0].notification.pk]), {"next": "/evil.example"}
    )
    assert response.status_code == 302
    assert len(client.get(reverse("inbox:centre") + "?show=unread").context["entries"]) == 1
    assert len(client.get(reverse("inbox:centre")).context["entries"]) == 2  # all: still both
    client.post(reverse("inbox:read_all"))
    assert client.get(reverse("inbox:centre") + "?show=unread").context["entries"] == []
    assert "data-unread-count hidden>0<" in client.get(reverse("inbox:centre")).content.decode()


def test_badge_is_rendered_on_the_server(client, make_group, committed):
    group, owner, (a, b) = make_group(2)
    with committed():
        thread = ThreadFactory(group=group, author=a)
        PostFactory(thread=thread, author=b)
        PostFactory(thread=thread, author=b)
    client.force_login(a)
    html = client.get(reverse("inbox:settings")).content.decode()
    assert "data-unread-count>2</span>" in html


def test_nothing_shown_about_a_private_group_left_or_a_hidden_post(client, make_group, committed):
    group, owner, (a, b) = make_group(2, visibility=WorkingGroup.Visibility.MEMBERS)
    public, powner, (c,) = make_group(1)
    with committed():
        thread = ThreadFactory(group=group, author=a, title="Secret budget talk")
        PostFactory(thread=thread, author=b)
        pthread = ThreadFactory(group=public, author=a, title="Open thread")
        ppost = PostFactory(thread=pthread, author=c)
    client.force_login(a)
    assert len(client.get(reverse("inbox:centre")).context["entries"]) == 2
    # Even if the withdrawal missed it (read state untouched), rendering checks permission.
    Notification.objects.update(unread=True)
    from groups.models import Membership

    Membership.objects.filter(group=group, user=a).delete()
    Notification.objects.filter(post_ref=ppost.pk).update(unread=True)
    discussions.post_hide(post=ppost, by=powner, reason="Spam")
    html = client.get(reverse("inbox:centre")).content.decode()
    assert "Secret budget talk" not in html and "Open thread" not in html
    assert client.get(reverse("inbox:centre")).context["entries"] == []
    hidden = Notification.objects.filter(recipient=a).first()
    assert client.get(reverse("inbox:open", args=[hidden.pk])).status_code == 404


def test_someone_elses_notification_is_not_found(client, make_group, committed):
    group, owner, (a, b) = make_group(2)
    with committed():
        thread = ThreadFactory(group=group, author=a)
        PostFactory(thread=thread, author=b)
    note = Notification.objects.get(recipient=a)
    client.force_login(b)
    assert client.get(reverse("inbox:open", args=[note.pk])).status_code == 404
    assert client.post(reverse("inbox:read", args=[note.pk])).status_code == 404
    assert Notification.objects.get(pk=note.pk).unread


@pytest.mark.parametrize("threads", [2, 12])
def test_centre_query_count_is_fixed(
    client, make_group, committed, django_assert_max_num_queries, threads
):
    group, owner, (a, b) = make_group(2)
    for _ in range(threads):
        with committed():
            thread = ThreadFactory(group=group, author=a)
            PostFactory(thread=thread, author=b)
            PostFactory(thread=thread, author=b, body=f"@{a.username} look")
    client.force_login(a)
    # session, user, page count, grouped page rows, entry rows, badge count — plus at most
    # four queries for base.html's site navigation (Wagtail caches some of them).
    with django_assert_max_num_queries(10):
        response = client.get(reverse("inbox:centre"))
    # Two replies per thread, grouped: one entry per thread.
    assert [e.count for e in response.context["entries"]] == [2] * threads


def test_mute_thread_in_one_click(client, make_group, committed):
    group, owner, (a, b) = make_group(2)
    with committed():
        thread = ThreadFactory(group=group, author=a)
        PostFactory(thread=thread, author=b)
    client.force_login(a)
    response = client.post(reverse("inbox:watch"), {"thread": thread.pk, "level": "muted"})
    assert response.status_code == 302
    assert Watch.objects.get(user=a, thread_ref=thread.pk).level == WatchLevel.MUTED
    with committed():
        PostFactory(thread=thread, author=b)
    assert Notification.objects.filter(recipient=a).count() == 1


def test_cannot_watch_a_private_group_one_is_not_in(client, make_group):
    group, owner, _ = make_group(0, visibility=WorkingGroup.Visibility.MEMBERS)
    outsider = UserFactory()
    client.force_login(outsider)
    response = client.post(reverse("inbox:watch"), {"group": group.pk, "level": "watching"})
    assert response.status_code == 403
    assert not Watch.objects.exists()


def test_settings_page_saves_email_choice_group_level_and_override(client, make_group):
    group, owner, (a,) = make_group(1)
    client.force_login(a)
    response = client.get(reverse("inbox:settings"))
    assert response.status_code == 200 and group.name in response.content.decode()
    response = client.post(
        reverse("inbox:settings"),
        {
            "frequency": "weekly",
            f"level_{group.pk}": "tracking",
            f"email_{group.pk}": "immediately",
        },
    )
    assert response.status_code == 302
    a.refresh_from_db()
    assert a.inbox_email.frequency == "weekly"
    assert Watch.objects.get(user=a, group_ref=group.pk, thread_ref=None).level == "tracking"
    assert a.inbox_group_email.get(group_ref=group.pk).frequency == "immediately"
    bad = client.post(reverse("inbox:settings"), {"frequency": "hourly"})
    assert bad.status_code == 400


def test_centre_needs_login(client):
    response = client.get(reverse("inbox:centre"))
    assert response.status_code == 302 and "login" in response["Location"]


def test_kind_labels_exist_for_every_kind():
    from inbox import texts

    for kind in Kind.values:
        assert (
            texts.describe(kind, {"actor": "A", "thread": "T", "group": "G"})
            != "Something new concerns you."
        )


@pytest.mark.parametrize("groups", [1, 8])
def test_settings_page_query_count_is_fixed(
    client, make_group, django_assert_max_num_queries, groups
):
    from groups import services as group_services
    from inbox import services

    member = UserFactory()
    for _ in range(groups):
        group, owner, _members = make_group(0)
        group_services.membership_add(group=group, user=member)
        services.watch_set_group(user=member, group=group, level="tracking")
        thread = ThreadFactory(group=group, author=owner)
        services.watch_set_thread(user=member, thread=thread, level="muted")
    client.force_login(member)
    # session, user, groups, levels, overrides, email choice, thread levels, thread titles,
    # badge — plus at most four for base.html's site navigation.
    with django_assert_max_num_queries(13):
        response = client.get(reverse("inbox:settings"))
    assert len(response.context["group_rows"]) == groups
    assert len(response.context["thread_rows"]) == groups
