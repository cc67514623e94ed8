"""Fault runs of issue 11: two daphne workers, their own Redis, member A's two tabs, repliers.

Shared by tests/inbox/test_faults.py (bounded runs) and bench/inbox_faults.py (the longer
runs whose figures go in bench/RESULTS.md); the bench imports this module from tests/, so a
test never imports a benchmark. Nothing here imports Django at module level: the workers
are plain `daphne config.asgi:application` processes, configured through the environment.

- `Stack`: a private `redis-server` (killing it touches no other test) and two daphne
  workers on one PostgreSQL database, REDIS_URL pointing at that Redis,
  INBOX_HEARTBEAT_SECONDS set, discussions' pace limit lifted (DISCUSSIONS_POSTS_PER_MINUTE:
  a handful of members write ~100 replies a minute here), persistent database connections
  (DB_CONN_MAX_AGE, as a deployment runs) tagged with an application_name so a fault can
  terminate exactly them.
- `InboxClient`: a websocket client that behaves as /work/notes/inbox-protocol.md (v2)
  says inbox/static/inbox/inbox.js does: dedupe by id, gapless seq cursor, replay on a gap or on a
  heartbeat ahead of the cursor, reconnect after 2.5 heartbeats of silence, replay after
  the stored cursor on every (re)connect.
- `Replier`: a member posting inline replies over real HTTP (session cookie + CSRF), each
  with a fresh `idempotency_key` that is reused when the request is retried (connection
  errors and 503; a 500 is a failure, not retried).
- `run_condition`: one run (no fault, Redis killed and restarted, a worker killed -9, the
  app's PostgreSQL backends terminated), then waits for convergence and compares every
  client with the database (psycopg, so it works from a test or a bench alike).
"""

from __future__ import annotations

import asyncio
import json
import math
import os
import signal
import subprocess
import sys
import time
import uuid
from collections import Counter
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass, field
from pathlib import Path
from urllib.parse import urlencode, urlparse, urlunparse

from tests.support.processes import free_port, wait_for_port

ROOT = Path(__file__).resolve().parents[2]
SESSION_COOKIE = "sessionid"
CSRF_COOKIE = "csrftoken"
CSRF_TOKEN = "f" * 32  # a cookie-sent secret; the form field carries the same value
POSTS_PER_MINUTE = 10**6  # the workers' DISCUSSIONS_POSTS_PER_MINUTE (see Stack)


def with_query(url: str, **params: str) -> str:
    parsed = urlparse(url)
    query = "&".join(q for q in (parsed.query, urlencode(params)) if q)
    return urlunparse(parsed._replace(query=query))


def is_services_leg(database_url: str, redis_url: str) -> bool:
    return database_url.startswith(("postgres://", "postgresql://")) and redis_url.startswith(
        "redis://"
    )


# --- processes -------------------------------------------------------------------------


class RedisServer:
    """A private redis-server on its own port: kill -9 and restart on the same port."""

    def __init__(self, workdir: Path, port: int | None = None):
        self.workdir = workdir
        self.port = port or free_port()
        self.process: subprocess.Popen | None = None
        self.starts = 0

    @property
    def url(self) -> str:
        return f"redis://127.0.0.1:{self.port}/0"

    def start(self) -> None:
        binary = os.environ.get("REDIS_SERVER") or "redis-server"
        self.starts += 1
        log = (self.workdir / f"redis-{self.starts}.log").open("w")
        self.process = subprocess.Popen(
            [
                binary,
                "--port",
                str(self.port),
                "--bind",
                "127.0.0.1",
                "--save",
                "",
                "--appendonly",
                "no",
                "--dir",
                str(self.workdir),
            ],
            stdout=log,
            stderr=subprocess.STDOUT,
        )
        wait_for_port(
            self.port, lambda: self.process.poll() is None, timeout=20, what="redis-server"
        )

    def kill(self) -> None:
        """kill -9: no shutdown, every subscription and queued message is gone."""
        if self.process and self.process.poll() is None:
            self.process.send_signal(signal.SIGKILL)
            self.process.wait(timeout=10)

    def stop(self) -> None:
        if self.process and self.process.poll() is None:
            self.process.terminate()
            try:
                self.process.wait(timeout=10)
            except subprocess.TimeoutExpired:
                self.kill()


