"""Wiring only: the groups panel on the home page, the files rule, the editor warnings."""

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


@hooks.register("after_create_page")
@hooks.register("after_edit_page")
def _warn_about_public_files(request, page):
    """An editor links meeting minutes from a members-only note: say so when the file
    itself is open to anyone, and where to move it."""
    from django.contrib import messages
    from django.utils.translation import gettext as _

    from .files_rule import public_files_in_members_note
    from .models import GroupPage

    page = page.specific
    if not isinstance(page, GroupPage):
        return None
    names = public_files_in_members_note(page)
    if names:
        collection = page.group.collection.name if page.group.collection_id else ""
        messages.warning(
            request,
            _(
                "The members' note links files that anyone can open: %(names)s. "
                "Move them to the collection “%(collection)s” to keep them for members."
            )
            % {"names": ", ".join(names), "collection": collection},
        )
    return None
