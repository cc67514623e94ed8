"""Writes to the page tree."""

from django.conf import settings
from django.db import transaction
from wagtail.models import Locale, Page, Site

from .models import HomePage

DEFAULT_HOME_TITLE = "Plaza"


@transaction.atomic
def locales_ensure() -> dict[str, Locale]:
    """Make sure a Wagtail Locale exists for every interface language."""
    return {
        code: Locale.objects.get_or_create(language_code=code)[0]
        for code, _name in settings.LANGUAGES
    }


@transaction.atomic
def site_tree_ensure() -> HomePage:
    """Make sure the root, the English home page and the default Site exist.

    Idempotent. Replaces Wagtail's placeholder "Welcome" page on a fresh database; used by
    `seed_demo` and by tests (a flushed test database has no tree at all).
    """
    locales = locales_ensure()
    default = locales[settings.LANGUAGE_CODE]
    root = Page.get_first_root_node()
    if root is None:
        root = Page.add_root(title="Root", slug="root", locale=default)
    home = HomePage.objects.filter(depth=2, locale=default).first()
    if home is None:
        for placeholder in (
            root.get_children().filter(slug="home").exclude(content_type__model="homepage")
        ):
            Site.objects.filter(root_page=placeholder).delete()
            placeholder.delete()
        root.refresh_from_db()
        home = root.add_child(
            instance=HomePage(title=DEFAULT_HOME_TITLE, slug="home", locale=default)
        )
        home.save_revision().publish()
    site = Site.objects.filter(is_default_site=True).first()
    if site is None:
        Site.objects.create(
            hostname="localhost", port=80, root_page=home, is_default_site=True, site_name="Plaza"
        )
    elif site.root_page_id != home.pk:
        site.root_page = home
        site.save(update_fields=["root_page"])
    return home


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
