from django import template
from django.core.cache import cache
from django.utils import translation
from wagtail.models import Site

register = template.Library()

# The menu is the same for every visitor of a host in a language, and finding it costs three
# to four queries (site, locale, home, its children) on every page. It is cached for a
# minute under a version that every page, site or locale save or delete bumps (cms/apps.py),
# so an edit shows at once in the process that made it and within NAV_CACHE_SECONDS in the
# others (the default cache is per process).
NAV_CACHE_SECONDS = 60
NAV_VERSION_KEY = "plaza:main_nav:version"


def nav_version_bump(**kwargs) -> None:
    """Forget every cached menu (signal receiver: pages, sites, locales changed)."""
    try:
        cache.incr(NAV_VERSION_KEY)
    except ValueError:
        cache.set(NAV_VERSION_KEY, 1, None)


def _menu(request) -> tuple[dict | None, list[dict]]:
    """Home and the top-level pages shown in menus, as plain (pk, title, url) records."""
    site = Site.find_for_request(request)
    if site is None:
        return None, []
    home = site.root_page.localized
    children = home.get_children().live().in_menu().only("id", "title", "url_path", "locale_id")
    items = [{"pk": p.pk, "title": p.title, "url": p.get_url(request)} for p in children]
    return {"pk": home.pk, "url": home.get_url(request)}, items


@register.inclusion_tag("cms/includes/main_nav.html", takes_context=True)
def main_nav(context):
    """The top-level pages in the current language, marked 'show in menus'."""
    request = context.get("request")
    home, items = None, []
    if request is not None:
        version = cache.get_or_set(NAV_VERSION_KEY, 0, None)
        key = f"plaza:main_nav:{version}:{request.get_host()}:{translation.get_language()}"
        cached = cache.get(key)
        if cached is None:
            cached = _menu(request)
            cache.set(key, cached, NAV_CACHE_SECONDS)
        home, items = cached
    return {"request": request, "home": home, "items": items, "current": context.get("page")}


@register.simple_tag(takes_context=True)
def home_panels(context):
    """Panels other apps contribute to the home page (cms depends on none of them).

    An app registers `@hooks.register("plaza_home_panels")` returning a callable
    `(request) -> str | None` (rendered HTML, already permission-filtered) with an `order`.
    """
    from django.utils.html import format_html_join
    from django.utils.safestring import SafeString
    from wagtail import hooks

    request = context.get("request")
    rendered = []
    for panel in sorted(hooks.get_hooks("plaza_home_panels"), key=lambda p: getattr(p, "order", 100)):
        html = panel(request)
        if html:
            # Panels render through Django templates, which escape user content.
            rendered.append((SafeString(html),))
    return format_html_join("\n", "{}", rendered)
