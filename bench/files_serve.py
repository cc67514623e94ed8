"""What the permission check on uploads costs: /media/ and /documents/ per request.

    .venv/bin/python bench/files_serve.py [--runs 200]

Builds a throwaway test database (SQLite by default; with DATABASE_URL set, a `test_`
database on that server) with a members-only group, its files collection, and one image
and one document in it, plus the same in the public root collection. Then GETs each
through Django's test client (full middleware stack) and prints queries and median / p95
ms, interleaved in one run so a busy machine slows all alike. The floor is the public
folder (`PLAZA_FILES_PUBLIC_FOLDERS`): the same view and file sending, no policy.
Python streams the bytes here (development settings); in production the web server
sends them (X-Accel-Redirect), so the figures are the decision's cost plus a small file.
"""

import argparse
import statistics
import sys
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))
sys.path.insert(0, str(Path(__file__).resolve().parent))

from _harness import throwaway_database  # noqa: E402


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--runs", type=int, default=200)
    args = parser.parse_args()

    with throwaway_database() as connection:
        import tempfile

        from django.conf import settings
        from django.core.files.base import ContentFile
        from django.core.files.storage import default_storage
        from django.db import connection as db
        from django.test import Client
        from wagtail.documents import get_document_model
        from wagtail.images import get_image_model
        from wagtail.images.tests.utils import get_test_image_file
        from wagtail.models import Collection

        from groups.services import group_collection_ensure
        from tests.factories import GroupFactory, MembershipFactory, UserFactory

        settings.MEDIA_ROOT = tempfile.mkdtemp(prefix="plaza-bench-media-")
        default_storage.__init__()  # follow the new MEDIA_ROOT
        group = GroupFactory(visibility="members")
        member = UserFactory()
        MembershipFactory(group=group, user=member)
        private = group_collection_ensure(group=group)
        root = Collection.get_first_root_node()
        Image, Document = get_image_model(), get_document_model()
        paths = {}
        for label, collection in (("public", root), ("private", private)):
            image = Image.objects.create(
                title=f"{label} image", file=get_test_image_file(), collection=collection
            )
            document = Document.objects.create(
                title=f"{label} document",
                file=ContentFile(b"minutes " * 512, name="minutes.txt"),
                collection=collection,
            )
            paths[f"image, {label} collection"] = image.file.url
            paths[f"document, {label} collection"] = document.url
        avatar = default_storage.save("avatar_images/a.png", get_test_image_file().file)
        paths["floor: public folder"] = settings.MEDIA_URL + avatar

        client = Client()
        client.force_login(member)
        counts, times = {}, {name: [] for name in paths}
        for name, path in paths.items():
            queries = []

            def count(execute, sql, params, many, context, queries=queries):
                queries.append(sql)
                return execute(sql, params, many, context)

            response = client.get(path)  # warm
            with db.execute_wrapper(count):
                response = client.get(path)
            assert response.status_code == 200, (name, path, response.status_code)
            b"".join(response.streaming_content) if response.streaming else response.content
            counts[name] = len(queries)
        for _ in range(args.runs):  # interleaved: each round asks every path once
            for name, path in paths.items():
                t0 = time.perf_counter()
                response = client.get(path)
                b"".join(response.streaming_content) if response.streaming else response.content
                times[name].append((time.perf_counter() - t0) * 1000)
        floor = statistics.median(times["floor: public folder"])
        print(f"{connection.vendor}, {args.runs} rounds, signed in as a member of the group")
        print(f"{'what':<32} {'queries':>7} {'median ms':>10} {'p95 ms':>8} {'× floor':>8}")
        for name in paths:
            ms = sorted(times[name])
            median, p95 = statistics.median(ms), ms[min(len(ms) - 1, int(len(ms) * 0.95))]
            ratio = median / floor
            print(f"{name:<32} {counts[name]:>7} {median:>10.2f} {p95:>8.2f} {ratio:>8.2f}")


if __name__ == "__main__":
    main()
