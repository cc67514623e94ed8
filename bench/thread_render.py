#!/usr/bin/env python
"""Thread page benchmark: Plaza vs a no-database floor vs django-machina.

For N = 15, 200 and 1,000 posts it measures (medians over --runs requests after --warmup):

- plaza:   GET of the thread page through the full Django stack (test client, all
           middleware, session + auth, permissions, the tree selector, templates) as a
           signed-in member; also the number of SQL queries.
- floor:   the same HTML (same templates, same tree data prepared beforehand) rendered
           from a plain template with no database: the cost of producing the bytes.
- machina: django-machina 1.3.1's topic page with the same N posts (all on one page), in a
           separate venv (bench/.venv-machina, Django 4.2) that this script creates.

Plaza's thread: N replies, N/10 top-level branches (at least 5), each reply under a random
earlier reply, at most 8 levels deep. Page 1 shows 20 top-level branches with their replies
(at most 300), so at N=1,000 the page carries ~200 posts, not 1,000 — by design.

Usage: .venv/bin/python bench/thread_render.py [--sizes 15,200,1000] [--runs 15] [--json]
       .venv/bin/python bench/thread_render.py --profile 200   (cProfile + SQL of one page)
With --json the last line is one JSON object:
{"results": [{"n": 200, "plaza_ms": .., "plaza_queries": .., "floor_ms": .., "machina_ms": ..},
             ...]}
"""

from __future__ import annotations

import argparse
import gc
import json
import os
import re
import statistics
import subprocess
import sys
import time
import warnings
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
BENCH = ROOT / "bench"
WORK = BENCH / ".work"
MACHINA_VENV = BENCH / ".venv-machina"
MACHINA_REQUIREMENTS = ["django-machina==1.3.1", "Django>=4.2,<5.0"]


def log(message: str) -> None:
    print(message, file=sys.stderr, flush=True)


def setup_django(db_path: Path) -> None:
    os.environ["DJANGO_SETTINGS_MODULE"] = "config.settings.base"
    os.environ["DATABASE_URL"] = f"sqlite:///{db_path}"
    os.environ["DEBUG"] = "0"  # cached template loader, no debug toolbar-ish overhead
    os.environ["LOG_LEVEL"] = "WARNING"
    os.environ.pop("REDIS_URL", None)
    sys.path.insert(0, str(ROOT))
    import django

    django.setup()
    from django.conf import settings

    settings.DISCUSSIONS_POSTS_PER_MINUTE = 10**6  # the builder writes fast
    settings.PASSWORD_HASHERS = ["django.contrib.auth.hashers.MD5PasswordHasher"]
    from django.core.management import call_command

    call_command("migrate", verbosity=0)
    from cms.services import site_tree_ensure

    site_tree_ensure()


