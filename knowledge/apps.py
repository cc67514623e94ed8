from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class KnowledgeConfig(AppConfig):
    default_auto_field = "django.db.models.BigAutoField"
    name = "knowledge"
    verbose_name = _("Network knowledge")

    def ready(self) -> None:
        from core.search import keep_in_step

        from . import receivers  # noqa: F401
        from .models import EventPage

        # Members-only and secret-group events leave the index when they change.
        keep_in_step(EventPage)
