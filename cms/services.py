"""Writes to the page tree."""

from django.conf import settings
from django.db import transaction
from wagtail.models import Page, Site

from core.pages import locales_ensure, page_translation_ensure  # noqa: F401 - here too

from .models import HomePage

DEFAULT_HOME_TITLE = "Plaza"


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
