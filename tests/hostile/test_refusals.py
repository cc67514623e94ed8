"""The common plumbing: the request guard, the one-line refusal log, safe_next and the
integer helpers, and the websocket frame decoder."""

from __future__ import annotations

import logging

import pytest
from django.core.exceptions import PermissionDenied
from django.test import AsyncClient, Client, RequestFactory, override_settings

from core.http import page_number, parse_id, parse_int, safe_next, safe_url
from core.ws import FrameRefused, decode_frame
from tests.factories import UserFactory

# --- core.http --------------------------------------------------------------------------


@pytest.mark.parametrize(
    "value, expected",
    [
        ("1", 1),
        ("42", 42),
        (str(2**63 - 1), 2**63 - 1),
        (str(2**63), None),
        ("9" * 5000, None),
        ("0", None),
        ("-1", None),
        ("+1", None),
        (" 1", None),
        ("1.5", None),
        ("1e3", None),
        ("1_000", None),
        ("١", None),
        ("²", None),
        ("", None),
        (None, None),
        (["1"], None),
        (True, None),
        (7, 7),
    ],
)
def test_parse_id(value, expected):
    assert parse_id(value) == expected


def test_parse_int_bounds():
    assert parse_int("0") == 0
    assert parse_int("5", minimum=6) is None
    assert parse_int("120", maximum=100) is None


@pytest.mark.parametrize(
    "value, last, expected",
    [
        ("3", 10, 3),
        ("30", 10, 10),
        (str(2**63), 10, 10),
        (str(2**63), None, 100_000),
        ("-1", 10, 1),
        ("0", 10, 1),
        ("abc", 10, 1),
        ("1e999", 10, 1),
        (None, 10, 1),
        ("2", 0, 1),
    ],
)
def test_page_number_is_clamped(value, last, expected):
    assert page_number(value, last=last) == expected


@pytest.mark.parametrize(
    "target, ok",
    [
        ("/en/notifications/", True),
        ("/en/x/?a=1#b", True),
        ("http://testserver/en/", True),
        ("foo", False),
        ("people:dashboard", False),
        ("//evil.example/", False),
        ("http://evil.example/", False),
        ("javascript:alert(1)", False),
        ("https:evil", False),
        ("/ok\r\nSet-Cookie: x=1", False),
        ("\\\\evil.example", False),
        ("/\\evil.example", False),
        (" //evil.example", False),
        ("\x00", False),
        ("/" + "a" * 3000, False),
        ("", False),
    ],
)
def test_safe_url(target, ok):
    request = RequestFactory().get("/")
    assert safe_url(request, target, "/fallback/") == (target if ok else "/fallback/")


def test_safe_next_reads_post_then_get():
    request = RequestFactory().post("/?next=/from-get/", {"next": "/from-post/"})
    assert safe_next(request, "/f/") == "/from-post/"
    request = RequestFactory().post("/?next=/from-get/", {})
    assert safe_next(request, "/f/") == "/from-get/"
    request = RequestFactory().post("/", {"next": "foo"})
    assert safe_next(request, "/f/") == "/f/"


# --- the request guard --------------------------------------------------------------------


@pytest.mark.django_db
@pytest.mark.parametrize(
    "path",
    [
        "/en/search/?q=%00",
        "/en/search/?q=a%ff%fe",
        "/en/%00/",
        "/en/discussions/members/a%00b/",
        "/de/search/?q=%00",
    ],
)
def test_nul_and_invalid_utf8_in_path_and_query_are_a_translated_400(client, site_tree, path):
    response = client.get(path)
    assert response.status_code == 400
    html = response.content.decode()
    if path.startswith("/de/"):
        assert 'lang="de"' in html and "abgelehnt" in html
    else:
        assert "The request was refused" in html


