from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class KnowledgeConfig(AppConfig):
    name = "knowledge"
    verbose_name = _("Network knowledge")

    def ready(self) -> None:
        from . import receivers  # noqa: F401
