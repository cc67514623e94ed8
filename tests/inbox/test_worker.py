"""Email and digests really run as django-tasks tasks on the database backend: the request
only queues them, `manage.py db_worker` sends them, and `send_digests` run twice (before
the worker got to the first run's tasks) still sends one digest."""

import pytest
from django.core import mail
from django.core.management import call_command
from django.test.utils import override_settings

from inbox import services
from inbox.models import DigestDelivery, EmailState, Notification
from tests.factories import GroupFactory, MembershipFactory, PostFactory, ThreadFactory

DB_TASKS = {"default": {"BACKEND": "django_tasks_db.DatabaseBackend"}}


def run_worker() -> None:
    call_command("db_worker", "--batch", "--no-startup-delay", "--no-reload", verbosity=0)


@pytest.mark.django_db(transaction=True)
@override_settings(TASKS=DB_TASKS, INBOX_DIGEST_HOUR=0)
def test_the_database_worker_sends_queued_emails_and_one_digest():
    from django_tasks_db.models import DBTaskResult

    group = GroupFactory()
    author, eager, patient, poster = (MembershipFactory(group=group).user for _ in range(4))
    services.email_preference_set(user=eager, frequency="immediately")
    thread = ThreadFactory(group=group, author=author, title="Night buses")
    for member in (eager, patient):  # both write in the thread: both watch it
        PostFactory(thread=thread, author=member)
    run_worker()  # what those two posts queued
    Notification.objects.all().delete()
    mail.outbox.clear()
    queued = DBTaskResult.objects.filter(
        task_path="inbox.tasks.send_immediate_emails", status="READY"
    )
    assert queued.count() == 0

    PostFactory(thread=thread, author=poster)  # a real commit: the receivers run
    assert mail.outbox == []  # the request only queued the email
    assert queued.count() == 1
    run_worker()
    assert queued.count() == 0
    assert [m.to for m in mail.outbox] == [[eager.email]]
    assert Notification.objects.get(recipient=eager).email_state == EmailState.SENT
    assert Notification.objects.get(recipient=patient).email_state == EmailState.DAILY

    # The scheduler fires twice before the worker runs (cron overlap): two tasks queued,
    # one digest sent — the per-period claim makes the second a no-op.
    call_command("send_digests", verbosity=0)
    call_command("send_digests", verbosity=0)
    digests = DBTaskResult.objects.filter(task_path="inbox.tasks.send_digest", status="READY")
    assert digests.count() == 4  # the thread's author and `patient`, twice each
    run_worker()
    for member in (author, patient):
        to_member = [m for m in mail.outbox if m.to == [member.email]]
        assert len(to_member) == 1 and "Night buses" in to_member[0].body
        assert DigestDelivery.objects.filter(user=member).count() == 1
    run_worker()
    call_command("send_digests", verbosity=0)
    run_worker()
    assert len(mail.outbox) == 3
