"""Every write of the inbox: fan-out, read state, watch levels, email preferences.

Each service is keyword-only, runs in one transaction and raises ValidationError /
PermissionDenied with a translated message for bad input. Views never call the fan-out:
it runs from `receivers` when another app's domain event arrives.
"""

from __future__ import annotations

import logging
import uuid
from collections.abc import Callable, Mapping
from dataclasses import dataclass, field

from django.conf import settings
from django.contrib.auth import get_user_model
from django.contrib.contenttypes.models import ContentType
from django.core.exceptions import ValidationError
from django.db import IntegrityError, transaction
from django.db.models import Q
from django.utils import timezone, translation
from django.utils.translation import gettext as _

from core import users
from core.languages import default_language

from . import permissions as perms
from .models import (
    DEFAULT_EMAIL_FREQUENCY,
    MUST_DELIVER_KINDS,
    PENDING_EMAIL_STATES,
    Audience,
    DigestDelivery,
    EmailFrequency,
    EmailPreference,
    EmailState,
    GroupEmailPreference,
    Kind,
    Notification,
    NotificationCursor,
    Watch,
    WatchLevel,
    id_set,
)
from .tokens import unsubscribe_read

logger = logging.getLogger(__name__)

# Kinds whose notifications merge per thread or per group in the centre (and digests).
_THREAD_GROUPED = {Kind.REPLY, Kind.MENTION, Kind.NEW_POST}
_GROUP_GROUPED = {Kind.NEW_THREAD, Kind.JOIN_REQUESTED, Kind.REPORT_CREATED, Kind.POST_HELD}

_FREQUENCY_TO_STATE = {
    EmailFrequency.IMMEDIATELY: EmailState.IMMEDIATE,
    EmailFrequency.DAILY: EmailState.DAILY,
    EmailFrequency.WEEKLY: EmailState.WEEKLY,
    EmailFrequency.OFF: EmailState.NONE,
}


def group_key_for(kind: str, *, group_ref: int | None, thread_ref: int | None) -> str:
    """Alike notifications share a key ("reply:t:42"); must-deliver ones and those about
    one particular thing get a unique key, so they are never merged away."""
    if kind in MUST_DELIVER_KINDS:
        return f"{kind}:{uuid.uuid4().hex}"
    if kind in _THREAD_GROUPED and thread_ref:
        return f"{kind}:t:{thread_ref}"
    if kind in _GROUP_GROUPED and group_ref:
        return f"{kind}:g:{group_ref}"
    return f"{kind}:{uuid.uuid4().hex}"


@dataclass
class Subject:
    """What an event is about: ids for permission checks and the words to render it."""

    actor: object  # who acted: a saved User (never notified), or e.g. the event for system news
    audience: str = Audience.READERS
    group_ref: int | None = None
    thread_ref: int | None = None
    post_ref: int | None = None
    data: dict = field(default_factory=dict)
    # The link, per language ("" when there is nothing to open); called once per language.
    url: Callable[[str], str] = lambda language: ""
    target: object | None = None  # library generic relations (admin shows them)
    action_object: object | None = None


@dataclass(frozen=True)
class Sent:
    """One stored notification, as the push and the email queue need it."""

    pk: int
    recipient_id: int
    kind: str
    email_state: str
    seq: int = 0


@dataclass(frozen=True)
class Batch:
    """The notifications one event created (they share subject, data and references)."""

    sent: tuple[Sent, ...]
    group_ref: int | None
    thread_ref: int | None
    data: dict


