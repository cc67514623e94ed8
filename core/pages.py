"""Where a plugin's pages may stand in a host's page tree.

Plaza's apps install into other Wagtail sites, whose home page is not `cms.HomePage`. An
index page's `parent_page_types` comes from a setting the app names (its `conf.py`), any
page by default; page types of apps the host did not install are left out, so an optional
app (partners) named in a list does not fail the host's `manage.py check`.
"""

from __future__ import annotations

from django.apps import apps
from django.conf import settings
from django.db import transaction
from wagtail.models import Locale, Page, Site

ANY_PAGE = ["wagtailcore.Page"]


def installed(labels) -> list[str]:
    """Of these "app_label.Model" names, those whose app is installed."""
    present = {config.label for config in apps.get_app_configs()}
    return [label for label in labels if label.split(".")[0] in present]


def parent_page_types(setting: str, default=None) -> list[str]:
    """`settings.<setting>` (or `default`, else any page), installed apps only."""
    chosen = getattr(settings, setting, None) or default or ANY_PAGE
    return installed(chosen) or ANY_PAGE


@transaction.atomic
def locales_ensure() -> dict[str, Locale]:
    """Make sure a Wagtail Locale exists for every interface language."""
    return {
        code: Locale.objects.get_or_create(language_code=code)[0]
        for code, _name in settings.LANGUAGES
    }


@transaction.atomic
def page_translation_ensure(*, page: Page, language: str, **fields: object) -> Page:
    """Return the published translation of `page` in `language`, creating it if missing.

    `fields` (title, intro, ...) are written only when the translation is created, so a
    translator's later edits are never overwritten.
    """
    locale = Locale.objects.get(language_code=language)
    existing = page.get_translation_or_none(locale)
    if existing is not None:
        return existing.specific
    translation = page.specific.copy_for_translation(locale).specific
    for name, value in fields.items():
        setattr(translation, name, value)
    translation.save_revision().publish()
    translation.refresh_from_db()
    return translation


def home_page() -> Page:
    """The page Plaza's index pages go under: what the `plaza_home_page` hook returns
    (Plaza's own site: its home page, the tree made on a fresh database), else the host's
    default site's root page."""
    from wagtail import hooks

    for hook in hooks.get_hooks("plaza_home_page"):
        return hook()
    site = Site.objects.filter(is_default_site=True).select_related("root_page").first()
    if site is None:
        raise LookupError("No default Wagtail site: create one in the admin first.")
    return site.root_page.specific
