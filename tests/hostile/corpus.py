"""The hostile-input corpus: every URL pattern of the site, filled with real ids, and the
request families an attacker sends to each.

A hand-made corpus, not Hypothesis: the families are the ones that broke (NUL bytes,
invalid UTF-8, out-of-range integers, hostile redirect targets, wrong body kinds, huge
formsets, oversized input), each value is chosen for the code path it reaches, and the
run is deterministic and bounded — the same requests on every CI leg, a failure
reproduces by its printed line, and the cost is known in advance. Heavy families are
sampled by rotation: every pattern gets at least one request of every family, and the
rotation moves the values across patterns so each value meets many views.

Patterns come from Django's resolver (so a new view is fuzzed without being listed) and
from the routes of every routable page type that has a live page in the world. Wagtail's
own admin (/admin/, /django-admin/) is left out except the views Plaza registers there.
"""

from __future__ import annotations

import json
import re
from dataclasses import dataclass, field
from html.parser import HTMLParser

from django.urls import URLPattern, URLResolver, get_resolver
from django.urls.resolvers import LocalePrefixPattern, RegexPattern

PLAZA = (
    "cms",
    "people",
    "groups",
    "discussions",
    "inbox",
    "knowledge",
    "partners",
    "config",
    "core",
)
TOKEN = re.compile(r"<(?:(?P<conv>\w+):)?(?P<name>\w+)>")

BIG = str(2**63)  # one past bigint
HUGE = "9" * 30
INTS = [BIG, HUGE, "-1", "0", "1.5", "1e999", "abc", "", str(2**64), "-" + BIG, "0x10", "١"]
NEXTS = [
    "foo",
    "//evil.example/",
    "javascript:alert(1)",
    "http://evil.example/x",
    "/ok\r\nSet-Cookie: evil=1",
    "\\\\evil.example",
    "/%0d%0aLocation:%20x",
    "https:evil",
    "people:dashboard",
    "\x00",
    " //evil.example",
]
GENERIC_FIELDS = [
    "next",
    "page",
    "q",
    "body",
    "title",
    "language",
    "parent",
    "group",
    "thread",
    "action",
    "kind",
    "level",
    "reason",
    "message",
    "target",
    "username",
    "id",
    "after",
    "decision",
    "answer",
    "role",
]
ID_NAMES = re.compile(
    r"(^|[-_])(id|pk|page|parent|group|thread|target|post|user|after|seconds|"
    r"capacity|stage|quote|key|sdg|restriction)($|[-_])"
)


@dataclass(frozen=True)
class Endpoint:
    """One URL pattern: `key` names it in failures, `route` keeps its converters."""

    key: str
    route: str
    admin: bool = False


@dataclass
class Req:
    family: str
    method: str
    path: str
    body: bytes | None = None
    content_type: str = ""
    headers: dict = field(default_factory=dict)
    note: str = ""

    def line(self) -> str:
        body = "" if self.body is None else f" body={self.body[:120]!r}"
        return f"[{self.family}:{self.note}] {self.method} {self.path[:200]}{body}"


# --- the patterns ---------------------------------------------------------------------------


def _module(callback) -> str:
    code = getattr(callback, "__code__", None)
    view_class = getattr(callback, "view_class", None)
    if view_class is not None:
        return view_class.__module__
    if code is not None and "/site-packages/" not in code.co_filename:
        return "plaza"  # e.g. partners' guards around wagtail-localize views
    return getattr(callback, "__module__", "") or ""


def _walk(patterns, prefix: str, namespace: str):
    for p in patterns:
        if isinstance(p, URLResolver):
            if isinstance(p.pattern, LocalePrefixPattern):
                part = "en/"
            else:
                part = str(p.pattern)
            ns = f"{namespace}{p.namespace}:" if p.namespace else namespace
            yield from _walk(p.url_patterns, prefix + part, ns)
        elif isinstance(p, URLPattern):
            yield prefix + str(p.pattern), f"{namespace}{p.name or p.lookup_str}", p


def url_endpoints() -> list[Endpoint]:
    """Every pattern of the URLconf that Plaza answers (regex patterns by hand)."""
    out = []
    for route, key, pattern in _walk(get_resolver().url_patterns, "/", ""):
        admin = route.startswith(("/admin/", "/django-admin/"))
        if admin and _module(pattern.callback).split(".")[0] not in (*PLAZA, "plaza"):
            continue
        if key == "wagtail_serve":
            continue  # every page is walked below, and its routes
        if isinstance(pattern.pattern, RegexPattern):
            route = REGEX_ROUTES[key]  # a new regex pattern must say how to fill it
        out.append(Endpoint(key, route, admin))
    return out


