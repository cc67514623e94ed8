"""A must-deliver email survives a crash of the task worker: it is queued in the same
transaction as its notification, sent at least once, and a resend after a crash carries
the same Message-ID (its idempotency key), so mail systems see one message, not two.

Real pieces only: the database task backend, `manage.py db_worker` processes, and an
SMTP server on loopback (aiosmtpd) that kills the worker after taking the message and
before answering 250 — the one moment at-least-once cannot avoid a second delivery.
"""

import asyncio
import os
import signal
import subprocess
import sys
import time
from datetime import timedelta
from pathlib import Path

import pytest
from django.core.management import call_command
from django.test.utils import override_settings
from django.utils import timezone

from groups import services as groups
from inbox.models import EmailState, Kind, Notification
from inbox.services import message_id_for
from tests.factories import GroupFactory, UserFactory
from tests.support.processes import test_database_url
from tests.support.smtp import SMTPServer

ROOT = Path(__file__).resolve().parents[2]
DB_TASKS = {"default": {"BACKEND": "django_tasks_db.DatabaseBackend"}}


def start_worker(smtp_port: int, *extra: str) -> subprocess.Popen:
    """A db_worker with the ordinary (non-test) settings: the database backend, SMTP."""
    env = {
        **os.environ,
        "DJANGO_SETTINGS_MODULE": "config.settings.base",
        "DATABASE_URL": test_database_url(),
        "EMAIL_HOST": "127.0.0.1",
        "EMAIL_PORT": str(smtp_port),
        "EMAIL_USE_TLS": "",
        "DEBUG": "false",
        "PYTHONPATH": str(ROOT),
    }
    env.pop("REDIS_URL", None)
    return subprocess.Popen(
        [
            sys.executable,
            "manage.py",
            "db_worker",
            "--no-startup-delay",
            "--no-reload",
            "--interval",
            "0.2",
            *extra,
        ],
        cwd=ROOT,
        env=env,
        stdout=subprocess.DEVNULL,
        stderr=subprocess.PIPE,
    )


def wait_exit(process: subprocess.Popen, timeout: float = 60) -> int:
    try:
        return process.wait(timeout=timeout)
    finally:
        if process.poll() is None:
            process.kill()


@pytest.mark.django_db(transaction=True)
@override_settings(TASKS=DB_TASKS)
def test_a_must_deliver_email_is_sent_again_after_the_worker_died_mid_send():
    from django_tasks_db.models import DBTaskResult

    owner = UserFactory()
    group = GroupFactory(join_policy="request", owner=owner)
    applicant = UserFactory(email="applicant@example.org")
    request = groups.join_request_create(group=group, user=applicant, message="Hello")
    groups.join_request_approve(join_request=request, by=owner)
    note = Notification.objects.get(recipient=applicant, verb=Kind.JOIN_APPROVED)
    # Queued in the approval's own transaction, not after it.
    assert note.email_state == EmailState.IMMEDIATE
    assert DBTaskResult.objects.filter(
        task_path="inbox.tasks.send_immediate_emails", status="READY"
    ).exists()

    with SMTPServer() as smtp:
        worker = start_worker(smtp.port)

        async def crash():
            worker.send_signal(signal.SIGKILL)
            await asyncio.sleep(0.5)  # the 250 must not reach it

        smtp.recorder.on_data = crash
        assert smtp.recorder.received.wait(timeout=60), worker.stderr.read().decode()[-2000:]
        assert wait_exit(worker) == -signal.SIGKILL
        note.refresh_from_db()
        # Handed to SMTP, never recorded as sent: still owed, with its key committed.
        assert note.email_state == EmailState.IMMEDIATE and note.email_key

        # The hourly scheduler finds it stuck and queues it again; a new worker sends it.
        later = timezone.now() + timedelta(hours=2)
        call_command("send_digests", "--at", later.isoformat(), verbosity=0)
        started = time.monotonic()
        assert wait_exit(start_worker(smtp.port, "--batch")) == 0
        assert time.monotonic() - started < 60
        messages = smtp.recorder.messages

    note.refresh_from_db()
    assert note.email_state == EmailState.SENT
    assert len(messages) == 2  # at least once: the crash cost one extra delivery ...
    assert {m["Message-ID"] for m in messages} == {message_id_for(note.email_key)}  # ... deduped
    assert all(m["To"] == "applicant@example.org" for m in messages)
    assert group.name in messages[1]["Subject"] or group.name in str(messages[1])


@pytest.mark.django_db(transaction=True)
@override_settings(TASKS=DB_TASKS)
def test_two_workers_never_send_one_email_twice():
    """The claim (IMMEDIATE → SENT) and the send share a transaction: two workers on the
    same queue deliver each email once."""
    owner = UserFactory()
    group = GroupFactory(join_policy="request", owner=owner)
    applicants = [UserFactory() for _ in range(6)]
    for applicant in applicants:
        request = groups.join_request_create(group=group, user=applicant, message="Hi")
        groups.join_request_approve(join_request=request, by=owner)
    # The same work queued twice, as a retried task or an overlapping scheduler would.
    from inbox.tasks import send_immediate_emails

    ids = list(Notification.objects.filter(verb=Kind.JOIN_APPROVED).values_list("pk", flat=True))
    send_immediate_emails.enqueue(notification_ids=ids)
    with SMTPServer() as smtp:
        workers = [start_worker(smtp.port, "--batch") for _ in range(2)]
        assert [wait_exit(w) for w in workers] == [0, 0]
        messages = smtp.recorder.messages
    assert sorted(m["To"] for m in messages) == sorted(a.email for a in applicants)
    assert len({m["Message-ID"] for m in messages}) == len(applicants)