def plaza_thread(n: int):
    from tests.factories import (
        GroupFactory,
        MembershipFactory,
        ThreadFactory,
        UserFactory,
        build_tree,
    )

    group = GroupFactory(name=f"Bench group {n}", slug=f"bench-{n}")
    authors = [UserFactory(username=f"bench{n}a{i}") for i in range(3)]
    for user in authors:
        MembershipFactory(group=group, user=user)
    thread = ThreadFactory(
        group=group,
        author=authors[0],
        title=f"A thread with {n} posts",
        body="The opening post, with a **question**.",
    )
    build_tree(thread, authors, n, top_level=max(5, n // 10), max_depth=8)
    return thread, authors[1]


def floor_renderer(thread, viewer, plaza_html: str, csrf_token: str):
    """A plain template producing Plaza's page bytes from data prepared up front: the same
    include templates for the opening post and the tree, the rest of the page as static
    text. Asserted to run without a single query."""
    from django.template import engines
    from django.utils.safestring import mark_safe

    from discussions import selectors
    from discussions.views import _urls

    view = selectors.thread_page(thread=thread, user=viewer, page_number=1)
    start_opening = plaza_html.index('<article class="opening')
    end_opening = plaza_html.index("</article>", start_opening) + len("</article>")
    start_tree = plaza_html.index('<ol class="tree" data-tree>')
    end_tree = plaza_html.index("\n</ol>", start_tree) + len("\n</ol>")
    template = engines["django"].from_string(
        "{{ head }}{% with item=view.opening %}"
        '<article class="opening node" id="post-{{ item.id }}" '
        'data-post="{{ item.id }}" aria-label="Opening post"><details open>'
        "{% include 'discussions/includes/node.html' %}"
        "</details></article>{% endwith %}{{ middle }}"
        "{% include 'discussions/includes/tree.html' with items=view.items %}{{ tail }}"
    )
    context = {
        "head": mark_safe(plaza_html[:start_opening]),
        "middle": mark_safe(plaza_html[end_opening:start_tree]),
        "tail": mark_safe(plaza_html[end_tree:]),
        "view": view,
        "thread": thread,
        "urls": _urls(),
        "csrf_token": csrf_token,
        "labels": selectors.labels(),
    }

    def render() -> str:
        return template.render(context)

    return render


class MachinaServer:
    """django-machina in its own venv and process, answering "time one request of size N"."""

    def __init__(self, sizes: list[int], warmup: int):
        python = ensure_machina_venv()
        self.process = subprocess.Popen(
            [
                str(python),
                str(BENCH / "machina_bench.py"),
                "--serve",
                "--sizes",
                ",".join(map(str, sizes)),
                "--warmup",
                str(warmup),
            ],
            stdin=subprocess.PIPE,
            stdout=subprocess.PIPE,
            stderr=subprocess.PIPE,
            text=True,
            cwd=BENCH,
        )
        line = self.process.stdout.readline()
        if not line:
            raise RuntimeError("machina did not start:\n" + self.process.stderr.read()[-3000:])
        self.info = {r["n"]: r for r in json.loads(line)["ready"]}

    def request_ms(self, n: int) -> float:
        self.process.stdin.write(f"{n}\n")
        self.process.stdin.flush()
        return float(self.process.stdout.readline())

    def close(self) -> None:
        self.process.stdin.close()
        self.process.wait(timeout=60)


def run(sizes: list[int], runs: int, warmup: int, machina: MachinaServer | None) -> dict[int, dict]:
    """Plaza, floor and machina measured in turn within each run, so a busy machine slows
    all three alike."""
    WORK.mkdir(parents=True, exist_ok=True)
    db_path = WORK / f"plaza-{os.getpid()}.sqlite3"
    setup_django(db_path)
    from django.db import connection
    from django.test import Client
    from django.test.utils import CaptureQueriesContext
    from django.utils import translation

    out = {}
    try:
        for n in sizes:
            log(f"plaza: building a thread with {n} posts")
            thread, viewer = plaza_thread(n)
            client = Client()
            client.force_login(viewer)
            url = f"/en/discussions/threads/{thread.pk}/"
            response = client.get(url)
            assert response.status_code == 200, response.status_code
            with CaptureQueriesContext(connection) as ctx:
                response = client.get(url)
            queries = len(ctx)
            html = response.content.decode()
            with translation.override("en"):
                token = re.search(r'name="csrfmiddlewaretoken" value="([^"]+)"', html).group(1)
                render = floor_renderer(thread, viewer, html, token)
                with CaptureQueriesContext(connection) as floor_ctx:
                    floor_html = render()
                assert len(floor_ctx) == 0, (
                    f"the floor touched the database ({len(floor_ctx)} queries)"
                )
            samples: dict[str, list[float]] = {"plaza": [], "floor": [], "machina": []}
            # Objects built for the benchmark itself (threads, the floor's data) are not part of
            # a request; keep the collector from re-scanning them inside timed requests.
            gc.collect()
            gc.freeze()
            for i in range(warmup + runs):
                start = time.perf_counter()
                client.get(url)
                plaza_ms = (time.perf_counter() - start) * 1000
                with translation.override("en"):
                    start = time.perf_counter()
                    render()
                    floor_ms = (time.perf_counter() - start) * 1000
                machina_ms = machina.request_ms(n) if machina else None
                if i >= warmup:
                    samples["plaza"].append(plaza_ms)
                    samples["floor"].append(floor_ms)
                    if machina_ms is not None:
                        samples["machina"].append(machina_ms)
            out[n] = {
                "plaza_ms": round(statistics.median(samples["plaza"]), 2),
                "plaza_queries": queries,
                "floor_ms": round(statistics.median(samples["floor"]), 2),
                "machina_ms": round(statistics.median(samples["machina"]), 2)
                if samples["machina"]
                else None,
                "posts_on_page": html.count('class="node"') + html.count('class="opening node"'),
                "plaza_bytes": len(html.encode()),
                "floor_bytes": len(floor_html.encode()),
            }
            out[n]["min_ms"] = {k: round(min(v), 2) for k, v in samples.items() if v}
            log(f"n={n}: {out[n]}")
    finally:
        connection.close()
        for suffix in ("", "-wal", "-shm"):
            Path(f"{db_path}{suffix}").unlink(missing_ok=True)
    return out


def profile(n: int, requests: int = 20, top: int = 45) -> None:
    """cProfile of `requests` Plaza thread-page requests at size n (after a warm-up), with
    the SQL of one of them: where a request's time goes. Prints to stdout."""
    import cProfile
    import io
    import pstats

    WORK.mkdir(parents=True, exist_ok=True)
    db_path = WORK / f"plaza-profile-{os.getpid()}.sqlite3"
    setup_django(db_path)
    from django.db import connection
    from django.test import Client
    from django.test.utils import CaptureQueriesContext

    try:
        thread, viewer = plaza_thread(n)
        client = Client()
        client.force_login(viewer)
        url = f"/en/discussions/threads/{thread.pk}/"
        for _ in range(5):
            client.get(url)
        with CaptureQueriesContext(connection) as ctx:
            client.get(url)
        print(f"{len(ctx)} queries:")
        for query in ctx.captured_queries:
            print("  ", query["sql"][:160])
        profiler = cProfile.Profile()
        profiler.enable()
        for _ in range(requests):
            client.get(url)
        profiler.disable()
        out = io.StringIO()
        pstats.Stats(profiler, stream=out).sort_stats("cumulative").print_stats(top)
        print(out.getvalue())
    finally:
        connection.close()
        for suffix in ("", "-wal", "-shm"):
            Path(f"{db_path}{suffix}").unlink(missing_ok=True)


def ensure_machina_venv() -> Path:
    python = MACHINA_VENV / "bin" / "python"
    if not python.exists():
        log(
            f"machina: creating {MACHINA_VENV.relative_to(ROOT)} and installing "
            f"{' '.join(MACHINA_REQUIREMENTS)}"
        )
        subprocess.run([sys.executable, "-m", "venv", str(MACHINA_VENV)], check=True)
    check = subprocess.run([str(python), "-c", "import machina, django"], capture_output=True)
    if check.returncode != 0:
        subprocess.run(
            [str(python), "-m", "pip", "install", "-q", *MACHINA_REQUIREMENTS], check=True
        )
    return python


def main() -> None:
    warnings.filterwarnings(
        "ignore", message="No directory at"
    )  # whitenoise: no collectstatic here
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--sizes", default="15,200,1000")
    parser.add_argument("--runs", type=int, default=15)
    parser.add_argument("--warmup", type=int, default=3)
    parser.add_argument("--no-machina", action="store_true")
    parser.add_argument("--json", action="store_true", help="end with one JSON line of results")
    parser.add_argument(
        "--profile", type=int, metavar="N", help="profile Plaza's page at N posts and stop"
    )
    args = parser.parse_args()
    if args.profile:
        profile(args.profile)
        return
    sizes = [int(s) for s in args.sizes.split(",")]

    machina = None
    if not args.no_machina:
        try:
            log("machina: building the same topics in bench/.venv-machina")
            machina = MachinaServer(sizes, args.warmup)
        except (OSError, RuntimeError, subprocess.CalledProcessError) as exc:
            log(f"machina: could not run: {exc}")
    try:
        plaza = run(sizes, args.runs, args.warmup, machina)
    finally:
        if machina:
            machina.close()
    machina_info = machina.info if machina else {}

    header = (
        f"{'N':>6} {'plaza ms':>9} {'queries':>7} {'posts on page':>13} {'floor ms':>9} "
        f"{'plaza/floor':>11} {'machina ms':>10} {'m. queries':>10} {'machina/plaza':>13}"
    )
    print(header)
    results = []
    for n in sizes:
        p, m = plaza[n], machina_info.get(n)
        machina_ms = p["machina_ms"]
        ratio = p["plaza_ms"] / p["floor_ms"]
        machina_cols = (
            f"{machina_ms:>10.1f} {m['queries']:>10} {machina_ms / p['plaza_ms']:>12.1f}x"
            if m and machina_ms
            else f"{'n/a':>10} {'n/a':>10} {'n/a':>13}"
        )
        print(
            f"{n:>6} {p['plaza_ms']:>9.1f} {p['plaza_queries']:>7} {p['posts_on_page']:>13} "
            f"{p['floor_ms']:>9.1f} {ratio:>10.2f}x {machina_cols}"
        )
        results.append(
            {
                "n": n,
                "plaza_ms": p["plaza_ms"],
                "plaza_queries": p["plaza_queries"],
                "floor_ms": p["floor_ms"],
                "machina_ms": machina_ms,
            }
        )
    sizes_bytes = ", ".join(
        f"{n}: {plaza[n]['plaza_bytes']}/{plaza[n]['floor_bytes']}" for n in sizes
    )
    machina_posts = (
        ", ".join(f"{n}: {machina_info[n]['posts_on_page']}" for n in sizes if n in machina_info)
        or "n/a"
    )
    print(f"(page bytes plaza/floor: {sizes_bytes}; machina posts on page: {machina_posts})")
    mins = "; ".join(
        f"{n}: " + ", ".join(f"{k} {v:.1f}" for k, v in plaza[n]["min_ms"].items()) for n in sizes
    )
    print(f"(fastest single request, ms — {mins})")
    if args.json:
        print(json.dumps({"results": results}))


if __name__ == "__main__":
    main()
