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


def test_bulk_insert_is_one_statement(db):
    users = User.objects.bulk_create(
        [User(username=f"bi{i}", email=f"bi{i}@example.org") for i in range(1500)]
    )
    from django.contrib.contenttypes.models import ContentType

    ct = ContentType.objects.get_for_model(User)
    rows = [
        Notification(
            recipient=u, actor_content_type=ct, actor_object_id="1", verb="reply", group_key="k"
        )
        for u in users
    ]
    with CaptureQueriesContext(connection) as queries:
        created = Notification.objects.bulk_insert(rows)
    inserts = [q for q in queries.captured_queries if q["sql"].startswith("INSERT")]
    assert len(inserts) == 1
    assert all(n.pk for n in created) and len({n.pk for n in created}) == 1500
