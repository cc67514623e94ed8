#!/usr/bin/env python
"""Issue 11's fault runs, the long version: does member A's client end with the database?

For each condition it starts two daphne workers on the bench's PostgreSQL database and a
private redis-server of their own, opens two tabs of member A (who watches a thread in
each of --groups groups) — one per worker, each a protocol v2 client as inbox/static/inbox/inbox.js
behaves — and has --repliers members of every group post --replies inline replies through
both workers over real HTTP within --duration seconds, alternating between the threads
(so the transactions that notify A do not queue on one thread's rows), each with an
idempotency key reused on retries (connection errors and 503 are retried; a 500 is
counted). Conditions:

- no fault;
- redis restart: Redis killed -9 a third into the run, restarted on its port 4 s later;
- worker killed: worker 1 killed -9 (its tab reconnects to worker 0, repliers move);
- postgres terminated: pg_terminate_backend on the workers' connections --pg-shots times.

After the last reply it waits for convergence (a few heartbeats) and prints a Markdown
table like the issue's (posts, stored, notifications for A in the database, how many of
them committed out of id order — a higher id with a lower seq, timing-dependent — what
each tab showed, lost, duplicates, posts without A's notification, HTTP 500, 503s
retried), then what broke the promise, with the missing ids' evidence (on stderr).

The harness (processes, the protocol client, the repliers) is tests/inbox/fault_harness.py:
the bench imports it from tests/, as tests/inbox/test_faults.py does (the bounded runs).

Usage: .venv/bin/python bench/inbox_faults.py [--replies 300] [--duration 60]
       [--condition "no fault" ...] [--repliers 4] [--groups 2] [--heartbeat 1] [--pg-shots 5]
       [--database-url postgres://postgres@127.0.0.1:5432/plaza_bench_faults] [--json]
The database is created (and migrated) if missing. The workers run config.settings.base
with DEBUG off and persistent database connections (DB_CONN_MAX_AGE=60), like a deployment.
"""

from __future__ import annotations

import argparse
import json
import sys
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))
sys.path.insert(0, str(ROOT / "bench"))

from _harness import ensure_database, setup_django  # noqa: E402

from tests.inbox import fault_harness as fh  # noqa: E402

WORK = ROOT / "bench" / ".work" / "faults"
DEFAULT_DATABASE = "postgres://postgres@127.0.0.1:5432/plaza_bench_faults"


def log(message: str) -> None:
    print(message, file=sys.stderr, flush=True)


def main() -> None:
    parser = argparse.ArgumentParser(
        description=__doc__.splitlines()[0], formatter_class=argparse.RawDescriptionHelpFormatter
    )
    parser.add_argument("--replies", type=int, default=300, help="replies per condition")
    parser.add_argument("--duration", type=float, default=60.0, help="seconds per condition")
    parser.add_argument(
        "--condition",
        action="append",
        choices=fh.CONDITIONS,
        help="run only this condition (repeatable); default: all four",
    )
    parser.add_argument("--repliers", type=int, default=4)
    parser.add_argument("--groups", type=int, default=2, help="A watches a thread in each")
    parser.add_argument("--heartbeat", type=float, default=1.0, help="INBOX_HEARTBEAT_SECONDS")
    parser.add_argument("--pg-shots", type=int, default=5, help="terminations (postgres run)")
    parser.add_argument("--database-url", default=DEFAULT_DATABASE, help="PostgreSQL only")
    parser.add_argument("--settings", default="config.settings.base", help="the workers'")
    parser.add_argument("--json", action="store_true", help="last line: the figures as JSON")
    args = parser.parse_args()
    if not args.database_url.startswith(("postgres://", "postgresql://")):
        parser.error("the fault runs need PostgreSQL (--database-url postgres://...)")

    ensure_database(args.database_url)
    setup_django(args.database_url)
    from django.core.management import call_command

    log("migrating the bench database …")
    call_command("migrate", verbosity=0, interactive=False)

    results = []
    for condition in args.condition or fh.CONDITIONS:
        scene = fh.scene_create(repliers=args.repliers, groups=args.groups)
        workdir = WORK / condition.replace(" ", "-")
        log(f"{condition}: {args.replies} replies in {args.duration:.0f} s …")
        with fh.Stack(
            workdir,
            args.database_url,
            heartbeat=args.heartbeat,
            settings_module=args.settings,
            extra_env={"ALLOWED_HOSTS": "127.0.0.1,localhost"},
        ) as stack:
            result = fh.run_condition(
                stack,
                scene,
                condition,
                replies=args.replies,
                duration=args.duration,
                pg_shots=args.pg_shots,
            )
        results.append(result)
        problems = result.problems()
        log(f"{condition}: {'promise held' if not problems else 'BROKEN'} ({result.seconds} s)")
        log(f"  faults (s into the run, what, port or backends ended): {result.faults}")
        log(
            f"  stored per thread: {result.stored_by_thread}; A's notifications out of id "
            f"order: {len(result.out_of_id_order)}; their posts out of id order (by A's seq, "
            f"i.e. commit order): {len(result.posts_out_of_id_order)}"
        )
        for c in result.clients:
            log(f"  {c.name}: {c.stats}")
            log(
                f"    an old-protocol client fed these frames would lack {len(c.old_protocol_lost)}"
            )
        for problem in problems:
            log(f"  - {problem}")
        if problems:
            log(result.evidence())
            log(f"  (worker logs in {workdir})")

    print(fh.table(results))
    if args.json:
        print(
            json.dumps(
                {
                    "when": time.strftime("%Y-%m-%d %H:%M"),
                    "replies": args.replies,
                    "duration": args.duration,
                    "runs": {
                        r.condition: {
                            "header": fh.TABLE_HEADER[1:],
                            "row": r.row()[1:],
                            "problems": r.problems(),
                            "faults": r.faults,
                        }
                        for r in results
                    },
                }
            )
        )


if __name__ == "__main__":
    main()
