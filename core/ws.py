"""Websocket plumbing every Plaza consumer shares.

- `SafeJsonMixin`: a JSON consumer that never crashes on what a client sends. Binary
  frames, frames over `max_frame_bytes`, text that is not JSON, nesting deeper than
  `max_depth`, `NaN` / `Infinity` / `1e999`, integers beyond 64 bits, a payload that is
  not an object and a `type` the consumer does not list in `client_types` each get an
  error frame (`{"type": "error", "error": <code>, "message": <translated>}`) or, for
  binary and oversized frames, a 4415 / 4413 close — and ONE log line on
  `plaza.refused`, never a traceback. After `max_refusals` refusals the socket is closed
  with 4429.
- `ResilientLayerMixin`: the consumer's channel-layer listener survives a quiet or
  restarting Redis. Channels' default consumer awaits `channel_layer.receive()` next to
  the socket and dies with it: redis-py 8 times reads out after 5 s (its default
  socket_timeout) while channels-redis blocks for 5 s, so an idle socket was dropped
  with "Timeout reading from 127.0.0.1:6379". Here the listener is a task of its own
  that retries (at once after a slow timeout, with backoff after a fast failure),
  re-joins the consumer's groups after any failure and every `group_refresh_seconds`,
  and hands messages to the consumer through a queue, so handlers still run one at a
  time, in order, as in Channels.
- `QuietURLRouter`: a websocket to no route (`/ws/admin/`, `/ws/threads/abc/`) is refused
  at the handshake (close 4404 before accept) with one log line, where Channels' router
  raises ValueError — a traceback and an HTTP 500 from the server.

Use both mixins before AsyncJsonWebsocketConsumer:

    class ThreadConsumer(ResilientLayerMixin, SafeJsonMixin, AsyncJsonWebsocketConsumer):
        client_types = frozenset({"ping"})
        async def connect(self): ... await self.join_group(name) ...
        async def receive_json(self, content, **kwargs): ...  # content["type"] is listed
"""

from __future__ import annotations

import asyncio
import json
import logging
import math
import time

from channels.exceptions import StopConsumer
from channels.layers import get_channel_layer
from channels.routing import URLRouter
from channels.utils import await_many_dispatch
from django.conf import settings
from django.utils import translation
from django.utils.translation import gettext as _

logger = logging.getLogger("plaza.refused")
layer_logger = logging.getLogger("plaza.ws")

CLOSE_NO_ROUTE = 4404
CLOSE_TOO_BIG = 4413
CLOSE_BINARY = 4415
CLOSE_TOO_MANY_ERRORS = 4429
MAX_INT = 2**63 - 1


class FrameRefused(Exception):
    """A client frame the consumer will not handle; `code` names why."""

    def __init__(self, code: str, detail: str = ""):
        super().__init__(detail or code)
        self.code = code


def _message(code: str) -> str:
    return {
        "not_json": _("The message is not valid JSON."),
        "too_deep": _("The message is nested too deeply."),
        "bad_number": _("The message contains a number that is not allowed."),
        "not_object": _("The message must be a JSON object with a type."),
        "unknown_type": _("This kind of message is not understood here."),
        "bad_value": _("The message contains a value that is not allowed."),
        "binary": _("Binary messages are not accepted."),
        "too_big": _("The message is too large."),
    }.get(code, _("The message was refused."))


def _bad_constant(name: str):
    raise FrameRefused("bad_number", f"{name} is not a number")


def _parse_float(text: str) -> float:
    value = float(text)
    if not math.isfinite(value):
        raise FrameRefused("bad_number", f"{text[:20]} is not finite")
    return value


def _parse_int(text: str) -> int:
    if len(text.lstrip("-")) > 19:
        raise FrameRefused("bad_number", "integer too large")
    value = int(text)
    if not -MAX_INT - 1 <= value <= MAX_INT:
        raise FrameRefused("bad_number", "integer too large")
    return value


