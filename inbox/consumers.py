"""The member's live channel at /ws/inbox/: badge counts and toasts, with replay.

Protocol (JSON):
  server → {"type": "hello", "user": id, "unread": n}                 on connect
  client → {"type": "replay", "after": last_id}                         on every (re)connect
  server → {"type": "notification", "id", "text", "url", "replayed": true}
                                                             each newer one, oldest first
  server → {"type": "unread", "unread": n, "last": newest_id}           end of the replay
  server → {"type": "notification", "id", "text", "url", "unread"}      live, as things happen
  server → {"type": "unread", "unread": n}                              after marking read elsewhere
  client → {"type": "ping"}  /  server → {"type": "pong"}
The client keeps the highest id it has seen and ignores anything not newer, so a push
that races the replay is never shown twice.
"""

from __future__ import annotations

import asyncio
import logging
from functools import lru_cache

from channels.consumer import get_handler_name
from channels.db import database_sync_to_async
from channels.exceptions import StopConsumer
from channels.generic.websocket import AsyncJsonWebsocketConsumer
from channels.layers import get_channel_layer
from channels.utils import await_many_dispatch
from django.conf import settings
from django.urls import reverse
from django.utils import translation

from . import realtime, selectors, texts
from .groups import group_channel, user_group

logger = logging.getLogger(__name__)


def _replay_payload(user, after: int) -> tuple[list[dict], int, int]:
    items = selectors.replay(user, after=after)
    with translation.override(user.preferred_language or settings.LANGUAGE_CODE):
        out = [
            {
                "type": "notification",
                "id": n.pk,
                "text": texts.describe(n.verb, n.data),
                "url": reverse("inbox:open", args=[n.pk]),
                "replayed": True,
            }
            for n in items
        ]
    return out, selectors.unread_count(user), selectors.latest_id(user)


# One event reaches hundreds of sockets in a process, mostly in few languages: word it
# (and build the link pattern) once per language, not once per socket.
@lru_cache(maxsize=512)
def _worded_cached(language: str, kind: str, data: tuple) -> str:
    with translation.override(language):
        return texts.describe(kind, dict(data))


def _worded(language: str, kind: str, data: dict) -> str:
    try:
        return _worded_cached(language, kind, tuple(sorted(data.items())))
    except TypeError:  # unhashable values: word it directly
        with translation.override(language):
            return texts.describe(kind, data)


@lru_cache(maxsize=16)
def _open_url_pattern(language: str) -> tuple[str, str]:
    with translation.override(language):
        head, _sep, tail = reverse("inbox:open", args=[999999999]).partition("999999999")
    return head, tail


def _open_url(language: str, notification_id: int) -> str:
    head, tail = _open_url_pattern(language)
    return f"{head}{int(notification_id)}{tail}"


