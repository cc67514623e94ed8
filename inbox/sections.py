"""The group page's "Notifications for this group" control (a group page section:
the plaza_group_page_sections hook, wagtail_hooks.py).

A member chooses how closely they follow a group where they read it, not only in the
notification settings.
"""

from django.template.loader import render_to_string

from .templatetags.inbox_tags import group_watch_form


def group_watch(request, page) -> str:
    """The watch-level form for the page's group ("" for visitors who may not watch it)."""
    context = group_watch_form({"request": request}, page.group)
    if not context.get("show"):
        return ""
    return render_to_string("inbox/includes/watch_form.html", context, request=request)
