from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class DiscussionsConfig(AppConfig):
    default_auto_field = "django.db.models.BigAutoField"
    name = "discussions"
    verbose_name = _("Discussions")

    def ready(self) -> None:
        from . import receivers  # noqa: F401 - the cached group links follow their pages
