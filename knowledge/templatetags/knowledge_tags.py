"""Template tags other apps' templates include (one line each)."""

from django import template
from django.utils import translation

register = template.Library()


@register.inclusion_tag("knowledge/includes/dashboard_box.html", takes_context=True)
def knowledge_dashboard(context):
    """On "My Plaza": my upcoming events, my project ideas, my expert profile."""
    from django.utils import timezone

    from .. import selectors
    from ..models import EventPage, EventRegistration, ExpertProfile, ProjectIdea
    from ..permissions import visible_events

    request = context.get("request")
    user = request.user
    keys = EventRegistration.objects.filter(user=user).exclude(
        status=EventRegistration.Status.CANCELLED
    )
    status = dict(keys.values_list("event_key", "status"))
    events = list(
        selectors.events_in(
            translation.get_language(),
            visible_events(
                user,
                EventPage.objects.filter(
                    translation_key__in=list(status), ends_at__gte=timezone.now()
                ),
            ),
        ).order_by("starts_at")[:10]
    )
    for event in events:
        event.my_status = status.get(event.translation_key)
    ideas = list(
        ProjectIdea.objects.filter(team__user=user)
        .select_related("group")
        .order_by("-updated_at")[:10]
    )
    profile = ExpertProfile.objects.filter(user=user).first()
    return {"request": request, "events": events, "ideas": ideas, "profile": profile}


@register.inclusion_tag("knowledge/includes/group_box.html", takes_context=True)
def group_knowledge(context, group):
    """On a group page: its project ideas, its next events, its calendar feed (as the
    viewer may see them)."""
    from django.utils import timezone

    from .. import permissions, selectors
    from ..models import EventIndexPage, EventPage

    request = context.get("request")
    user = request.user
    ideas = (
        list(permissions.viewable_ideas(user).filter(group=group).order_by("-updated_at")[:5])
        if permissions.can_view_idea_list(user, group)
        else []
    )
    events = list(
        selectors.events_in(
            translation.get_language(),
            permissions.visible_events(
                user, EventPage.objects.filter(group=group, ends_at__gte=timezone.now())
            ),
        ).order_by("starts_at")[:5]
    )
    index = EventIndexPage.objects.filter(locale__language_code=translation.get_language()).first()
    feed = f"{index.url}{index.reverse_subpage('group_feed', args=[group.slug])}" if index else ""
    return {
        "request": request,
        "group": group,
        "ideas": ideas,
        "events": events,
        "feed": feed,
        "can_create_idea": permissions.can_create_idea(user, group),
    }
