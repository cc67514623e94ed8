"""Wiring only: the groups panel on the home page."""

from django.template.loader import render_to_string
from django.utils import translation
from wagtail import hooks

from . import selectors


def _home_panel(request):
    """The most active groups the visitor may see, in their language."""
    if request is None:
        return None
    language = translation.get_language()
    groups = list(selectors.directory(request.user, sort="activity")[:5])
    if not groups:
        return None
    selectors.attach_pages(groups, request, language)
    return render_to_string(
        "groups/includes/home_panel.html",
        {"groups": [g for g in groups if g.url], "directory": selectors.directory_page(language)},
        request=request,
    )


_home_panel.order = 10
hooks.register("plaza_home_panels", _home_panel)
