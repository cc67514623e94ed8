"""Every websocket route, every hostile frame, as a visitor and as a member, through the
real ASGI application: the consumer answers with an error frame or a 4xxx close, logs
one line and never raises; an unknown route is refused at the handshake without an
exception.
"""

from __future__ import annotations

import asyncio
import logging
import os
import re

import pytest
from asgiref.sync import sync_to_async
from channels.testing import WebsocketCommunicator
from django.conf import settings
from django.test import Client

# Imported here, not in a test: it runs django.setup(), whose logging config would drop
# pytest's log capture mid-test.
from config.asgi import application
from tests.factories import GroupFactory, MembershipFactory, ThreadFactory, UserFactory

pytestmark = pytest.mark.django_db(transaction=True)

TOKEN = re.compile(r"<(?:(?P<conv>\w+):)?(?P<name>\w+)>")

# Routes whose consumer does not use core.ws.SafeJsonMixin yet. Their frames are checked
# by an xfail(strict) test, so adopting the mixin turns it into an XPASS failure: then
# strike the route off here. (The inbox consumer is being rewritten.)
PENDING_ADOPTION: set[str] = set()  # routes not yet on core.ws.SafeJsonMixin

FRAMES = {
    "not-json": {"text": "hello, this is not JSON"},
    "binary": {"bytes": b"\x00\x01\xff binary"},
    "1MB-text": {"text": "x" * 1_000_000},
    "1MB-json": {"text": '{"type": "ping", "pad": "' + "x" * 1_000_000 + '"}'},
    "deep-array": {"text": "[" * 100_000 + "]" * 100_000},
    "deep-object": {"text": '{"type": "ping", "a": ' + '{"a": ' * 3000 + "1" + "}" * 3001},
    "infinity": {"text": '{"type": "replay", "after": Infinity}'},
    "nan": {"text": '{"type": "ping", "n": NaN}'},
    "1e999": {"text": '{"type": "replay", "after": 1e999}'},
    "-1e999": {"text": '{"type": "replay", "after": -1e999}'},
    "5000-digits": {"text": '{"type": "replay", "after": ' + "9" * 5000 + "}"},
    "2**64": {"text": '{"type": "replay", "after": ' + str(2**64) + "}"},
    "after-text": {"text": '{"type": "replay", "after": "abc"}'},
    "after-list": {"text": '{"type": "replay", "after": [1, 2]}'},
    "after-object": {"text": '{"type": "replay", "after": {"a": 1}}'},
    "after-negative": {"text": '{"type": "replay", "after": -5}'},
    "unknown-type": {"text": '{"type": "subscribe", "thread": 1}'},
    "type-null": {"text": '{"type": null}'},
    "type-list": {"text": '{"type": ["ping"]}'},
    "type-object": {"text": '{"type": {"a": 1}}'},
    "no-type": {"text": "{}"},
    "list": {"text": "[]"},
    "string": {"text": '"ping"'},
    "number": {"text": "42"},
    "null": {"text": "null"},
    "lone-surrogate": {"text": '{"type": "\\ud800"}'},
    "nul": {"text": '{"type": "ping\\u0000"}'},
}
BAD_ROUTES = [
    "/ws/threads/abc/",
    "/ws/admin/",
    "/ws/",
    "/ws/threads/",
    "/ws/inbox/x/",
    "/ws/threads/" + "9" * 30 + "/",
    "/ws/threads/%00/",
    "/nope",
]


def _cookie(user) -> bytes:
    client = Client()
    client.force_login(user)
    name = settings.SESSION_COOKIE_NAME
    return f"{name}={client.cookies[name].value}".encode()


@sync_to_async
def _world():
    member = UserFactory()
    group = GroupFactory()
    MembershipFactory(group=group, user=member)
    thread = ThreadFactory(group=group)
    return {"thread_id": thread.pk}, member, _cookie(member)


def _routes(values: dict) -> list[str]:
    from config.routing import websocket_urlpatterns

    out = []
    for pattern in websocket_urlpatterns:
        route = "/" + str(pattern.pattern).lstrip("^").rstrip("$")
        out.append(TOKEN.sub(lambda m: str(values.get(m["name"], 1)), route))
    return out


def _application():
    return application


