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
