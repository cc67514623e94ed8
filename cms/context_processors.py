from django.conf import settings
from django.utils import translation
from django.utils.functional import SimpleLazyObject

from .i18n import rtl


def may_open_admin(user) -> bool:
    """The header's "Administration" link: Wagtail's `access_admin` permission, asked with
    one EXISTS query instead of loading every permission of the user and their groups (two
    queries and a set per request; the admin checks permissions itself anyway)."""
    if user is None or not user.is_authenticated or not user.is_active:
        return False
    if user.is_superuser:
        return True
    from django.contrib.auth.models import Permission
    from django.db.models import Q

    return (
        Permission.objects.filter(content_type__app_label="wagtailadmin", codename="access_admin")
        .filter(Q(user=user) | Q(group__user=user))
        .exists()
    )


def site_chrome(request):
    """What every page's header needs: languages, direction, the navigation, whether to
    offer the admin (asked only if a template shows it)."""
    language = translation.get_language() or settings.LANGUAGE_CODE
    user = getattr(request, "user", None)
    return {
        "PLAZA_LANGUAGES": settings.LANGUAGES,
        "PLAZA_RTL": rtl(language),
        "PLAZA_DIR": "rtl" if rtl(language) else "ltr",
        "PLAZA_ADMIN_LINK": SimpleLazyObject(lambda: may_open_admin(user)),
    }
