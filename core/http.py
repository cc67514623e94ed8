"""Reading what a request names, safely: a redirect target, a page number, an id.

Every view that takes `next`, `page` or an id from the request goes through these, so
hostile values (a bare word, another host, `javascript:`, 2**63, `1e999`, Arabic-Indic
digits) become the fallback or a 4xx instead of a 500 deeper down.
"""

from __future__ import annotations

from django.http import HttpResponseRedirect
from django.utils.http import url_has_allowed_host_and_scheme

# Integer columns are 64-bit signed; anything larger is no id and no page of ours.
MAX_ID = 2**63 - 1
# No list is longer than this many pages; a larger number means the last page.
MAX_PAGE = 100_000
MAX_URL_LENGTH = 2048


def parse_int(value, *, minimum: int = 0, maximum: int = MAX_ID) -> int | None:
    """`value` as an int when it is plain ASCII digits in [minimum, maximum], else None.

    Rejects what `int()` would take or choke on: signs, blanks, underscores, floats,
    `1e999`, digits of other scripts (`"١".isdigit()` is true, `int("²")` raises), and
    numbers too long to be an id (never parsed: int() of 5,000 digits raises).
    """
    if isinstance(value, bool):
        return None
    if isinstance(value, int):
        number = value
    else:
        if not isinstance(value, str) or not value.isascii() or not value.isdigit():
            return None
        if len(value) > len(str(maximum)):
            return None
        number = int(value)
    if number < minimum or number > maximum:
        return None
    return number


def parse_id(value) -> int | None:
    """A primary key from a form field or query parameter (1 .. 2**63-1), or None."""
    return parse_int(value, minimum=1)


def page_number(value, *, last: int | None = None, default: int = 1) -> int:
    """The page asked for in `?page=`, clamped to 1 .. `last` (or MAX_PAGE).

    Anything that is not a plain positive number is `default`; a number beyond the last
    page is the last page (as Django's Paginator.get_page does), never an OFFSET that the
    database refuses (`bigint out of range`).
    """
    upper = MAX_PAGE if last is None else max(1, min(last, MAX_PAGE))
    if isinstance(value, str) and value.isascii() and value.isdigit() and len(value) > 9:
        return upper  # beyond any page: the last one (and no int() of 5,000 digits)
    number = parse_int(value, minimum=0, maximum=MAX_ID)
    if number is None or number < 1:
        return default
    return min(number, upper)


def _has_control(text: str) -> bool:
    return any(ord(c) < 32 or ord(c) == 127 for c in text)


def safe_url(request, target, fallback: str) -> str:
    """`target` if it is a URL on this site (a path, or this host), else `fallback`.

    Never resolved as a view name: `redirect("foo")` looks "foo" up as a URL name and
    raises NoReverseMatch — a 500 for any visitor who sends `next=foo`. Control
    characters are refused too (a newline would make the Location header raise).
    """
    if not isinstance(target, str) or not target or len(target) > MAX_URL_LENGTH:
        return fallback
    if _has_control(target) or "\\" in target:
        return fallback
    if not url_has_allowed_host_and_scheme(
        target, allowed_hosts={request.get_host()}, require_https=request.is_secure()
    ):
        return fallback
    if not target.startswith(("/", "http://", "https://")):
        return fallback  # a bare word or relative path: not a place we send anyone
    return target


def safe_next(request, fallback: str, *, param: str = "next") -> str:
    """Where to go after a form: the request's `next` (POST first, then GET) when it is a
    URL on this site, else `fallback`. The one helper every view uses for `next`."""
    target = request.POST.get(param) or request.GET.get(param) or ""
    return safe_url(request, target, fallback)


def redirect_next(request, fallback: str, *, param: str = "next") -> HttpResponseRedirect:
    """A redirect to `safe_next(request, fallback)`."""
    return HttpResponseRedirect(safe_next(request, fallback, param=param))
