"""Reads: the badge count, the notification centre's grouped entries, the replay, watch levels."""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass
from datetime import datetime, timedelta
from zoneinfo import ZoneInfo, ZoneInfoNotFoundError

from django.conf import settings
from django.contrib.auth import get_user_model
from django.db.models import Count, Max, Min, Q, QuerySet
from django.utils import timezone

from core import users

from . import texts
from .models import (
    DigestDelivery,
    EmailFrequency,
    EmailState,
    Notification,
    NotificationCursor,
    Watch,
    WatchLevel,
)
from .permissions import visible_notifications

REPLAY_LIMIT = 200


def unread_count(user) -> int:
    """The badge: one COUNT over the partial index on unread rows.

    Notifications that stop being visible (the member left a private group, the post was
    hidden) are marked read when that happens (see receivers), so this cheap count and
    the centre agree without re-checking permissions on every page view.
    """
    if user is None or not user.is_authenticated:
        return 0
    return Notification.objects.filter(recipient_id=user.pk, unread=True).count()


@dataclass
class Entry:
    """One line of the notification centre: a notification or a group of alike ones."""

    notification: Notification  # the newest of the group (its time, actor, words)
    first_id: int  # the oldest of the group: where reading should start
    count: int
    unread: bool

    @property
    def text(self) -> str:
        return texts.describe(self.notification.verb, self.notification.data, self.count)

    @property
    def detail(self) -> str:
        return (
            "" if self.count > 1 else texts.detail(self.notification.verb, self.notification.data)
        )

    @property
    def timestamp(self) -> datetime:
        return self.notification.timestamp

    @property
    def thread_ref(self) -> int | None:
        return self.notification.thread_ref

    @property
    def must_deliver(self) -> bool:
        return self.notification.must_deliver


def centre_groups(user, *, unread_only: bool) -> QuerySet:
    """Grouped rows for the centre, newest first: one row per (group key, read state).

    Read and unread notifications of one thread stay apart, so "5 new replies" counts
    only what is new. Must-deliver notifications have unique keys and stay single.
    """
    qs = visible_notifications(user)
    if unread_only:
        qs = qs.filter(unread=True)
    return (
        qs.order_by()
        .values("group_key", "unread")
        .annotate(latest=Max("id"), first=Min("id"), n=Count("id"))
        .order_by("-latest")
    )


def centre_entries(rows: Iterable[dict]) -> list[Entry]:
    """Turn one page of `centre_groups` rows into entries (one more query for the rows)."""
    rows = list(rows)
    by_id = Notification.objects.in_bulk([r["latest"] for r in rows])
    return [
        Entry(
            notification=by_id[r["latest"]], first_id=r["first"], count=r["n"], unread=r["unread"]
        )
        for r in rows
        if r["latest"] in by_id
    ]


@dataclass(frozen=True)
class Replay:
    """One round of the websocket replay: the notifications after the client's cursor,
    oldest first, and the cursor the client may hold afterwards."""

    items: list[Notification]
    cursor: int  # the client has everything up to here (shown, or no longer visible)
    more: bool  # the round stopped at the limit: ask again after `cursor`


def replay(user, *, after: int, limit: int | None = None) -> Replay:
    """What a (re)connecting client missed: every notification with a sequence number
    after `after` that the member may still see, in sequence (= commit) order.

    The member's latest number is read FIRST and the rows only up to it: a notification
    commits together with its number, so everything up to that number is visible now,
    and one committing meanwhile lies beyond the returned cursor (the next heartbeat
    reports it). A brand-new client (after=0) gets only the unread ones, newest `limit`.
    """
    limit = limit or REPLAY_LIMIT
    latest = latest_seq(user)
    after = max(int(after), 0)
    visible = visible_notifications(user).filter(seq__lte=latest)
    if not after:
        items = list(visible.filter(unread=True).order_by("-seq")[:limit])[::-1]
        return Replay(items=items, cursor=latest, more=False)
    items = list(visible.filter(seq__gt=after).order_by("seq")[: limit + 1])
    if len(items) > limit:
        items = items[:limit]
        return Replay(items=items, cursor=items[-1].seq, more=True)
    return Replay(items=items, cursor=latest, more=False)


