"""Two middlewares that keep hostile input and ordinary refusals away from tracebacks.

`RequestGuardMiddleware` (early, right after LocaleMiddleware so the message is in the
visitor's language) refuses, with a translated 400 or 413, what no view should ever see:
NUL bytes or invalid UTF-8 in the path, the query string, cookies, form fields and JSON
bodies; a body over the limit; form data Django cannot parse (broken multipart, too many
fields, an unknown charset). A new view gets this without doing anything — PostgreSQL
refuses NUL in text ("A string literal cannot contain NUL (0x00) characters"), which
used to surface as a 500 wherever a parameter reached a query.

`RefusalMiddleware` (last) answers a view's PermissionDenied, Http404 and BadRequest /
SuspiciousOperation with the usual 4xx page and ONE log line (core.refusals), where
Django would log a 403 or 400 with the full traceback. Real errors are not touched.
"""

from __future__ import annotations

import codecs
import re
from urllib.parse import unquote_to_bytes

from django.conf import settings
from django.core.exceptions import (
    BadRequest,
    PermissionDenied,
    RequestDataTooBig,
    SuspiciousOperation,
    TooManyFieldsSent,
    TooManyFilesSent,
    ValidationError,
)
from django.http import Http404
from django.http.multipartparser import MultiPartParserError
from django.urls import get_resolver, get_urlconf
from django.utils.translation import gettext as _

from .refusals import (
    LoginRequired,
    log_refusal,
    refusal_message,
    refusal_response,
    refusal_status,
    refuse,
    with_retry_after,
)

BODY_METHODS = {"POST", "PUT", "PATCH", "DELETE"}
MAX_ID = 2**63 - 1
JSON_NUL = re.compile(rb"\\u0000", re.IGNORECASE)


def max_body_size() -> int:
    """The largest body accepted at all (uploads included); form and JSON bodies are held
    to DATA_UPLOAD_MAX_MEMORY_SIZE as well."""
    return getattr(settings, "PLAZA_MAX_REQUEST_BODY", 50 * 1024 * 1024)


class Refused(Exception):
    def __init__(self, status: int, message: str, reason: str):
        super().__init__(reason)
        self.status = status
        self.message = message
        self.reason = reason


def _nul() -> Refused:
    return Refused(400, _("The request contains a character that is not allowed."), "NUL byte")


def _not_utf8(where: str) -> Refused:
    return Refused(400, _("The request is not valid UTF-8 text."), f"invalid UTF-8 in {where}")


def _too_big() -> Refused:
    return Refused(413, _("The request is too large."), "body over the limit")


def _unreadable(reason: str) -> Refused:
    return Refused(400, _("The form data could not be read."), reason)


def _check_text(raw: bytes, where: str, *, encoding: str = "utf-8") -> None:
    if b"\x00" in raw:
        raise _nul()
    try:
        raw.decode(encoding)
    except (UnicodeDecodeError, LookupError):
        raise _not_utf8(where) from None


def _raw_path(request) -> bytes:
    scope = getattr(request, "scope", None)
    if scope is not None:  # ASGI: the path as the client sent it (percent-encoded)
        raw = scope.get("raw_path")
        if raw:
            return unquote_to_bytes(raw.split(b"?", 1)[0])
        return scope.get("path", "").encode("utf-8", "surrogatepass")
    environ = getattr(request, "environ", {})  # WSGI: bytes as latin-1 text, decoded once
    return environ.get("PATH_INFO", "").encode("latin-1", "replace")


def _charset(request) -> str:
    charset = request.content_params.get("charset", "utf-8") or "utf-8"
    try:
        codecs.lookup(charset)
    except LookupError:
        raise _unreadable(f"unknown charset {charset[:40]!r}") from None
    return charset


def _beyond_64_bits(segment: str) -> bool:
    return segment.isascii() and segment.isdigit() and (len(segment) > 19 or int(segment) > MAX_ID)


