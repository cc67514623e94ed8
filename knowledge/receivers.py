"""Wiring: keep event waiting lists moving when an editor adds places in the admin; keep
events' search entries in step with who may see them."""

from django.dispatch import receiver
from wagtail.signals import page_published

from core.search import index_sync
from groups import signals as group_signals

from .models import EventPage


@receiver(page_published, sender=EventPage)
def fill_places_after_publish(sender, instance, **kwargs):
    from .services import event_waitlist_fill

    event_waitlist_fill(event=instance)


@receiver(group_signals.group_settings_changed, dispatch_uid="knowledge.events_follow_group")
def events_follow_group_visibility(sender, group, changed, **kwargs):
    """A group turning secret (or back) takes its events out of the index (or back in)."""
    if "visibility" in changed:
        pks = EventPage.objects.filter(group=group).values_list("pk", flat=True)
        index_sync(EventPage, list(pks))
