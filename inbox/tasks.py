"""Background work (django-tasks; `manage.py db_worker` runs it with the database backend)."""

from django_tasks import task

from . import services


@task()
def send_immediate_emails(notification_ids: list[int]) -> int:
    """Email the notifications of one event that are due now (see services)."""
    return services.email_send_immediate(notification_ids=notification_ids)


@task()
def send_digest(user_id: int, frequency: str, period: str) -> bool:
    """Send one member's daily or weekly digest for one period, at most once."""
    return services.digest_send(user_id=user_id, frequency=frequency, period=period) is not None
