from django.apps import AppConfig


class CoreConfig(AppConfig):
    """Shared plumbing every Plaza app may use (domain events, idempotent creates, edit
    conflicts). The bottom layer: it imports no Plaza app."""

    default_auto_field = "django.db.models.BigAutoField"

    name = "core"
