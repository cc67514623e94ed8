from django import template
from django.db.models import Exists, F, OuterRef
from django.db.models.lookups import StartsWith
from django.utils import translation
from wagtail.models import PageViewRestriction, Site

from cms.chrome_cache import chrome_cached

register = template.Library()


def _menu(request) -> tuple[dict | None, list[dict]]:
    """Home and the top-level pages shown in menus, as plain (pk, title, url) records."""
    site = Site.find_for_request(request)
    if site is None:
        return None, []
    home = site.root_page.localized
    # A page behind a view restriction (its own or an ancestor's) is not in the menu
    # everyone shares; as a subquery, so the menu stays one query.
    restricted = PageViewRestriction.objects.filter(StartsWith(OuterRef("path"), F("page__path")))
    children = (
        home.get_children()
        .live()
        .exclude(Exists(restricted))
        .in_menu()
        .only("id", "title", "url_path", "locale_id")
    )
    items = [{"pk": p.pk, "title": p.title, "url": p.get_url(request)} for p in children]
    return {"pk": home.pk, "url": home.get_url(request)}, items


@register.inclusion_tag("cms/includes/main_nav.html", takes_context=True)
def main_nav(context):
    """The top-level pages in the current language, marked 'show in menus'."""
    request = context.get("request")
    home, items = None, []
    if request is not None:
        # The same for every visitor of a host in a language; three to four queries to
        # find (site, locale, home, its children): cached (cms/chrome_cache.py).
        name = f"main_nav:{request.get_host()}:{translation.get_language()}"
        home, items = chrome_cached(name, lambda: _menu(request))
    return {"request": request, "home": home, "items": items, "current": context.get("page")}


@register.simple_tag(takes_context=True)
def home_panels(context):
    """Panels other apps contribute to the home page (cms depends on none of them).

    An app registers `@hooks.register("plaza_home_panels")` returning a callable
    `(request) -> str | None` (rendered HTML, already permission-filtered) with an `order`.
    """
    from core.panels import render_panels

    return render_panels("plaza_home_panels", context.get("request"))