@transaction.atomic
def notifications_send(
    *, recipients: Mapping[int, str], subject: Subject, emailed_elsewhere: bool = False
) -> Batch | None:
    """Store one notification per recipient (user id → kind), then, after commit, push
    them to open sockets and queue the emails that are due now.

    Cost does not depend on the number of recipients: one query for their language and
    email choice, one for group overrides, ONE insert statement (see
    `InboxQuerySet.fan_out_insert`); after commit one unread-count query, one channel
    layer message per event (see realtime) and at most one queued email task.
    The actor is never notified. `emailed_elsewhere`: the triggering app already emailed
    the recipient (invitations, contact requests): recorded as emailed, not sent twice.
    """
    User = get_user_model()
    actor_id = subject.actor.pk if isinstance(subject.actor, User) else None
    wanted = {int(uid): kind for uid, kind in recipients.items() if uid and int(uid) != actor_id}
    if not wanted:
        return None
    language_field = users.language_field()
    fallback = default_language()
    people = {
        pk: (
            (language if language_field else "") or fallback,
            frequency or DEFAULT_EMAIL_FREQUENCY,
        )
        for pk, language, frequency in User.objects.filter(
            pk__in=id_set(wanted), is_active=True
        ).values_list("pk", language_field or "pk", "inbox_email__frequency")
    }
    if not people:
        return None
    overrides: dict[int, str] = {}
    if subject.group_ref:
        overrides = dict(
            GroupEmailPreference.objects.filter(
                group_ref=subject.group_ref, user_id__in=id_set(people)
            ).values_list("user_id", "frequency")
        )
    urls: dict[str, str] = {}

    def url_in(language: str) -> str:
        if language not in urls:
            with translation.override(language):
                urls[language] = (subject.url(language) or "")[:500]
        return urls[language]

    now = timezone.now()

    def type_id(obj) -> int | None:
        return ContentType.objects.get_for_model(obj).pk if obj is not None else None

    common = {
        "actor_content_type_id": type_id(subject.actor),
        "actor_object_id": str(subject.actor.pk),
        "target_content_type_id": type_id(subject.target),
        "target_object_id": str(subject.target.pk) if subject.target is not None else None,
        "action_object_content_type_id": type_id(subject.action_object),
        "action_object_object_id": (
            str(subject.action_object.pk) if subject.action_object is not None else None
        ),
        "timestamp": now,
        "data": subject.data,
        "audience": subject.audience,
        "group_ref": subject.group_ref,
        "thread_ref": subject.thread_ref,
        "post_ref": subject.post_ref,
        "emailed": emailed_elsewhere,
        "emailed_at": now if emailed_elsewhere else None,
    }
    varying = ("recipient_id", "seq", "verb", "group_key", "must_deliver", "url", "email_state")
    seqs = NotificationCursor.objects.advance(people)
    rows = []
    for user_id, (language, frequency) in people.items():
        kind = wanted[user_id]
        must = kind in MUST_DELIVER_KINDS
        if emailed_elsewhere:
            state = EmailState.SENT
        elif must:
            state = EmailState.IMMEDIATE
        else:
            state = _FREQUENCY_TO_STATE[overrides.get(user_id, frequency)]
        key = group_key_for(kind, group_ref=subject.group_ref, thread_ref=subject.thread_ref)
        rows.append((user_id, seqs[user_id], str(kind), key, must, url_in(language), str(state)))
    states = {row[0]: (row[1], row[2], row[6]) for row in rows}
    ids = Notification.objects.fan_out_insert(common=common, varying=varying, rows=rows)
    batch = Batch(
        sent=tuple(
            Sent(pk, uid, states[uid][1], states[uid][2], states[uid][0]) for pk, uid in sorted(ids)
        ),
        group_ref=subject.group_ref,
        thread_ref=subject.thread_ref,
        data=subject.data,
    )
    due_now = [s.pk for s in batch.sent if s.email_state == EmailState.IMMEDIATE]
    if due_now:
        from .tasks import send_immediate_emails

        # Queued in this transaction (the database task backend writes a row here), so
        # the email is owed exactly when the notification exists; a worker that dies
        # mid-send leaves it IMMEDIATE and `send_digests` queues it again.
        send_immediate_emails.enqueue(notification_ids=due_now)
    transaction.on_commit(lambda: _after_commit(batch))
    return batch


