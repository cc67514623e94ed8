"""Every URL pattern, every hostile family, as a visitor, a member and an administrator:
never a 5xx, never slower than a bound, and a refused request (4xx) writes no row.

The corpus and why it is hand-made: tests/hostile/corpus.py. Each request runs inside a
savepoint that is rolled back, so the world is the same for every request (a request that
is accepted — a join, a delete — does not change what the next one meets), and a refused
request is checked by counting the rows of every Plaza table before the rollback.
"""

from __future__ import annotations

import copy
import json
import os
import time
from collections import Counter

import pytest
from django.apps import apps
from django.db import connection, transaction
from django.test import Client

from tests.factories import build_world
from tests.hostile import corpus

pytestmark = pytest.mark.django_db

# A request slower than this fails (the 1,000-form formset took 10-13 s). Generous, since
# CI shares two cores between the two test workers.
SLOW_SECONDS = float(os.environ.get("PLAZA_FUZZ_SLOW_SECONDS", "3"))
PLAZA_APPS = (
    "people",
    "cms",
    "partners",
    "inbox",
    "groups",
    "discussions",
    "knowledge",
    "core",
    "files",
)


def plaza_tables() -> list[str]:
    return sorted(
        m._meta.db_table
        for m in apps.get_models()
        if m._meta.app_label in PLAZA_APPS and m._meta.managed and not m._meta.proxy
    )


def row_counts(tables: list[str]) -> tuple[int, ...]:
    """Rows in every Plaza table, in one query."""
    q = connection.ops.quote_name
    sql = "SELECT " + ", ".join(f"(SELECT COUNT(*) FROM {q(t)})" for t in tables)
    with connection.cursor() as cursor:
        cursor.execute(sql)
        return tuple(cursor.fetchone())


class Identity:
    def __init__(self, name: str, user=None):
        self.name = name
        self.client = Client(enforce_csrf_checks=True, raise_request_exception=False)
        if user is not None:
            self.client.force_login(user)
        self.client.get("/en/")  # the language switcher's form sets the CSRF cookie
        self.token = self.client.cookies["csrftoken"].value

    def send(self, req: corpus.Req):
        # A request may log out, switch the language or rotate the session: the next one
        # must come from the same visitor, so the cookies are put back afterwards.
        cookies = copy.deepcopy(self.client.cookies)
        try:
            return self._send(req)
        finally:
            self.client.cookies = cookies

    def _send(self, req: corpus.Req):
        headers = {"HTTP_X_CSRFTOKEN": self.token, **req.headers}
        if req.method == "GET":
            return self.client.generic("GET", req.path, **headers)
        body = req.body or b""
        if req.content_type.startswith(corpus.FORM):
            body += b"&csrfmiddlewaretoken=" + self.token.encode()
        return self.client.generic(
            "POST", req.path, data=body, content_type=req.content_type or corpus.FORM, **headers
        )


_DISCOVERED: dict[str, dict[str, str]] = {}


def discover(identity: Identity, key: str, path: str) -> dict[str, str]:
    """The form fields the page shows the member (cached per pattern and process)."""
    if key not in _DISCOVERED:
        with transaction.atomic():
            response = identity.client.get(path)
            transaction.set_rollback(True)
        html = ""
        if response.status_code == 200 and "html" in response.get("Content-Type", ""):
            html = response.content.decode("utf-8", "replace")
        _DISCOVERED[key] = corpus.form_fields(html)
    return _DISCOVERED[key]


@pytest.fixture
def world(site_tree, settings):
    settings.DISCUSSIONS_POSTS_PER_MINUTE = 10_000
    return build_world()


