"""The member's live channel at /ws/inbox/: badge counts and toasts, with replay.

Every notification carries `seq`, its recipient's own sequence number, gapless and in
COMMIT order (inbox.models.NotificationCursor). Protocol (JSON):
  server → {"type": "hello", "user": id, "unread": n, "cursor": c, "heartbeat": seconds}
  client → {"type": "replay", "after": C}        on every (re)connect, gap or stale heartbeat
  server → {"type": "notification", "id", "seq", "text", "url", "replayed": true}
                                                       each one after C, in seq order
  server → {"type": "unread", "unread": n, "cursor": c, "more": bool}   end of the round
  server → {"type": "notification", "id", "seq", "text", "url", "unread"}   live
  server → {"type": "unread", "unread": n}                  after marking read elsewhere
  server → {"type": "heartbeat", "cursor": c}             every `heartbeat` seconds
  client → {"type": "ping"}  /  server → {"type": "pong"}
C is the highest number up to which the client has everything. A replay round is
authoritative up to its `cursor` (what is not sent is no longer visible); `more` asks
for another round. The client deduplicates by id; a live seq beyond C + 1 is a gap, and a
heartbeat cursor beyond C is a miss: both make it replay. The heartbeat's cursor is read
from the DATABASE, so a client converges within one heartbeat whatever the channel layer
lost (a Redis restart forgets subscriptions and drops messages silently); a client that
hears no heartbeat reconnects.

One listener per process (`Hub`): sockets do not each subscribe to the channel layer.
The process's hub holds ONE channel in ONE group (see realtime); it receives an event
once and hands each local socket its own entry — the shape of the "floor" (websockets +
Redis pub/sub) in bench/notify_latency.py, on top of the Channels layer. The hub also
beats for all its sockets: one group_add (which heals a lost subscription) and one
query for its members' latest numbers per heartbeat, whatever the number of sockets.
"""

from __future__ import annotations

import asyncio
import json
import logging
import time
import weakref
from functools import lru_cache

from channels.db import database_sync_to_async
from channels.exceptions import StopConsumer
from channels.generic.websocket import AsyncJsonWebsocketConsumer
from channels.layers import get_channel_layer
from channels.utils import await_many_dispatch
from django.conf import settings
from django.urls import reverse
from django.utils import translation

from core.http import parse_int
from core.users import preferred_language
from core.ws import SafeJsonMixin

from . import selectors, texts
from .groups import EVERYONE
from .realtime import parse_recipients

logger = logging.getLogger(__name__)

HEAL_SECONDS = 5.0


def heartbeat_seconds() -> float:
    """How often the hub beats (and re-subscribes): the longest a client can stay behind
    the database after any channel-layer fault. Tests and benches shorten it."""
    return float(getattr(settings, "INBOX_HEARTBEAT_SECONDS", 15.0))


def _replay_payload(user, after: int) -> tuple[list[dict], dict]:
    round_ = selectors.replay(user, after=after)
    with translation.override(preferred_language(user)):
        out = [
            {
                "type": "notification",
                "id": n.pk,
                "seq": n.seq,
                "text": texts.describe(n.verb, n.data),
                "url": reverse("inbox:open", args=[n.pk]),
                "replayed": True,
            }
            for n in round_.items
        ]
    end = {
        "type": "unread",
        "unread": selectors.unread_count(user),
        "cursor": round_.cursor,
        "more": round_.more,
    }
    return out, end


def _hello(user) -> dict:
    return {
        "type": "hello",
        "user": user.pk,
        "unread": selectors.unread_count(user),
        "cursor": selectors.latest_seq(user),
        "heartbeat": heartbeat_seconds(),
    }


@lru_cache(maxsize=16)
def _open_url_pattern(language: str) -> tuple[str, str]:
    with translation.override(language):
        head, _sep, tail = reverse("inbox:open", args=[999999999]).partition("999999999")
    return head, tail


class Frames:
    """The websocket frames of one event, worded once per (language, kind), not per socket.

    One event reaches up to thousands of sockets in a process, mostly in a few languages:
    the text and the link are worded and JSON-encoded once, and each socket's frame is
    its notification id and unread count put into a prepared string. (Profiled in daphne:
    the hub's own share is now ~4 ms per 1,000 sockets; the rest of the ~35 ms is the
    server's write path — session wrapper, autobahn framing, twisted, one send() each.)
    """

    def __init__(self, data: dict):
        self.data = data
        self.parts: dict[tuple[str, str], tuple[str, str, str]] = {}

    def _prepare(self, language: str, kind: str) -> tuple[str, str, str]:
        with translation.override(language):
            text = texts.describe(kind, self.data)
        head, tail = _open_url_pattern(language)
        # '{"type": "notification", "id": <id>, "seq": <seq>, "text": "…",
        #   "url": "/…/<id>/open/", "unread": <n>}'
        return (
            '{"type": "notification", "id": ',
            ', "text": ' + json.dumps(text) + ', "url": ' + json.dumps(head)[:-1],
            json.dumps(tail)[1:] + ', "unread": ',
        )

    def notification(
        self, language: str, kind: str, notification_id: int, unread: int, seq: int
    ) -> str:
        key = (language, kind)
        parts = self.parts.get(key)
        if parts is None:
            parts = self.parts[key] = self._prepare(language, kind)
        start, middle, end = parts
        nid = str(int(notification_id))
        return f'{start}{nid}, "seq": {int(seq)}{middle}{nid}{end}{int(unread)}}}'


