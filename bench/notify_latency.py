#!/usr/bin/env python
"""Live notification latency: a post is accepted → each of 1,000 members' sockets has it.

It starts its own servers on loopback and connects --clients websocket clients (members of
one working group, all "watching" it) with the `websockets` package, then has another
member reply in the group's thread over HTTP, --rounds times (after one warm-up round):

- inmemory:       one daphne process, Channels' in-memory layer;
- redis_2workers: two daphne processes sharing one Redis (clients split between them,
                  the post goes alternately through either), channels-redis;
- floor:          no Django: two plain `websockets` servers subscribed to Redis pub/sub;
                  a "post" is one PUBLISH, each server sends each of its clients a small
                  JSON message of its own — the least any design over Redis can cost.

Latency = time a client receives its notification − time the post was accepted. For
Plaza that is `Post.created_at` (set by discussions.services when it accepts the post,
before the 1,000 notifications are written and pushed); for the floor, the moment of the
PUBLISH. Clients and servers share the machine's clock. The HTTP round trip of the post
(which includes writing the notifications) is reported too.

`fanout_queries` are the queries the inbox runs to notify 10 and 1,000 watchers of one
post (receivers + bulk insert + push), measured in-process against the bench database.

Usage: .venv/bin/python bench/notify_latency.py [--clients 1000] [--rounds 5]
       [--redis-url redis://127.0.0.1:6379/5] [--database-url ...] [--json]
(--database-url postgres://postgres@127.0.0.1:5432/plaza_bench_notify: the production
shape; the database is created if missing. Default: a SQLite file, the embedded shape.)
With --json the last line is one JSON object:
{"clients": 1000, "inmemory": {"p50_ms": .., "p99_ms": ..}, "redis_2workers": {..},
 "floor": {..}, "fanout_queries": {"10": .., "1000": ..}, "database": "sqlite",
 "load": [1-minute load average before, after]}
"""

from __future__ import annotations

import argparse
import asyncio
import json
import math
import os
import re
import socket
import subprocess
import sys
import time
import urllib.error
import urllib.parse
import urllib.request
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))
sys.path.insert(0, str(Path(__file__).resolve().parent))

from _harness import ensure_database  # noqa: E402
from _harness import setup_django as harness_setup_django

ROOT = Path(__file__).resolve().parent.parent
WORK = ROOT / "bench" / ".work"
GROUP_SLUG = "bench-notify"
# Fresh posters every run: discussions limits each member to a few posts per minute.
RUN = str(int(time.time()))
CONNECT_CONCURRENCY = 50
ROUND_TIMEOUT = 60.0


def log(message: str) -> None:
    print(message, file=sys.stderr, flush=True)


def percentile(values: list[float], p: float) -> float:
    ordered = sorted(values)
    return ordered[max(0, math.ceil(p / 100 * len(ordered)) - 1)]


def spread(latencies_s: list[float], expected: int) -> str:
    p50, p99 = percentile(latencies_s, 50) * 1000, percentile(latencies_s, 99) * 1000
    return f"{len(latencies_s)}/{expected} received, p50 {p50:.0f} ms, p99 {p99:.0f} ms"


def summary(latencies_s: list[float], http_s: list[float] | None = None) -> dict:
    ms = [v * 1000 for v in latencies_s]
    out = {
        "p50_ms": round(percentile(ms, 50), 1),
        "p99_ms": round(percentile(ms, 99), 1),
        "max_ms": round(max(ms), 1),
        "samples": len(ms),
    }
    if http_s:
        out["post_http_ms"] = round(percentile([v * 1000 for v in http_s], 50), 1)
    return out


PORTS = range(8104, 8111)  # the ports this bench may use (loopback only)


def free_port(taken: tuple[int, ...] = ()) -> int:
    """A free loopback port from PORTS."""
    for port in PORTS:
        if port in taken:
            continue
        with socket.socket() as s:
            try:
                s.bind(("127.0.0.1", port))
            except OSError:
                continue
            return port
    raise RuntimeError(f"no free port in {PORTS.start}-{PORTS.stop - 1}")


