"""Two daphne processes share one Redis: a reply posted through worker A reaches the
member's socket held by worker B."""

import asyncio
import json
import os
import subprocess
import sys
import urllib.parse
import urllib.request
from pathlib import Path

import pytest
from django.conf import settings
from django.test import Client

from tests.factories import GroupFactory, MembershipFactory, ThreadFactory, UserFactory
from tests.support.processes import free_port, test_database_url, wait_for_port

ROOT = Path(__file__).resolve().parents[2]
REDIS_URL = os.environ.get("REDIS_URL", "")
pytestmark = pytest.mark.skipif(
    not REDIS_URL,
    reason="two workers need a shared Redis: set REDIS_URL (the services leg, make test-services)",
)


def start_worker(port: int, log: Path) -> subprocess.Popen:
    env = {
        **os.environ,
        "DJANGO_SETTINGS_MODULE": "config.settings.test",
        "DATABASE_URL": test_database_url(),
        # This test worker's own Redis database (config.settings.test gives each xdist
        # worker one); both daphne processes share it.
        "REDIS_URL": settings.REDIS_URL,
        "PYTHONPATH": str(ROOT),
    }
    return subprocess.Popen(
        [
            sys.executable,
            "-m",
            "daphne",
            "-b",
            "127.0.0.1",
            "-p",
            str(port),
            "config.asgi:application",
        ],
        cwd=ROOT,
        env=env,
        stdout=log.open("w"),
        stderr=subprocess.STDOUT,
    )


def session_cookie(user) -> str:
    client = Client()
    client.force_login(user)
    return client.cookies[settings.SESSION_COOKIE_NAME].value


def post_reply(port: int, thread, session: str) -> int:
    """A plain HTTP form post, as a browser would send it (CSRF cookie + field)."""
    token = "x" * 32
    data = urllib.parse.urlencode(
        {"body": "Hello from worker A", "language": "en", "csrfmiddlewaretoken": token}
    ).encode()
    request = urllib.request.Request(
        f"http://127.0.0.1:{port}/en/discussions/threads/{thread.pk}/reply/",
        data=data,
        method="POST",
        headers={
            "Cookie": f"{settings.SESSION_COOKIE_NAME}={session}; "
            f"{settings.CSRF_COOKIE_NAME}={token}",
            "Content-Type": "application/x-www-form-urlencoded",
        },
    )

    class NoRedirect(urllib.request.HTTPRedirectHandler):
        def redirect_request(self, *args, **kwargs):
            return None

    try:
        return urllib.request.build_opener(NoRedirect).open(request, timeout=30).status
    except urllib.error.HTTPError as error:
        return error.code


async def open_socket(port: int, session: str):
    import websockets

    ws = await websockets.connect(
        f"ws://127.0.0.1:{port}/ws/inbox/",
        additional_headers={
            "Cookie": f"{settings.SESSION_COOKIE_NAME}={session}",
            "Origin": f"http://127.0.0.1:{port}",
        },
    )
    hello = json.loads(await asyncio.wait_for(ws.recv(), 10))
    await ws.send(json.dumps({"type": "replay", "after": 0}))
    assert json.loads(await asyncio.wait_for(ws.recv(), 10))["type"] == "unread"
    return ws, hello


async def listen_then_post(
    listeners: list[tuple[int, str]], port_a: int, poster_session: str, thread
):
    """Open every (port, session) socket, post through worker A, collect one message each."""
    sockets = [await open_socket(port, session) for port, session in listeners]
    try:
        status = await asyncio.to_thread(post_reply, port_a, thread, poster_session)
        messages = [json.loads(await asyncio.wait_for(ws.recv(), 10)) for ws, _hello in sockets]
    finally:
        for ws, _hello in sockets:
            await ws.close()
    return [hello for _ws, hello in sockets], status, messages


@pytest.mark.django_db(transaction=True)
def test_a_post_through_worker_a_reaches_sockets_on_worker_b(tmp_path):
    """The thread's author (a personal message) and three members watching the group (one
    message on the group's channel, fanned out by each worker) — sockets on both workers."""
    from inbox import services
    from inbox.models import Notification

    group = GroupFactory()
    owner, poster, *watchers = (UserFactory() for _ in range(5))
    for user in (owner, poster, *watchers):
        MembershipFactory(group=group, user=user)
    for user in watchers:
        services.watch_set_group(user=user, group=group, level="watching")
    thread = ThreadFactory(group=group, author=owner, title="Two workers")
    Notification.objects.all().delete()
    port_a, port_b = free_port(), free_port()
    workers = [
        (start_worker(port, tmp_path / f"worker-{port}.log"), port) for port in (port_a, port_b)
    ]
    people = [owner, *watchers]
    listeners = [
        (port_b, session_cookie(owner)),
        (port_b, session_cookie(watchers[0])),
        (port_a, session_cookie(watchers[1])),
        (port_b, session_cookie(watchers[2])),
    ]
    try:
        for process, port in workers:
            log = tmp_path / f"worker-{port}.log"
            wait_for_port(
                port,
                alive=lambda p=process: p.poll() is None,
                timeout=60,
                what=lambda log=log, port=port: f"worker on {port}:\n{log.read_text()}",
            )
        hellos, status, messages = asyncio.run(
            listen_then_post(listeners, port_a, session_cookie(poster), thread)
        )
    finally:
        for process, _port in workers:
            process.terminate()
        for process, _port in workers:
            process.wait(timeout=15)
    assert [h["user"] for h in hellos] == [u.pk for u in people]
    assert status == 302
    ids = {n.recipient_id: n.pk for n in Notification.objects.all()}
    assert [m["id"] for m in messages] == [ids[u.pk] for u in people]
    assert messages[0]["text"] == f"{poster.public_name} replied to you in “Two workers”."
    assert all(m["text"] == f"{poster.public_name} posted in “Two workers”." for m in messages[1:])
    assert all(m["type"] == "notification" and m["unread"] == 1 for m in messages)
