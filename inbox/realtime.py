"""The one bridge from stored notifications to the channel layer (called after commit).

The database is the record; this is only the fast path. Every failure here (Redis down,
a full channel) is logged and swallowed: the request that caused the event has already
succeeded, and a client that missed a push gets it from the replay when it reconnects.

Messages carry ids and the ingredients of the words, never text in one language: each
socket words its entry in its own member's language.

Routing depends on the layer:

- Redis (several worker processes): every member's socket listens to its own channel
  group and to one channel group per working group it belongs to. An event for many
  members of one group is ONE message on the group's channel — each worker receives it
  once and hands it to its local sockets, each socket keeps only its own entry;
  recipients who are not members (a mentioned reader of a public group) get a personal
  message.
- In-memory (one process, `make run`, tests): that layer copies a message for every
  socket of a group and scans every group on every receive, which is quadratic in the
  number of sockets. Its sockets therefore register their channel names here and get
  small personal messages on their channels directly — still through the layer's API.
"""

from __future__ import annotations

import asyncio
import logging
import threading
from collections.abc import Iterable

from asgiref.sync import async_to_sync
from channels.layers import InMemoryChannelLayer, get_channel_layer
from django.db.models import Count

from .groups import group_channel, user_group
from .models import Notification

logger = logging.getLogger(__name__)

# Below this many recipients personal messages are cheaper than asking who is a member.
BROADCAST_MIN = 3
SEND_TIMEOUT = 3.0

# In-memory layer only: user id → channel names of this process's open sockets.
_local: dict[int, set[str]] = {}
_local_lock = threading.Lock()

Target = tuple[str, str]  # ("group" | "channel", name)


def uses_groups(layer) -> bool:
    """True for layers shared between processes (Redis); False for the in-memory one."""
    return layer is not None and not isinstance(layer, InMemoryChannelLayer)


def local_register(user_id: int, channel_name: str) -> None:
    with _local_lock:
        _local.setdefault(int(user_id), set()).add(channel_name)


def local_unregister(user_id: int, channel_name: str) -> None:
    with _local_lock:
        channels = _local.get(int(user_id))
        if channels is not None:
            channels.discard(channel_name)
            if not channels:
                _local.pop(int(user_id), None)


def _personal(user_id: int, groups: bool) -> list[Target]:
    if groups:
        return [("group", user_group(user_id))]
    with _local_lock:
        return [("channel", name) for name in _local.get(int(user_id), ())]


def _unread_counts(user_ids: Iterable[int]) -> dict[int, int]:
    ids = list({int(u) for u in user_ids})
    counts = dict(
        Notification.objects.filter(recipient_id__in=ids, unread=True)
        .values("recipient_id")
        .annotate(n=Count("id"))
        .values_list("recipient_id", "n")
    )
    return {uid: counts.get(uid, 0) for uid in ids}


def _members_of(group_ref: int, user_ids: Iterable[int]) -> set[int]:
    from groups.models import Membership

    return set(
        Membership.objects.filter(group_id=group_ref, user_id__in=list(user_ids)).values_list(
            "user_id", flat=True
        )
    )


def build_messages(batch, *, groups: bool = True) -> list[tuple[Target, dict]]:
    """(target, message) pairs for the notifications one event created (a services.Batch)."""
    if batch is None or not batch.sent:
        return []
    counts = _unread_counts(s.recipient_id for s in batch.sent)
    by_recipient = {s.recipient_id: s for s in batch.sent}
    members: set[int] = set()
    if groups and batch.group_ref and len(by_recipient) >= BROADCAST_MIN:
        members = _members_of(batch.group_ref, by_recipient)

    def message(items) -> dict:
        return {
            "type": "inbox.event",
            "recipients": {
                str(s.recipient_id): [s.pk, s.kind, counts.get(s.recipient_id, 0)] for s in items
            },
            "data": batch.data or {},
        }

    out: list[tuple[Target, dict]] = []
    shared = [s for uid, s in by_recipient.items() if uid in members]
    if shared:
        out.append((("group", group_channel(batch.group_ref)), message(shared)))
    for uid, s in by_recipient.items():
        if uid not in members:
            single = message([s])
            out.extend((target, single) for target in _personal(uid, groups))
    return out


async def _send_all(messages: list[tuple[Target, dict]]) -> None:
    layer = get_channel_layer()
    if layer is None:
        return

    def one(target: Target, message: dict):
        kind, name = target
        return layer.group_send(name, message) if kind == "group" else layer.send(name, message)

    # One gather: the sends overlap instead of paying a Redis round trip each in turn; one
    # full or failing channel does not stop the others.
    results = await asyncio.wait_for(
        asyncio.gather(*(one(t, m) for t, m in messages), return_exceptions=True),
        timeout=SEND_TIMEOUT,
    )
    failed = [r for r in results if isinstance(r, BaseException)]
    if failed:
        raise failed[0]


def _deliver(messages: list[tuple[Target, dict]]) -> None:
    if not messages:
        return
    try:
        async_to_sync(_send_all)(messages)
    except Exception:  # noqa: BLE001 - the push is best effort by design (see module doc)
        logger.warning(
            "inbox: live push failed for %d message(s); clients will replay",
            len(messages),
            exc_info=True,
        )


def push(batch) -> None:
    """Tell open sockets about the notifications of one event. Never raises."""
    try:
        messages = build_messages(batch, groups=uses_groups(get_channel_layer()))
    except Exception:  # noqa: BLE001
        logger.warning("inbox: could not prepare the live push", exc_info=True)
        return
    _deliver(messages)


def push_unread(user_ids: Iterable[int]) -> None:
    """Tell open sockets the new unread count (after marking read or withdrawing)."""
    try:
        counts = _unread_counts(user_ids)
        groups = uses_groups(get_channel_layer())
        messages = [
            (target, {"type": "inbox.unread", "unread": n})
            for uid, n in counts.items()
            for target in _personal(uid, groups)
        ]
    except Exception:  # noqa: BLE001
        logger.warning("inbox: could not count unread notifications", exc_info=True)
        return
    _deliver(messages)


def follow(user_id: int, group_ref: int, *, on: bool) -> None:
    """A member joined (on) or left (off) a group: with a shared layer, their open
    sockets start or stop listening to its channel (the in-memory layer needs nothing)."""
    if not uses_groups(get_channel_layer()):
        return
    message = {"type": "inbox.follow", "group": int(group_ref), "on": bool(on)}
    _deliver([(target, message) for target in _personal(user_id, True)])
