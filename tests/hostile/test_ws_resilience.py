"""A thread socket outlives a quiet or restarting channel layer (core.ws.ResilientLayerMixin).

Before, the thread consumer awaited the layer's receive() beside the socket, as Channels
does by default, and died with it: on Redis an idle /ws/threads/<id>/ socket was dropped
with "Timeout reading from 127.0.0.1:6379" after 5-10 s (redis-py 8 times reads out after
5 s, while channels-redis blocks for 5 s).
"""

from __future__ import annotations

import asyncio
import logging
import os

import pytest
from asgiref.sync import sync_to_async
from channels.layers import InMemoryChannelLayer, get_channel_layer
from channels.testing import WebsocketCommunicator
from django.test import override_settings

from config.asgi import application  # at import: django.setup() resets log capture
from discussions.realtime import thread_group
from tests.factories import ThreadFactory

pytestmark = pytest.mark.django_db(transaction=True)


class FlakyLayer(InMemoryChannelLayer):
    """The in-memory layer, failing like Redis does: `receive` raises the first `failures`
    times, and each failure forgets every group (a restarted Redis keeps none)."""

    failures = 0

    async def receive(self, channel):
        if FlakyLayer.failures > 0:
            FlakyLayer.failures -= 1
            self.groups.clear()
            await asyncio.sleep(0.05)
            raise TimeoutError("Timeout reading from 127.0.0.1:6379")
        return await super().receive(channel)


async def _open_thread_socket(app=None):
    thread = await sync_to_async(ThreadFactory)()
    communicator = WebsocketCommunicator(
        app or application, f"/ws/threads/{thread.pk}/", headers=[(b"origin", b"http://testserver")]
    )
    connected, _ = await communicator.connect()
    assert connected
    assert (await communicator.receive_json_from())["type"] == "hello"
    return thread, communicator


async def _event(thread) -> None:
    await get_channel_layer().group_send(
        thread_group(thread.pk),
        {"type": "thread.event", "payload": {"type": "post_created", "thread": thread.pk}},
    )


@override_settings(CHANNEL_LAYERS={"default": {"BACKEND": f"{__name__}.FlakyLayer"}})
async def test_a_failing_layer_neither_drops_the_socket_nor_loses_its_subscription(caplog):
    caplog.set_level(logging.INFO)
    FlakyLayer.failures = 3  # the listener's first three reads fail, each forgetting groups
    thread, communicator = await _open_thread_socket()
    # It backs off (0.5, 1, 2 s) and re-joins before listening again: keep sending until
    # the event arrives.
    received = None
    for _ in range(60):
        await _event(thread)
        # (receive_nothing: a timed-out receive_output would cancel the application)
        if not await communicator.receive_nothing(timeout=0.25):
            received = await communicator.receive_json_from()
            break
    assert received == {"type": "post_created", "thread": thread.pk}
    assert FlakyLayer.failures == 0
    assert any("channel layer unavailable" in r.getMessage() for r in caplog.records)
    await communicator.send_json_to({"type": "ping"})
    while (frame := await communicator.receive_json_from())["type"] != "pong":
        assert frame["type"] == "post_created"  # the events sent while it was backing off
    assert not [r for r in caplog.records if r.exc_info or r.levelno >= logging.ERROR]
    await communicator.disconnect()


@pytest.mark.skipif(not os.environ.get("REDIS_URL"), reason="needs the Redis channel layer")
async def test_an_idle_thread_socket_survives_a_quiet_redis(caplog):
    """The services leg: 12 quiet seconds (past two of Redis' 5 s read timeouts), then an
    event still arrives and the socket still answers."""
    caplog.set_level(logging.INFO)
    thread, communicator = await _open_thread_socket()
    assert await communicator.receive_nothing(timeout=12, interval=0.5)
    await _event(thread)
    assert (await communicator.receive_json_from(timeout=10)) == {
        "type": "post_created",
        "thread": thread.pk,
    }
    await communicator.send_json_to({"type": "ping"})
    assert (await communicator.receive_json_from())["type"] == "pong"
    assert not [r for r in caplog.records if r.exc_info or r.levelno >= logging.ERROR]
    await communicator.disconnect()
