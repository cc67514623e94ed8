"""How Plaza says no: one translated 4xx response and one log line.

A refusal (hostile input, a page the visitor may not see, a request too large) is an
ordinary event, not a crash: it is logged as ONE line — status, method, path, reason — on
the `plaza.refused` logger (INFO for 403/404, WARNING for the rest), never with a
traceback. Real errors (500) keep Django's full traceback.
"""

from __future__ import annotations

import logging

from django.core.exceptions import PermissionDenied, ValidationError
from django.http import Http404, HttpResponse, JsonResponse
from django.template.loader import render_to_string
from django.utils import translation
from django.utils.translation import gettext as _

logger = logging.getLogger("plaza.refused")
MAX_LOGGED_PATH = 300


def log_refusal(request, status: int, reason: str) -> None:
    """One line: `refused 400 POST /en/search/: <reason>` (the path shortened, escaped)."""
    path = (getattr(request, "path", "") or "")[:MAX_LOGGED_PATH]
    level = logging.INFO if status in (401, 403, 404, 405) else logging.WARNING
    logger.log(
        level,
        "refused %s %s %s: %s",
        status,
        getattr(request, "method", "") or "-",
        path.encode("unicode_escape").decode("ascii"),
        str(reason)[:300].encode("unicode_escape").decode("ascii"),
        extra={"status_code": status},
    )


def wants_json(request) -> bool:
    accept = request.META.get("HTTP_ACCEPT", "")
    return "application/json" in accept and "text/html" not in accept


def refusal_response(
    request, status: int, message: str, *, title: str | None = None, json_extra=None
) -> HttpResponse:
    """A small, self-contained page (or JSON for JSON clients) with the message.

    It does not extend base.html (nor touch the database): the request was refused
    because something in it is broken, and the site chrome must not be the next thing
    to trip over it.
    """
    if wants_json(request):
        response = JsonResponse(
            {"ok": False, "error": str(message), **(json_extra or {})}, status=status
        )
    else:
        language = translation.get_language() or "en"
        html = render_to_string(
            "core/refused.html",
            {
                "status": status,
                "message": message,
                "title": title or _("The request was refused"),
                "home": _("Go to the home page"),
                "language": language,
                "direction": "rtl" if translation.get_language_bidi() else "ltr",
            },
        )
        response = HttpResponse(html, status=status)
    # Django's own "Bad Request: ..." line would repeat ours.
    response._has_been_logged = True
    return response


def refuse(request, status: int, message: str, *, reason: str | None = None) -> HttpResponse:
    """Log the refusal once and answer it."""
    log_refusal(request, status, reason or message)
    return refusal_response(request, status, message)


# --- what a service's refusal means over HTTP ------------------------------------------


class LoginRequired(PermissionDenied):
    """The visitor may see the thing but must sign in to act (RefusalMiddleware answers
    the login redirect)."""


class RateLimited(ValidationError):
    """Too many writes in a short time: views answer 429, with Retry-After when known."""

    def __init__(self, message, *, retry_after: int | None = None, code: str = "too_fast"):
        super().__init__(message, code=code)
        self.retry_after = max(1, int(retry_after)) if retry_after is not None else None


def refusal_status(exc: Exception) -> int:
    """The one mapping every view uses: a rate limit 429, an edit conflict 409, a thing
    the user may not know of 404, a thing they may see but not do 403, bad input 400."""
    from .concurrency import STATUS as CONFLICT
    from .concurrency import EditConflict

    if isinstance(exc, RateLimited):
        return 429
    if isinstance(exc, EditConflict):
        return CONFLICT
    if isinstance(exc, Http404):
        return 404
    return 403 if isinstance(exc, PermissionDenied) else 400


def refusal_message(exc: Exception) -> str:
    """The translated sentence a service's refusal carries."""
    if isinstance(exc, ValidationError):
        return " ".join(str(m) for m in exc.messages)
    return str(exc) or _("You may not do this.")


def with_retry_after(response: HttpResponse, exc: Exception) -> HttpResponse:
    retry_after = getattr(exc, "retry_after", None)
    if retry_after:
        response["Retry-After"] = str(retry_after)
    return response
