"""Group directory at 500 groups: query count and render time (ms).

    .venv/bin/python bench/group_directory.py [--groups 500] [--runs 30]

Builds a throwaway test database (SQLite by default; with DATABASE_URL set, a `test_`
database on that server), fills it with N groups that each have a live page, then renders
/en/groups/ with Django's test client as an anonymous visitor and as a member of 30
groups. Prints queries per request and median / p95 render time. Nothing is left behind.
"""

import argparse
import sys
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))
sys.path.insert(0, str(Path(__file__).resolve().parent))

from _harness import measure, throwaway_database  # noqa: E402


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--groups", type=int, default=500)
    parser.add_argument("--runs", type=int, default=30)
    args = parser.parse_args()

    with throwaway_database() as connection:
        from django.test import Client

        from groups.models import GroupPage, WorkingGroup
        from groups.services import group_index_ensure, membership_add
        from tests.factories import UserFactory

        started = time.perf_counter()
        index = group_index_ensure()
        kinds, topics = list(WorkingGroup.Kind.values), list(WorkingGroup.Topic.values)
        visibilities = ["public", "public", "members", "secret"]
        groups = WorkingGroup.objects.bulk_create(
            [
                WorkingGroup(
                    name=f"Group {i:03d}",
                    slug=f"group-{i}",
                    kind=kinds[i % 2],
                    topic=topics[i % len(topics)],
                    visibility=visibilities[i % 4],
                    languages=",en,fr,",
                    member_count=i % 40,
                )
                for i in range(args.groups)
            ]
        )
        for group in groups:
            index.add_child(
                instance=GroupPage(
                    title=group.name,
                    slug=group.slug,
                    group=group,
                    live=True,
                    purpose="A working group made for the benchmark.",
                )
            )
            index.refresh_from_db()
        member = UserFactory()
        for group in groups[:30]:
            membership_add(group=group, user=member)
        print(
            f"{args.groups} groups with pages built in {time.perf_counter() - started:.1f}s "
            f"({connection.vendor})"
        )

        anonymous = Client()
        signed_in = Client()
        signed_in.force_login(member)
        print(
            f"{'who':<10} {'path':<58} {'listed':>6} {'queries':>7} {'median ms':>10} {'p95 ms':>8}"
        )
        for who, client in (("anonymous", anonymous), ("member", signed_in)):
            for path in (
                "/en/groups/",
                "/en/groups/?kind=thematic&language=fr&sort=members&page=3",
                "/en/groups/?q=group+04",
            ):
                queries, median, p95, response = measure(client, path, args.runs)
                listed = response.context["page_obj"].paginator.count
                print(f"{who:<10} {path:<58} {listed:>6} {queries:>7} {median:>10.1f} {p95:>8.1f}")


if __name__ == "__main__":
    main()