# Regex patterns, written as routes (the converters below fill them).
REGEX_ROUTES = {
    "wagtaildocs_serve": "/documents/<int:document_id>/<str:document_filename>",
    "files_document": "/documents/<int:document_id>/<str:document_filename>",
    "account_confirm_email": "/en/accounts/confirm-email/<str:key>/",
    "account_reset_password_from_key": "/en/accounts/password/reset/key/<str:uidb36>-<str:key>/",
}


def page_endpoints() -> list[Endpoint]:
    """One live page of every page type, and each route of the routable ones."""
    from wagtail.models import Page

    seen: dict[type, Page] = {}
    for page in Page.objects.live().filter(depth__gt=1).specific().order_by("path"):
        seen.setdefault(type(page), page)
    out = [Endpoint("wagtail_serve:missing", "/en/no-such-page/")]
    for cls, page in sorted(seen.items(), key=lambda kv: kv[0].__name__):
        url = page.url
        if hasattr(cls, "get_subpage_urls"):
            for pattern in cls.get_subpage_urls():
                out.append(Endpoint(f"{cls.__name__}:{pattern.name}", url + str(pattern.pattern)))
        else:
            out.append(Endpoint(cls.__name__, url))
    return out


def all_endpoints() -> list[Endpoint]:
    return url_endpoints() + page_endpoints()


def param_values(world: dict) -> dict:
    """Real ids for each parameter name, by endpoint key where the name is ambiguous."""
    w = world
    return {
        "thread_id": w["thread"].pk,
        "post_id": w["post"].pk,
        "report_id": w["report"].pk,
        "slug": w["group"].slug,
        "group_slug": w["group"].slug,
        "username": w["other"].username,
        "request_id": w["join_request"].pk,
        "invitation_id": w["invitation"].pk,
        "document_id": w["document"].pk,
        "document_filename": w["document"].filename,
        "page_id": w["practice"].pk,
        ("inbox:", "pk"): w["notification"].pk,
        ("inbox:", "token"): w["unsubscribe_token"],
        ("knowledge:", "pk"): w["idea"].pk,
        ("knowledge:idea_team_remove", "user_id"): w["member"].pk,
        ("GroupPage:member_action", "user_id"): w["other"].pk,
        ("GroupPage:ban_lift", "user_id"): w["banned"].pk,
        ("GroupIndexPage:invitation", "token"): w["invitation"].token,
        ("partnerassociations:", "pk"): w["association"].pk,
    }


def fill(endpoint: Endpoint, values: dict, override: dict | None = None) -> str:
    """The endpoint's path with real values (or `override[name]`, already URL-encoded)."""
    override = override or {}

    def value(match):
        name, conv = match["name"], match["conv"] or "str"
        if name in override:
            return override[name]
        for (prefix, pname), v in ((k, v) for k, v in values.items() if isinstance(k, tuple)):
            if pname == name and endpoint.key.startswith(prefix):
                return str(v)
        if name in values:
            return str(values[name])
        return "1" if conv == "int" else "x"

    return TOKEN.sub(value, endpoint.route)


def params(endpoint: Endpoint) -> list[tuple[str, str]]:
    return [(m["name"], m["conv"] or "str") for m in TOKEN.finditer(endpoint.route)]


# --- what a page's forms ask for ------------------------------------------------------------


class _Fields(HTMLParser):
    def __init__(self):
        super().__init__()
        self.fields: dict[str, str] = {}  # name -> kind (text, hidden, select, textarea, ...)
        self.values: dict[str, str] = {}

    def handle_starttag(self, tag, attrs):
        a = dict(attrs)
        name = a.get("name")
        if not name or name == "csrfmiddlewaretoken":
            return
        if tag == "input":
            self.fields.setdefault(name, a.get("type") or "text")
            self.values.setdefault(name, a.get("value") or "")
        elif tag in ("textarea", "select"):
            self.fields.setdefault(name, tag)