# Hand the event loop back every this many sockets: the server writes (twisted sends on
# the next loop turn) the frames queued so far while the hub prepares the next ones,
# instead of all 1,000 after the last one is prepared. Measured on 1,000 sockets in one
# process, interleaved: p50 115 → 75 ms; p99 ~130 → 111 ms (bench/RESULTS.md).
YIELD_EVERY = 50


class Hub:
    """This process's (this event loop's) one subscriber on the channel layer.

    It holds one channel in the `EVERYONE` group while local sockets are open, receives
    each event once and hands every local socket the entry addressed to its member. A
    layer outage pauses pushes and never closes sockets: the hub retries with backoff and
    re-subscribes when the layer answers again (and every REFRESH_SECONDS, since a Redis
    restart forgets subscriptions silently).
    """

    def __init__(self, layer):
        self.layer = layer
        self.channel: str | None = None
        self.by_user: dict[int, set[InboxConsumer]] = {}
        self.tasks: list[asyncio.Task] = []
        self.subscribed_at = float("-inf")

    async def attach(self, consumer: InboxConsumer) -> None:
        if self.channel is None:
            self.channel = await self.layer.new_channel()
        first = not self.by_user
        self.by_user.setdefault(consumer.user_id, set()).add(consumer)
        if first or not self.tasks or any(t.done() for t in self.tasks):
            await self.subscribe()
            for task in self.tasks:
                task.cancel()
            self.tasks = [
                asyncio.ensure_future(self._receive_loop()),
                asyncio.ensure_future(self._heartbeat_loop()),
            ]

    async def detach(self, consumer: InboxConsumer) -> None:
        users = self.by_user.get(consumer.user_id)
        if users is not None:
            users.discard(consumer)
            if not users:
                del self.by_user[consumer.user_id]
        if not self.by_user:  # nobody left here: stop listening
            for task in self.tasks:
                task.cancel()
            self.tasks = []
            try:
                await self.layer.group_discard(EVERYONE, self.channel)
            except Exception:  # noqa: BLE001
                logger.warning("inbox: could not unsubscribe")

    async def subscribe(self) -> bool:
        """(Re-)join the group; idempotent and cheap, so also used to heal."""
        try:
            await self.layer.group_add(EVERYONE, self.channel)
            self.subscribed_at = time.monotonic()
            return True
        except Exception:  # noqa: BLE001 - the replay still works; retried later
            logger.warning("inbox: could not subscribe; live updates paused")
            return False

    async def heal(self) -> None:
        """A client asked for a replay: re-join unless that happened a moment ago (a
        thousand clients reconnecting at once must not mean a thousand Redis calls)."""
        if time.monotonic() - self.subscribed_at > HEAL_SECONDS:
            await self.subscribe()

    async def _heartbeat_loop(self) -> None:
        while True:
            await asyncio.sleep(heartbeat_seconds())
            await self.beat()

    async def beat(self) -> None:
        """Re-join the group (a restarted Redis forgot it) and tell every local socket its
        member's latest sequence number, read from the database in one query."""
        await self.subscribe()
        users = list(self.by_user)
        if not users:
            return
        try:
            latest = await database_sync_to_async(selectors.latest_seqs)(users)
        except Exception:  # noqa: BLE001 - a database outage: beat without a cursor
            logger.warning("inbox: heartbeat could not read the cursors")
            latest = {}
        sent = 0
        for uid in users:
            cursor = latest.get(uid)
            frame = (
                '{"type": "heartbeat"}'
                if cursor is None
                else f'{{"type": "heartbeat", "cursor": {int(cursor)}}}'
            )
            for consumer in tuple(self.by_user.get(uid, ())):
                await consumer.push_text(frame)
                sent += 1
                if sent % YIELD_EVERY == 0:
                    await asyncio.sleep(0)

    async def _receive_loop(self) -> None:
        delay = 0.5
        while True:
            started = time.monotonic()
            try:
                message = await self.layer.receive(self.channel)
            except asyncio.CancelledError:
                raise
            except Exception:  # noqa: BLE001
                if time.monotonic() - started > 1.0:
                    # A slow failure (a blocking read timing out on a busy Redis): the
                    # layer is there; listen again at once.
                    logger.info("inbox: channel layer receive timed out; listening again")
                    continue
                logger.warning(
                    "inbox: channel layer unavailable; retrying in %.1fs",
                    delay,
                    exc_info=delay == 0.5,
                )
                await asyncio.sleep(delay)
                delay = min(delay * 2, 30.0)
                await self.subscribe()
                continue
            delay = 0.5
            try:
                await self.dispatch(message)
            except Exception:  # noqa: BLE001 - one bad message must not stop the hub
                logger.exception("inbox: could not dispatch %s", message.get("type"))

    async def dispatch(self, message: dict) -> None:
        kind = message.get("type")
        if kind == "inbox.event":
            data = message.get("data") or {}
            entries = parse_recipients(message.get("recipients") or "")
            # Walk whichever is smaller: the recipients or this process's members.
            if len(entries) <= len(self.by_user):
                pairs = iter(entries.items())
            else:
                pairs = ((uid, entries.get(uid)) for uid in list(self.by_user))
            frames = Frames(data)
            sent = 0
            for uid, entry in pairs:
                if entry is None:
                    continue
                notification_id, kind, unread, seq = entry
                for consumer in tuple(self.by_user.get(uid, ())):
                    await consumer.push_text(
                        frames.notification(consumer.language, kind, notification_id, unread, seq)
                    )
                    sent += 1
                    if sent % YIELD_EVERY == 0:
                        await asyncio.sleep(0)
        elif kind == "inbox.unread":
            for uid, unread in message.get("counts", {}).items():
                for consumer in tuple(self.by_user.get(int(uid), ())):
                    await consumer.push_json({"type": "unread", "unread": unread})


