"""The one bridge from stored notifications to the channel layer (called after commit).

The database is the record; this is only the fast path. Every failure here (Redis down,
a full channel) is logged and swallowed: the request that caused the event has already
succeeded, and a client that missed a push gets it from the replay when it reconnects.

Routing: every member's socket listens to its own channel group and to one channel group
per working group it belongs to. An event for many members of one group is ONE message
on the group's channel (each worker process receives it once and hands it to its local
sockets; each socket keeps only its own entry); recipients who are not members (e.g. a
mentioned reader of a public group) get a personal message. Messages carry ids and the
words' ingredients, never text in one language: each socket words it in its member's
language.
"""

from __future__ import annotations

import asyncio
import logging
from collections.abc import Iterable

from asgiref.sync import async_to_sync
from channels.layers import get_channel_layer
from django.db.models import Count

from .groups import group_channel, user_group
from .models import Notification

logger = logging.getLogger(__name__)

# Below this many recipients personal messages are cheaper than asking who is a member.
BROADCAST_MIN = 3
SEND_TIMEOUT = 3.0


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


def _broadcasts(layer) -> bool:
    # The in-memory layer deep-copies a message for every socket of a group, so one big
    # message for a thousand sockets would cost a thousand big copies: small personal
    # messages are cheaper there. Redis layers ship one message per worker process.
    from channels.layers import InMemoryChannelLayer

    return layer is not None and not isinstance(layer, InMemoryChannelLayer)


def build_messages(
    created: list[Notification], *, broadcast: bool = True
) -> list[tuple[str, dict]]:
    """(channel group, message) pairs for a batch of new notifications of one event."""
    if not created:
        return []
    counts = _unread_counts(n.recipient_id for n in created)
    by_recipient = {n.recipient_id: n for n in created}
    first = created[0]
    same_group = first.group_ref and all(n.group_ref == first.group_ref for n in created)
    members: set[int] = set()
    if broadcast and same_group and len(by_recipient) >= BROADCAST_MIN:
        members = _members_of(first.group_ref, by_recipient)

    def message(notifications: list[Notification]) -> dict:
        return {
            "type": "inbox.event",
            "recipients": {
                str(n.recipient_id): [n.pk, n.verb, counts.get(n.recipient_id, 0), n.thread_ref]
                for n in notifications
            },
            "data": first.data or {},
        }

    out: list[tuple[str, dict]] = []
    shared = [n for uid, n in by_recipient.items() if uid in members]
    if shared:
        out.append((group_channel(first.group_ref), message(shared)))
    for uid, n in by_recipient.items():
        if uid not in members:
            # Each personal message carries its own data (kinds may differ per recipient).
            out.append((user_group(uid), {**message([n]), "data": n.data or {}}))
    return out


async def _send_all(messages: list[tuple[str, dict]]) -> None:
    layer = get_channel_layer()
    if layer is None:
        return
    # One gather: the sends overlap instead of paying a Redis round trip each in turn.
    await asyncio.wait_for(
        asyncio.gather(*(layer.group_send(group, msg) for group, msg in messages)),
        timeout=SEND_TIMEOUT,
    )


def _deliver(messages: list[tuple[str, dict]]) -> None:
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


def push(created: list[Notification]) -> None:
    """Tell open sockets about new notifications. Never raises."""
    try:
        messages = build_messages(created, broadcast=_broadcasts(get_channel_layer()))
    except Exception:  # noqa: BLE001
        logger.warning("inbox: could not prepare the live push", exc_info=True)
        return
    _deliver(messages)


def push_unread(user_ids: Iterable[int]) -> None:
    """Tell open sockets the new unread count (after marking read or withdrawing)."""
    try:
        counts = _unread_counts(user_ids)
    except Exception:  # noqa: BLE001
        logger.warning("inbox: could not count unread notifications", exc_info=True)
        return
    _deliver(
        [(user_group(uid), {"type": "inbox.unread", "unread": n}) for uid, n in counts.items()]
    )


def follow(user_id: int, group_ref: int, *, on: bool) -> None:
    """A member joined (on) or left (off) a group: their open sockets start or stop
    listening to its channel."""
    _deliver(
        [(user_group(user_id), {"type": "inbox.follow", "group": int(group_ref), "on": bool(on)})]
    )