async def _frame_case(app, path: str, cookie: bytes | None, frame: dict) -> str:
    """Connect, send the frame; returns the outcome: "error-frame", "close-4xxx",
    "ignored", "refused-4xxx" (at the handshake) or "CRASH: ..."."""
    headers = [(b"origin", b"http://testserver")]
    if cookie:
        headers.append((b"cookie", cookie))
    communicator = WebsocketCommunicator(app, path, headers=headers)
    try:
        connected, code = await communicator.connect(timeout=5)
        if not connected:
            return f"refused-{code}"
        await communicator.receive_from(timeout=5)  # hello
        await communicator.send_input({"type": "websocket.receive", **frame})
        outcome = "ignored"
        # receive_output's timeout would cancel the application: wait with receive_nothing.
        while not await communicator.receive_nothing(timeout=0.2, interval=0.01):
            message = await communicator.receive_output(timeout=5)
            if message["type"] == "websocket.close":
                outcome = f"close-{message.get('code')}"
                break
            if message["type"] == "websocket.send" and '"error"' in (message.get("text") or ""):
                outcome = "error-frame"
                break
        if outcome in ("ignored", "error-frame"):  # the socket still works
            await communicator.send_json_to({"type": "ping"})
            for _ in range(20):
                reply = await communicator.receive_json_from(timeout=5)
                if reply.get("type") == "pong":
                    break
            else:
                return f"CRASH: no pong after {outcome}"
        return outcome
    except (Exception, asyncio.CancelledError) as exc:  # noqa: BLE001 - what the fuzz seeks
        return f"CRASH: {type(exc).__name__}: {str(exc)[:100]}"
    finally:
        try:
            await communicator.disconnect(timeout=2)
        except (Exception, asyncio.CancelledError):  # noqa: BLE001 - a crashed app
            pass


async def run_ws_fuzz(app, caplog, *, pending: bool = False, bad_routes: bool = True) -> dict:
    """The frames against the adopted routes (or, with `pending`, the others)."""
    values, _member, cookie = await _world()
    results: dict = {"sent": 0, "crashes": [], "silent": [], "tracebacks": [], "outcomes": {}}
    routes = [p for p in _routes(values) if (p in PENDING_ADOPTION) == pending]
    for path in routes:
        for who, who_cookie in (("visitor", None), ("member", cookie)):
            for name, frame in FRAMES.items():
                caplog.clear()
                outcome = await _frame_case(app, path, who_cookie, frame)
                results["sent"] += 1
                results["outcomes"][f"{who} {path} {name}"] = outcome
                where = f"{who} {path} {name}: {outcome}"
                if outcome.startswith("CRASH") or (
                    outcome.startswith("close-") and not outcome.startswith("close-4")
                ):
                    results["crashes"].append(where)
                elif outcome == "ignored":
                    results["silent"].append(where)
                if any(r.exc_info for r in caplog.records) or any(
                    r.levelno >= logging.ERROR for r in caplog.records
                ):
                    results["tracebacks"].append(where)
                lines = [r for r in caplog.records if r.name == "plaza.refused"]
                if not pending and outcome.startswith(("error", "close")) and len(lines) != 1:
                    results["tracebacks"].append(f"{where}: {len(lines)} log lines, not one")
                if outcome.startswith("refused"):
                    break  # the handshake is refused to this visitor: no frame reaches it
    for path in BAD_ROUTES if bad_routes else ():
        caplog.clear()
        outcome = await _frame_case(app, path, cookie, FRAMES["not-json"])
        results["sent"] += 1
        results["outcomes"][f"bad route {path}"] = outcome
        if not outcome.startswith("refused-4"):
            results["crashes"].append(f"bad route {path}: {outcome}")
        elif any(r.exc_info or r.levelno >= logging.ERROR for r in caplog.records):
            results["tracebacks"].append(f"bad route {path}: traceback logged")
    return results


async def test_hostile_frames_never_crash_a_consumer(caplog):
    caplog.set_level(logging.INFO)
    results = await run_ws_fuzz(_application(), caplog)
    if os.environ.get("PLAZA_FUZZ_REPORT"):
        import json

        from django.db import connection

        with open(os.environ["PLAZA_FUZZ_REPORT"], "a") as f:
            f.write(
                json.dumps(
                    {
                        "leg": connection.vendor,
                        "family": "websocket",
                        "sent": results["sent"],
                        "crashes": len(results["crashes"]),
                        "silent": len(results["silent"]),
                        "tracebacks": len(results["tracebacks"]),
                        "detail": results["crashes"] + results["tracebacks"],
                    }
                )
                + "\n"
            )
    problems = results["crashes"] + results["silent"] + results["tracebacks"]
    assert not problems, "\n".join(problems)


def test_pending_adoption_list_is_current():
    """A route listed as pending must really lack the mixin (then strike it off)."""
    from config.routing import websocket_urlpatterns
    from core.ws import SafeJsonMixin

    for pattern in websocket_urlpatterns:
        route = "/" + str(pattern.pattern).lstrip("^").rstrip("$")
        consumer = pattern.callback.consumer_class
        if route in PENDING_ADOPTION:
            assert not issubclass(consumer, SafeJsonMixin), f"{route} adopted it: unlist it"
        else:
            assert issubclass(consumer, SafeJsonMixin), f"{route} must use core.ws.SafeJsonMixin"