def wait_for_port(
    port: int, process: subprocess.Popen, log_path: Path, timeout: float = 90
) -> None:
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        if process.poll() is not None:
            raise RuntimeError(f"server exited:\n{log_path.read_text()[-3000:]}")
        try:
            with socket.create_connection(("127.0.0.1", port), timeout=0.5):
                return
        except OSError:
            time.sleep(0.2)
    raise RuntimeError(f"server on port {port} did not start:\n{log_path.read_text()[-3000:]}")


def stop(processes: list[subprocess.Popen]) -> None:
    for process in processes:
        if process.poll() is None:
            process.terminate()
    for process in processes:
        try:
            process.wait(timeout=15)
        except subprocess.TimeoutExpired:
            process.kill()


# --- Django side: database, members, sessions, the fan-out query count ---------------


def server_env(database_url: str, redis_url: str | None) -> dict:
    env = {
        **os.environ,
        "DJANGO_SETTINGS_MODULE": "config.settings.base",
        "DATABASE_URL": database_url,
        "DEBUG": "0",
        "LOG_LEVEL": "WARNING",
        "PYTHONPATH": str(ROOT),
    }
    env.pop("REDIS_URL", None)
    if redis_url:
        env["REDIS_URL"] = redis_url
    return env


def setup_django(database_url: str) -> None:
    harness_setup_django(database_url)
    from django.conf import settings

    settings.DISCUSSIONS_POSTS_PER_MINUTE = 10**6


def prepare(n_clients: int, rounds: int) -> dict:
    """Members watching one group (bulk), a thread, posters, sessions. Idempotent."""
    from django.conf import settings
    from django.contrib.auth import BACKEND_SESSION_KEY, HASH_SESSION_KEY, SESSION_KEY
    from django.contrib.auth.hashers import make_password
    from django.contrib.sessions.backends.db import SessionStore
    from django.contrib.sessions.models import Session
    from django.core.management import call_command
    from django.utils import timezone

    from discussions.models import Thread
    from discussions.services import thread_start
    from groups.models import Membership, WorkingGroup
    from inbox.models import Notification, Watch, WatchLevel
    from people.models import User

    log("migrating the bench database …")
    call_command("migrate", verbosity=0, interactive=False)
    group, _ = WorkingGroup.objects.get_or_create(slug=GROUP_SLUG, defaults={"name": "Bench group"})
    # At least 1,000 members: the fan-out query count is measured at 1,000 recipients.
    n_members = max(n_clients, 1000)
    names = [f"bench-member-{i}" for i in range(n_members)] + [
        f"bench-poster-{RUN}-{r}" for r in range(2 * rounds + 4)
    ]
    existing = set(User.objects.filter(username__in=names).values_list("username", flat=True))
    password = make_password(None)
    User.objects.bulk_create(
        [
            User(username=n, email=f"{n}@example.org", password=password)
            for n in names
            if n not in existing
        ]
    )
    users = {u.username: u for u in User.objects.filter(username__in=names)}
    members = [users[f"bench-member-{i}"] for i in range(n_clients)]
    posters = [users[f"bench-poster-{RUN}-{r}"] for r in range(2 * rounds + 4)]
    # Exactly the clients (and the posters) are the group: every member is listening.
    Membership.objects.filter(group=group).exclude(user__in=[*members, *posters]).exclude(
        user__username__startswith="bench-poster-"
    ).delete()
    Watch.objects.filter(group_ref=group.pk).exclude(user__in=members).delete()
    Membership.objects.bulk_create(
        [Membership(group=group, user=u) for u in [*members, *posters]], ignore_conflicts=True
    )
    WorkingGroup.objects.filter(pk=group.pk).update(member_count=len(members) + len(posters))
    Watch.objects.bulk_create(
        [Watch(user=u, group_ref=group.pk, level=WatchLevel.WATCHING) for u in members],
        ignore_conflicts=True,
    )
    thread = Thread.objects.filter(group=group).first() or thread_start(
        group=group, author=posters[-1], title="Bench thread", body="Where the bench replies go."
    )
    Notification.objects.filter(group_ref=group.pk).delete()

    def session_for(user) -> str:
        store = SessionStore()
        data = {
            SESSION_KEY: str(user.pk),
            BACKEND_SESSION_KEY: settings.AUTHENTICATION_BACKENDS[0],
            HASH_SESSION_KEY: user.get_session_auth_hash(),
        }
        key = store._get_new_session_key()
        sessions.append(
            Session(
                session_key=key,
                session_data=store.encode(data),
                expire_date=timezone.now() + timezone.timedelta(days=1),
            )
        )
        return key

    sessions: list = []
    member_keys = [session_for(u) for u in members]
    poster_keys = [session_for(u) for u in posters]
    Session.objects.bulk_create(sessions)
    return {"thread": thread.pk, "members": member_keys, "posters": poster_keys}


