"""What the knowledge services share: limits, events, tasks, the login check, rendering."""

from __future__ import annotations

from datetime import timedelta

from django.conf import settings
from django.core.exceptions import PermissionDenied
from django.db import transaction
from django.utils.translation import gettext as _

from core import refusals as core_refusals
from core.events import emit

# Contact requests a member may send per rolling day (spam brake; replies count too).

CONTACT_LIMIT = getattr(settings, "KNOWLEDGE_CONTACT_LIMIT", 5)
CONTACT_WINDOW = timedelta(days=1)


class RateLimited(core_refusals.RateLimited):
    """Too many contact requests: views answer 429."""


def _emit(signal, sender, **kwargs) -> None:
    emit(signal, sender, **kwargs)


def _enqueue(task, *args) -> None:
    transaction.on_commit(lambda: task.enqueue(*args))


def _require_login(user) -> None:
    if user is None or not user.is_authenticated:
        raise PermissionDenied(_("Please log in first."))


def _render(source: str) -> str:
    from discussions.rendering import render_markdown

    return render_markdown(source).html if source.strip() else ""
