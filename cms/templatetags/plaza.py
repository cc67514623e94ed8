from django import template
from wagtail.models import Site

register = template.Library()


@register.inclusion_tag("cms/includes/main_nav.html", takes_context=True)
def main_nav(context):
    """The top-level pages in the current language, marked 'show in menus'."""
    request = context.get("request")
    site = Site.find_for_request(request) if request else None
    items = []
    home = None
    if site is not None:
        home = site.root_page.localized
        items = list(home.get_children().live().in_menu().only("id", "title", "url_path", "locale_id"))
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