class Worker:
    """One daphne process serving config.asgi on the shared database and Redis."""

    def __init__(self, name: str, env: dict, workdir: Path, port: int | None = None):
        self.name = name
        self.env = env
        self.port = port or free_port()
        self.log = workdir / f"{name}.log"
        self.process: subprocess.Popen | None = None

    def start(self) -> None:
        self.process = subprocess.Popen(
            [
                sys.executable,
                "-m",
                "daphne",
                "-b",
                "127.0.0.1",
                "-p",
                str(self.port),
                "--proxy-headers",
                "config.asgi:application",
            ],
            cwd=ROOT,
            env=self.env,
            stdout=self.log.open("a"),
            stderr=subprocess.STDOUT,
        )

    def wait_ready(self, timeout: float = 120) -> None:
        try:
            wait_for_port(self.port, self.alive, timeout=timeout, what=self.name)
        except RuntimeError as exc:
            raise RuntimeError(f"{exc}:\n{self.log.read_text()[-3000:]}") from None

    def alive(self) -> bool:
        return self.process is not None and self.process.poll() is None

    def kill(self) -> None:
        if self.alive():
            self.process.send_signal(signal.SIGKILL)
            self.process.wait(timeout=10)

    def stop(self) -> None:
        if self.alive():
            self.process.terminate()
            try:
                self.process.wait(timeout=15)
            except subprocess.TimeoutExpired:
                self.kill()

    def log_text(self) -> str:
        return self.log.read_text(errors="replace") if self.log.exists() else ""


class Stack:
    """Private Redis + `workers` daphne processes on `database_url`."""

    def __init__(
        self,
        workdir: Path,
        database_url: str,
        *,
        workers: int = 2,
        heartbeat: float = 1.0,
        settings_module: str = "config.settings.test",
        conn_max_age: int = 60,
        extra_env: dict | None = None,
    ):
        workdir.mkdir(parents=True, exist_ok=True)
        self.workdir = workdir
        self.heartbeat = heartbeat
        self.database_url = database_url
        self.app_name = f"plaza-faults-{uuid.uuid4().hex[:10]}"
        self.redis = RedisServer(workdir)
        env = {
            key: value
            for key, value in os.environ.items()
            # The parent's pytest/xdist variables would re-route the child's settings.
            if not key.startswith(("PYTEST_", "DJANGO_"))
        }
        env.update(
            {
                "DJANGO_SETTINGS_MODULE": settings_module,
                "DATABASE_URL": with_query(database_url, application_name=self.app_name),
                "REDIS_URL": self.redis.url,
                "INBOX_HEARTBEAT_SECONDS": f"{heartbeat:g}",
                "DB_CONN_MAX_AGE": str(conn_max_age),
                "DISCUSSIONS_POSTS_PER_MINUTE": str(POSTS_PER_MINUTE),
                "DEBUG": "0",
                "LOG_LEVEL": "WARNING",
                "PYTHONPATH": str(ROOT),
                **(extra_env or {}),
            }
        )
        self.workers = [Worker(f"worker-{i}", env, workdir) for i in range(workers)]

    @property
    def ports(self) -> list[int]:
        return [w.port for w in self.workers]

    def start(self) -> Stack:
        self.redis.start()
        for worker in self.workers:
            worker.start()
        for worker in self.workers:
            worker.wait_ready()
        return self

    def close(self) -> None:
        for worker in self.workers:
            worker.stop()
        self.redis.stop()

    def __enter__(self) -> Stack:
        try:
            return self.start()
        except BaseException:
            self.close()
            raise

    def __exit__(self, *exc) -> None:
        self.close()

    def terminate_app_backends(self) -> int:
        """pg_terminate_backend on the workers' connections only (their application_name,
        this database); a fresh connection of its own, so the caller's survives."""
        import psycopg

        with psycopg.connect(self.database_url, autocommit=True) as conn:
            rows = conn.execute(
                "SELECT pg_terminate_backend(pid) FROM pg_stat_activity "
                "WHERE datname = current_database() AND pid <> pg_backend_pid() "
                "AND application_name = %s",
                [self.app_name],
            ).fetchall()
        return len(rows)

    def logs(self) -> str:
        return "\n".join(f"--- {w.name} ---\n{w.log_text()[-4000:]}" for w in self.workers)


# --- the scene: two groups, a thread in each, member A watching both, repliers ------------


@dataclass
class Scene:
    thread_ids: list[int]  # one thread per group, same order as group_ids
    group_ids: list[int]
    watcher_id: int
    watcher_cookie: str
    repliers: list[tuple[int, str]]  # (user id, session cookie)