def check_request(request) -> None:
    """Raise Refused when the request carries what no view should see (Http404 for an
    id in the path that no 64-bit column holds: `<int:...>` routes take any digits)."""
    path = _raw_path(request)
    if "\x00" in request.path_info:
        raise _nul()
    _check_text(path, "the path")
    if any(_beyond_64_bits(segment) for segment in request.path_info.split("/")):
        raise Http404(_("The page you are looking for does not exist."))
    query = request.META.get("QUERY_STRING", "")
    if query:
        raw_query = unquote_to_bytes(query.replace("+", " "))
        _check_text(raw_query, "the query string")
        try:
            request.GET  # noqa: B018 - parse now: too many fields is a 400 here
        except TooManyFieldsSent:
            raise _unreadable("too many query parameters") from None
    if "\x00" in request.META.get("HTTP_COOKIE", ""):
        raise _nul()
    if request.method not in BODY_METHODS:
        return
    try:
        length = int(request.META.get("CONTENT_LENGTH") or 0)
    except ValueError:
        raise _unreadable("bad Content-Length") from None
    if length > max_body_size():
        raise _too_big()
    content_type = request.content_type or ""
    try:
        if content_type == "application/x-www-form-urlencoded":
            charset = _charset(request)
            _check_text(
                unquote_to_bytes(request.body.replace(b"+", b" ")), "the form", encoding=charset
            )
            request.POST  # noqa: B018 - too many fields: a 400 here, not deep in a view
        elif content_type == "multipart/form-data":
            _charset(request)
            for key, values in request.POST.lists():
                if "\x00" in key or any("\x00" in v for v in values):
                    raise _nul()
        elif content_type == "application/json" or content_type.endswith("+json"):
            body = request.body
            _check_text(body, "the JSON body")
            if JSON_NUL.search(body):
                raise _nul()
    except RequestDataTooBig:
        raise _too_big() from None
    except (TooManyFieldsSent, TooManyFilesSent):
        raise _unreadable("too many fields") from None
    except MultiPartParserError as exc:
        raise _unreadable(f"broken multipart: {exc}") from None
    except (UnicodeDecodeError, ValueError) as exc:
        raise _unreadable(f"unreadable form: {exc}") from None


class RequestGuardMiddleware:
    """Refuse NUL, invalid UTF-8, oversized and unparseable input before any view runs."""

    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        try:
            check_request(request)
        except Refused as refused:
            request._mark_post_parse_error()  # no one reads the refused body again
            return refuse(request, refused.status, refused.message, reason=refused.reason)
        return self.get_response(request)


class RefusalMiddleware:
    """A view's refusal as one log line, not a traceback (must be last): 403 / 404 / 400
    through Django's handlers; a service's ValidationError that no view caught as a
    translated 400 (429 with Retry-After for a rate limit); LoginRequired (an action that
    needs an account, asked by a visitor who may see the thing) as the login redirect."""

    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        return self.get_response(request)

    def process_exception(self, request, exception):
        from django.core.handlers.exception import get_exception_response

        if isinstance(exception, LoginRequired):
            from django.contrib.auth.views import redirect_to_login

            return redirect_to_login(request.get_full_path())
        if isinstance(exception, ValidationError):
            status = refusal_status(exception)
            log_refusal(request, status, refusal_message(exception))
            response = refusal_response(request, status, refusal_message(exception))
            return with_retry_after(response, exception)
        if isinstance(exception, Http404):
            if settings.DEBUG:
                return None  # Django's technical 404 page; it logs one line itself
            status = 404
        elif isinstance(exception, PermissionDenied):
            status = 403
        elif isinstance(exception, (BadRequest, SuspiciousOperation)):
            status = 400
        else:
            return None
        response = get_exception_response(request, get_resolver(get_urlconf()), status, exception)
        if not getattr(response, "is_rendered", True):
            response = response.render()  # a TemplateResponse from handler404/403
        log_refusal(request, status, str(exception) or type(exception).__name__)
        response._has_been_logged = True
        return response
