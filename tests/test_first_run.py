"""A newcomer's first run: `make run` serves the site and runs the task worker beside it.

The rest of the suite runs tasks on the immediate backend; these tests use the database
backend that `make run` uses, so what a request queues waits until a worker runs it.
"""

import io
import os
import signal
import subprocess
import sys
import time
from pathlib import Path
from urllib.parse import quote

import pytest
from django.core import mail
from django.core.management import call_command
from django.db import connections
from django.test.utils import override_settings
from django.utils import timezone

from tests.factories import GoodPracticeFactory, GroupFactory, UserFactory

ROOT = Path(__file__).resolve().parent.parent
DB_TASKS = {"default": {"BACKEND": "django_tasks_db.DatabaseBackend"}}
SITE_URL_8101 = "http://127.0.0.1:8101"  # what `make run PORT=8101` gives the settings


def _ready_tasks(path: str = ""):
    from django_tasks_db.models import DBTaskResult

    ready = DBTaskResult.objects.filter(status="READY")
    return ready.filter(task_path=path) if path else ready


def _database_url() -> str:
    """The test database as a DATABASE_URL, for a worker in its own process."""
    s = connections["default"].settings_dict
    if s["ENGINE"].endswith("sqlite3"):
        return f"sqlite:///{s['NAME']}"
    auth = quote(s["USER"] or "")
    if s["PASSWORD"]:
        auth += ":" + quote(s["PASSWORD"])
    return f"postgres://{auth}@{s['HOST'] or 'localhost'}:{s['PORT'] or 5432}/{s['NAME']}"


def _run_worker_process() -> None:
    """`manage.py db_worker` as `make run` starts it (development settings, its own process)
    against the test database, until the queue is empty."""
    env = {
        **os.environ,
        "DJANGO_SETTINGS_MODULE": "config.settings.base",
        "DATABASE_URL": _database_url(),
    }
    result = subprocess.run(
        [sys.executable, "manage.py", "db_worker", "--batch", "--no-reload", "--no-startup-delay"],
        cwd=ROOT,
        env=env,
        capture_output=True,
        text=True,
        timeout=180,
    )
    assert result.returncode == 0, result.stdout + result.stderr


@pytest.mark.django_db(transaction=True)
@override_settings(TASKS=DB_TASKS)
def test_a_thread_created_later_is_findable_once_the_worker_has_run(client, site_tree):
    from discussions import services

    owner = UserFactory()
    group = GroupFactory(with_page=True, owner=owner)
    thread = services.thread_start(
        group=group,
        author=owner,
        title="Rooftop rainwater tanks for clinics",
        body="Who has costed tanks for a district's clinics?",
    )
    practice = GoodPracticeFactory(title="Solar kiosks in Kisumu markets")

    def found() -> tuple[bool, bool]:
        threads = client.get("/en/discussions/search/", {"q": "rainwater"}).content.decode()
        pages = client.get("/en/search/", {"q": "Kisumu"}).content.decode()
        return thread.title in threads, practice.title in pages

    # The request only queued the index updates: nothing to find yet.
    assert _ready_tasks("modelsearch.tasks.insert_or_update_object_task").exists()
    assert found() == (False, False)
    _run_worker_process()
    assert not _ready_tasks().exists()
    assert found() == (True, True)


@pytest.mark.django_db(transaction=True)
@override_settings(TASKS=DB_TASKS, WAGTAILADMIN_BASE_URL=SITE_URL_8101)
def test_seed_demo_indexes_at_once_and_the_worker_sends_what_the_demo_queues(client):
    from demo.groups import REQUEST_ONLY_GROUP
    from groups import permissions as group_perms
    from groups import services as group_services
    from groups.models import Membership, WorkingGroup
    from knowledge import services as knowledge_services
    from knowledge.models import EventPage, EventRegistration
    from people.models import User

    out = io.StringIO()
    call_command("seed_demo", stdout=out)

    # Everything the seed caused is done: no backlog, the site is searchable at once.
    assert not _ready_tasks().exists()
    assert (
        "Heat action plans"
        in client.get("/en/discussions/search/", {"q": "heat action"}).content.decode()
    )
    assert (
        "Latin America city network"
        in client.get("/en/search/", {"q": "Latin America"}).content.decode()
    )
    # The invitation the seed emails links to the port the site runs on.
    (invitation,) = [m for m in mail.outbox if m.to == ["newcomer@plaza.example"]]
    assert f"{SITE_URL_8101}/" in invitation.body

    # The printed logins can try the join-request flow: the moderator decides on a
    # request-only group the member is not in, and the summary says which one.
    moderator = User.objects.get(username="moderator")
    member = User.objects.get(username="member")
    group = WorkingGroup.objects.get(slug=REQUEST_ONLY_GROUP)
    assert group.join_policy == WorkingGroup.JoinPolicy.REQUEST
    assert Membership.objects.get(group=group, user=moderator).role == Membership.Role.MODERATOR
    assert group_perms.can_request_to_join(member, group)
    summary = out.getvalue()
    assert f'"{group.name}"' in summary
    assert f"{SITE_URL_8101}/en/groups/{group.slug}/" in summary

    # A short walk queues a notification email (the moderator wants them at once) and an
    # event sign-up email; the worker `make run` starts sends both.
    mail.outbox.clear()
    group_services.join_request_create(group=group, user=member, message="Kumasi would like in.")
    event = next(
        e
        for e in EventPage.objects.live().filter(
            locale__language_code="en", starts_at__gt=timezone.now()
        )
        if e.registration_enabled
        and timezone.now() < e.deadline
        and not EventRegistration.objects.filter(event_key=e.translation_key, user=member).exists()
    )
    knowledge_services.event_register(event=event, user=member)
    assert _ready_tasks("inbox.tasks.send_immediate_emails").count() == 1
    assert _ready_tasks("knowledge.tasks.send_registration_email").count() == 1
    assert mail.outbox == []
    call_command("db_worker", "--batch", "--no-startup-delay", "--no-reload", verbosity=0)
    assert not _ready_tasks().exists()
    (to_moderator,) = [m for m in mail.outbox if m.to == [moderator.email]]
    assert group.name in to_moderator.body and SITE_URL_8101 in to_moderator.body
    (to_member,) = [m for m in mail.outbox if m.to == [member.email]]
    assert event.title in to_member.subject + to_member.body
    assert f"{SITE_URL_8101}{event.url}" in to_member.body


