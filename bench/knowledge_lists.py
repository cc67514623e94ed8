"""Good-practice database and people directory at scale: query count and render time (ms).

    .venv/bin/python bench/knowledge_lists.py [--practices 500] [--experts 500] [--runs 20]

Builds a throwaway test database (SQLite by default; with DATABASE_URL set, a `test_`
database on that server), fills it with N practices (every fifth also in French) and M
listed experts with two languages each, then renders the faceted practice index (plain,
filtered, searched, in French) and the directory as an anonymous visitor. Prints queries
per request and median / p95 render time. Nothing is left behind.
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
    parser.add_argument("--practices", type=int, default=500)
    parser.add_argument("--experts", type=int, default=500)
    parser.add_argument("--runs", type=int, default=20)
    args = parser.parse_args()

    with throwaway_database() as connection:
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
            queries, median, p95, response = measure(client, path, args.runs)
            listed = response.context["page_obj"].paginator.count
            print(f"{path:<62} {listed:>6} {queries:>7} {median:>10.1f} {p95:>8.1f}")


if __name__ == "__main__":
    main()