class InboxConsumer(AsyncJsonWebsocketConsumer):
    """A member's personal live channel (unread badge, toasts).

    Only signed-in members may connect (the origin is checked in config.asgi); a socket
    joins its member's own channel group and those of the member's working groups, and
    forwards only entries addressed to its member.
    """

    async def __call__(self, scope, receive, send):
        # channels' own __call__, except that a failing channel layer (Redis down) does
        # not kill the socket: live pushes pause, the replay keeps working, and the
        # subscriptions are restored when the layer answers again.
        self.scope = scope
        self.channel_layer = get_channel_layer(self.channel_layer_alias)
        self.base_send = send
        sources = [receive]
        if self.channel_layer is not None:
            self.channel_name = await self.channel_layer.new_channel()
            self.channel_receive = self._layer_receive
            sources.append(self._layer_receive)
        try:
            await await_many_dispatch(sources, self.dispatch)
        except StopConsumer:
            pass

    async def dispatch(self, message):
        # channels runs close_old_connections() before EVERY message, a hop through the
        # single database thread that sync views share: with a thousand sockets woken by
        # one event, that queue alone took seconds. Our handlers reach the database only
        # through database_sync_to_async, which closes stale connections itself.
        handler = getattr(self, get_handler_name(message), None)
        if handler is None:
            raise ValueError(f"No handler for message type {message['type']}")
        await handler(message)

    async def _layer_receive(self):
        delay = 0.5
        while True:
            try:
                return await self.channel_layer.receive(self.channel_name)
            except asyncio.CancelledError:
                raise
            except Exception:  # noqa: BLE001
                logger.warning("inbox: channel layer unavailable; retrying in %.1fs", delay)
                await asyncio.sleep(delay)
                delay = min(delay * 2, 30.0)
                await self._rejoin()

    async def _rejoin(self) -> None:
        """(Re-)subscribe every wanted group: after an outage, or when the client asks for a
        replay (a Redis restart forgets subscriptions without telling anyone)."""
        for name in list(getattr(self, "wanted_groups", ())):
            await self._join(name)

    async def connect(self):
        user = self.scope.get("user")
        if user is None or not user.is_authenticated:
            await self.close(code=4401)
            return
        self.user = user
        self.user_id = user.pk
        self.language = user.preferred_language or settings.LANGUAGE_CODE
        self.channel_groups: set[str] = set()
        self.wanted_groups: set[str] = set()
        if realtime.uses_groups(self.channel_layer):
            group_ids = await database_sync_to_async(selectors.member_group_ids)(self.user_id)
            self.wanted_groups = {user_group(self.user_id), *(group_channel(g) for g in group_ids)}
            await self._rejoin()
        elif self.channel_layer is not None:
            realtime.local_register(self.user_id, self.channel_name)
        await self.accept()
        unread = await database_sync_to_async(selectors.unread_count)(user)
        await self.send_json({"type": "hello", "user": self.user_id, "unread": unread})

    async def _join(self, name: str) -> None:
        # A channel layer outage must not lock members out: the replay still works.
        try:
            await self.channel_layer.group_add(name, self.channel_name)
            self.channel_groups.add(name)
        except Exception:  # noqa: BLE001
            logger.warning(
                "inbox: could not subscribe %s; live updates paused", name, exc_info=True
            )

    async def _leave(self, name: str) -> None:
        self.wanted_groups.discard(name)
        self.channel_groups.discard(name)
        try:
            await self.channel_layer.group_discard(name, self.channel_name)
        except Exception:  # noqa: BLE001
            logger.warning("inbox: could not unsubscribe %s", name, exc_info=True)

    async def disconnect(self, code):
        if getattr(self, "user_id", None) is not None and self.channel_layer is not None:
            realtime.local_unregister(self.user_id, self.channel_name)
        for name in list(getattr(self, "channel_groups", ())):
            await self._leave(name)

    async def receive_json(self, content, **kwargs):
        if not isinstance(content, dict):
            return
        kind = content.get("type")
        if kind == "ping":
            await self.send_json({"type": "pong"})
        elif kind == "replay":
            try:
                after = max(int(content.get("after") or 0), 0)
            except (TypeError, ValueError):
                after = 0
            await self._rejoin()
            items, unread, last = await database_sync_to_async(_replay_payload)(self.user, after)
            for item in items:
                await self.send_json(item)
            await self.send_json({"type": "unread", "unread": unread, "last": last})

    # --- channel layer events (see inbox.realtime) ------------------------------------

    async def inbox_event(self, event):
        entry = event.get("recipients", {}).get(str(self.user_id))
        if entry is None:
            return
        notification_id, kind, unread = entry
        text = _worded(self.language, kind, event.get("data") or {})
        url = _open_url(self.language, notification_id)
        await self.send_json(
            {
                "type": "notification",
                "id": notification_id,
                "text": text,
                "url": url,
                "unread": unread,
            }
        )

    async def inbox_unread(self, event):
        await self.send_json({"type": "unread", "unread": event["unread"]})

    async def inbox_follow(self, event):
        if not realtime.uses_groups(self.channel_layer):
            return
        name = group_channel(event["group"])
        if event.get("on"):
            self.wanted_groups.add(name)
            await self._join(name)
        else:
            await self._leave(name)
