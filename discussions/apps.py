from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class DiscussionsConfig(AppConfig):
    default_auto_field = "django.db.models.BigAutoField"
    name = "discussions"
    verbose_name = _("Discussions")

    def ready(self) -> None:
        # The group page shows its threads without groups importing discussions.
        from groups.extensions import register_section

        register_section("discussions.sections.threads", order=10)

        # Thread pages cache the group page's title and URL with the page chrome.
        from django.db.models.signals import post_delete, post_save

        from groups.models import GroupPage

        from .views import group_pages_changed

        for name, signal in (("save", post_save), ("delete", post_delete)):
            signal.connect(
                group_pages_changed, sender=GroupPage, dispatch_uid=f"discussions.group_link.{name}"
            )