def _depth(value, limit: int) -> int:
    """Nesting depth of `value`, walked without recursion; stops past `limit`."""
    deepest, stack = 0, [(value, 1)]
    while stack:
        item, depth = stack.pop()
        if isinstance(item, dict):
            children = item.values()
        elif isinstance(item, list):
            children = item
        else:
            continue
        deepest = max(deepest, depth)
        if deepest > limit:
            return deepest
        stack.extend((child, depth + 1) for child in children)
    return deepest


def decode_frame(text: str, *, max_depth: int = 16) -> object:
    """Parse a client's JSON strictly: no NaN/Infinity, finite floats, 64-bit integers,
    nesting at most `max_depth`. Raises FrameRefused."""
    try:
        value = json.loads(
            text, parse_constant=_bad_constant, parse_float=_parse_float, parse_int=_parse_int
        )
    except FrameRefused:
        raise
    except RecursionError:
        raise FrameRefused("too_deep") from None
    except ValueError as exc:  # JSONDecodeError, and int() past Python's digit limit
        raise FrameRefused("not_json", str(exc)[:80]) from None
    if _depth(value, max_depth) > max_depth:
        raise FrameRefused("too_deep")
    return value


def _path(scope) -> str:
    return str(scope.get("path", ""))[:200].encode("unicode_escape").decode("ascii")


class SafeJsonMixin:
    """Refuse malformed client frames with an error frame or a 4xxx close; never raise."""

    client_types: frozenset[str] = frozenset({"ping"})
    max_frame_bytes = 64 * 1024
    max_depth = 16
    max_refusals = 20

    def refusal_language(self) -> str:
        user = self.scope.get("user")
        language = getattr(user, "preferred_language", "") if user is not None else ""
        return language or settings.LANGUAGE_CODE

    async def refuse_frame(self, code: str, detail: str = "", *, close: int | None = None):
        """One log line, then an error frame (or a close with `close`)."""
        self._refusals = getattr(self, "_refusals", 0) + 1
        if self._refusals > self.max_refusals:
            close = CLOSE_TOO_MANY_ERRORS
        if self._refusals <= self.max_refusals + 1:
            logger.warning(
                "refused websocket frame %s: %s%s",
                _path(self.scope),
                code,
                f" ({detail})" if detail and detail != code else "",
            )
        if close is not None:
            await self.close(code=close)
            return
        with translation.override(self.refusal_language()):
            message = _message(code)
        await self.send(text_data=json.dumps({"type": "error", "error": code, "message": message}))

    async def receive(self, text_data=None, bytes_data=None, **kwargs):
        if text_data is None:
            await self.refuse_frame("binary", close=CLOSE_BINARY)
            return
        if len(text_data) > self.max_frame_bytes or (
            len(text_data) * 4 > self.max_frame_bytes
            and len(text_data.encode("utf-8", "surrogatepass")) > self.max_frame_bytes
        ):
            await self.refuse_frame("too_big", f"{len(text_data)} characters", close=CLOSE_TOO_BIG)
            return
        try:
            content = decode_frame(text_data, max_depth=self.max_depth)
            kind = content.get("type") if isinstance(content, dict) else None
            if not isinstance(kind, str):
                raise FrameRefused("not_object")
            if kind not in self.client_types:
                raise FrameRefused("unknown_type", repr(kind[:40]))
        except FrameRefused as refused:
            await self.refuse_frame(refused.code, str(refused))
            return
        await self.receive_json(content, **kwargs)


