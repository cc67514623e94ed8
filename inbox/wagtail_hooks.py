"""Wiring: what the inbox adds to other apps' pages (the decisions live in permissions.py)."""

from django.template.loader import render_to_string
from wagtail import hooks

from .templatetags.inbox_tags import thread_watch_context


def _thread_panel(request, thread):
    """On a thread page: how closely the reader follows it."""
    context = thread_watch_context(request, thread)
    if not context["show"]:
        return None
    return render_to_string("inbox/includes/watch_form.html", context, request=request)


_thread_panel.order = 20
hooks.register("plaza_thread_panels", _thread_panel)


def _group_page_section(request, page):
    from .sections import group_watch

    return group_watch(request, page)


_group_page_section.order = 5
hooks.register("plaza_group_page_sections", _group_page_section)
