from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class DiscussionsConfig(AppConfig):
    name = "discussions"
    verbose_name = _("Discussions")

    def ready(self) -> None:
        # The group page shows its threads without groups importing discussions.
        from groups.extensions import register_section

        register_section("discussions.sections.threads", order=10)
