from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class InboxConfig(AppConfig):
    default_auto_field = "django.db.models.BigAutoField"
    name = "inbox"
    verbose_name = _("Notifications")

    def ready(self):
        # Listen to the other apps' domain events; say what a host site forgot.
        from . import checks, receivers  # noqa: F401