def scene_create(*, repliers: int = 4, groups: int = 2, token: str | None = None) -> Scene:
    """Create (through the ORM of the calling process, on its database) `groups` public
    groups with a thread by its owner in each, member A watching every thread (Watch rows,
    level watching) and `repliers` members of every group; log everyone in (session cookies
    for HTTP and websockets).

    Why more than one group: replies in one thread queue on its rows (the thread's
    counts, the group's last activity), so the transactions that notify A run one after
    another. Replies in two groups run side by side and serialize on nothing but A's own
    notification cursor; whether A's notifications then commit out of id order (issue
    11's item 1) is what `Result.out_of_id_order` counts."""
    from django.conf import settings
    from django.test import Client

    from inbox import services as inbox_services
    from inbox.models import WatchLevel
    from tests.factories import GroupFactory, MembershipFactory, ThreadFactory, UserFactory

    token = token or uuid.uuid4().hex[:8]

    def member(name: str):
        return UserFactory(username=f"{name}-{token}")

    owner, watcher = member("owner"), member("watcher")
    people = [member(f"replier{i}") for i in range(repliers)]
    threads = []
    for g in range(groups):
        group = GroupFactory(name=f"Fault group {token} {g}", slug=f"faults-{token}-{g}")
        for user in (owner, watcher, *people):
            MembershipFactory(group=group, user=user)
        thread = ThreadFactory(group=group, author=owner, title=f"Faults {token} {g}")
        inbox_services.watch_set_thread(user=watcher, thread=thread, level=WatchLevel.WATCHING)
        threads.append(thread)

    def cookie(user) -> str:
        client = Client()
        client.force_login(user)
        return client.cookies[settings.SESSION_COOKIE_NAME].value

    return Scene(
        thread_ids=[t.pk for t in threads],
        group_ids=[t.group_id for t in threads],
        watcher_id=watcher.pk,
        watcher_cookie=cookie(watcher),
        repliers=[(u.pk, cookie(u)) for u in people],
    )


# --- member A's client (protocol v2) -----------------------------------------------------


class InboxClient:
    """One tab of member A on /ws/inbox/, following the protocol note's client rules."""

    def __init__(self, name: str, ports: list[int], session: str, heartbeat: float, t0: float):
        self.name = name
        self.ports = list(ports)
        self.port_index = 0
        self.session = session
        self.heartbeat = heartbeat  # until the server's hello says otherwise
        self.t0 = t0
        self.ids: set[int] = set()
        self.shown: list[int] = []  # what the tab showed (or counted in), once per id
        self.seq_of: dict[int, int | None] = {}
        self.cursor = 0
        self.server_cursor = 0
        self.kept: dict[int, int] = {}  # seq -> id received beyond cursor + 1 (a gap)
        self.replaying = False
        self.replay_wanted = False
        self.synced = asyncio.Event()
        self.stats: Counter = Counter()
        self.trace: list[tuple] = []
        self.arrivals: list[tuple] = []  # (id, seq, replayed) of every notification frame
        self.port: int | None = None

    def note(self, *event) -> None:
        self.trace.append((round(time.time() - self.t0, 3), self.port, *event))

    async def run(self) -> None:
        import websockets

        while True:
            port = self.ports[self.port_index % len(self.ports)]
            try:
                async with websockets.connect(
                    f"ws://127.0.0.1:{port}/ws/inbox/",
                    additional_headers={
                        "Cookie": f"{SESSION_COOKIE}={self.session}",
                        "Origin": f"http://127.0.0.1:{port}",
                    },
                    open_timeout=5,
                    ping_interval=None,  # a browser sends no pings: silence is the app's job
                    close_timeout=1,
                    max_size=None,
                ) as ws:
                    self.port = port
                    self.stats["connects"] += 1
                    self.note("open")
                    await self.session_loop(ws)
            except asyncio.CancelledError:
                raise
            except (OSError, TimeoutError, websockets.exceptions.WebSocketException) as exc:
                if self.port == port:  # it was open: the server went away
                    self.note("closed", type(exc).__name__)
                    self.stats["dropped"] += 1
                else:  # could not connect here: try the next worker
                    self.note("connect-failed", port, type(exc).__name__)
                    self.stats["connect_failed"] += 1
                    self.port_index += 1
            self.port = None
            self.replaying = False
            await asyncio.sleep(0.2)

    async def session_loop(self, ws) -> None:
        while True:
            try:
                raw = await asyncio.wait_for(ws.recv(), timeout=2.5 * self.heartbeat)
            except TimeoutError:
                self.stats["silence_reconnects"] += 1
                self.note("silence")
                return
            await self.handle(ws, json.loads(raw))

    async def replay(self, ws, reason: str) -> None:
        if self.replaying:
            self.replay_wanted = True
            return
        self.replaying = True
        self.stats[f"replay_{reason}"] += 1
        self.note("replay", reason, self.cursor)
        await ws.send(json.dumps({"type": "replay", "after": self.cursor}))

    def advance(self) -> None:
        while self.cursor + 1 in self.kept:
            self.cursor += 1
            del self.kept[self.cursor]
        for seq in [s for s in self.kept if s <= self.cursor]:
            del self.kept[seq]

    def gap(self) -> bool:
        return bool(self.kept) and min(self.kept) > self.cursor + 1

    async def handle(self, ws, msg: dict) -> None:
        kind = msg.get("type")
        if kind == "hello":
            self.heartbeat = float(msg.get("heartbeat") or self.heartbeat)
            self.server_cursor = max(self.server_cursor, int(msg.get("cursor") or 0))
            self.replaying = False
            await self.replay(ws, "connect")
        elif kind == "notification":
            await self.notification(ws, msg)
        elif kind == "unread" and ("cursor" in msg or "last" in msg):  # end of a replay round
            before = self.cursor
            if msg.get("cursor") is not None:
                self.cursor = max(self.cursor, int(msg["cursor"]))
                self.advance()
            self.replaying = False
            self.synced.set()
            self.note("replayed-to", msg.get("cursor"), msg.get("more", False))
            if msg.get("more"):
                await self.replay(ws, "more")
            elif self.gap():
                await self.replay(ws, "gap")
            elif self.replay_wanted or (self.server_cursor > self.cursor and self.cursor > before):
                await self.replay(ws, "again")
            self.replay_wanted = False
        elif kind == "heartbeat":
            self.stats["heartbeats"] += 1
            cursor = int(msg.get("cursor") or 0)
            self.server_cursor = max(self.server_cursor, cursor)
            if cursor > self.cursor:
                self.note("heartbeat-ahead", cursor, self.cursor)
                await self.replay(ws, "heartbeat")

    async def notification(self, ws, msg: dict) -> None:
        nid, seq = int(msg["id"]), msg.get("seq")
        replayed = bool(msg.get("replayed"))
        self.arrivals.append((nid, seq, replayed))
        if nid in self.ids:
            self.stats["duplicates_ignored"] += 1
            return
        if seq is not None and int(seq) <= self.cursor:
            # The cursor says everything up to it is here: an unknown id at or below it
            # is ignored by the rules — and lost for good if the server was wrong.
            self.stats["ignored_below_cursor"] += 1
            self.note("ignored-below-cursor", nid, seq, self.cursor)
            return
        self.ids.add(nid)
        self.shown.append(nid)
        self.seq_of[nid] = seq
        self.stats["replayed" if replayed else "live"] += 1
        self.note("n", nid, seq, "replay" if replayed else "live")
        if seq is None:  # a protocol v1 server: no cursor to keep (a problem, see Result)
            self.stats["unsequenced"] += 1
            return
        seq = int(seq)
        if seq == self.cursor + 1:
            self.cursor = seq
            self.advance()
        else:
            self.kept[seq] = nid
            if not replayed:
                self.note("gap", nid, seq, self.cursor)
                await self.replay(ws, "gap")


