"""The site's languages, read when asked rather than when a model is defined.

Model fields name these callables (Django accepts callable choices and defaults), so a
migration records the callable, not the host's LANGUAGES: a Wagtail site with other
languages installs Plaza's apps without `makemigrations` wanting to rewrite them.
"""

from django.conf import settings


def site_languages() -> list[tuple[str, str]]:
    return list(settings.LANGUAGES)


def default_language() -> str:
    """LANGUAGE_CODE as one of LANGUAGES ("en-us" → "en" on a stock Django site)."""
    from django.utils.translation import get_supported_language_variant

    try:
        return get_supported_language_variant(settings.LANGUAGE_CODE)
    except LookupError:
        return settings.LANGUAGES[0][0]
