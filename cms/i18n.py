"""Finding the same page in another language."""

from django.conf import settings
from django.urls import Resolver404, resolve, translate_url
from django.utils import translation
from wagtail.models import Locale, Page, Site


def rtl(language_code: str | None) -> bool:
    return (language_code or "").split("-")[0] in settings.RTL_LANGUAGES


def path_language(path: str) -> str:
    return translation.get_language_from_path(path) or settings.LANGUAGE_CODE


def page_for_path(request, path: str) -> Page | None:
    """The live Wagtail page a (language-prefixed) path shows, if any."""
    try:
        # i18n_patterns only match the active language's prefix.
        with translation.override(path_language(path)):
            match = resolve(path.split("?")[0])
    except Resolver404:
        return None
    if match.url_name != "wagtail_serve":
        return None
    site = Site.find_for_request(request)
    if site is None:
        return None
    root = site.root_page
    try:
        locale = Locale.objects.get(language_code=path_language(path))
    except Locale.DoesNotExist:
        return None
    root = root.get_translation_or_none(locale) or root
    raw = match.kwargs.get("path") or (match.args[0] if match.args else "")
    components = [c for c in raw.split("/") if c]
    url_path = root.url_path + "".join(f"{c}/" for c in components)
    return Page.objects.live().filter(url_path=url_path, locale=locale).first()


def translated_url(request, path: str, language: str) -> str:
    """The URL of `path` in `language`: the page's translation, else the localised home."""
    page = page_for_path(request, path)
    if page is not None:
        locale = Locale.objects.filter(language_code=language).first()
        target = page.get_translation_or_none(locale) if locale else None
        if target is not None and target.live:
            return target.get_url(request) or "/"
        with translation.override(language):
            return home_url(request)
    with translation.override(path_language(path)):
        translated = translate_url(path, language)
    if translated == path and not path.startswith(f"/{language}/"):
        # Not a translatable route (or "/"): the home page in that language.
        with translation.override(language):
            return home_url(request)
    return translated


def home_url(request) -> str:
    """The current language's home page URL (falls back to the default language's)."""
    site = Site.find_for_request(request)
    if site is None:
        return "/"
    root = site.root_page.localized
    return root.get_url(request) or "/"