def post_created_at(post_id: int) -> float:
    from discussions.models import Post

    return Post.objects.get(pk=post_id).created_at.timestamp()


def measure_fanout_queries() -> dict:
    """Queries of the inbox's work for one reply, watched by 10 and by 1,000 members."""
    from django.db import connection
    from django.test.utils import CaptureQueriesContext

    from discussions import signals
    from discussions.models import Post
    from discussions.services import post_reply, thread_start
    from groups.models import Membership, WorkingGroup
    from inbox import receivers
    from inbox.models import Notification, Watch, WatchLevel
    from people.models import User

    members = list(User.objects.filter(username__startswith="bench-member-").order_by("pk")[:1000])
    author, _ = User.objects.get_or_create(
        username=f"bench-fanout-{RUN}", defaults={"email": "f@example.org"}
    )
    counts = {}
    for label, n in (("warm", 10), ("10", 10), ("1000", 1000)):
        group = WorkingGroup.objects.create(slug=f"bench-fanout-{RUN}-{label}", name=label)
        Membership.objects.bulk_create(
            [Membership(group=group, user=u) for u in [author, *members[:n]]], ignore_conflicts=True
        )
        Watch.objects.bulk_create(
            [Watch(user=u, group_ref=group.pk, level=WatchLevel.WATCHING) for u in members[:n]],
            ignore_conflicts=True,
        )
        thread = thread_start(group=group, author=author, title="Fan-out", body="Counting queries.")
        signals.post_created.disconnect(dispatch_uid="inbox.post_created")
        try:
            post = post_reply(thread=thread, parent=None, author=author, body="One reply.")
        finally:
            signals.post_created.connect(
                receivers.on_post_created, dispatch_uid="inbox.post_created"
            )
        with CaptureQueriesContext(connection) as queries:
            receivers.on_post_created(
                sender=Post,
                post=post,
                author_id=author.pk,
                parent_author_id=author.pk,
                mentioned_user_ids=[],
            )
        made = Notification.objects.filter(post_ref=post.pk).count()
        assert made == n, (label, made)
        counts[label] = len(queries)
        Notification.objects.filter(group_ref=group.pk).delete()
    return {"10": counts["10"], "1000": counts["1000"]}


# --- servers -------------------------------------------------------------------------


def start_daphne(port: int, env: dict, name: str) -> tuple[subprocess.Popen, Path]:
    log_path = WORK / f"{name}-{port}.log"
    process = subprocess.Popen(
        [
            sys.executable,
            "-m",
            "daphne",
            "-b",
            "127.0.0.1",
            "-p",
            str(port),
            "--websocket_connect_timeout",
            "60",
            "config.asgi:application",
        ],
        cwd=ROOT,
        env=env,
        stdout=log_path.open("w"),
        stderr=subprocess.STDOUT,
    )
    return process, log_path