def form_fields(html: str) -> dict[str, str]:
    parser = _Fields()
    try:
        parser.feed(html)
    except Exception:  # noqa: BLE001 - a page that is not HTML has no fields
        return {}
    return parser.fields


def fields_for(discovered: dict[str, str]) -> list[str]:
    return list(dict.fromkeys([*discovered, *GENERIC_FIELDS]))


def id_like(names: list[str], discovered: dict[str, str]) -> list[str]:
    out = [
        n
        for n in names
        if ID_NAMES.search(n) or discovered.get(n) in ("number", "select", "radio", "checkbox")
    ]
    return out or ["page"]


# --- the families ---------------------------------------------------------------------------


def _form(pairs) -> bytes:
    from urllib.parse import quote

    return "&".join(f"{quote(str(k))}={quote(str(v))}" for k, v in pairs).encode()


FORM = "application/x-www-form-urlencoded"
JSON = "application/json"


def rotate(items: list, i: int, k: int) -> list:
    return [items[(i * k + j) % len(items)] for j in range(min(k, len(items)))]


def family_nul(ep, path, names, discovered, i, values):
    str_params = [n for n, c in params(ep) if c in ("str", "slug", "path")]
    out = [Req("nul", "GET", path + "?" + "&".join(f"{n}=a%00b" for n in names), note="query")]
    out.append(Req("nul", "POST", path, _form((n, "a\x00b") for n in names), FORM, note="form"))
    if i % 2 and str_params:
        out.append(
            Req("nul", "GET", fill(ep, values, {n: "a%00b" for n in str_params}), note="path-param")
        )
    elif i % 2:
        out.append(Req("nul", "GET", path + "x%00/", note="path"))
    else:
        body = json.dumps({n: "a\u0000b" for n in names}).encode()
        out.append(Req("nul", "POST", path, body, JSON, {"HTTP_ACCEPT": JSON}, note="json"))
    return out


def family_utf8(ep, path, names, discovered, i, values):
    str_params = [n for n, c in params(ep) if c in ("str", "slug", "path")]
    out = [
        Req("utf8", "GET", path + "?" + "&".join(f"{n}=%ff%fe" for n in names[:8]), note="query")
    ]
    raw = b"&".join(n.encode() + b"=a\xff\xfeb%ff" for n in names)
    out.append(Req("utf8", "POST", path, raw, FORM, note="form"))
    which = i % 3
    if which == 0 and str_params:
        out.append(
            Req(
                "utf8",
                "GET",
                fill(ep, values, {n: "a%ff%c0b" for n in str_params}),
                note="path-param",
            )
        )
    elif which == 1:
        body = b'{"' + names[0].encode() + b'": "a\xff\xfe"}'
        out.append(Req("utf8", "POST", path, body, JSON, {"HTTP_ACCEPT": JSON}, note="json"))
    else:
        out.append(Req("utf8", "GET", path + "%ff%fe/", note="path"))
    return out


def family_ints(ep, path, names, discovered, i, values):
    out = []
    int_params = [n for n, c in params(ep) if c == "int"]
    for n in int_params:
        for value in (BIG, "9" * 25):
            out.append(Req("ints", "GET", fill(ep, values, {n: value}), note=f"path {n}"))
    ids = id_like(names, discovered)
    for value in rotate(INTS, i, 3):
        query = "&".join(f"{n}={value}" for n in ["page", *ids])
        out.append(Req("ints", "GET", f"{path}?{query}", note=f"query {value}"))
    for value in rotate(INTS, i + 5, 2):
        out.append(
            Req(
                "ints",
                "POST",
                path,
                _form([*((n, value) for n in ids), ("page", value)]),
                FORM,
                note=f"form {value}",
            )
        )
    return out


def family_next(ep, path, names, discovered, i, values):
    out = []
    for value in rotate(NEXTS, i, 2):
        from urllib.parse import quote

        out.append(Req("next", "GET", f"{path}?next={quote(value)}", note=repr(value)))
        out.append(
            Req(
                "next",
                "POST",
                path,
                _form([("next", value), ("language", "de")]),
                FORM,
                note=repr(value),
            )
        )
    return out


NEXT_CONSUMERS = {
    "switch_language",
    "inbox:read",
    "inbox:read_all",
    "inbox:watch",
    "account_login",
    "account_signup",
    "discussions:post_moderate",
    "wagtailcore_login",
}


