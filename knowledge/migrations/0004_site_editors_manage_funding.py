"""Site editors (Wagtail's "Editors" and "Moderators" groups) manage funding opportunities.

The issue has editors keep the calls up to date; without these permissions only
superusers saw the Funding menu. Partner associations' editors are not given them: the
calls are the network's, not a section's.
"""

from django.contrib.auth.management import create_permissions
from django.db import migrations

SITE_EDITOR_GROUPS = ("Editors", "Moderators")
CODENAMES = [f"{action}_fundingopportunity" for action in ("add", "change", "delete", "view")]


def grant(apps, schema_editor):
    # On a fresh database the permission rows come from post_migrate, after this runs.
    config = apps.get_app_config("knowledge")
    if getattr(config, "models_module", None) is None:  # historical configs carry none
        config.models_module = True
    create_permissions(config, apps=apps, verbosity=0)
    Group = apps.get_model("auth", "Group")
    Permission = apps.get_model("auth", "Permission")
    permissions = list(
        Permission.objects.filter(content_type__app_label="knowledge", codename__in=CODENAMES)
    )
    for group in Group.objects.filter(name__in=SITE_EDITOR_GROUPS):
        group.permissions.add(*permissions)


def revoke(apps, schema_editor):
    Group = apps.get_model("auth", "Group")
    Permission = apps.get_model("auth", "Permission")
    permissions = Permission.objects.filter(
        content_type__app_label="knowledge", codename__in=CODENAMES
    )
    for group in Group.objects.filter(name__in=SITE_EDITOR_GROUPS):
        group.permissions.remove(*permissions)


class Migration(migrations.Migration):
    dependencies = [
        ("knowledge", "0003_eventpage_association_alter_eventpage_organiser_name"),
        ("wagtailcore", "0002_initial_data"),
        ("auth", "0012_alter_user_first_name_max_length"),
        ("contenttypes", "0002_remove_content_type_name"),
    ]

    operations = [migrations.RunPython(grant, revoke)]
