from django.conf import settings
from django.utils import translation

from .i18n import rtl


def site_chrome(request):
    """What every page's header needs: languages, direction, the navigation."""
    language = translation.get_language() or settings.LANGUAGE_CODE
    return {
        "PLAZA_LANGUAGES": settings.LANGUAGES,
        "PLAZA_RTL": rtl(language),
        "PLAZA_DIR": "rtl" if rtl(language) else "ltr",
    }