def latest_seq(user) -> int:
    """The last sequence number given to the member's notifications (0: none yet)."""
    return NotificationCursor.objects.latest([user.pk])[user.pk]


def latest_seqs(user_ids: Iterable[int]) -> dict[int, int]:
    """The same for many members in one query (the heartbeat of a process's sockets)."""
    return NotificationCursor.objects.latest(user_ids)


# --- watch levels ---------------------------------------------------------------------


def watch_levels(
    *, group_ref: int, thread_ref: int | None = None
) -> tuple[dict[int, str], dict[int, str]]:
    """All chosen levels for a group and (optionally) one of its threads, in ONE query:
    ({user_id: group level}, {user_id: thread level}). Users without a row use defaults."""
    rows = Watch.objects.filter(group_ref=group_ref)
    rows = (
        rows.filter(Q(thread_ref__isnull=True) | Q(thread_ref=thread_ref))
        if thread_ref
        else rows.filter(thread_ref__isnull=True)
    )
    group_levels: dict[int, str] = {}
    thread_levels: dict[int, str] = {}
    for user_id, thread, level in rows.values_list("user_id", "thread_ref", "level"):
        (thread_levels if thread else group_levels)[user_id] = level
    return group_levels, thread_levels


def effective_level(
    user_id: int, group_levels: dict[int, str], thread_levels: dict[int, str]
) -> str:
    """The most specific choice wins: thread, then group, then "normal"."""
    return thread_levels.get(user_id) or group_levels.get(user_id) or WatchLevel.NORMAL


def level_for(user, *, group_ref: int, thread_ref: int | None = None) -> tuple[str, bool]:
    """(effective level, whether it was chosen for this exact thread/group)."""
    if user is None or not user.is_authenticated:
        return WatchLevel.NORMAL, False
    rows = dict(
        Watch.objects.filter(user=user, group_ref=group_ref)
        .filter(Q(thread_ref__isnull=True) | Q(thread_ref=thread_ref))
        .values_list("thread_ref", "level")
    )
    if thread_ref and thread_ref in rows:
        return rows[thread_ref], True
    if None in rows:
        return rows[None], thread_ref is None
    return WatchLevel.NORMAL, False


def group_watch_levels(user, group_ids: Iterable[int]) -> dict[int, str]:
    """The user's chosen level for each of these groups (missing: normal), one query."""
    return dict(
        Watch.objects.filter(
            user=user, group_ref__in=list(group_ids), thread_ref__isnull=True
        ).values_list("group_ref", "level")
    )


def thread_watches(user) -> QuerySet[Watch]:
    """Threads the user chose a level for (the settings page lists them)."""
    return Watch.objects.filter(user=user, thread_ref__isnull=False).order_by("-updated_at")


def group_name(group_ref: int | None, *, for_user_id: int) -> str:
    """A group's default-language name for the unsubscribe pages, if the token's owner may
    still know the group exists ('' otherwise: a secret group they left stays unnamed)."""
    from django.contrib.auth import get_user_model

    from groups.permissions import viewable_groups

    if not group_ref:
        return ""
    user = get_user_model().objects.filter(pk=for_user_id).first()
    if user is None:
        return ""
    groups = viewable_groups(user).filter(pk=group_ref)
    return groups.values_list("name", flat=True).first() or ""