@pytest.mark.parametrize(
    ("env", "site_url"),
    [
        ({}, "http://127.0.0.1:8000"),
        ({"PORT": "8101"}, SITE_URL_8101),
        ({"HOST": "localhost", "PORT": "8101"}, "http://localhost:8101"),
        ({"HOST": "0.0.0.0", "PORT": "8101"}, SITE_URL_8101),
        ({"PORT": "8101", "SITE_URL": "https://plaza.example.org"}, "https://plaza.example.org"),
    ],
)
def test_site_url_follows_host_and_port_unless_it_is_set(env, site_url):
    clean = {k: v for k, v in os.environ.items() if k not in ("HOST", "PORT", "SITE_URL")}
    code = (
        "import django; django.setup(); from django.conf import settings; "
        "print(settings.SITE_URL, settings.WAGTAILADMIN_BASE_URL)"
    )
    result = subprocess.run(
        [sys.executable, "-c", code],
        cwd=ROOT,
        capture_output=True,
        text=True,
        check=True,
        env={**clean, **env, "DJANGO_SETTINGS_MODULE": "config.settings.base"},
    )
    assert result.stdout.split() == [site_url, site_url]


def test_make_run_passes_host_and_port_to_the_seed_and_the_launcher():
    result = subprocess.run(
        ["make", "-n", "run", "PORT=8101"], cwd=ROOT, capture_output=True, text=True, check=True
    )
    assert "HOST=127.0.0.1 PORT=8101 .venv/bin/python manage.py seed_demo" in result.stdout
    launcher = "HOST=127.0.0.1 PORT=8101 VENV=.venv .venv/bin/python scripts/run_dev.py"
    assert launcher in result.stdout


# scripts/run_dev.py with stand-ins for daphne and the worker: each records its pid and
# arguments, then lives until stopped (or exits by itself with $FAKE_EXIT).
STAND_IN = """#!/usr/bin/env bash
echo "$$ $(basename "$0") $*" >> "$FAKE_LOG"
if [ -n "${FAKE_EXIT_%(name)s:-}" ]; then sleep 1; exit "$FAKE_EXIT_%(name)s"; fi
exec sleep 300
"""


def _start_launcher(tmp_path, **env):
    venv = tmp_path / "venv"
    (venv / "bin").mkdir(parents=True)
    for name in ("python", "daphne"):
        stand_in = venv / "bin" / name
        stand_in.write_text(STAND_IN % {"name": name.upper()})
        stand_in.chmod(0o755)
    log = tmp_path / "started.log"
    process = subprocess.Popen(
        [sys.executable, str(ROOT / "scripts" / "run_dev.py")],
        cwd=ROOT,
        start_new_session=True,
        env={**os.environ, "VENV": str(venv), "FAKE_LOG": str(log), "PORT": "8101", **env},
        stdout=subprocess.PIPE,
        stderr=subprocess.STDOUT,
    )
    deadline = time.monotonic() + 20
    while time.monotonic() < deadline:
        lines = log.read_text().splitlines() if log.exists() else []
        if len(lines) == 2:
            return process, dict(line.split(" ", 1)[::-1] for line in lines)
        time.sleep(0.05)
    process.kill()
    raise AssertionError("run_dev.py did not start both processes")


def _gone(pid: int) -> bool:
    try:
        os.kill(pid, 0)
    except ProcessLookupError:
        return True
    return False


@pytest.mark.parametrize("signum", [signal.SIGINT, signal.SIGTERM, signal.SIGHUP])
def test_run_dev_starts_daphne_and_the_worker_and_ctrl_c_stops_both(tmp_path, signum):
    process, started = _start_launcher(tmp_path)
    assert set(started) == {
        "python manage.py db_worker --no-reload --no-startup-delay",
        "daphne -b 127.0.0.1 -p 8101 config.asgi:application",
    }
    os.killpg(process.pid, signum)  # Ctrl-C signals the terminal's foreground process group
    assert process.wait(timeout=15) == 128 + signum
    assert all(_gone(int(pid)) for pid in started.values())


@pytest.mark.parametrize(("dies", "name"), [("python", "worker"), ("daphne", "daphne")])
def test_run_dev_stops_the_other_process_when_one_exits(tmp_path, dies, name):
    process, started = _start_launcher(tmp_path, **{f"FAKE_EXIT_{dies.upper()}": "3"})
    assert process.wait(timeout=15) == 3
    assert all(_gone(int(pid)) for pid in started.values())
    assert f"{name} exited (status 3)".encode() in process.stdout.read()