def start_floor(port: int, redis_url: str, channel: str) -> tuple[subprocess.Popen, Path]:
    log_path = WORK / f"floor-{port}.log"
    process = subprocess.Popen(
        [
            sys.executable,
            __file__,
            "--floor-server",
            str(port),
            "--redis-url",
            redis_url,
            "--channel",
            channel,
        ],
        cwd=ROOT,
        stdout=log_path.open("w"),
        stderr=subprocess.STDOUT,
    )
    return process, log_path


async def floor_server(port: int, redis_url: str, channel: str) -> None:
    """The floor: websockets + Redis pub/sub, nothing else."""
    import redis.asyncio as aioredis
    import websockets

    clients: dict = {}

    async def handler(ws):
        client_id = urllib.parse.parse_qs(urllib.parse.urlparse(ws.request.path).query)["id"][0]
        clients[client_id] = ws
        await ws.send(json.dumps({"type": "hello"}))
        try:
            await ws.wait_closed()
        finally:
            clients.pop(client_id, None)

    async def relay():
        pubsub = aioredis.from_url(redis_url).pubsub()
        await pubsub.subscribe(channel)
        async for message in pubsub.listen():
            if message["type"] != "message":
                continue
            event = json.loads(message["data"])
            ids = event["ids"]

            async def one(ws, notification_id):
                await ws.send(
                    json.dumps({"type": "notification", "id": notification_id, "unread": 1})
                )

            await asyncio.gather(
                *(one(ws, ids[cid]) for cid, ws in list(clients.items()) if cid in ids),
                return_exceptions=True,
            )

    async with websockets.serve(handler, "127.0.0.1", port, ping_interval=None, max_queue=None):
        await relay()


# --- clients -------------------------------------------------------------------------


class Clients:
    """N websocket clients; each records when its first notification of a round arrives."""

    def __init__(self):
        self.sockets: list = []
        self.received: dict[int, float] = {}
        self.expected = 0
        self.done = asyncio.Event()
        self.tasks: list = []

    async def open(self, urls: list[tuple[str, dict]]) -> None:
        import websockets

        gate = asyncio.Semaphore(CONNECT_CONCURRENCY)

        async def one(index: int, url: str, headers: dict):
            async with gate:
                ws = await websockets.connect(
                    url,
                    additional_headers=headers,
                    open_timeout=60,
                    ping_interval=None,
                    max_size=None,
                )
                first = json.loads(await asyncio.wait_for(ws.recv(), 60))
                if first["type"] == "hello" and "user" in first:  # Plaza: catch up first
                    await ws.send(json.dumps({"type": "replay", "after": 0}))
                    while json.loads(await asyncio.wait_for(ws.recv(), 60))["type"] != "unread":
                        pass
                return index, ws

        opened = await asyncio.gather(*(one(i, url, h) for i, (url, h) in enumerate(urls)))
        self.sockets = [ws for _i, ws in sorted(opened, key=lambda pair: pair[0])]
        self.tasks = [asyncio.create_task(self._listen(i, ws)) for i, ws in enumerate(self.sockets)]

    async def _listen(self, index: int, ws) -> None:
        try:
            async for raw in ws:
                at = time.time()
                if '"notification"' in raw and index not in self.received:
                    self.received[index] = at
                    if len(self.received) >= self.expected:
                        self.done.set()
        except Exception:  # noqa: BLE001 - a closed socket ends its listener
            return

    def arm(self) -> None:
        self.received = {}
        self.expected = len(self.sockets)
        self.done = asyncio.Event()

    async def wait(self) -> None:
        try:
            await asyncio.wait_for(self.done.wait(), ROUND_TIMEOUT)
        except TimeoutError:
            log(f"  timeout: {len(self.received)}/{self.expected} clients received")

    async def close(self) -> None:
        for task in self.tasks:
            task.cancel()
        await asyncio.gather(*(ws.close() for ws in self.sockets), return_exceptions=True)


