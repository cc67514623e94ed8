"""Bridge from discussion services to the channel layer (the websocket fast path).

Events are plain dicts with ids only — never post content — so a socket learns *that*
something changed and the browser fetches the post fragment, whose view checks the
viewer's permission. Sent after commit; a channel-layer outage is logged, never raised
(the database is the record, the websocket only saves a reload).
"""

from __future__ import annotations

import logging

from asgiref.sync import async_to_sync
from channels.layers import get_channel_layer
from django.db import transaction

log = logging.getLogger(__name__)


def thread_group(thread_id: int) -> str:
    """Channel-layer group of one thread's viewers. Built from the id only."""
    return f"discussions.thread.{int(thread_id)}"


def _send(thread_id: int, payload: dict) -> None:
    layer = get_channel_layer()
    if layer is None:
        return
    try:
        async_to_sync(layer.group_send)(
            thread_group(thread_id), {"type": "thread.event", "payload": payload}
        )
    except Exception:  # noqa: BLE001 - a push failure must never break a committed write
        log.warning(
            "discussions: could not push %s to thread %s",
            payload.get("type"),
            thread_id,
            exc_info=True,
        )


def thread_event(thread_id: int, event: str, **ids: int | None) -> None:
    """Queue `{"type": event, "thread": thread_id, **ids}` for after the commit."""
    payload = {"type": event, "thread": int(thread_id), **ids}
    transaction.on_commit(lambda: _send(thread_id, payload))
