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


@hooks.register("plaza_collection_rules")
def _group_files_rule():
    from .files_rule import GroupFilesRule

    return GroupFilesRule()


@hooks.register("plaza_hidden_pages")
def _hidden_group_pages(user):
    """Pages of groups `user` may not know exist (site search filters them out)."""
    from .models import GroupPage
    from .permissions import viewable_groups

    return GroupPage.objects.exclude(group__in=viewable_groups(user)).values("pk")
