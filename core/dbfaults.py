"""A dropped database connection is a 503 (try again), never a 500.

PostgreSQL can end the app's connections (a restart, a failover, an administrator's
pg_terminate_backend). Django's CONN_HEALTH_CHECKS replaces a dead persistent connection
before a request uses it; a request whose connection dies WHILE it runs cannot finish,
and its transaction rolled back with the connection, so nothing is half-stored. It gets
a translated 503 with Retry-After; the forms' idempotency keys make the retry safe even
when the commit had gone through just before the connection died.
"""

from __future__ import annotations

import logging
import sys

from django.db import InterfaceError, OperationalError, connections
from django.http import HttpResponse
from django.utils.translation import gettext as _

from .refusals import refusal_response

logger = logging.getLogger("plaza.database")
RETRY_AFTER_SECONDS = 5
DATABASE_ERRORS = (OperationalError, InterfaceError)


def unavailable_response(request) -> HttpResponse:
    """The 503 page (or JSON, also for the inline forms' fetch), built without the database."""
    message = _("The database did not answer in time. Nothing was saved; please try again.")
    if request.headers.get("X-Requested-With") == "fetch":
        request.META["HTTP_ACCEPT"] = "application/json"  # answer the script in its language
    response = refusal_response(
        request,
        503,
        message,
        title=_("Please try again in a moment"),
        json_extra={"retry": True},
    )
    response["Retry-After"] = str(RETRY_AFTER_SECONDS)
    return response


def _forget_broken_connections() -> None:
    # The next request on this thread must open a fresh connection, not reuse this one.
    for connection in connections.all(initialized_only=True):
        connection.close_if_unusable_or_obsolete()


def _log(request, exception) -> None:
    logger.warning(
        "database unavailable 503 %s %s: %s",
        request.method,
        request.path[:300],
        f"{type(exception).__name__}: {str(exception).strip().splitlines()[0][:200]}"
        if str(exception).strip()
        else type(exception).__name__,
    )


class DatabaseUnavailableMiddleware:
    """Turns a view's lost database connection into `unavailable_response`."""

    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        return self.get_response(request)

    def process_exception(self, request, exception):
        if not isinstance(exception, DATABASE_ERRORS):
            return None
        _log(request, exception)
        _forget_broken_connections()
        return unavailable_response(request)


def server_error(request, *args, **kwargs):
    """handler500: the same 503 when the connection died outside a view (in a middleware
    loading the session or the user); any other error keeps Django's 500 page."""
    exception = sys.exc_info()[1]
    if isinstance(exception, DATABASE_ERRORS):
        _forget_broken_connections()
        return unavailable_response(request)
    from django.views.defaults import server_error as django_server_error

    return django_server_error(request, *args, **kwargs)
