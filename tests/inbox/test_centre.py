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


def centre_queries(client, user) -> list[str]:
    from django.db import connection
    from django.test.utils import CaptureQueriesContext

    client.force_login(user)
    with CaptureQueriesContext(connection) as queries:
        response = client.get(reverse("inbox:centre"))
    assert response.status_code == 200
    return [q["sql"] for q in queries.captured_queries]


def test_centre_query_count_is_the_same_for_2_and_12_threads(client, make_group, committed):
    group, owner, (a, b, c) = make_group(3)
    for reader, threads in ((a, 2), (b, 12)):
        for _ in range(threads):
            with committed():
                thread = ThreadFactory(group=group, author=reader)
                PostFactory(thread=thread, author=c)
                PostFactory(thread=thread, author=c, body=f"@{reader.username} look")
    centre_queries(client, c)  # warm the site chrome's caches
    small, large = centre_queries(client, a), centre_queries(client, b)
    assert len(small) == len(large), (small, large)
    # Ours: the grouped count, the page of groups, the entries' rows, the badge.
    ours = [q for q in large if "inbox_notification" in q]
    assert len(ours) == 4, ours
    # The rest is the session, the user and base.html's site chrome (other apps').
    assert len(large) <= 14


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


def test_settings_page_query_count_is_the_same_for_1_and_8_groups(client, make_group):
    from django.db import connection
    from django.test.utils import CaptureQueriesContext

    from groups import services as group_services
    from inbox import services

    counts = []
    for n in (1, 8):
        member = UserFactory()
        for _ in range(n):
            group, owner, _members = make_group(0)
            group_services.membership_add(group=group, user=member)
            services.watch_set_group(user=member, group=group, level="tracking")
            thread = ThreadFactory(group=group, author=owner)
            services.watch_set_thread(user=member, thread=thread, level="muted")
        client.force_login(member)
        client.get(reverse("inbox:settings"))  # warm the site chrome's caches
        with CaptureQueriesContext(connection) as queries:
            response = client.get(reverse("inbox:settings"))
        assert len(response.context["group_rows"]) == n
        assert len(response.context["thread_rows"]) == n
        counts.append(len(queries))
    # groups, levels, overrides, email choice, thread levels, thread titles, badge
    # + session, user and base.html's site chrome
    assert counts[0] == counts[1] <= 16, counts
