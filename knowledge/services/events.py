"""Events: registration, cancellation, the waiting list."""

from __future__ import annotations

from django.conf import settings
from django.core.exceptions import ValidationError
from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _
from wagtail.models import Page

from core.idempotency import idempotent

from .. import permissions as perms
from .. import signals
from ..models import (
    EventPage,
    EventRegistration,
)

# Contact requests a member may send per rolling day (spam brake; replies count too).
from ._common import (
    _emit,
    _enqueue,
    _require_login,
)

# --- events -------------------------------------------------------------------------------


def _lock_event(event: EventPage) -> None:
    # One lock for the event in every language: its page rows. Serialises registrations
    # and cancellations so the waiting list never over-fills (no-op on SQLite, whose
    # IMMEDIATE transactions serialise writers anyway).
    list(
        Page.objects.select_for_update()
        .filter(translation_key=event.translation_key)
        .values_list("pk", flat=True)
    )


def _confirmed_count(event: EventPage) -> int:
    return EventRegistration.objects.filter(
        event_key=event.translation_key, status=EventRegistration.Status.CONFIRMED
    ).count()


def _has_room(event: EventPage) -> bool:
    return event.capacity is None or _confirmed_count(event) < event.capacity


def _announce(registration: EventRegistration, event: EventPage, *, promoted: bool = False) -> None:
    from ..tasks import send_registration_email

    base = {
        "registration": registration,
        "registration_id": registration.pk,
        "user": registration.user,
        "user_id": registration.user_id,
        "event": event,
        "event_key": str(event.translation_key),
    }
    if registration.status == EventRegistration.Status.CONFIRMED:
        _emit(signals.registration_confirmed, EventRegistration, promoted=promoted, **base)
        _enqueue(send_registration_email, registration.pk, "promoted" if promoted else "confirmed")
    elif registration.status == EventRegistration.Status.WAITING:
        position = EventRegistration.objects.filter(
            event_key=event.translation_key,
            status=EventRegistration.Status.WAITING,
            queued_at__lte=registration.queued_at,
        ).count()
        _emit(signals.registration_waitlisted, EventRegistration, position=position, **base)
        _enqueue(send_registration_email, registration.pk, "waiting")
    else:
        _emit(signals.registration_cancelled, EventRegistration, **base)
        _enqueue(send_registration_email, registration.pk, "cancelled")


@idempotent(user="user")
@transaction.atomic
def event_register(*, event: EventPage, user, language: str | None = None) -> EventRegistration:
    """Register the member: a confirmed place if one is free (and nobody queues ahead),
    else a place on the waiting list. Refused after the deadline and when already registered.
    """
    _require_login(user)
    perms.check_can_view_event(user, event)
    if not event.registration_enabled:
        raise ValidationError(_("Registration for this event does not happen on Plaza."))
    if timezone.now() >= event.deadline:
        raise ValidationError(_("Registration for this event has closed."), code="closed")
    _lock_event(event)
    existing = EventRegistration.objects.filter(event_key=event.translation_key, user=user).first()
    if existing is not None and existing.status == EventRegistration.Status.CONFIRMED:
        raise ValidationError(_("You are already registered for this event."), code="duplicate")
    if existing is not None and existing.status == EventRegistration.Status.WAITING:
        raise ValidationError(
            _("You are already on the waiting list for this event."), code="duplicate"
        )
    queue = EventRegistration.objects.filter(
        event_key=event.translation_key, status=EventRegistration.Status.WAITING
    )
    confirmed = _has_room(event) and not queue.exists()
    now = timezone.now()
    registration = existing or EventRegistration(event_key=event.translation_key, user=user)
    registration.status = (
        EventRegistration.Status.CONFIRMED if confirmed else EventRegistration.Status.WAITING
    )
    registration.language = (
        language if language in dict(settings.LANGUAGES) else event.locale.language_code
    )
    registration.queued_at = now
    registration.confirmed_at = now if confirmed else None
    registration.cancelled_at = None
    registration.save()
    _announce(registration, event)
    return registration


def _promote(event: EventPage) -> list[EventRegistration]:
    promoted = []
    while _has_room(event):
        nxt = (
            EventRegistration.objects.select_for_update()
            .filter(event_key=event.translation_key, status=EventRegistration.Status.WAITING)
            .order_by("queued_at", "pk")
            .select_related("user")
            .first()
        )
        if nxt is None:
            break
        nxt.status = EventRegistration.Status.CONFIRMED
        nxt.confirmed_at = timezone.now()
        nxt.save(update_fields=["status", "confirmed_at"])
        promoted.append(nxt)
        _announce(nxt, event, promoted=True)
    return promoted


@transaction.atomic
def event_cancel_registration(*, event: EventPage, user) -> EventRegistration:
    """Cancel the member's registration (or waiting-list place); a freed place goes to the
    first person waiting, in the same transaction."""
    _require_login(user)
    _lock_event(event)
    registration = EventRegistration.objects.filter(
        event_key=event.translation_key,
        user=user,
        status__in=[EventRegistration.Status.CONFIRMED, EventRegistration.Status.WAITING],
    ).first()
    if registration is None:
        raise ValidationError(_("You are not registered for this event."))
    if event.ends_at <= timezone.now():
        raise ValidationError(_("This event is over."))
    registration.status = EventRegistration.Status.CANCELLED
    registration.cancelled_at = timezone.now()
    registration.save(update_fields=["status", "cancelled_at"])
    _announce(registration, event)
    if event.starts_at > timezone.now():
        _promote(event)
    return registration


@transaction.atomic
def event_waitlist_fill(*, event: EventPage) -> list[EventRegistration]:
    """Move people up while places are free (after an editor raised the capacity)."""
    if event.starts_at <= timezone.now():
        return []
    _lock_event(event)
    return _promote(event)
