"""Template tags other apps' pages may use to offer watch levels (plain POST forms).

    {% load inbox_tags %}{% thread_watch_form thread %}   on a thread page
    {% load inbox_tags %}{% group_watch_form group %}     on a group page
They render nothing for visitors who may not watch (anonymous, cannot read, banned).
Plaza's own thread page gets the thread form through the `plaza_thread_panels` hook
(inbox/wagtail_hooks.py), so discussions' templates load nothing of inbox's.
"""

from django import template

from inbox import permissions as perms
from inbox.models import WATCH_LEVEL_HELP, WatchLevel
from inbox.selectors import level_for

register = template.Library()


def thread_watch_context(request, thread) -> dict:
    user = getattr(request, "user", None)
    if not perms.can_watch_thread(user, thread):
        return {"show": False}
    level, chosen = level_for(user, group_ref=thread.group_id, thread_ref=thread.pk)
    return _context(request, "thread", thread.pk, level, chosen)


@register.inclusion_tag("inbox/includes/watch_form.html", takes_context=True)
def thread_watch_form(context, thread):
    return thread_watch_context(context.get("request"), thread)


@register.inclusion_tag("inbox/includes/watch_form.html", takes_context=True)
def group_watch_form(context, group):
    request = context.get("request")
    user = getattr(request, "user", None)
    if not perms.can_watch_group(user, group):
        return {"show": False}
    level, chosen = level_for(user, group_ref=group.pk)
    return _context(request, "group", group.pk, level, chosen)


def _context(request, scope, pk, level, chosen):
    return {
        "show": True,
        "scope": scope,
        "pk": pk,
        "level": level,
        "chosen": chosen,
        "choices": [(value, label, WATCH_LEVEL_HELP[value]) for value, label in WatchLevel.choices],
        "muted": level == WatchLevel.MUTED,
        "next": request.get_full_path() if request else "",
        "request": request,
    }


@register.inclusion_tag("inbox/includes/badge.html", takes_context=True)
def notification_badge(context):
    """The header's bell with the unread count, for any site's header (a host's too):
    `{% load inbox_tags %}{% notification_badge %}` — counted on the server, kept live by
    `{% notification_script %}`. Nothing for visitors."""
    request = context.get("request")
    user = getattr(request, "user", None)
    if user is None or not user.is_authenticated:
        return {"show": False}
    unread = context.get("inbox_unread")
    if unread is None:  # the host did not add inbox's context processor
        from inbox.selectors import unread_count

        unread = unread_count(user)
    return {"show": True, "unread": unread}


@register.simple_tag
def notification_script():
    """The live client (/ws/inbox/): badge, toasts, replay. Pages work without it."""
    from django.templatetags.static import static
    from django.utils.html import format_html

    return format_html('<script src="{}" defer></script>', static("inbox/inbox.js"))
