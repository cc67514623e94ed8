"""Template tags other apps' templates include (one line each)."""

from django import template
from django.utils import translation

register = template.Library()


@register.inclusion_tag("knowledge/includes/thread_box.html", takes_context=True)
def thread_knowledge(context, thread):
    """On a thread page: the good practices it is linked to, and for the group's moderators
    the "Propose as good practice" button."""
    from .. import permissions, selectors

    request = context.get("request")
    user = getattr(request, "user", None)
    practices = selectors.thread_practices(user, thread, translation.get_language())
    proposed = any(p["kind"] == "source" for p in practices)
    can_propose = (user is not None and permissions.can_propose_practice(user, thread.group)
                   and thread.status == "published" and not proposed)
    return {"request": request, "thread": thread, "practices": practices, "can_propose": can_propose,
            "csrf_token": context.get("csrf_token")}