# --- repliers ---------------------------------------------------------------------------


@dataclass
class Outcome:
    """One reply: its key, the final answer and what it took to get it."""

    replier: int
    key: str
    thread_id: int = 0
    status: int | None = None  # final HTTP status; None = gave up on connection errors
    post_id: int | None = None
    attempts: int = 0
    retried_503: int = 0
    connection_errors: int = 0
    ports: list[int] = field(default_factory=list)
    sent_at: float = 0.0
    done_at: float = 0.0
    error: str = ""

    @property
    def ok(self) -> bool:
        return self.status is not None and 200 <= self.status < 300


class Replier:
    """A member replying to the scene's threads through the workers in turn, over real HTTP."""

    def __init__(self, index: int, session: str, ports: list[int], t0: float):
        import requests

        self.index = index
        self.ports = list(ports)
        self.t0 = t0
        self.http = requests.Session()
        self.headers = {
            "Cookie": f"{SESSION_COOKIE}={session}; {CSRF_COOKIE}={CSRF_TOKEN}",
            "Accept": "application/json",
            "X-CSRFToken": CSRF_TOKEN,
        }
        self.avoid: dict[int, float] = {}  # port -> until when (it refused a connection)
        # Each member answers its own previous reply in that thread: the members' writes
        # lock different parent posts, not one after another on the same one.
        self.last_post: dict[int, int] = {}  # thread id -> this member's latest reply there

    def port_for(self, turn: int) -> int:
        now = time.monotonic()
        usable = [p for p in self.ports if self.avoid.get(p, 0) < now] or self.ports
        return usable[turn % len(usable)]

    def reply(self, turn: int, thread_id: int, give_up_after: float = 60.0) -> Outcome:
        """Post one reply in `thread_id` through worker `turn` (mod the usable ones),
        retrying with the same key until an answer other than 503 comes (or
        `give_up_after` seconds)."""
        import requests

        key = uuid.uuid4().hex
        out = Outcome(
            replier=self.index, key=key, thread_id=thread_id, sent_at=time.time() - self.t0
        )
        data = {
            "body": f"Fault run reply {key}",
            "language": "en",
            "idempotency_key": key,
            "csrfmiddlewaretoken": CSRF_TOKEN,
        }
        if self.last_post.get(thread_id):
            data["parent"] = str(self.last_post[thread_id])
        deadline = time.monotonic() + give_up_after
        while True:
            port = self.port_for(turn)
            out.attempts += 1
            out.ports.append(port)
            try:
                response = self.http.post(
                    f"http://127.0.0.1:{port}/en/discussions/threads/{thread_id}/reply/",
                    data=data,
                    headers={**self.headers, "Referer": f"http://127.0.0.1:{port}/"},
                    timeout=20,
                    allow_redirects=False,
                )
            except requests.RequestException as exc:
                out.connection_errors += 1
                out.error = type(exc).__name__
                if isinstance(exc, requests.ConnectionError):
                    self.avoid[port] = time.monotonic() + 5
                    turn += 1
                if time.monotonic() > deadline:
                    break
                time.sleep(0.3)
                continue
            if response.status_code == 503 and time.monotonic() < deadline:
                out.retried_503 += 1
                retry_after = response.headers.get("Retry-After", "")
                time.sleep(min(float(retry_after), 2.0) if retry_after.isdigit() else 0.3)
                continue
            out.status = response.status_code
            if out.ok:
                try:
                    out.post_id = int(response.json().get("post") or 0) or None
                    if out.post_id:
                        self.last_post[thread_id] = out.post_id
                except ValueError:
                    out.error = "2xx without JSON"
            else:
                out.error = response.text[:300]
            break
        out.done_at = time.time() - self.t0
        return out