def _after_commit(batch: Batch) -> None:
    from . import realtime

    realtime.push(batch)


@transaction.atomic
def notifications_withdraw(
    *,
    recipient_ids=None,
    group_ref=None,
    thread_ref=None,
    post_ref=None,
    audiences=None,
    kinds=None,
    about=None,
) -> int:
    """Stop showing and emailing notifications someone may no longer see (they left a
    private group, were banned, stopped moderating; the post was hidden or deleted).

    The centre already filters them by permission at render time; marking them read keeps
    the cheap unread count honest, and pending emails are dropped.
    """
    qs = Notification.objects.filter(Q(unread=True) | Q(email_state__in=PENDING_EMAIL_STATES))
    if recipient_ids is not None:
        qs = qs.filter(recipient_id__in=list(recipient_ids))
    if group_ref is not None:
        qs = qs.filter(group_ref=group_ref)
    if thread_ref is not None:
        qs = qs.filter(thread_ref=thread_ref)
    if post_ref is not None:
        qs = qs.filter(post_ref=post_ref)
    if kinds is not None:
        qs = qs.filter(verb__in=list(kinds))
    if about is not None:  # the object the notification is about (a join request, a report)
        qs = qs.filter(
            action_object_content_type=ContentType.objects.get_for_model(about),
            action_object_object_id=str(about.pk),
        )
    qs = qs.filter(audience__in=list(audiences or [Audience.READERS, Audience.MODERATORS]))
    affected = list(qs.values_list("recipient_id", flat=True).distinct())
    qs.filter(email_state__in=PENDING_EMAIL_STATES).update(email_state=EmailState.SKIPPED)
    count = qs.filter(unread=True).update(unread=False)
    if affected:
        transaction.on_commit(lambda: _push_counts(affected))
    return count


@transaction.atomic
def notifications_follow_thread(*, thread, from_group_ref: int) -> int:
    """A thread moved to another group: its notifications (and the thread watches) move
    with it, and those whose recipient can no longer read it — or, for moderators' notices,
    no longer moderates it — are withdrawn, so the badge does not count them.

    A fixed number of queries: the notifications are found through their group.
    """
    about = Notification.objects.filter(group_ref=from_group_ref, thread_ref=thread.pk)
    about.update(group_ref=thread.group_id)
    Watch.objects.filter(thread_ref=thread.pk).update(group_ref=thread.group_id)
    moved = Notification.objects.filter(group_ref=thread.group_id, thread_ref=thread.pk).filter(
        Q(unread=True) | Q(email_state__in=PENDING_EMAIL_STATES)
    )
    readers = set(moved.filter(audience=Audience.READERS).values_list("recipient_id", flat=True))
    moderators = set(
        moved.filter(audience=Audience.MODERATORS).values_list("recipient_id", flat=True)
    )
    count = 0
    gone_readers = readers - perms.thread_readers_among(thread, readers)
    if gone_readers:
        count += notifications_withdraw(
            recipient_ids=gone_readers,
            group_ref=thread.group_id,
            thread_ref=thread.pk,
            audiences=[Audience.READERS],
        )
    gone_moderators = moderators - perms.group_moderator_ids(thread.group)
    if gone_moderators:
        count += notifications_withdraw(
            recipient_ids=gone_moderators,
            group_ref=thread.group_id,
            thread_ref=thread.pk,
            audiences=[Audience.MODERATORS],
        )
    return count


@transaction.atomic
def notifications_follow_group_visibility(*, group) -> int:
    """A group's visibility changed: notifications about its content whose recipient can
    no longer read it (the group turned private and they are not a member) are withdrawn,
    so the badge stops counting them. Moderators' notices are left alone.

    A fixed number of queries whatever the number of notifications.
    """
    pending = Notification.objects.filter(group_ref=group.pk, audience=Audience.READERS).filter(
        Q(unread=True) | Q(email_state__in=PENDING_EMAIL_STATES)
    )
    recipients = set(pending.values_list("recipient_id", flat=True).distinct())
    gone = recipients - perms.group_readers_among(group, recipients)
    if not gone:
        return 0
    return notifications_withdraw(
        recipient_ids=gone, group_ref=group.pk, audiences=[Audience.READERS]
    )


