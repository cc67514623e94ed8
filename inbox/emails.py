"""Notification emails and digests: worded in the recipient's language, dated in their
time zone, grouped by group and thread, with a signed one-click unsubscribe link."""

from __future__ import annotations

from collections import OrderedDict
from dataclasses import dataclass, field

from django.conf import settings
from django.core.mail import EmailMultiAlternatives
from django.template.loader import render_to_string
from django.urls import reverse
from django.utils import timezone, translation
from django.utils.translation import gettext as _

from core import users

from . import texts
from .models import Notification
from .tokens import unsubscribe_token


def site_url(path: str) -> str:
    base = settings.WAGTAILADMIN_BASE_URL.rstrip("/")
    return path if path.startswith(("http://", "https://")) else base + path


@dataclass
class Item:
    text: str
    detail: str
    url: str
    when: object
    must_deliver: bool


@dataclass
class Section:
    """One group's part of an email; `threads` maps a thread title to its items."""

    title: str
    threads: OrderedDict = field(default_factory=OrderedDict)
    items: list = field(default_factory=list)  # group-level items (requests, new threads)


def _sections(notifications: list[Notification]) -> list[Section]:
    sections: OrderedDict = OrderedDict()
    for n in sorted(notifications, key=lambda n: (n.group_ref or 0, n.thread_ref or 0, n.pk)):
        data = n.data or {}
        key = n.group_ref or 0
        if key not in sections:
            sections[key] = Section(title=data.get("group") or _("Your account"))
        in_thread = bool(n.thread_ref and data.get("thread"))
        item = Item(
            text=texts.describe_short(n.verb, data) if in_thread else texts.describe(n.verb, data),
            detail=texts.detail(n.verb, data),
            url=site_url(reverse("inbox:open", args=[n.pk])),
            when=timezone.localtime(n.timestamp),
            must_deliver=n.must_deliver,
        )
        if in_thread:
            sections[key].threads.setdefault((n.thread_ref, data["thread"]), []).append(item)
        else:
            sections[key].items.append(item)
    out = list(sections.values())
    for section in out:
        section.threads = [(title, items) for (_id, title), items in section.threads.items()]
    return out


def build_message(
    *, user, notifications: list[Notification], digest: str | None = None
) -> EmailMultiAlternatives:
    """One email for `user` about `notifications` (a digest when `digest` is "daily"/"weekly").

    Activity emails carry List-Unsubscribe (RFC 2369/8058): one click in the mail client
    turns activity emails off — for the group when all items are from one group. Must-
    deliver messages (invitations, decisions about you) have no unsubscribe link: they
    are not activity and always come.
    """
    language = users.preferred_language(user)
    must_only = all(n.must_deliver for n in notifications)
    groups = {n.group_ref for n in notifications}
    group_ref = (
        next(iter(groups)) if len(groups) == 1 and None not in groups and not digest else None
    )
    with translation.override(language), timezone.override(users.time_zone(user)):
        sections = _sections(notifications)
        unsubscribe_url = ""
        unsubscribe_all_url = ""
        if not must_only:
            unsubscribe_url = site_url(
                reverse(
                    "inbox:unsubscribe",
                    args=[unsubscribe_token(user_id=user.pk, group_ref=group_ref)],
                )
            )
            unsubscribe_all_url = site_url(
                reverse("inbox:unsubscribe", args=[unsubscribe_token(user_id=user.pk)])
            )
        context = {
            "user": user,
            "language": language,
            "direction": "rtl" if language in getattr(settings, "RTL_LANGUAGES", ()) else "ltr",
            "sections": sections,
            "digest": digest,
            "count": len(notifications),
            "single": notifications[0] if len(notifications) == 1 else None,
            "single_text": texts.describe(notifications[0].verb, notifications[0].data),
            "site_name": _("Plaza"),
            "centre_url": site_url(reverse("inbox:centre")),
            "settings_url": site_url(reverse("inbox:settings")),
            "unsubscribe_url": unsubscribe_url,
            "unsubscribe_all_url": unsubscribe_all_url,
            "unsubscribe_group": bool(group_ref),
            "must_only": must_only,
            "now": timezone.localtime(),
        }
        if digest == "daily":
            subject = _("Your daily Plaza digest: %(count)s new") % {"count": len(notifications)}
        elif digest == "weekly":
            subject = _("Your weekly Plaza digest: %(count)s new") % {"count": len(notifications)}
        else:
            subject = context["single_text"]
        body = render_to_string("inbox/email/notification.txt", context)
        html = render_to_string("inbox/email/notification.html", context)
    headers = {"Auto-Submitted": "auto-generated", "Content-Language": language}
    if unsubscribe_url:
        headers["List-Unsubscribe"] = f"<{unsubscribe_url}>"
        headers["List-Unsubscribe-Post"] = "List-Unsubscribe=One-Click"
    message = EmailMultiAlternatives(
        subject=" ".join(str(subject).split())[:200],
        body=body,
        from_email=settings.DEFAULT_FROM_EMAIL,
        to=[user.email],
        headers=headers,
    )
    message.attach_alternative(html, "text/html")
    return message