# --- one run ----------------------------------------------------------------------------


def after_a_higher(ordered: list[tuple]) -> list[int]:
    """[(order, value)]: the values that come, in `order`, after a higher value (sorted).
    Rows without an order (protocol v1: no seq) are left out."""
    out, highest = [], None
    for _order, value in sorted(r for r in ordered if r[0] is not None):
        if highest is not None and value < highest:
            out.append(value)
        else:
            highest = value
    return sorted(out)


def old_protocol_losses(arrivals: list[tuple], wanted: set[int]) -> list[int]:
    """What issue 11's old client would have lacked at the end, fed the frames a tab
    received in the order they arrived: it showed a notification only if its id was above
    the highest id seen so far, and asked replays for "id > highest", so one dropped (or
    never received) stays lost."""
    shown, highest = set(), 0
    for nid, _seq, _replayed in arrivals:
        if nid > highest:
            shown.add(nid)
            highest = nid
    return sorted(wanted - shown)


@dataclass
class ClientReport:
    name: str
    shown: int
    distinct: int
    missing: list[int]
    extra: list[int]
    stats: dict
    cursor: int
    trace: list[tuple]
    old_protocol_lost: list[int] = field(default_factory=list)

    @property
    def duplicates_shown(self) -> int:
        return self.shown - self.distinct


