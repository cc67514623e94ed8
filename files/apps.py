from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class FilesConfig(AppConfig):
    """Uploaded images and documents follow the permissions of what they belong to.

    Just above `core`: it imports no other Plaza app. Apps that own private collections
    (groups: one per working group) plug their rule in through the
    `plaza_collection_rules` Wagtail hook (files.policy).
    """

    default_auto_field = "django.db.models.BigAutoField"

    name = "files"
    verbose_name = _("Files")

    def ready(self):
        from . import receivers

        receivers.connect()
