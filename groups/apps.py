from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class GroupsConfig(AppConfig):
    default_auto_field = "django.db.models.BigAutoField"
    name = "groups"
    verbose_name = _("Working groups")

    def ready(self) -> None:
        from django.db.models.signals import post_migrate

        from core.search import keep_in_step

        from . import receivers
        from .models import GroupPage

        post_migrate.connect(receivers.collections_backfill, sender=self)
        # A secret group's pages leave the index (and come back) with its visibility.
        keep_in_step(GroupPage)