@dataclass
class Result:
    condition: str
    replies: int
    outcomes: list[Outcome]
    stored: int  # replies by the repliers stored in the scene's threads (posts)
    stored_by_thread: dict[int, int]  # thread id -> the repliers' posts stored there
    doubles: dict[str, int]  # key -> posts stored with it, where more than one
    ok_not_stored: list[str]
    misplaced: list[str]  # keys stored in another thread than the reply was sent to
    notifications: list[tuple]  # A's rows: (id, seq or None, post_ref, thread_ref, ts)
    posts_without_notification: list[int]
    posts_notified_twice: list[int]  # posts with more than one notification for A
    wrong_thread: list[int]  # A's notifications whose thread is not their post's
    clients: list[ClientReport]
    faults: list[tuple]
    converged_after: float | None
    seconds: float
    t0: float = 0.0
    logs: str = ""

    @property
    def http_500(self) -> int:
        return sum(1 for o in self.outcomes if o.status == 500)

    @property
    def retried_503(self) -> int:
        return sum(o.retried_503 for o in self.outcomes)

    @property
    def connection_retries(self) -> int:
        return sum(o.connection_errors for o in self.outcomes)

    @property
    def failed(self) -> list[Outcome]:
        return [o for o in self.outcomes if not o.ok]

    @property
    def out_of_id_order(self) -> list[int]:
        """A's notifications that committed after one with a higher id (a higher id, a
        lower seq): the ones issue 11's old client dropped as "not newer" and never
        replayed. From the database rows alone; timing-dependent."""
        return after_a_higher([(seq, nid) for nid, seq, *_ in self.notifications])

    @property
    def posts_out_of_id_order(self) -> list[int]:
        """Posts whose transaction committed (took A's cursor, so A's seq is its commit
        order) after that of a post with a higher id: evidence that the scene's writes
        really commit out of id order, whatever the notification ids do."""
        return after_a_higher([(seq, post) for _id, seq, post, *_ in self.notifications])

    def problems(self) -> list[str]:
        """Every way the run broke the promise (or the protocol); empty when it held."""
        out = []
        for c in self.clients:
            unsequenced = c.stats.get("unsequenced", 0)
            if unsequenced:
                out.append(f"{c.name}: {unsequenced} notifications without `seq` (protocol v1)")
            if not c.stats.get("heartbeats"):
                out.append(f"{c.name}: no heartbeat frame in the whole run")
        for c in self.clients:
            if c.missing:
                out.append(f"{c.name} lacks {len(c.missing)} of A's notifications: {c.missing}")
            if c.extra:
                out.append(f"{c.name} holds {len(c.extra)} ids not in the database: {c.extra}")
            if c.duplicates_shown:
                out.append(f"{c.name} showed {c.duplicates_shown} duplicates")
        if self.posts_without_notification:
            out.append(
                f"{len(self.posts_without_notification)} posts without A's notification: "
                f"{self.posts_without_notification}"
            )
        if self.posts_notified_twice:
            out.append(
                f"{len(self.posts_notified_twice)} posts with more than one notification "
                f"for A: {self.posts_notified_twice}"
            )
        if self.wrong_thread:
            out.append(f"A's notifications pointing at another thread: {self.wrong_thread}")
        seqs = sorted(n[1] for n in self.notifications if n[1] is not None)
        if seqs and seqs != list(range(1, len(self.notifications) + 1)):
            out.append(f"A's seqs are not 1..{len(self.notifications)} once each")
        if self.http_500:
            out.append(f"{self.http_500} HTTP 500")
        if self.doubles:
            out.append(f"replies stored more than once (key: posts): {self.doubles}")
        if self.ok_not_stored:
            out.append(f"{len(self.ok_not_stored)} replies answered 2xx but not stored")
        if self.misplaced:
            out.append(f"{len(self.misplaced)} replies stored in another thread")
        others = Counter(o.status for o in self.failed if o.status != 500)
        if others:
            out.append(f"other failures (status: count): {dict(others)}")
        return out

    def row(self) -> list:
        return [
            self.condition,
            self.replies,
            self.stored,
            len(self.notifications),
            len(self.out_of_id_order),
            " / ".join(str(c.distinct) for c in self.clients),
            " / ".join(str(len(c.missing)) for c in self.clients),
            " / ".join(str(c.duplicates_shown) for c in self.clients),
            len(self.posts_without_notification),
            self.http_500,
            self.retried_503,
            self.connection_retries,
            f"{self.converged_after:.1f}" if self.converged_after is not None else "no",
        ]

    def evidence(self, limit: int = 5) -> str:
        """Where each missing id went wrong: its seq and post, the reply that made it, and
        the client's trace around the moment it was written."""
        rows = {n[0]: n for n in self.notifications}
        by_post = {o.post_id: o for o in self.outcomes if o.post_id}
        via = Counter(o.ports[-1] for o in self.outcomes if o.ports)
        lines = [
            f"faults: {self.faults}; replies answered by port: {dict(via)}",
            f"stored per thread: {self.stored_by_thread}; A's notifications out of id order: "
            f"{len(self.out_of_id_order)}; their posts out of id order: "
            f"{len(self.posts_out_of_id_order)}",
        ]
        for c in self.clients:
            lines.append(f"{c.name}: cursor {c.cursor}, stats {c.stats}")
            lines.append(
                f"  an old-protocol client fed {c.name}'s frames would lack "
                f"{len(c.old_protocol_lost)}: {c.old_protocol_lost[:20]}"
            )
            for nid in c.missing[:limit]:
                _id, seq, post_ref, _thread, at = rows[nid]
                at -= self.t0
                reply = by_post.get(post_ref)
                via = f"via {reply.ports} acked at {reply.done_at:.2f}s" if reply else "no 2xx"
                lines.append(
                    f"  missing id {nid} seq {seq} post {post_ref} ({via}), row at {at:.2f}s"
                )
                near = [t for t in c.trace if abs(t[0] - at) < 1.5 and t[2] != "n"]
                lines.extend(f"    {t}" for t in near[:12])
        return "\n".join(lines)


TABLE_HEADER = [
    "run",
    "posts",
    "stored",
    "notifications for A in DB",
    "out of id order",
    "each client showed",
    "lost per client",
    "duplicates shown",
    "posts without A's notification",
    "HTTP 500",
    "503s retried",
    "connection retries",
    "converged after s",
]


