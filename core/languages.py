"""The site's languages, read when asked rather than when a model is defined.

Model fields name these callables (Django accepts callable choices and defaults), so a
migration records the callable, not the host's LANGUAGES: a Wagtail site with other
languages installs Plaza's apps without `makemigrations` wanting to rewrite them.
"""

from django.conf import settings


def site_languages() -> list[tuple[str, str]]:
    return list(settings.LANGUAGES)


def default_language() -> str:
    return settings.LANGUAGE_CODE
