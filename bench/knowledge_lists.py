"""Good-practice database and people directory at scale: query count and render time (ms).

    .venv/bin/python bench/knowledge_lists.py [--practices 500] [--experts 500] [--runs 20]

Builds a throwaway test database (SQLite by default; with DATABASE_URL set, a `test_`
database on that server), fills it with N practices (every fifth also in French) and M
listed experts with two languages each, then renders the faceted practice index (plain,
filtered, searched, in French) and the directory as an anonymous visitor. Prints queries
per request and median / p95 render time. Nothing is left behind.
"""

import argparse
import os
import statistics
import sys
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))
os.environ.setdefault("DJANGO_SETTINGS_MODULE", "config.settings.test")


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--practices", type=int, default=500)
    parser.add_argument("--experts", type=int, default=500)
    parser.add_argument("--runs", type=int, default=20)
    args = parser.parse_args()

    import logging

    import django

    django.setup()
    logging.disable(logging.INFO)  # django-tasks logs every index update
    from django.db import connection
    from django.test.utils import setup_test_environment

    setup_test_environment()
    old_name = connection.settings_dict["NAME"]
    connection.creation.create_test_db(verbosity=0, autoclobber=True)
    try:
        from django.test import Client
        from wagtail.models import Locale

        from knowledge.choices import SDG, Topic
        from knowledge.models import ExpertProfile, GoodPracticePage, LanguageSkill
        from knowledge.services import knowledge_pages_ensure
        from people.models import User

        started = time.perf_counter()
        index = knowledge_pages_ensure(languages=["en", "fr"])["practices"]
        french = Locale.objects.get(language_code="fr")
        topics, sdgs = list(Topic.values), [str(v) for v in SDG.values]
        countries = ["GH", "SN", "IN", "BR", "MX", "VN", "MA", "GE", "UG", "LB", "PE", "DE"]
        for i in range(args.practices):
            page = GoodPracticePage(
                title=f"Practice {i:04d}",
                slug=f"practice-{i}",
                city=f"City {i % 40}",
                country=countries[i % len(countries)],
                topics=f",{topics[i % 8]},{topics[(i * 3) % 8]},",
                sdgs=f",{sdgs[i % 17]},11,",
                summary="A proven municipal solution made for the benchmark.",
            )
            index.add_child(instance=page)
            page.save_revision().publish()
            if i % 5 == 0:
                translation = page.copy_for_translation(french)
                translation.save_revision().publish()
            index.refresh_from_db()
        users = User.objects.bulk_create(
            [
                User(
                    username=f"expert{i}",
                    email=f"expert{i}@example.org",
                    display_name=f"Expert {i:04d}",
                    country=countries[i % len(countries)],
                    city=f"City {i % 40}",
                )
                for i in range(args.experts)
            ]
        )
        ExpertProfile.objects.bulk_create(
            [
                ExpertProfile(
                    user=u,
                    expertise=f",{topics[i % 8]},",
                    listed=i % 10 != 0,
                    available_for_missions=i % 2 == 0,
                )
                for i, u in enumerate(users)
            ]
        )
        LanguageSkill.objects.bulk_create(
            [
                LanguageSkill(user=u, language=code, level="fluent")
                for u in users
                for code in ("en", "fr")
            ]
        )
        print(
            f"{args.practices} practices and {args.experts} experts built in "
            f"{time.perf_counter() - started:.1f}s ({connection.vendor})"
        )

        def measure(client, path):
            client.get(path)  # warm caches and templates
            queries = []

            def count(execute, sql, params, many, context):
                queries.append(sql)
                return execute(sql, params, many, context)

            with connection.execute_wrapper(count):
                response = client.get(path)
            assert response.status_code == 200, (path, response.status_code)
            times = []
            for _ in range(args.runs):
                t0 = time.perf_counter()
                client.get(path)
                times.append((time.perf_counter() - t0) * 1000)
            times.sort()
            p95 = times[min(len(times) - 1, int(len(times) * 0.95))]
            return (
                len(queries),
                statistics.median(times),
                p95,
                response.context["page_obj"].paginator.count,
            )

        client = Client()
        print(f"{'path':<62} {'listed':>6} {'queries':>7} {'median ms':>10} {'p95 ms':>8}")
        for path in (
            "/en/practices/",
            "/en/practices/?topic=urban-mobility&sdg=11",
            "/en/practices/?topic=digitalisation&region=asia&country=IN&language=fr",
            "/en/practices/?q=proven",
            "/fr/practices/?language=fr&page=2",
            "/en/people/",
            "/en/people/?expertise=urban-mobility&language=fr&available=1",
        ):
            queries, median, p95, listed = measure(client, path)
            print(f"{path:<62} {listed:>6} {queries:>7} {median:>10.1f} {p95:>8.1f}")
    finally:
        connection.creation.destroy_test_db(old_name, verbosity=0)


if __name__ == "__main__":
    main()