def table(results: list[Result]) -> str:
    """A Markdown table like the issue's."""
    rows = [TABLE_HEADER, ["---"] * len(TABLE_HEADER), *[r.row() for r in results]]
    return "\n".join("| " + " | ".join(str(v) for v in row) + " |" for row in rows)


def plan(condition: str, duration: float, pg_shots: int = 4) -> list[tuple[float, str]]:
    """When (seconds into the run) each fault of a condition happens."""
    if condition == "no fault":
        return []
    if condition == "redis restart":
        # Mid-run: live pushes must resume once Redis is back (the hub re-subscribes).
        # At the end: the last replies land while Redis is down and nothing live follows,
        # so only the heartbeat can bring the tabs to the database.
        return [
            (duration * 0.35, "kill redis"),
            (duration * 0.35 + 4.0, "start redis"),
            (duration - 1.5, "kill redis"),
            (duration + 2.5, "start redis"),
        ]
    if condition == "worker killed":
        return [(duration * 0.4, "kill worker-1")]
    if condition == "postgres terminated":
        return [
            (duration * (k + 1) / (pg_shots + 1), "terminate backends") for k in range(pg_shots)
        ]
    raise ValueError(condition)


CONDITIONS = ("no fault", "redis restart", "worker killed", "postgres terminated")


def run_condition(
    stack: Stack,
    scene: Scene,
    condition: str,
    *,
    replies: int = 120,
    duration: float = 30.0,
    converge_within: float | None = None,
    pg_shots: int = 4,
) -> Result:
    """Two tabs of A (one per worker), the repliers spread over `duration`, the faults of
    `condition`; then wait until both tabs hold the database's set (or give up after
    `converge_within`, default a few heartbeats plus a reconnect) and compare."""
    converge_within = converge_within or max(6 * stack.heartbeat, 6.0)
    started = time.monotonic()
    outcome = asyncio.run(
        _run(stack, scene, condition, replies, duration, converge_within, pg_shots)
    )
    clients, outcomes, faults, converged_after, db, t0 = outcome
    notifications, posts = db
    wanted = {n[0] for n in notifications}
    keys = Counter()
    stored_in: dict[str, set[int]] = {}  # key -> threads it was stored in
    for _pid, body, _author, thread_id in posts:
        key = body.rsplit(" ", 1)[-1]
        keys[key] += 1
        stored_in.setdefault(key, set()).add(thread_id)
    mine = {o.key for o in outcomes}
    by_thread = Counter(t for _pid, body, _a, t in posts if body.rsplit(" ", 1)[-1] in mine)
    thread_of_post = {pid: t for pid, _body, _author, t in posts}
    per_post = Counter(n[2] for n in notifications)
    reports = [
        ClientReport(
            name=c.name,
            shown=len(c.shown),
            distinct=len(set(c.shown)),
            missing=sorted(wanted - c.ids),
            extra=sorted(c.ids - wanted),
            stats=dict(c.stats),
            cursor=c.cursor,
            trace=c.trace,
            old_protocol_lost=old_protocol_losses(c.arrivals, wanted),
        )
        for c in clients
    ]
    noted_posts = set(per_post)
    return Result(
        condition=condition,
        replies=replies,
        outcomes=outcomes,
        stored=sum(n for k, n in keys.items() if k in mine),
        stored_by_thread={t: by_thread.get(t, 0) for t in scene.thread_ids},
        doubles={k: n for k, n in keys.items() if n > 1},
        ok_not_stored=[o.key for o in outcomes if o.ok and not keys.get(o.key)],
        misplaced=[o.key for o in outcomes if stored_in.get(o.key, {o.thread_id}) != {o.thread_id}],
        notifications=notifications,
        posts_without_notification=sorted(
            pid
            for pid, _body, author, _thread in posts
            if author != scene.watcher_id and pid not in noted_posts
        ),
        posts_notified_twice=sorted(pid for pid, n in per_post.items() if n > 1),
        wrong_thread=sorted(n[0] for n in notifications if thread_of_post.get(n[2], n[3]) != n[3]),
        clients=reports,
        faults=faults,
        converged_after=converged_after,
        seconds=round(time.monotonic() - started, 1),
        t0=t0,
        logs=stack.logs(),
    )