def _push_counts(user_ids) -> None:
    from . import realtime

    realtime.push_unread(user_ids)


# --- read state -----------------------------------------------------------------------


@transaction.atomic
def notification_mark_read(*, user, notification: Notification) -> int:
    """Mark one centre entry read: the notification and the unread ones grouped with it."""
    perms.check_owns_notification(user, notification)
    count = Notification.objects.filter(
        recipient_id=user.pk, group_key=notification.group_key, unread=True
    ).update(unread=False)
    transaction.on_commit(lambda: _push_counts([user.pk]))
    return count


@transaction.atomic
def notifications_mark_all_read(*, user) -> int:
    """Mark every notification of the member read."""
    count = Notification.objects.filter(recipient_id=user.pk, unread=True).update(unread=False)
    transaction.on_commit(lambda: _push_counts([user.pk]))
    return count


# --- watch levels ---------------------------------------------------------------------


def _check_level(level: str) -> None:
    if level not in WatchLevel.values:
        raise ValidationError(_("Choose one of the offered levels."))


@transaction.atomic
def watch_set_group(*, user, group, level: str | None) -> Watch | None:
    """Choose how closely `user` follows `group` (None: back to the default, normal)."""
    perms.check_can_watch_group(user, group)
    if level is None or level == "":
        Watch.objects.filter(user=user, group_ref=group.pk, thread_ref__isnull=True).delete()
        return None
    _check_level(level)
    watch, _created = Watch.objects.update_or_create(
        user=user,
        group_ref=group.pk,
        thread_ref=None,
        defaults={"level": level, "automatic": False},
    )
    return watch


@transaction.atomic
def watch_set_thread(*, user, thread, level: str | None) -> Watch | None:
    """Choose a level for one thread (None: follow the group's level again). Muting a
    thread is this with level="muted" — one click from any notification about it."""
    perms.check_can_watch_thread(user, thread)
    if level is None or level == "":
        Watch.objects.filter(user=user, thread_ref=thread.pk).delete()
        return None
    _check_level(level)
    watch, _created = Watch.objects.update_or_create(
        user=user,
        thread_ref=thread.pk,
        defaults={"level": level, "group_ref": thread.group_id, "automatic": False},
    )
    return watch


@transaction.atomic
def watch_start_automatic(*, user_id: int, thread_ref: int, group_ref: int) -> None:
    """Writing in a thread starts watching it — unless the member already chose a level
    for that thread (a thread they muted stays muted). get_or_create copes with a
    concurrent post by the same member."""
    Watch.objects.get_or_create(
        user_id=user_id,
        thread_ref=thread_ref,
        defaults={"group_ref": group_ref, "level": WatchLevel.WATCHING, "automatic": True},
    )


# --- email preferences ----------------------------------------------------------------


def _check_frequency(frequency: str) -> None:
    if frequency not in EmailFrequency.values:
        raise ValidationError(_("Choose one of the offered email options."))


@transaction.atomic
def email_preference_set(*, user, frequency: str) -> EmailPreference:
    """Set how often activity reaches the member by email (all groups without override)."""
    _check_frequency(frequency)
    preference, _created = EmailPreference.objects.update_or_create(
        user=user, defaults={"frequency": frequency}
    )
    _reschedule_pending(user_id=user.pk)
    return preference