def run_family(family: str, world: dict) -> dict:
    """Send the family to every endpoint as every identity; return what went wrong."""
    values = corpus.param_values(world)
    endpoints = corpus.all_endpoints()
    visitor = Identity("visitor")
    member = Identity("member", world["member"])
    admin = Identity("admin", world["admin"])
    tables = plaza_tables()
    baseline = row_counts(tables)
    make = corpus.FAMILIES[family]
    result = {
        "family": family,
        "sent": 0,
        "5xx": [],
        "slow": [],
        "writes": [],
        "causes": Counter(),
        "patterns": len(endpoints),
        "slowest": 0.0,
    }
    started = time.perf_counter()
    for i, ep in enumerate(endpoints):
        path = corpus.fill(ep, values)
        discovered = discover(admin if ep.admin else member, ep.key, path)
        names = corpus.fields_for(discovered)
        reqs = make(ep, path, names, discovered, i, values)
        if family == "next" and ep.key in corpus.NEXT_CONSUMERS:
            reqs = corpus.family_next_full(ep, path, names, discovered, i, values)
        for identity in (visitor, member, admin) if ep.admin else (visitor, member):
            for req in reqs:
                result["sent"] += 1
                where = f"{identity.name} {ep.key} {req.line()}"
                with transaction.atomic():
                    t0 = time.perf_counter()
                    response = identity.send(req)
                    elapsed = time.perf_counter() - t0
                    status = response.status_code
                    if 400 <= status < 500 and row_counts(tables) != baseline:
                        result["writes"].append(f"{status} {where}")
                    transaction.set_rollback(True)
                if status >= 500:
                    exc = getattr(response, "exc_info", None)
                    cause = f"{exc[0].__name__}: {str(exc[1])[:80]}" if exc else f"HTTP {status}"
                    result["causes"][f"{ep.key}: {cause}"] += 1
                    result["5xx"].append(f"{status} {where} -> {cause}")
                result["slowest"] = max(result["slowest"], elapsed)
                if elapsed > SLOW_SECONDS:
                    result["slow"].append(f"{elapsed:.1f}s {where}")
    result["seconds"] = round(time.perf_counter() - started, 1)
    _report(result)
    return result


def _report(result: dict) -> None:
    """With PLAZA_FUZZ_REPORT=<file>, append the figures (for the issue's before/after)."""
    target = os.environ.get("PLAZA_FUZZ_REPORT")
    if not target:
        return
    line = {
        "leg": connection.vendor,
        "family": result["family"],
        "patterns": result["patterns"],
        "sent": result["sent"],
        "slowest": round(result["slowest"], 2),
        "5xx": len(result["5xx"]),
        "slow": len(result["slow"]),
        "writes": len(result["writes"]),
        "seconds": result["seconds"],
        "causes": dict(result["causes"]),
    }
    with open(target, "a") as f:
        f.write(json.dumps(line) + "\n")


@pytest.mark.parametrize("family", list(corpus.FAMILIES))
def test_hostile_family_is_refused_cleanly_everywhere(family, world):
    result = run_family(family, world)
    problems = result["5xx"] + result["slow"] + result["writes"]
    assert not problems, f"{len(problems)} problems in {result['sent']} requests:\n" + "\n".join(
        problems[:60]
    )


def test_every_plaza_pattern_is_walked(world):
    """The walk reaches every route Plaza defines (a pattern the fill cannot name fails)."""
    keys = {ep.key for ep in corpus.all_endpoints()}
    for expected in (
        "discussions:thread",
        "inbox:unsubscribe",
        "knowledge:idea_team_remove",
        "GroupPage:member_action",
        "GroupIndexPage:invitation",
        "EventPage:ics",
        "GoodPracticePage:discuss",
        "EventIndexPage:group_feed",
        "switch_language",
        "wagtaildocs_serve",
        "files_document",
        "media",
        "account_login",
        "people:profile",
    ):
        assert expected in keys
    values = corpus.param_values(world)
    for ep in corpus.all_endpoints():
        assert "<" not in corpus.fill(ep, values), ep


def test_the_row_check_sees_a_write(world):
    """The check above is not blind: a Plaza row written changes the counts."""
    from tests.factories import UserFactory

    tables = plaza_tables()
    before = row_counts(tables)
    with transaction.atomic():
        UserFactory()
        assert row_counts(tables) != before
        transaction.set_rollback(True)
    assert row_counts(tables) == before
