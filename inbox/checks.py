"""System checks: what a host site must set for the inbox, one sentence each."""

from django.apps import apps
from django.conf import settings
from django.core.checks import Error, register


@register()
def inbox_settings(app_configs=None, **kwargs) -> list[Error]:
    errors = []
    for app, number in (("channels", 1), ("notifications", 2)):
        if not apps.is_installed(app):
            errors.append(
                Error(
                    f"The inbox needs the '{app}' app in INSTALLED_APPS.",
                    hint="See README, 'Add Plaza to your Wagtail site'.",
                    id=f"inbox.E00{number}",
                )
            )
    if not getattr(settings, "CHANNEL_LAYERS", None):
        errors.append(
            Error(
                "Live notifications need a channel layer: set CHANNEL_LAYERS "
                "(channels_redis in production, the in-memory layer for one process).",
                id="inbox.E003",
            )
        )
    if getattr(settings, "NOTIFICATIONS_NOTIFICATION_MODEL", "") != "inbox.Notification":
        errors.append(
            Error(
                "NOTIFICATIONS_NOTIFICATION_MODEL must be 'inbox.Notification'.",
                id="inbox.E004",
            )
        )
    return errors
