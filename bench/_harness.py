"""What the list benchmarks share: a throwaway test database and one way to time a page.

Scripts in bench/ import this after putting the project root on sys.path.
"""

from __future__ import annotations

import contextlib
import logging
import os
import statistics
import time

os.environ.setdefault("DJANGO_SETTINGS_MODULE", "config.settings.test")


@contextlib.contextmanager
def throwaway_database():
    """Set Django up and yield inside a fresh `test_` database that is dropped afterwards.

    SQLite by default; with DATABASE_URL set, a `test_` database on that server.
    """
    import django

    django.setup()
    logging.disable(logging.INFO)  # django-tasks logs every index update
    from django.db import connection
    from django.test.utils import setup_test_environment

    setup_test_environment()
    old_name = connection.settings_dict["NAME"]
    connection.creation.create_test_db(verbosity=0, autoclobber=True)
    try:
        yield connection
    finally:
        connection.creation.destroy_test_db(old_name, verbosity=0)


def measure(client, path: str, runs: int):
    """GET `path` once to warm up, once counting queries, then `runs` times timed.

    Returns (queries, median ms, p95 ms, response of the counted request).
    """
    from django.db import connection

    client.get(path)  # warm caches and templates
    queries = []

    def count(execute, sql, params, many, context):
        queries.append(sql)
        return execute(sql, params, many, context)

    with connection.execute_wrapper(count):
        response = client.get(path)
    assert response.status_code == 200, (path, response.status_code)
    times = []
    for _ in range(runs):
        t0 = time.perf_counter()
        client.get(path)
        times.append((time.perf_counter() - t0) * 1000)
    times.sort()
    p95 = times[min(len(times) - 1, int(len(times) * 0.95))]
    return len(queries), statistics.median(times), p95, response


def ensure_database(database_url: str) -> None:
    """Create the bench's PostgreSQL database if it is missing (SQLite creates its file)."""
    if not database_url.startswith(("postgres://", "postgresql://")):
        return
    from urllib.parse import urlparse, urlunparse

    import psycopg

    parsed = urlparse(database_url)
    name = parsed.path.lstrip("/")
    admin = urlunparse(parsed._replace(path="/postgres"))
    with psycopg.connect(admin, autocommit=True) as conn:
        if not conn.execute("SELECT 1 FROM pg_database WHERE datname = %s", [name]).fetchone():
            conn.execute(f'CREATE DATABASE "{name}"')


def setup_django(database_url: str) -> None:
    """Django on the bench's own database with production-like settings (no debug, no live
    channel layer: the in-process measurements need none)."""
    os.environ.update(
        {
            "DJANGO_SETTINGS_MODULE": "config.settings.base",
            "DATABASE_URL": database_url,
            "DEBUG": "0",
            "LOG_LEVEL": "WARNING",
        }
    )
    os.environ.pop("REDIS_URL", None)
    import django

    django.setup()