@transaction.atomic
def group_email_preference_set(
    *, user, group, frequency: str | None
) -> GroupEmailPreference | None:
    """Override the email choice for one group (None or "": use the general choice)."""
    if not frequency:
        GroupEmailPreference.objects.filter(user=user, group_ref=group.pk).delete()
        _reschedule_pending(user_id=user.pk)
        return None
    _check_frequency(frequency)
    perms.check_can_watch_group(user, group)
    preference, _created = GroupEmailPreference.objects.update_or_create(
        user=user, group_ref=group.pk, defaults={"frequency": frequency}
    )
    _reschedule_pending(user_id=user.pk)
    return preference


def _reschedule_pending(*, user_id: int) -> None:
    """Activity still waiting for a digest follows the member's new choice (must-deliver
    items are unaffected: they left at once)."""
    general = (
        EmailPreference.objects.filter(user_id=user_id).values_list("frequency", flat=True).first()
    )
    general = general or DEFAULT_EMAIL_FREQUENCY
    overrides = dict(
        GroupEmailPreference.objects.filter(user_id=user_id).values_list("group_ref", "frequency")
    )
    pending = Notification.objects.filter(
        recipient_id=user_id,
        must_deliver=False,
        email_state__in=[EmailState.DAILY, EmailState.WEEKLY],
    )
    for frequency in EmailFrequency.values:
        groups_with = [g for g, f in overrides.items() if f == frequency]
        scope = Q(group_ref__in=groups_with)
        if frequency == general:
            scope |= ~Q(group_ref__in=list(overrides)) | Q(group_ref__isnull=True)
        state = _FREQUENCY_TO_STATE[frequency]
        if state == EmailState.IMMEDIATE:
            state = (
                EmailState.DAILY
            )  # already-waiting items go out with the next digest, not as a burst
        pending.filter(scope).exclude(email_state=state).update(
            email_state=state if state != EmailState.NONE else EmailState.SKIPPED
        )


@transaction.atomic
def email_unsubscribe(*, token: str) -> tuple[object, int | None]:
    """Turn activity emails off — for one group or for everything — from a signed link,
    without logging in. Must-deliver messages (invitations, decisions about you) still come."""
    user_id, group_ref = unsubscribe_read(token)
    User = get_user_model()
    user = User.objects.filter(pk=user_id, is_active=True).first()
    if user is None:
        raise ValidationError(
            _("This unsubscribe link is not valid. Please change your email settings instead.")
        )
    if group_ref:
        GroupEmailPreference.objects.update_or_create(
            user=user, group_ref=group_ref, defaults={"frequency": EmailFrequency.OFF}
        )
    else:
        EmailPreference.objects.update_or_create(
            user=user, defaults={"frequency": EmailFrequency.OFF}
        )
    _reschedule_pending(user_id=user.pk)
    return user, group_ref


# --- email ----------------------------------------------------------------------------


def email_send_immediate(*, notification_ids: list[int]) -> int:
    """Email what is due now: one email per recipient and key, each in its own transaction.

    At least once, never silently twice: each email's notifications first get an
    idempotency key, committed on its own (`_email_key`); then they are claimed
    (IMMEDIATE → SENT) in the transaction that sends them, so a task run twice, or two
    workers, never send them twice, and a failed send leaves them waiting
    (`send_digests` re-queues stuck ones). If the worker dies after SMTP took the
    message but before the claim committed, the resend carries the same key as its
    Message-ID, so mail systems recognise the duplicate. Permission is checked again:
    what the recipient can no longer see is skipped.
    """
    User = get_user_model()
    pending = Notification.objects.filter(
        pk__in=list(notification_ids), email_state=EmailState.IMMEDIATE
    )
    batches: dict[tuple[int, str], list[int]] = {}
    for pk, recipient_id, key in pending.values_list("pk", "recipient_id", "email_key"):
        batches.setdefault((recipient_id, key), []).append(pk)
    users = User.objects.in_bulk({recipient_id for recipient_id, _key in batches})
    sent = 0
    for (recipient_id, _key), ids in sorted(batches.items()):
        user = users.get(recipient_id)
        if user is None:
            continue
        try:
            key = _email_key(user=user, ids=ids)
            if key:
                sent += _email_one(user=user, key=key)
        except Exception:  # noqa: BLE001 - one bad address must not stop the others
            logger.exception("inbox: emailing user %s failed; will retry", user.pk)
    return sent


