"""Scheduler entry point: run it every hour (cron, systemd timer); safe to run twice.

It queues one `send_digest` task per member whose daily/weekly digest is due in their
time zone and not yet claimed, and re-queues immediate emails a worker never sent. The
per-period claim in the database (DigestDelivery, unique) makes double runs harmless.
It is also the hourly housekeeping: create forms' idempotency keys older than a day go.
"""

from datetime import UTC, datetime

from django.core.management.base import BaseCommand, CommandError
from django.utils import timezone

from core.idempotency import prune
from inbox import selectors
from inbox.tasks import send_digest, send_immediate_emails


class Command(BaseCommand):
    help = "Queue the daily and weekly notification digests that are due (safe to run repeatedly)."

    def add_arguments(self, parser):
        parser.add_argument("--at", help="Pretend it is this ISO date-time (testing, catching up).")

    def handle(self, *args, at=None, **options):
        now = timezone.now()
        if at:
            try:
                now = datetime.fromisoformat(at)
            except ValueError as error:
                raise CommandError(f"--at: {error}") from error
            if timezone.is_naive(now):
                now = timezone.make_aware(now, UTC)
        due = selectors.digests_due(now=now)
        for user_id, frequency, period in due:
            send_digest.enqueue(user_id=user_id, frequency=frequency, period=period)
        stuck = selectors.emails_stuck(now=now)
        if stuck:
            send_immediate_emails.enqueue(notification_ids=stuck)
        pruned = prune()
        self.stdout.write(
            f"{len(due)} digest(s) queued, {len(stuck)} stuck email(s) re-queued, "
            f"{pruned} old idempotency key(s) removed."
        )