@pytest.mark.django_db
def test_nul_or_bad_utf8_in_a_form_or_json_body_is_a_400(client, site_tree):
    for body, content_type in [
        (b"q=a%00b", "application/x-www-form-urlencoded"),
        (b"q=a\xff\xfeb", "application/x-www-form-urlencoded"),
        (b"q=a%ff", "application/x-www-form-urlencoded"),
        (b'{"q": "a\\u0000b"}', "application/json"),
        (b'{"q": "a\xff"}', "application/json"),
        (b"q=1", "application/x-www-form-urlencoded; charset=nonsense-42"),
        (b"a=b", "multipart/form-data"),
        (
            b'--z\r\nContent-Disposition: form-data; name="q"\r\n\r\na\x00b\r\n--z--\r\n',
            "multipart/form-data; boundary=z",
        ),
    ]:
        response = client.generic("POST", "/en/search/", body, content_type)
        assert response.status_code == 400, (body, content_type, response.status_code)


@pytest.mark.django_db
def test_json_clients_get_json(client, site_tree):
    response = client.get("/en/search/?q=%00", HTTP_ACCEPT="application/json")
    assert response.status_code == 400
    assert response.json()["ok"] is False and response.json()["error"]


@pytest.mark.django_db
def test_oversized_and_overfull_bodies_are_refused(client, site_tree):
    big = b"body=" + b"x" * (3 * 1024 * 1024)
    response = client.generic("POST", "/en/search/", big, "application/x-www-form-urlencoded")
    assert response.status_code == 413
    many = "&".join(f"f{i}=1" for i in range(2000)).encode()
    response = client.generic("POST", "/en/search/", many, "application/x-www-form-urlencoded")
    assert response.status_code == 400
    response = client.get("/en/search/?" + "&".join(f"f{i}=1" for i in range(2000)))
    assert response.status_code == 400


@pytest.mark.django_db
def test_an_id_beyond_64_bits_in_the_path_is_a_404(client, site_tree):
    response = client.get(f"/en/discussions/threads/{2**63}/")
    assert response.status_code == 404
    response = client.get(f"/en/discussions/threads/{'9' * 40}/")
    assert response.status_code == 404


@pytest.mark.django_db
async def test_the_guard_works_under_asgi_too(site_tree):
    client = AsyncClient()
    assert (await client.get("/en/search/?q=%00")).status_code == 400
    assert (await client.get("/en/search/?q=a%ff")).status_code == 400
    assert (await client.get("/en/discussions/members/a%00b/")).status_code == 400
    assert (await client.get("/en/search/?q=fine")).status_code == 200


def test_broken_utf8_in_the_raw_asgi_path_is_refused():
    """daphne decodes the path with U+FFFD and passes the bytes as raw_path; the guard
    reads the bytes. (Under WSGI Django re-percent-encodes them: a harmless "%FF".)"""
    from io import BytesIO
    from urllib.parse import unquote

    from django.core.handlers.asgi import ASGIRequest
    from django.http import HttpResponse

    from core.middleware import RequestGuardMiddleware

    raw = b"/en/discussions/members/a%ff%c0/"
    scope = {
        "type": "http",
        "method": "GET",
        "path": unquote(raw.decode("ascii")),
        "raw_path": raw,
        "query_string": b"",
        "headers": [(b"host", b"testserver")],
    }
    guard = RequestGuardMiddleware(lambda request: HttpResponse("view"))
    assert guard(ASGIRequest(scope, BytesIO())).status_code == 400
    scope = {
        **scope,
        "raw_path": b"/en/discussions/members/caf%c3%a9/",
        "path": "/en/discussions/members/café/",
    }
    assert guard(ASGIRequest(scope, BytesIO())).status_code == 200


@pytest.mark.django_db
def test_ordinary_requests_pass(client, site_tree):
    assert client.get("/en/search/?q=caf%C3%A9+%D8%B9%D8%B1%D8%A8%D9%8A").status_code == 200
    response = client.post("/i18n/switch/", {"language": "de", "next": "/en/"})
    assert response.status_code == 302


# --- one line per refusal, tracebacks for real errors ---------------------------------------


def _traceback_records(caplog):
    return [r for r in caplog.records if r.exc_info or r.levelno >= logging.ERROR]


