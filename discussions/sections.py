"""The group page's "Discussions" section (the plaza_group_page_sections hook, wagtail_hooks.py)."""

from django.template.loader import render_to_string

from core import users

from . import permissions as perms
from .selectors import threads_for_group

GROUP_PAGE_THREADS = 8


def threads(request, page) -> str:
    """Latest threads of the page's group, for people who may read them ("" otherwise)."""
    group = page.group
    if not perms.can_read_group_discussions(request.user, group):
        return ""
    return render_to_string(
        "discussions/includes/group_threads.html",
        {
            "group": group,
            "threads": threads_for_group(request.user, group, GROUP_PAGE_THREADS),
            "can_start": perms.can_start_thread(request.user, group),
            "can_moderate_group": perms.can_moderate_group(request.user, group),
            "tz": users.time_zone(request.user),
        },
        request=request,
    )