_hubs: weakref.WeakKeyDictionary = weakref.WeakKeyDictionary()


def hub_for(layer) -> Hub | None:
    """The hub of the running event loop (tests run one loop per test)."""
    if layer is None:
        return None
    loop = asyncio.get_running_loop()
    hub = _hubs.get(loop)
    if hub is None or hub.layer is not layer:
        hub = _hubs[loop] = Hub(layer)
    return hub


class InboxConsumer(SafeJsonMixin, AsyncJsonWebsocketConsumer):
    """A member's personal live channel (unread badge, toasts).

    Only signed-in members may connect (the origin is checked in config.asgi). The socket
    registers with its process's hub, which forwards it only entries addressed to its
    member; recipients are permission-checked when notifications are created. Malformed
    frames are refused by SafeJsonMixin (an error frame or a 4xxx close, one log line);
    the hub, not the mixin's resilient listener, reads the channel layer.
    """

    client_types = frozenset({"ping", "replay"})

    async def __call__(self, scope, receive, send):
        # channels' own __call__ without a channel-layer receiver per socket: the hub
        # listens for all of them.
        self.scope = scope
        self.channel_layer = get_channel_layer(self.channel_layer_alias)
        self.base_send = send
        try:
            await await_many_dispatch([receive], self.dispatch)
        except StopConsumer:
            pass

    async def connect(self):
        user = self.scope.get("user")
        if user is None or not user.is_authenticated:
            await self.close(code=4401)
            return
        self.user = user
        self.user_id = user.pk
        self.language = preferred_language(user)
        self.hub = hub_for(self.channel_layer)
        if self.hub is not None:
            await self.hub.attach(self)
        await self.accept()
        await self.send_json(await database_sync_to_async(_hello)(user))

    async def disconnect(self, code):
        if getattr(self, "hub", None) is not None:
            await self.hub.detach(self)

    async def receive_json(self, content, **kwargs):
        kind = content["type"]  # an object with a listed type (SafeJsonMixin)
        if kind == "ping":
            await self.send_json({"type": "pong"})
        elif kind == "replay":
            after = parse_int(content.get("after") or 0, minimum=0)
            if after is None:
                await self.refuse_frame("bad_value", "replay after")
                return
            if self.hub is not None:
                await self.hub.heal()  # a Redis restart may have dropped the subscription
            items, end = await database_sync_to_async(_replay_payload)(self.user, after)
            for item in items:
                await self.send_json(item)
            await self.send_json(end)

    # --- from the hub ---------------------------------------------------------------

    async def push_text(self, text: str) -> None:
        """Send a prepared JSON frame (see Frames) straight to the server."""
        try:
            await self.base_send({"type": "websocket.send", "text": text})
        except Exception:  # noqa: BLE001 - a socket closing as we send is not an error
            logger.debug("inbox: could not push to a closing socket", exc_info=True)

    async def push_json(self, payload: dict) -> None:
        try:
            await self.send_json(payload)
        except Exception:  # noqa: BLE001 - a socket closing as we send is not an error
            logger.debug("inbox: could not push to a closing socket", exc_info=True)