def _database_state(database_url: str, scene: Scene) -> tuple[list[tuple], list[tuple]]:
    """A's notifications (id, seq, post_ref, thread_ref, seconds since epoch) and the
    replies in the scene's threads (id, body, author, thread), read on a fresh connection."""
    import psycopg

    with psycopg.connect(database_url, autocommit=True) as conn:
        has_seq = conn.execute(
            "SELECT 1 FROM information_schema.columns "
            "WHERE table_name = 'inbox_notification' AND column_name = 'seq'"
        ).fetchone()
        seq = "seq" if has_seq else "NULL"
        notifications = conn.execute(
            f"SELECT id, {seq}, post_ref, thread_ref, "  # noqa: S608 - a column name
            "extract(epoch FROM timestamp)::float8 "
            "FROM inbox_notification WHERE recipient_id = %s AND NOT deleted ORDER BY id",
            [scene.watcher_id],
        ).fetchall()
        posts = conn.execute(
            "SELECT id, body, author_id, thread_id FROM discussions_post "
            "WHERE thread_id = ANY(%s) AND depth > 0 ORDER BY id",
            [list(scene.thread_ids)],
        ).fetchall()
    return notifications, posts


async def _run(stack, scene, condition, replies, duration, converge_within, pg_shots):
    loop = asyncio.get_running_loop()
    loop.set_default_executor(ThreadPoolExecutor(max_workers=len(scene.repliers) + 4))
    t0 = time.time()
    ports = stack.ports
    clients = [
        InboxClient(f"tab-{i}", ports[i:] + ports[:i], scene.watcher_cookie, stack.heartbeat, t0)
        for i in range(len(ports))
    ]
    tasks = [asyncio.ensure_future(c.run()) for c in clients]
    faults: list[tuple] = []
    try:
        try:
            await asyncio.wait_for(asyncio.gather(*(c.synced.wait() for c in clients)), 30)
        except TimeoutError:
            traces = "\n".join(f"{c.name}: {c.stats} {c.trace[-10:]}" for c in clients)
            raise RuntimeError(
                f"A's tabs did not finish their first replay in 30 s:\n{traces}\n{stack.logs()}"
            ) from None
        t0 = time.time()
        for c in clients:
            c.t0 = t0
            c.note("run-start")
        repliers = [
            Replier(i, session, ports, t0) for i, (_uid, session) in enumerate(scene.repliers)
        ]
        threads = scene.thread_ids
        interval = duration / replies
        start = time.monotonic()

        async def replier_loop(r: Replier) -> list[Outcome]:
            out = []
            for j, _k in enumerate(range(r.index, replies, len(repliers))):
                # All members post at the same ticks: concurrent writes, as in a busy thread.
                wait = start + j * len(repliers) * interval - time.monotonic()
                if wait > 0:
                    await asyncio.sleep(wait)
                # Each member alternates between the workers, starting on different ones,
                # and between the threads, so that at every tick each thread gets replies
                # through both workers (4 members, 2 workers, 2 threads: members 0 and 1
                # in one thread, 2 and 3 in the other, swapping at the next tick).
                thread = threads[(j + r.index // len(ports)) % len(threads)]
                out.append(await asyncio.to_thread(r.reply, j + r.index, thread))
            return out

        tick = len(repliers) * interval

        async def inject() -> None:
            for at, action in plan(condition, duration, pg_shots):
                if action != "start redis":
                    # Just after the members' posts of a tick went out: requests are in
                    # flight (mid-transaction), not only idle connections.
                    at = math.ceil(at / tick) * tick + 0.03
                wait = start + at - time.monotonic()
                if wait > 0:
                    await asyncio.sleep(wait)
                if action == "kill redis":
                    await asyncio.to_thread(stack.redis.kill)
                    detail = stack.redis.port
                elif action == "start redis":
                    await asyncio.to_thread(stack.redis.start)
                    detail = stack.redis.port
                elif action.startswith("kill worker-"):
                    worker = stack.workers[int(action.rsplit("-", 1)[1])]
                    await asyncio.to_thread(worker.kill)
                    detail = worker.port
                else:
                    detail = await asyncio.to_thread(stack.terminate_app_backends)
                faults.append((round(time.time() - t0, 2), action, detail))
                for c in clients:
                    c.note("fault", action)

        injector = asyncio.ensure_future(inject())
        per_replier = await asyncio.gather(*(replier_loop(r) for r in repliers))
        await injector
        outcomes = sorted((o for rs in per_replier for o in rs), key=lambda o: o.sent_at)
        last = time.monotonic()
        converged_after = None
        while True:
            db = await asyncio.to_thread(_database_state, stack.database_url, scene)
            wanted = {n[0] for n in db[0]}
            if all(c.ids == wanted for c in clients):
                converged_after = round(time.monotonic() - last, 2)
                break
            if time.monotonic() - last > converge_within:
                break
            await asyncio.sleep(0.25)
    finally:
        for task in tasks:
            task.cancel()
        await asyncio.gather(*tasks, return_exceptions=True)
    return clients, outcomes, faults, converged_after, db, t0
