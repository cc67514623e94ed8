"""Demo notification settings (`manage.py seed_demo`). Idempotent.

The notifications themselves need no seeding: the demo groups and discussions are made
through their services, whose events reach the inbox after `seed_demo` commits — so the
demo member finds replies, mentions, a join request and an invitation in their inbox.
Here the demo personas get a few non-default choices to show what the settings do.
"""

from groups.models import WorkingGroup
from inbox.models import EmailFrequency, EmailPreference, Watch, WatchLevel
from people.models import User


def seed() -> None:
    users = {u.username: u for u in User.objects.filter(username__in=["member", "moderator"])}
    mobility = WorkingGroup.objects.filter(slug="urban-mobility").first()
    if "member" in users:
        # Kwame follows urban mobility closely (every post) and reads a weekly digest.
        EmailPreference.objects.update_or_create(
            user=users["member"], defaults={"frequency": EmailFrequency.WEEKLY}
        )
        if mobility is not None:
            Watch.objects.update_or_create(
                user=users["member"],
                group_ref=mobility.pk,
                thread_ref=None,
                defaults={"level": WatchLevel.WATCHING},
            )
    if "moderator" in users:
        # Mariam wants activity at once.
        EmailPreference.objects.update_or_create(
            user=users["moderator"], defaults={"frequency": EmailFrequency.IMMEDIATELY}
        )
