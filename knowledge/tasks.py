"""Emails, sent by django-tasks workers (immediately in tests and `make run`).

Each task reloads its rows by id and renders in the recipient's language and time zone;
no email ever names another member's address (unless a sender chose to share theirs, then
it is the Reply-To, not the text).
"""

from __future__ import annotations

import zoneinfo

from django.conf import settings
from django.core.mail import EmailMessage
from django.template.loader import render_to_string
from django.utils import timezone, translation
from django_tasks import task

from .ics import IcsEvent, calendar


def site_url(path: str) -> str:
    return settings.WAGTAILADMIN_BASE_URL.rstrip("/") + path


def user_zone(user) -> zoneinfo.ZoneInfo:
    try:
        return zoneinfo.ZoneInfo(user.time_zone or "UTC")
    except (zoneinfo.ZoneInfoNotFoundError, ValueError):
        return zoneinfo.ZoneInfo("UTC")


def _subject(text: str) -> str:
    return " ".join(str(text).split())[:200]


@task()
def send_contact_email(contact_request_id: int) -> None:
    """Deliver a contact request to the recipient by email."""
    from django.urls import reverse

    from .models import ContactRequest

    contact = (
        ContactRequest.objects.select_related("sender", "recipient")
        .filter(pk=contact_request_id)
        .first()
    )
    if contact is None or not contact.recipient.email:
        return
    recipient = contact.recipient
    with translation.override(recipient.preferred_language or settings.LANGUAGE_CODE):
        reply_url = site_url(reverse("knowledge:contact", args=[contact.sender.username]))
        context = {
            "contact": contact,
            "sender": contact.sender,
            "recipient": recipient,
            "reply_url": reply_url,
        }
        subject = _subject(render_to_string("knowledge/email/contact_subject.txt", context))
        body = render_to_string("knowledge/email/contact_body.txt", context)
    message = EmailMessage(
        subject,
        body,
        to=[recipient.email],
        reply_to=[contact.sender.email] if contact.share_email and contact.sender.email else None,
    )
    message.send()


def ics_event_for(event, *, request_url: str = "") -> IcsEvent:
    """One event as an iCalendar VEVENT (UTC times)."""
    location = event.location_label() or ("Online" if event.online else "")
    return IcsEvent(
        uid=f"{event.translation_key}@plaza",
        starts_at=event.starts_at,
        ends_at=event.ends_at,
        summary=event.title,
        description=event.intro or "",
        location=location,
        url=request_url or site_url(event.url or ""),
        updated_at=event.last_published_at,
    )


@task()
def send_registration_email(registration_id: int, kind: str) -> None:
    """Confirmation (with an .ics attachment), waiting-list notice, promotion or cancellation."""
    from .models import EventRegistration

    registration = (
        EventRegistration.objects.select_related("user").filter(pk=registration_id).first()
    )
    if registration is None or not registration.user.email:
        return
    user = registration.user
    language = user.preferred_language or registration.language
    event = registration.event_in(language)
    if event is None:
        return
    with translation.override(language), timezone.override(user_zone(user)):
        context = {
            "event": event,
            "user": user,
            "kind": kind,
            "zone": user_zone(user),
            "event_url": site_url(event.url or ""),
        }
        subject = _subject(render_to_string("knowledge/email/registration_subject.txt", context))
        body = render_to_string("knowledge/email/registration_body.txt", context)
    message = EmailMessage(subject, body, to=[user.email])
    if kind in ("confirmed", "promoted"):
        message.attach(
            f"{event.slug}.ics",
            calendar([ics_event_for(event)], name=event.title),
            "text/calendar; charset=utf-8; method=PUBLISH",
        )
    message.send()