class ResilientLayerMixin:
    """A channel-layer listener that outlives Redis timeouts and restarts (see module)."""

    group_refresh_seconds = 300.0
    max_retry_delay = 30.0

    async def __call__(self, scope, receive, send):
        # Channels' AsyncConsumer.__call__, with the layer read in a task of its own.
        self.scope = scope
        self.channel_layer = get_channel_layer(self.channel_layer_alias)
        self.base_send = send
        self.layer_groups: set[str] = set()
        self._layer_queue: asyncio.Queue = asyncio.Queue()
        self._layer_task = None
        sources = [receive]
        if self.channel_layer is not None:
            self.channel_name = await self.channel_layer.new_channel()
            self._layer_task = asyncio.ensure_future(self._listen())
            sources.append(self._layer_queue.get)
        try:
            await await_many_dispatch(sources, self.dispatch)
        except StopConsumer:
            pass
        finally:
            if self._layer_task is not None:
                self._layer_task.cancel()

    async def join_group(self, name: str) -> None:
        """group_add, remembered so the listener can re-join after a layer failure."""
        self.layer_groups.add(name)
        await self.channel_layer.group_add(name, self.channel_name)

    async def leave_group(self, name: str) -> None:
        self.layer_groups.discard(name)
        try:
            await self.channel_layer.group_discard(name, self.channel_name)
        except Exception as exc:  # noqa: BLE001 - the layer expires it; a closing socket
            layer_logger.info("websocket %s: could not leave %s (%s)", _path(self.scope), name, exc)

    async def websocket_disconnect(self, message):
        for name in tuple(self.layer_groups):
            await self.leave_group(name)
        await super().websocket_disconnect(message)

    async def _rejoin(self) -> bool:
        try:
            for name in tuple(self.layer_groups):
                await self.channel_layer.group_add(name, self.channel_name)
        except Exception as exc:  # noqa: BLE001 - retried by the listener
            layer_logger.info(
                "websocket %s: could not re-join its groups (%s)",
                _path(self.scope),
                type(exc).__name__,
            )
            return False
        return True

    async def _listen(self) -> None:
        delay, rejoin = 0.5, False
        refreshed = time.monotonic()
        while True:
            if rejoin or time.monotonic() - refreshed > self.group_refresh_seconds:
                rejoin = not await self._rejoin()
                refreshed = time.monotonic()
            started = time.monotonic()
            try:
                message = await self.channel_layer.receive(self.channel_name)
            except asyncio.CancelledError:
                raise
            except Exception as exc:  # noqa: BLE001 - the socket must outlive the layer
                rejoin = True
                if time.monotonic() - started > 1.0:
                    # A blocking read that timed out on a quiet Redis: listen again now.
                    layer_logger.debug("websocket %s: layer read timed out", _path(self.scope))
                    continue
                layer_logger.warning(
                    "websocket %s: channel layer unavailable (%s); retrying in %.1fs",
                    _path(self.scope),
                    type(exc).__name__,
                    delay,
                )
                await asyncio.sleep(delay)
                delay = min(delay * 2, self.max_retry_delay)
                continue
            delay = 0.5
            await self._layer_queue.put(message)


class QuietURLRouter(URLRouter):
    """URLRouter that refuses an unknown websocket route at the handshake (close 4404,
    one log line) instead of raising."""

    async def __call__(self, scope, receive, send):
        try:
            return await super().__call__(scope, receive, send)
        except ValueError as exc:
            if not str(exc).startswith("No route found"):
                raise
        logger.info("refused websocket %s: no such route", _path(scope))
        if scope.get("type") == "websocket":
            message = await receive()
            if message.get("type") == "websocket.connect":
                await send({"type": "websocket.close", "code": CLOSE_NO_ROUTE})


def websocket_urlpatterns() -> list:
    """Every installed app's `routing.websocket_urlpatterns`, in INSTALLED_APPS order.

    Found at run time (core imports no app): a host site's asgi.py needs one line,
    `"websocket": plaza_websocket_application()`, whichever of Plaza's apps it installed.
    """
    from importlib import import_module
    from importlib.util import find_spec

    from django.apps import apps

    patterns = []
    for config in apps.get_app_configs():
        name = f"{config.name}.routing"
        if find_spec(config.name) is not None and find_spec(name) is not None:
            patterns += getattr(import_module(name), "websocket_urlpatterns", [])
    return patterns


def plaza_websocket_application():
    """The websocket half of an ASGI application: origin-checked against ALLOWED_HOSTS,
    the session user, Plaza's routes, and an unknown route closed with 4404."""
    from channels.auth import AuthMiddlewareStack
    from channels.security.websocket import AllowedHostsOriginValidator

    return AllowedHostsOriginValidator(AuthMiddlewareStack(QuietURLRouter(websocket_urlpatterns())))
