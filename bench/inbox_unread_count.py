#!/usr/bin/env python
"""The unread badge at scale: one COUNT over the partial index, with 1,000,000 notifications.

It fills a PostgreSQL database of its own with 1,000,000 notifications for 10,000 members
(100 each, every tenth one unread; one "heavy" member has 20,000 of which 5,000 unread),
through the inbox's own fan-out insert, runs VACUUM ANALYZE (as autovacuum would), then
prints the plan and timing of the badge query (`inbox.selectors.unread_count`) with
EXPLAIN (ANALYZE, BUFFERS) for a typical and for the heavy member, and the median of 200
executions of each.

Usage: .venv/bin/python bench/inbox_unread_count.py
       [--database-url postgres://postgres@127.0.0.1:5432/plaza_bench_unread] [--rows 1000000]
       [--json]
The database is created if missing and reused (filled once). With --json the last line is
one JSON object.
"""

from __future__ import annotations

import argparse
import json
import os
import statistics
import sys
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))
sys.path.insert(0, str(Path(__file__).resolve().parent))


from _harness import ensure_database, setup_django  # noqa: E402

ROOT = Path(__file__).resolve().parent.parent
MEMBERS = 10_000
CHUNK = 50_000


def log(message: str) -> None:
    print(message, file=sys.stderr, flush=True)


def fill(rows: int) -> tuple[int, int]:
    """Members and notifications (once). Returns (a typical member's id, the heavy one's)."""
    from django.contrib.auth.hashers import make_password
    from django.contrib.contenttypes.models import ContentType
    from django.core.management import call_command

    from inbox.models import Notification
    from people.models import User

    call_command("migrate", verbosity=0, interactive=False)
    names = [f"unread-bench-{i}" for i in range(MEMBERS)]
    if User.objects.filter(username__in=names[:1]).count() == 0:
        password = make_password(None)
        User.objects.bulk_create(
            [User(username=n, email=f"{n}@example.org", password=password) for n in names],
            batch_size=2000,
        )
    ids = list(
        User.objects.filter(username__startswith="unread-bench-")
        .order_by("pk")
        .values_list("pk", flat=True)
    )
    typical, heavy = ids[1], ids[0]
    have = Notification.objects.count()
    if have >= rows:
        return typical, heavy
    log(f"inserting {rows - have:,} notifications …")
    common = {
        "actor_content_type_id": ContentType.objects.get_for_model(User).pk,
        "actor_object_id": str(heavy),
        "data": {"actor": "Someone", "thread": "A thread"},
        "group_ref": 1,
        "thread_ref": 1,
    }
    varying = ("recipient_id", "verb", "group_key", "unread", "url", "email_state")
    heavy_rows = 20_000
    plan: list[tuple] = []
    for i in range(heavy_rows):
        plan.append((heavy, "new_post", f"new_post:t:{i % 500}", i % 4 == 0, "/", "none"))
    per_member = max((rows - heavy_rows) // (len(ids) - 1), 1)
    for member in ids[1:]:
        for j in range(per_member):
            plan.append((member, "reply", f"reply:t:{j % 20}", j % 10 == 0, "/", "none"))
    plan = plan[have:rows]
    started = time.monotonic()
    for start in range(0, len(plan), CHUNK):
        Notification.objects.fan_out_insert(
            common=common, varying=varying, rows=plan[start : start + CHUNK]
        )
        log(f"  {start + CHUNK:,} rows, {time.monotonic() - started:.0f}s")
    return typical, heavy


def measure(user_id: int) -> dict:
    """The badge query exactly as the ORM sends it: its plan, and its median time."""
    from django.contrib.auth import get_user_model
    from django.db import connection
    from django.test.utils import CaptureQueriesContext

    from inbox.selectors import unread_count

    user = get_user_model().objects.get(pk=user_id)
    with CaptureQueriesContext(connection) as queries:
        count = unread_count(user)
    (query,) = queries.captured_queries
    with connection.cursor() as cursor:
        cursor.execute("EXPLAIN (ANALYZE, BUFFERS) " + query["sql"])
        plan = "\n".join(row[0] for row in cursor.fetchall())
    times = []
    for _ in range(200):
        started = time.perf_counter()
        unread_count(user)
        times.append((time.perf_counter() - started) * 1000)
    return {
        "unread": count,
        "sql": query["sql"],
        "median_ms": round(statistics.median(times), 3),
        "plan": plan,
    }


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument(
        "--database-url",
        default=os.environ.get(
            "BENCH_DATABASE_URL", "postgres://postgres@127.0.0.1:5432/plaza_bench_unread"
        ),
    )
    parser.add_argument("--rows", type=int, default=1_000_000)
    parser.add_argument("--json", action="store_true")
    args = parser.parse_args()
    ensure_database(args.database_url)
    setup_django(args.database_url)
    from django.db import connection

    from inbox.models import Notification

    typical, heavy = fill(args.rows)
    with connection.cursor() as cursor:
        cursor.execute("VACUUM ANALYZE inbox_notification")
    total = Notification.objects.count()
    out = {"rows": total}
    for label, user_id in (("typical", typical), ("heavy", heavy)):
        result = measure(user_id)
        print(
            f"\n== {label} member (#{user_id}): {result['unread']} unread, "
            f"median {result['median_ms']} ms per count (200 runs)\n{result['sql']}\n"
            f"{result['plan']}"
        )
        out[label] = {
            "unread": result["unread"],
            "median_ms": result["median_ms"],
            "index_only": "Index Only Scan using inbox_unread" in result["plan"],
        }
    print(f"\n{total:,} notifications in the table.")
    if args.json:
        print(json.dumps(out))


if __name__ == "__main__":
    main()