def http_post_reply(port: int, thread_id: int, session: str) -> tuple[int, int | None]:
    """The browser's form post (session + CSRF cookie/field). Returns (status, post id)."""
    token = "b" * 32
    body = urllib.parse.urlencode(
        {"body": "A reply for the benchmark.", "language": "en", "csrfmiddlewaretoken": token}
    ).encode()
    request = urllib.request.Request(
        f"http://127.0.0.1:{port}/en/discussions/threads/{thread_id}/reply/",
        data=body,
        method="POST",
        headers={
            "Cookie": f"sessionid={session}; csrftoken={token}",
            "Content-Type": "application/x-www-form-urlencoded",
        },
    )

    class NoRedirect(urllib.request.HTTPRedirectHandler):
        def redirect_request(self, *args, **kwargs):
            return None

    try:
        response = urllib.request.build_opener(NoRedirect).open(request, timeout=60)
        status, location = response.status, response.headers.get("Location", "")
    except urllib.error.HTTPError as error:
        status, location = error.code, error.headers.get("Location", "")
    match = re.search(r"post-(\d+)|/posts/(\d+)", location or "")
    return status, int(match.group(1) or match.group(2)) if match else None


async def run_plaza(
    name: str, ports: list[int], data: dict, rounds: int, first_poster: int = 0
) -> dict:
    clients = Clients()
    urls = []
    for i, session in enumerate(data["members"]):
        port = ports[i % len(ports)]
        urls.append(
            (
                f"ws://127.0.0.1:{port}/ws/inbox/",
                {"Cookie": f"sessionid={session}", "Origin": f"http://127.0.0.1:{port}"},
            )
        )
    started = time.monotonic()
    await clients.open(urls)
    log(f"  {len(clients.sockets)} clients connected in {time.monotonic() - started:.1f}s")
    latencies, http = [], []
    try:
        for r in range(rounds + 1):
            clients.arm()
            port = ports[r % len(ports)]
            sent = time.time()
            status, post_id = await asyncio.to_thread(
                http_post_reply, port, data["thread"], data["posters"][first_poster + r]
            )
            http_done = time.time()
            if status != 302 or post_id is None:
                raise RuntimeError(f"the post was refused: HTTP {status}")
            await clients.wait()
            accepted = await asyncio.to_thread(post_created_at, post_id)
            got = [at - accepted for at in clients.received.values()]
            label = "warm-up" if r == 0 else f"round {r}"
            took = 1000 * (http_done - sent)
            log(f"  {label}: {spread(got, clients.expected)}, POST {took:.0f} ms")
            if r:
                if len(got) != clients.expected:
                    raise RuntimeError(
                        f"{name}: {clients.expected - len(got)} clients missed a notification"
                    )
                latencies += got
                http.append(http_done - sent)
    finally:
        await clients.close()
    return summary(latencies, http)


