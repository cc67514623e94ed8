"""Wiring: keep event waiting lists moving when an editor adds places in the admin."""

from django.dispatch import receiver
from wagtail.signals import page_published

from .models import EventPage


@receiver(page_published, sender=EventPage)
def fill_places_after_publish(sender, instance, **kwargs):
    from .services import event_waitlist_fill

    event_waitlist_fill(event=instance)
