"""Wiring only: funding opportunities are snippets editors manage in the Wagtail admin; the
admin dashboard lists practice drafts awaiting an editor; the home page shows a panel."""

from django.utils.translation import gettext_lazy as _
from wagtail import hooks
from wagtail.admin.ui.components import Component
from wagtail.snippets.models import register_snippet
from wagtail.snippets.views.snippets import SnippetViewSet

from .models import FundingOpportunity


class FundingOpportunityViewSet(SnippetViewSet):
    model = FundingOpportunity
    icon = "tag"
    menu_label = _("Funding")
    add_to_admin_menu = True
    menu_order = 300
    list_display = ["programme", "funder", "deadline"]
    list_filter = ["currency"]
    search_fields = ["funder", "programme", "description"]
    ordering = ["deadline"]


register_snippet(FundingOpportunityViewSet)


@hooks.register("register_admin_viewset")
def register_member_chooser():
    from .choosers import member_chooser_viewset

    return member_chooser_viewset


class PracticeDraftsPanel(Component):
    """Admin dashboard: drafts proposed by moderators (or seeded from projects) that this
    editor may complete and publish — otherwise nobody would know they are waiting."""

    name = "knowledge_practice_drafts"
    template_name = "knowledge/admin/practice_drafts_panel.html"
    order = 90  # above Wagtail's own panels: these wait for an editor

    def __init__(self, drafts):
        self.drafts = drafts

    def get_context_data(self, parent_context=None):
        return {"drafts": self.drafts}


@hooks.register("construct_homepage_panels")
def practice_drafts_panel(request, panels):
    from .selectors import practice_drafts_for

    drafts = practice_drafts_for(request.user)
    if drafts:
        panels.append(PracticeDraftsPanel(drafts))


def _home_panel(request):
    """Home page: the newest good practices and the next events (as the visitor may see them)."""
    from django.template.loader import render_to_string
    from django.utils import translation

    from . import selectors
    from .models import EventIndexPage, EventPage, GoodPracticeIndexPage
    from .permissions import visible_events
    from .views import viewer_zone

    language = translation.get_language()
    practices = list(
        selectors.practice_representatives(language)
        .select_related("locale")
        .order_by("-first_published_at", "-pk")[:3]
    )
    events = list(
        selectors.upcoming(
            selectors.events_in(language, visible_events(request.user, EventPage.objects.all()))
        ).select_related("locale")[:3]
    )
    for event in events:
        event.display_zone = viewer_zone(request, event.zone)
    if not practices and not events:
        return None
    in_language = {"locale__language_code": language}
    indexes = {
        "practices_index": GoodPracticeIndexPage.objects.filter(**in_language).first(),
        "events_index": EventIndexPage.objects.filter(**in_language).first(),
    }
    return render_to_string(
        "knowledge/includes/home_panel.html",
        {"practices": practices, "events": events, **indexes},
        request=request,
    )


_home_panel.order = 30
hooks.register("plaza_home_panels", _home_panel)


def _thread_panel(request, thread):
    """On a thread page: the good practices it is linked to, and for the group's
    moderators the "Propose as good practice" button."""
    from django.template.loader import render_to_string
    from django.utils import translation

    from . import permissions, selectors

    user = getattr(request, "user", None)
    practices = selectors.thread_practices(user, thread, translation.get_language())
    proposed = any(p["kind"] == "source" for p in practices)
    can_propose = (
        user is not None
        and permissions.can_propose_practice(user, thread.group)
        and thread.status == "published"
        and not proposed
    )
    if not practices and not can_propose:
        return None
    return render_to_string(
        "knowledge/includes/thread_box.html",
        {"thread": thread, "practices": practices, "can_propose": can_propose},
        request=request,
    )


_thread_panel.order = 10
hooks.register("plaza_thread_panels", _thread_panel)


@hooks.register("plaza_hidden_pages")
def _hidden_events(user):
    """Events `user` may not see: members-only ones, a secret group's (site search)."""
    from .models import EventPage
    from .permissions import visible_events

    return EventPage.objects.exclude(pk__in=visible_events(user).values("pk")).values("pk")
