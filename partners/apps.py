from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class PartnersConfig(AppConfig):
    default_auto_field = "django.db.models.BigAutoField"
    name = "partners"
    verbose_name = _("Partner associations")

    def ready(self) -> None:
        from wagtail.permissions import register_permission_policy

        from .models import PartnerAssociation
        from .permissions import AssociationPermissionPolicy

        register_permission_policy(
            PartnerAssociation, AssociationPermissionPolicy(PartnerAssociation)
        )
