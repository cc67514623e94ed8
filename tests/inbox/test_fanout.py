"""Fan-out cost does not depend on the number of recipients."""

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext, override_settings

from groups.models import Membership
from inbox.models import EmailFrequency, EmailPreference, Notification, Watch, WatchLevel
from people.models import User
from tests.factories import GroupFactory, PostFactory, ThreadFactory, UserFactory

pytestmark = pytest.mark.django_db


def watching_members(group, n: int, prefix: str, *, email: str | None = None) -> list[User]:
    """n members watching the group, created in bulk (the services' cost is not under test)."""
    users = User.objects.bulk_create(
        [
            User(username=f"{prefix}{i}", email=f"{prefix}{i}@example.org", preferred_language="en")
            for i in range(n)
        ]
    )
    Membership.objects.bulk_create([Membership(group=group, user=u) for u in users])
    Watch.objects.bulk_create(
        [Watch(user=u, group_ref=group.pk, level=WatchLevel.WATCHING) for u in users]
    )
    if email:
        EmailPreference.objects.bulk_create(
            [EmailPreference(user=u, frequency=email) for u in users]
        )
    return users


def post_queries(committed, group, n: int, prefix: str) -> tuple[int, int]:
    """(queries for one reply in a thread watched by n members, notifications created)."""
    author = UserFactory()
    thread = ThreadFactory(group=group, author=author)
    watching_members(group, n, prefix)
    before = Notification.objects.count()
    with CaptureQueriesContext(connection) as queries, committed():
        PostFactory(thread=thread, author=author)
    return len(queries), Notification.objects.count() - before


def test_fan_out_queries_are_the_same_for_10_and_1000_recipients(committed):
    warm = GroupFactory()
    post_queries(committed, warm, 2, "warm")  # content types, caches
    small, created_small = post_queries(committed, GroupFactory(), 10, "s")
    large, created_large = post_queries(committed, GroupFactory(), 1000, "l")
    assert (created_small, created_large) == (10, 1000)
    assert small == large, (small, large)


@override_settings(TASKS={"default": {"BACKEND": "django_tasks_db.DatabaseBackend"}})
def test_immediate_emails_are_one_queued_task_per_event(committed):
    from django_tasks_db.models import DBTaskResult

    counts = []
    for n, prefix in ((10, "a"), (1000, "b")):
        group = GroupFactory()
        author = UserFactory()
        thread = ThreadFactory(group=group, author=author)
        watching_members(group, n, prefix, email=EmailFrequency.IMMEDIATELY)
        ours = DBTaskResult.objects.filter(task_path__startswith="inbox.")
        tasks_before = ours.count()
        with CaptureQueriesContext(connection) as queries, committed():
            PostFactory(thread=thread, author=author)
        assert ours.count() - tasks_before == 1
        counts.append(len(queries))
    assert counts[0] == counts[1], counts


def test_fan_out_insert_is_one_statement_with_ids_back(db):
    from django.contrib.contenttypes.models import ContentType

    users = User.objects.bulk_create(
        [User(username=f"bi{i}", email=f"bi{i}@example.org") for i in range(1500)]
    )
    common = {
        "actor_content_type_id": ContentType.objects.get_for_model(User).pk,
        "actor_object_id": "1",
        "data": {"thread": "Ünïcode “quotes”"},
        "group_ref": 7,
    }
    rows = [
        (u.pk, "reply", f"reply:t:{i % 3}", i % 2 == 0, f"/en/x/{i}/", "daily")
        for i, u in enumerate(users)
    ]
    with CaptureQueriesContext(connection) as queries:
        ids = Notification.objects.fan_out_insert(
            common=common,
            varying=("recipient_id", "verb", "group_key", "must_deliver", "url", "email_state"),
            rows=rows,
        )
    assert len(queries) == 1
    assert sorted(uid for _pk, uid in ids) == sorted(u.pk for u in users)
    stored = Notification.objects.get(pk=dict((uid, pk) for pk, uid in ids)[users[2].pk])
    assert (stored.verb, stored.group_key, stored.must_deliver, stored.url, stored.email_state) == (
        "reply",
        "reply:t:2",
        True,
        "/en/x/2/",
        "daily",
    )
    assert stored.data == {"thread": "Ünïcode “quotes”"} and stored.group_ref == 7
    assert stored.unread and not stored.emailed and stored.timestamp is not None


def test_one_channel_message_per_event_whatever_the_number_of_recipients(make_group):
    """One group_send per event: every process's hub gets it once and keeps its own
    sockets' entries."""
    from inbox import realtime
    from inbox.services import Batch, Sent

    group, owner, members = make_group(4)
    outsider = UserFactory()
    people = [*members, outsider]
    sent = tuple(Sent(100 + i, u.pk, "new_post", "daily", seq=7 + i) for i, u in enumerate(people))
    message = realtime.build_message(
        Batch(sent=sent, group_ref=group.pk, thread_ref=1, data={"thread": "T"})
    )
    assert message["type"] == "inbox.event" and message["data"] == {"thread": "T"}
    assert isinstance(message["recipients"], str)  # no per-recipient objects to copy
    assert realtime.parse_recipients(message["recipients"]) == {
        u.pk: (100 + i, "new_post", 0, 7 + i) for i, u in enumerate(people)
    }
