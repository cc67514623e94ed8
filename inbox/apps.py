from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class InboxConfig(AppConfig):
    name = "inbox"
    verbose_name = _("Notifications")

    def ready(self):
        # Listen to the other apps' domain events.
        from . import receivers  # noqa: F401