def settings_context(user) -> dict:
    """Everything the settings page shows, in a fixed number of queries: the email choice,
    and for each group the member belongs to (or chose a level for) its watch level and
    email override, plus the threads they chose a level for."""
    from discussions.permissions import readable_threads
    from groups.models import WorkingGroup

    from .models import DEFAULT_EMAIL_FREQUENCY, EmailPreference, GroupEmailPreference

    chosen_groups = Watch.objects.filter(user=user, thread_ref__isnull=True).values("group_ref")
    from groups.permissions import readable_groups

    groups = list(
        WorkingGroup.objects.filter(Q(memberships__user=user) | Q(pk__in=chosen_groups))
        .filter(pk__in=readable_groups(user).values("pk"))
        .distinct()
        .order_by("name")
    )
    ids = [g.pk for g in groups]
    levels = group_watch_levels(user, ids)
    overrides = dict(
        GroupEmailPreference.objects.filter(user=user, group_ref__in=ids).values_list(
            "group_ref", "frequency"
        )
    )
    frequency = (
        EmailPreference.objects.filter(user=user).values_list("frequency", flat=True).first()
        or DEFAULT_EMAIL_FREQUENCY
    )
    watches = list(thread_watches(user)[:200])
    titles = dict(
        readable_threads(user)
        .filter(pk__in=[w.thread_ref for w in watches])
        .values_list("pk", "title")
    )
    return {
        "frequency": frequency,
        "group_rows": [
            {
                "group": g,
                "level": levels.get(g.pk, WatchLevel.NORMAL),
                "email": overrides.get(g.pk, ""),
            }
            for g in groups
        ],
        "thread_rows": [
            {"watch": w, "title": titles[w.thread_ref]} for w in watches if w.thread_ref in titles
        ],
    }


# --- email schedule -------------------------------------------------------------------

STUCK_AFTER = timedelta(minutes=10)


def digest_period(*, time_zone: str, frequency: str, now: datetime | None = None) -> str | None:
    """The member's current digest period ("2026-03-14" / "2026-W11", local time), or None
    while it is still before the digest hour there."""
    try:
        zone = ZoneInfo(time_zone or "UTC")
    except (ZoneInfoNotFoundError, ValueError):
        zone = ZoneInfo("UTC")
    local = (now or timezone.now()).astimezone(zone)
    if local.hour < settings.INBOX_DIGEST_HOUR:
        return None
    if frequency == EmailFrequency.DAILY:
        return local.date().isoformat()
    year, week, _weekday = local.isocalendar()
    return f"{year}-W{week:02d}"


def digests_due(*, now: datetime | None = None) -> list[tuple[int, str, str]]:
    """(user id, frequency, period) for every member with items waiting whose digest for
    the current period has not been claimed yet — three queries whatever the numbers."""
    User = get_user_model()
    now = now or timezone.now()
    waiting = set(
        Notification.objects.filter(email_state__in=[EmailState.DAILY, EmailState.WEEKLY])
        .values_list("recipient_id", "email_state")
        .distinct()
    )
    if not waiting:
        return []
    zone_field = users.time_zone_field()
    zones = {
        pk: (zone if zone_field else "") or settings.TIME_ZONE
        for pk, zone in User.objects.filter(
            pk__in={u for u, _s in waiting}, is_active=True
        ).values_list("pk", zone_field or "pk")
    }
    due = []
    for user_id, state in sorted(waiting):
        if user_id not in zones:
            continue
        period = digest_period(time_zone=zones[user_id], frequency=state, now=now)
        if period:
            due.append((user_id, state, period))
    claimed = set(
        DigestDelivery.objects.filter(
            user_id__in=[u for u, _f, _p in due], period__in={p for _u, _f, p in due}
        ).values_list("user_id", "frequency", "period")
    )
    return [row for row in due if row not in claimed]


def emails_stuck(*, now: datetime | None = None) -> list[int]:
    """Immediate emails still unsent well after they were due (a worker was down, SMTP failed)."""
    cutoff = (now or timezone.now()) - STUCK_AFTER
    return list(
        Notification.objects.filter(
            email_state=EmailState.IMMEDIATE, timestamp__lt=cutoff
        ).values_list("pk", flat=True)
    )