def family_next_full(ep, path, names, discovered, i, values):
    from urllib.parse import quote

    out = []
    for value in NEXTS:
        out.append(Req("next", "GET", f"{path}?next={quote(value)}", note=repr(value)))
        out.append(
            Req(
                "next",
                "POST",
                path,
                _form([("next", value), ("language", "de"), ("level", "muted")]),
                FORM,
                note=repr(value),
            )
        )
    return out


def family_body(ep, path, names, discovered, i, values):
    variants = [
        ("json", json.dumps({n: "x" for n in names}).encode(), JSON, {}),
        ("json-list", b"[1, 2, 3]", JSON, {"HTTP_ACCEPT": JSON}),
        ("broken-json", b'{"body": ', JSON, {"HTTP_ACCEPT": JSON}),
        ("raw", bytes(range(256)) * 4, "application/octet-stream", {}),
        ("form-to-json", _form((n, "x") for n in names), FORM, {"HTTP_ACCEPT": JSON}),
        (
            "multipart-garbage",
            b"--zzz\r\nnot a part\r\n--zz",
            "multipart/form-data; boundary=zzz",
            {},
        ),
        ("multipart-no-boundary", b"a=b", "multipart/form-data", {}),
        (
            "multipart-bad-header",
            b'--zzz\r\nContent-Disposition: form-data; name="\x00"\r\n\r\nx\r\n--zzz--\r\n',
            "multipart/form-data; boundary=zzz",
            {},
        ),
        ("duplicated", _form([p for n in names for p in ((n, "1"), (n, "2"))]), FORM, {}),
        ("charset", _form((n, "x") for n in names), FORM + "; charset=nonsense-42", {}),
    ]
    return [
        Req("body", "POST", path, body, ct, headers, note=note)
        for note, body, ct, headers in rotate(variants, i, 3)
    ]


def family_formset(ep, path, names, discovered, i, values):
    prefixes = sorted({n[: -len("-TOTAL_FORMS")] for n in discovered if n.endswith("-TOTAL_FORMS")})
    out = []
    if not prefixes:
        value = rotate(["1000", str(10**9), "-1", "x"], i, 1)[0]
        pairs = [
            ("form-TOTAL_FORMS", value),
            ("form-INITIAL_FORMS", "0"),
            ("form-MAX_NUM_FORMS", value),
        ]
        return [Req("formset", "POST", path, _form(pairs), FORM, note=f"form-{value}")]
    for prefix in prefixes:
        rows = sorted(
            {
                n.split("-", 2)[2]
                for n in discovered
                if n.startswith(prefix + "-") and n.split("-")[1].isdigit()
            }
        )
        for total in ("1000", "100000", str(10**9), "-1", "x", BIG):
            pairs = [
                (f"{prefix}-TOTAL_FORMS", total),
                (f"{prefix}-INITIAL_FORMS", "0"),
                (f"{prefix}-MIN_NUM_FORMS", "0"),
                (f"{prefix}-MAX_NUM_FORMS", total),
            ]
            if total == "1000":
                pairs += [(f"{prefix}-{k}-{row}", "fr") for k in range(1000) for row in rows]
            pairs += [(n, "x") for n in names if not n.startswith(prefix)]
            out.append(Req("formset", "POST", path, _form(pairs), FORM, note=f"{prefix}={total}"))
    return out


def family_oversize(ep, path, names, discovered, i, values):
    text = [
        n
        for n in names
        if discovered.get(n, "text") in ("text", "textarea", "search", "email", "url", "hidden")
    ]
    variants = [
        ("fields-100k", _form((n, "x" * 100_000) for n in text or names), FORM),
        ("body-3MB", _form([("body", "x" * 3_000_000)]), FORM),
        ("2000-fields", _form((f"f{k}", "1") for k in range(2000)), FORM),
        ("json-3MB", json.dumps({"body": "x" * 3_000_000}).encode(), JSON),
    ]
    out = [
        Req("oversize", "POST", path, body, ct, note=note)
        for note, body, ct in rotate(variants, i, 2)
    ]
    out.append(Req("oversize", "GET", path + "?q=" + "x" * 20_000 + "&page=1", note="query-20k"))
    return out


FAMILIES = {
    "nul": family_nul,
    "utf8": family_utf8,
    "ints": family_ints,
    "next": family_next,
    "body": family_body,
    "formset": family_formset,
    "oversize": family_oversize,
}
