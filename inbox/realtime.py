"""The one bridge from stored notifications to the channel layer (called after commit).

The database is the record; this is only the fast path. Every failure here (Redis down,
a full channel) is logged and swallowed: the request that caused the event has already
succeeded, and a client that missed a push gets it from the replay when it reconnects.

Routing: ONE message per event, on one group (`groups.EVERYONE`) that each process's
listener (consumers.Hub) subscribes to once. The message lists the recipients and, for
each, the notification id, its kind and their unread count; each process hands its local
sockets their own entries and drops the rest. So a post that notifies a thousand members
costs one group_send, one Redis delivery per worker process, and nothing per socket on
the way; and nobody's subscriptions need to follow memberships (a member who joined a
group a second ago is addressed by user id like everyone else).

Messages carry ids and the ingredients of the words, never text in one language: each
socket words its entry in its own member's language.
"""

from __future__ import annotations

import logging
from collections.abc import Iterable

from asgiref.sync import async_to_sync
from channels.layers import get_channel_layer
from django.db.models import Count

from .groups import EVERYONE
from .models import Notification, id_set

logger = logging.getLogger(__name__)

SEND_TIMEOUT = 3.0


def _unread_counts(user_ids: Iterable[int]) -> dict[int, int]:
    ids = list({int(u) for u in user_ids})
    counts = dict(
        Notification.objects.filter(recipient_id__in=id_set(ids), unread=True)
        .values("recipient_id")
        .annotate(n=Count("id"))
        .values_list("recipient_id", "n")
    )
    return {uid: counts.get(uid, 0) for uid in ids}


def build_message(batch) -> dict | None:
    """The one message for the notifications an event created (a services.Batch).

    The recipients travel as ONE string, "<user>:<notification>:<kind>:<unread>:<seq> …": the
    in-memory layer deep-copies every message (a 1,000-entry dict of lists took ~5 ms,
    a string nothing), and a string is no work for msgpack or the garbage collector.
    `parse_recipients` reads it back.
    """
    if batch is None or not batch.sent:
        return None
    counts = _unread_counts(s.recipient_id for s in batch.sent)
    return {
        "type": "inbox.event",
        "recipients": " ".join(
            f"{int(s.recipient_id)}:{int(s.pk)}:{s.kind}:"
            f"{counts.get(s.recipient_id, 0)}:{int(s.seq)}"
            for s in batch.sent
        ),
        "data": batch.data or {},
    }


def parse_recipients(encoded: str) -> dict[int, tuple[int, str, int, int]]:
    """{user id: (notification id, kind, unread count, seq)} from `build_message`'s string."""
    out = {}
    for item in encoded.split():
        user, notification, kind, unread, seq = item.split(":")
        out[int(user)] = (int(notification), kind, int(unread), int(seq))
    return out


async def _send(message: dict) -> None:
    import asyncio

    layer = get_channel_layer()
    if layer is None:
        return
    await asyncio.wait_for(layer.group_send(EVERYONE, message), timeout=SEND_TIMEOUT)


def _deliver(message: dict | None) -> None:
    if not message:
        return
    try:
        async_to_sync(_send)(message)
    except Exception:  # noqa: BLE001 - the push is best effort by design (see module doc)
        logger.warning("inbox: live push failed; clients will replay", exc_info=True)


def push(batch) -> None:
    """Tell open sockets about the notifications of one event. Never raises."""
    try:
        message = build_message(batch)
    except Exception:  # noqa: BLE001
        logger.warning("inbox: could not prepare the live push", exc_info=True)
        return
    _deliver(message)


def push_unread(user_ids: Iterable[int]) -> None:
    """Tell open sockets the new unread counts (after marking read or withdrawing)."""
    try:
        counts = _unread_counts(user_ids)
    except Exception:  # noqa: BLE001
        logger.warning("inbox: could not count unread notifications", exc_info=True)
        return
    if counts:
        _deliver({"type": "inbox.unread", "counts": {str(u): n for u, n in counts.items()}})