async def run_floor(
    ports: list[int], n_clients: int, redis_url: str, channel: str, rounds: int
) -> dict:
    import redis.asyncio as aioredis

    clients = Clients()
    await clients.open(
        [(f"ws://127.0.0.1:{ports[i % len(ports)]}/?id={i}", {}) for i in range(n_clients)]
    )
    publisher = aioredis.from_url(redis_url)
    latencies = []
    try:
        for r in range(rounds + 1):
            clients.arm()
            ids = {str(i): 10_000 * r + i for i in range(n_clients)}
            accepted = time.time()
            await publisher.publish(channel, json.dumps({"t": accepted, "ids": ids}))
            await clients.wait()
            got = [at - accepted for at in clients.received.values()]
            log(f"  {'warm-up' if r == 0 else f'round {r}'}: {spread(got, clients.expected)}")
            if r:
                latencies += got
    finally:
        await clients.close()
        await publisher.aclose()
    return summary(latencies)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--clients", type=int, default=1000)
    parser.add_argument("--rounds", type=int, default=5)
    parser.add_argument(
        "--redis-url", default=os.environ.get("BENCH_REDIS_URL", "redis://127.0.0.1:6379/5")
    )
    parser.add_argument("--database-url", default="", help="default: a SQLite file in bench/.work/")
    parser.add_argument("--json", action="store_true")
    parser.add_argument("--floor-server", type=int, help=argparse.SUPPRESS)
    parser.add_argument("--channel", default="plaza-bench-floor", help=argparse.SUPPRESS)
    args = parser.parse_args()
    if args.floor_server:
        asyncio.run(floor_server(args.floor_server, args.redis_url, args.channel))
        return

    WORK.mkdir(parents=True, exist_ok=True)
    database_url = args.database_url or f"sqlite:///{WORK / 'notify.sqlite3'}"
    ensure_database(database_url)
    setup_django(database_url)
    load_before = os.getloadavg()[0]
    data = prepare(args.clients, args.rounds)
    fanout = measure_fanout_queries()
    log(f"fan-out queries: {fanout}")
    results: dict = {"clients": args.clients}

    log("(a) one daphne process, in-memory channel layer")
    port = free_port()
    process, log_path = start_daphne(port, server_env(database_url, None), "inmemory")
    try:
        wait_for_port(port, process, log_path)
        results["inmemory"] = asyncio.run(run_plaza("inmemory", [port], data, args.rounds))
    finally:
        stop([process])

    log("(b) two daphne processes, one Redis")
    data = prepare(args.clients, args.rounds)  # fresh thread state, fresh sessions
    first = free_port()
    ports = [first, free_port((first,))]
    started = [start_daphne(p, server_env(database_url, args.redis_url), "redis") for p in ports]
    try:
        for p, (proc, path) in zip(ports, started, strict=True):
            wait_for_port(p, proc, path)
        results["redis_2workers"] = asyncio.run(
            run_plaza("redis_2workers", ports, data, args.rounds, first_poster=args.rounds + 1)
        )
    finally:
        stop([proc for proc, _path in started])

    log("(c) floor: two plain websockets servers on Redis pub/sub, no Django")
    first = free_port()
    ports = [first, free_port((first,))]
    started = [start_floor(p, args.redis_url, args.channel) for p in ports]
    try:
        for p, (proc, path) in zip(ports, started, strict=True):
            wait_for_port(p, proc, path)
        time.sleep(0.5)  # let both subscribe
        results["floor"] = asyncio.run(
            run_floor(ports, args.clients, args.redis_url, args.channel, args.rounds)
        )
    finally:
        stop([proc for proc, _path in started])

    results["fanout_queries"] = fanout
    results["database"] = database_url.split(":", 1)[0]
    results["load"] = [round(load_before, 2), round(os.getloadavg()[0], 2)]
    print(f"\n{'case':<16}{'p50 ms':>10}{'p99 ms':>10}{'max ms':>10}{'POST ms':>10}")
    for case in ("inmemory", "redis_2workers", "floor"):
        row = results[case]
        print(
            f"{case:<16}{row['p50_ms']:>10}{row['p99_ms']:>10}{row['max_ms']:>10}"
            f"{row.get('post_http_ms', ''):>10}"
        )
    print(f"fan-out queries: 10 recipients → {fanout['10']}, 1,000 recipients → {fanout['1000']}")
    ratio = results["redis_2workers"]["p99_ms"] / results["floor"]["p99_ms"]
    print(
        f"p99 / floor: inmemory {results['inmemory']['p99_ms'] / results['floor']['p99_ms']:.1f}x,"
        f" redis_2workers {ratio:.1f}x; load average {results['load'][0]} → {results['load'][1]}"
    )
    if args.json:
        print(json.dumps(results))


if __name__ == "__main__":
    main()
