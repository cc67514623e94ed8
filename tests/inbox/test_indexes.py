"""The badge is one cheap query: the database answers the unread count from the partial
index on unread rows (bench/inbox_unread_count.py shows the plan at 1,000,000 rows)."""

import pytest
from django.contrib.contenttypes.models import ContentType
from django.db import connection
from django.test.utils import CaptureQueriesContext

from inbox.models import Notification
from inbox.selectors import unread_count
from people.models import User

pytestmark = pytest.mark.django_db


def test_unread_count_is_one_query_on_the_partial_index():
    users = User.objects.bulk_create(
        [User(username=f"ix{i}", email=f"ix{i}@example.org") for i in range(200)]
    )
    rows = [(u.pk, "reply", f"reply:t:{j % 7}", j % 10 == 0) for u in users for j in range(100)]
    Notification.objects.fan_out_insert(
        common={
            "actor_content_type_id": ContentType.objects.get_for_model(User).pk,
            "actor_object_id": "1",
        },
        varying=("recipient_id", "verb", "group_key", "unread"),
        rows=rows,
    )
    with connection.cursor() as cursor:
        cursor.execute("ANALYZE")
    with CaptureQueriesContext(connection) as queries:
        assert unread_count(users[3]) == 10
    (query,) = queries.captured_queries
    explain = "EXPLAIN QUERY PLAN " if connection.vendor == "sqlite" else "EXPLAIN "
    with connection.cursor() as cursor:
        cursor.execute(explain + query["sql"])
        plan = " ".join(str(part) for row in cursor.fetchall() for part in row)
    assert "inbox_unread" in plan, plan
    if connection.vendor == "postgresql":
        assert "Index Only Scan using inbox_unread" in plan, plan
    else:  # SQLite reads only the unread rows' index entries (and their rows)
        assert "SEARCH inbox_notification USING" in plan and "INDEX inbox_unread" in plan, plan