@pytest.mark.django_db
def test_a_refused_request_is_one_line_and_a_real_error_keeps_its_traceback(site_tree, caplog):
    caplog.set_level(logging.INFO)
    client = Client(raise_request_exception=False)
    member = UserFactory()
    client.force_login(member)
    for path, status in [
        ("/en/search/?q=%00", 400),
        ("/en/discussions/threads/999999/", 404),
        ("/en/no-such-page/", 404),
        ("/en/discussions/groups/no-such-group/moderation/", 404),
    ]:
        caplog.clear()
        assert client.get(path).status_code == status
        assert not _traceback_records(caplog), (path, [r.getMessage() for r in caplog.records])
        lines = [r for r in caplog.records if r.name.startswith(("plaza.refused", "django."))]
        assert len(lines) == 1, (path, [r.getMessage() for r in lines])
        assert str(status) in lines[0].getMessage() or lines[0].status_code == status

    # A view's PermissionDenied: Django logs it with a traceback; here one line.
    from tests.factories import GroupFactory

    group = GroupFactory(visibility="members")
    caplog.clear()
    response = client.get(f"/en/discussions/groups/{group.slug}/moderation/log/")
    assert response.status_code == 403
    assert not _traceback_records(caplog)
    refusal = [r for r in caplog.records if r.name == "plaza.refused"]
    assert len(refusal) == 1 and "403" in refusal[0].getMessage()

    # SuspiciousOperation from outside the guard (a disallowed host): one WARNING line.
    caplog.clear()
    assert client.get("/en/", HTTP_HOST="evil.example").status_code == 400
    assert not _traceback_records(caplog)


def test_the_refusal_filter_keeps_5xx_tracebacks_and_strips_4xx_ones():
    from core.logging import RefusalFilter

    try:
        raise PermissionDenied("nope")
    except PermissionDenied:
        import sys

        info = sys.exc_info()
    refused = logging.LogRecord(
        "django.request", logging.WARNING, __file__, 1, "Forbidden: %s", ("/x/",), info
    )
    refused.status_code = 403
    assert RefusalFilter().filter(refused)
    assert refused.exc_info is None and "PermissionDenied: nope" in refused.getMessage()
    crash = logging.LogRecord(
        "django.request", logging.ERROR, __file__, 1, "Internal: %s", ("/x/",), info
    )
    crash.status_code = 500
    assert RefusalFilter().filter(crash) and crash.exc_info is info
    security = logging.LogRecord(
        "django.security.DisallowedHost", logging.ERROR, __file__, 1, "Invalid host", (), info
    )
    security.status_code = 400
    RefusalFilter().filter(security)
    assert security.exc_info is None and security.levelno == logging.WARNING


@pytest.mark.django_db
@override_settings(DEBUG_PROPAGATE_EXCEPTIONS=False)
def test_a_real_500_still_logs_the_full_traceback(site_tree, caplog, monkeypatch):
    from cms import views as cms_views

    def broken(*args, **kwargs):
        raise RuntimeError("a real bug")

    monkeypatch.setattr(cms_views.Paginator, "get_page", broken)
    client = Client(raise_request_exception=False)
    caplog.set_level(logging.INFO)
    assert client.get("/en/search/?q=x").status_code == 500
    errors = [r for r in caplog.records if r.levelno >= logging.ERROR and r.exc_info]
    assert errors and "a real bug" in str(errors[0].exc_info[1])


# --- the websocket frame decoder ----------------------------------------------------------


@pytest.mark.parametrize(
    "text, code",
    [
        ("nope", "not_json"),
        ("[" * 100_000, "too_deep"),
        ('{"a":' * 50 + "1" + "}" * 50, "too_deep"),
        ('{"n": NaN}', "bad_number"),
        ('{"n": Infinity}', "bad_number"),
        ('{"n": 1e999}', "bad_number"),
        ('{"n": -1e999}', "bad_number"),
        ('{"n": ' + "9" * 5000 + "}", "bad_number"),
        ('{"n": ' + str(2**63) + "}", "bad_number"),
    ],
)
def test_decode_frame_refuses(text, code):
    with pytest.raises(FrameRefused) as refused:
        decode_frame(text, max_depth=16)
    assert refused.value.code == code


def test_decode_frame_accepts_ordinary_json():
    assert decode_frame('{"type": "replay", "after": 12, "x": [1.5, {"y": null}]}') == {
        "type": "replay",
        "after": 12,
        "x": [1.5, {"y": None}],
    }
