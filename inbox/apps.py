from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class InboxConfig(AppConfig):
    default_auto_field = "django.db.models.BigAutoField"
    name = "inbox"
    verbose_name = _("Notifications")

    def ready(self):
        # Listen to the other apps' domain events.
        # A group page offers its readers the group's watch level, above its threads.
        from groups.extensions import register_section

        from . import checks, receivers  # noqa: F401

        register_section("inbox.sections.group_watch", order=5)