@transaction.atomic
def _email_key(*, user, ids: list[int]) -> str:
    """Skip what the recipient may no longer see; give the rest one idempotency key (the
    one they already share, after a crash) and commit it before anything is sent."""
    visible = list(
        perms.visible_notifications(user)
        .filter(pk__in=ids, email_state=EmailState.IMMEDIATE)
        .values_list("pk", "email_key")
    )
    Notification.objects.filter(pk__in=ids, email_state=EmailState.IMMEDIATE).exclude(
        pk__in=[pk for pk, _key in visible]
    ).update(email_state=EmailState.SKIPPED)
    if not visible:
        return ""
    key = next((k for _pk, k in visible if k), "") or uuid.uuid4().hex
    Notification.objects.filter(
        pk__in=[pk for pk, _key in visible], email_state=EmailState.IMMEDIATE
    ).update(email_key=key)
    return key


def message_id_for(key: str) -> str:
    """The Message-ID of the email with this idempotency key: the same on every resend."""
    domain = settings.DEFAULT_FROM_EMAIL.rpartition("@")[2].strip("> ") or "plaza.invalid"
    return f"<notification.{key}@{domain}>"


@transaction.atomic
def _email_one(*, user, key: str) -> int:
    from .emails import build_message

    now = timezone.now()
    notifications = list(
        Notification.objects.filter(
            recipient=user, email_key=key, email_state=EmailState.IMMEDIATE
        ).order_by("id")
    )
    claimed = Notification.objects.filter(
        pk__in=[n.pk for n in notifications], email_state=EmailState.IMMEDIATE
    ).update(email_state=EmailState.SENT, emailed=True, emailed_at=now)
    if not notifications or claimed != len(notifications) or not user.email:
        return 0
    message = build_message(user=user, notifications=notifications)
    message.extra_headers["Message-ID"] = message_id_for(key)
    message.send()
    return 1


@transaction.atomic
def digest_send(*, user_id: int, frequency: str, period: str) -> DigestDelivery | None:
    """Send one member's digest for one period, at most once.

    The DigestDelivery row (unique per member, frequency and period) is the claim: a
    second run — the command started twice, a task retried — fails to insert it and
    sends nothing. Everything happens in one transaction, so a failed send leaves the
    items waiting and the period unclaimed.
    """
    from .emails import build_message

    if frequency not in (EmailFrequency.DAILY, EmailFrequency.WEEKLY):
        raise ValidationError(_("Digests are daily or weekly."))
    user = get_user_model().objects.filter(pk=user_id, is_active=True).first()
    if user is None:
        return None
    try:
        with transaction.atomic():
            delivery = DigestDelivery.objects.create(user=user, frequency=frequency, period=period)
    except IntegrityError:
        return None
    waiting = Notification.objects.filter(recipient=user, email_state=frequency)
    items = list(perms.visible_notifications(user).filter(email_state=frequency).order_by("id"))
    waiting.exclude(pk__in=[n.pk for n in items]).update(email_state=EmailState.SKIPPED)
    now = timezone.now()
    if not items or not user.email:
        delivery.status = DigestDelivery.Status.EMPTY
        delivery.save(update_fields=["status"])
        return delivery
    Notification.objects.filter(pk__in=[n.pk for n in items]).update(
        email_state=EmailState.SENT, emailed=True, emailed_at=now, digest=delivery
    )
    build_message(user=user, notifications=items, digest=frequency).send()
    delivery.status = DigestDelivery.Status.SENT
    delivery.item_count = len(items)
    delivery.sent_at = now
    delivery.save(update_fields=["status", "item_count", "sent_at"])
    return delivery
