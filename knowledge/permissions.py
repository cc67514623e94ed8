"""Who may see or do what with practices, experts, events and project ideas. The ONLY place.

Group-bound things defer to `groups.permissions` (a secret group's event or project idea
is as invisible as the group). `user` may be AnonymousUser.
"""

from __future__ import annotations

from django.core.exceptions import PermissionDenied
from django.db.models import Exists, OuterRef, Q, QuerySet
from django.http import Http404
from django.utils.translation import gettext as _

from core.policy import (
    Answer,
    FieldIn,
    FieldIsNull,
    IsUser,
    Policy,
    Rule,
    SignedIn,
    Through,
    filtered,
    signed_in,
)
from groups import permissions as group_perms
from groups.models import WorkingGroup

from .models import ContactRequest, EventPage, ExpertProfile, ProjectIdea, ProjectTeamMember

_authenticated = signed_in


def is_site_admin(user) -> bool:
    return group_perms.is_site_admin(user)


# --- good practices -----------------------------------------------------------------------


def discussion_groups(user, page) -> list[WorkingGroup]:
    """The practice's related groups the user may start a thread in."""
    if not _authenticated(user):
        return []
    from discussions.permissions import can_start_thread

    groups = [link.group for link in page.related_groups.select_related("group")]
    group_perms.prime(user, groups)
    return [g for g in groups if can_start_thread(user, g)]


def can_propose_practice(user, group: WorkingGroup) -> bool:
    """Turning a thread into a draft practice is a moderator's call in that group."""
    return _authenticated(user) and group_perms.can_moderate(user, group)


def can_edit_page(user, page) -> bool:
    """Wagtail's page permissions decide (site editors; a partner section's own editors)."""
    return _authenticated(user) and page.permissions_for_user(user).can_edit()


def editable_pages(user, queryset: QuerySet) -> QuerySet:
    """The pages of `queryset` the user may edit: the same Wagtail page permissions as
    `can_edit_page`, as one query."""
    if not _authenticated(user):
        return queryset.none()
    from wagtail.permission_policies.pages import PagePermissionPolicy

    editable = PagePermissionPolicy().instances_user_has_any_permission_for(user, ["change"])
    return queryset.filter(pk__in=editable.values("pk"))


def groups_for_editor(user, *, current=None) -> QuerySet[WorkingGroup]:
    """The groups an editor may relate a practice to in the admin: those they may know
    about, and the one already chosen (so saving never drops it unseen)."""
    visible = Q(pk__in=group_perms.viewable_groups(user).values("pk"))
    if current:
        visible |= Q(pk=getattr(current, "pk", current))
    return WorkingGroup.objects.filter(visible).order_by("name")


def visible_groups_of(user, groups) -> list[WorkingGroup]:
    """Which of these groups may the user know about (secret ones stay hidden)."""
    group_perms.prime(user, groups)
    return [g for g in groups if group_perms.can_view_group(user, g)]


# --- expert pool and contact --------------------------------------------------------------


def listed_profiles() -> QuerySet[ExpertProfile]:
    """The directory's people: listed, active members. Nobody else ever appears."""
    return ExpertProfile.objects.filter(listed=True, user__is_active=True)


def can_view_directory(viewer) -> bool:
    """The people directory is for signed-in members: listed practitioners are found by
    peers, not by scrapers (the opt-in promises "other members can then find you")."""
    return _authenticated(viewer)


class ProfilePolicy(Policy):
    """Who may see an expert profile: signed-in members see listed, active members'
    profiles, and everyone their own."""

    model = ExpertProfile
    rules = {
        "view": SignedIn()
        & (IsUser("user") | (FieldIn("listed", [True]) & FieldIn("user__is_active", [True]))),
    }


profile_policy = ProfilePolicy()


def can_view_profile(viewer, profile: ExpertProfile | None) -> bool:
    return profile is not None and profile_policy.user_has_permission_for_instance(
        viewer, "view", profile
    )


def can_contact(sender, recipient) -> bool:
    """Members write to listed members, and to anyone who wrote to them first (a reply)."""
    if (
        not _authenticated(sender)
        or recipient is None
        or not recipient.is_active
        or sender.pk == recipient.pk
    ):
        return False
    if ExpertProfile.objects.filter(user=recipient, listed=True).exists():
        return True
    return ContactRequest.objects.filter(sender=recipient, recipient=sender).exists()


def check_can_contact(sender, recipient) -> None:
    if not _authenticated(sender):
        raise PermissionDenied(_("Please log in first."))
    if not can_contact(sender, recipient):
        raise Http404(_("No such member in the directory."))


# --- events -------------------------------------------------------------------------------


def _group(action: str) -> Through:
    return Through("group", group_perms.group_policy, action)


class EventPolicy(Policy):
    """Who may see an event: live events are public, except a group-only event (the
    group's readers) and a secret group's events (those who may know the group)."""

    model = EventPage
    rules = {
        "view": FieldIn("live", [True])
        & (
            FieldIsNull("group_id")
            | (_group("view") & (FieldIn("audience", [EventPage.Audience.PUBLIC]) | _group("read")))
        ),
    }


event_policy = EventPolicy()


def can_view_event(user, event: EventPage) -> bool:
    return event_policy.user_has_permission_for_instance(user, "view", event)


def visible_events(user, queryset: QuerySet[EventPage] | None = None) -> QuerySet[EventPage]:
    """The same rule as `can_view_event`, as one query (lists, feeds, search)."""
    qs = queryset if queryset is not None else EventPage.objects.all()
    return filtered(qs, event_policy.rule("view").objects(user))


def event_viewers(event: EventPage) -> QuerySet:
    """Active accounts that may see the event."""
    return event_policy.users_with_permission_for_instance("view", event)


def can_register(user, event: EventPage) -> bool:
    return _authenticated(user) and can_view_event(user, event) and event.registration_enabled


def can_manage_event(user, event: EventPage) -> bool:
    """Organisers: the page's editors (site or partner section) and the group's moderators."""
    if not _authenticated(user):
        return False
    if is_site_admin(user) or can_edit_page(user, event):
        return True
    return event.group is not None and group_perms.can_moderate(user, event.group)


def can_see_online_link(user, event: EventPage, registration) -> bool:
    from .models import EventRegistration

    if can_manage_event(user, event):
        return True
    return registration is not None and registration.status == EventRegistration.Status.CONFIRMED


def check_can_view_event(user, event: EventPage) -> None:
    if not can_view_event(user, event):
        if event.group is not None and group_perms.can_view_group(user, event.group):
            raise PermissionDenied(_("This event is for members of the organising group."))
        raise Http404(_("No such event."))


def check_can_manage_event(user, event: EventPage) -> None:
    check_can_view_event(user, event)
    if not can_manage_event(user, event):
        raise PermissionDenied(_("Only the event's organisers can do this."))


# --- project ideas ------------------------------------------------------------------------


class OnTeam(Rule):
    """The user is on the project idea's team (cached per idea object)."""

    def holds(self, user, idea) -> bool:
        return is_team_member(user, idea)

    def objects(self, user) -> Answer:
        if not signed_in(user):
            return False
        return Q(Exists(ProjectTeamMember.objects.filter(idea=OuterRef("pk"), user=user)))

    def users(self, idea) -> Answer:
        return Q(pk__in=ProjectTeamMember.objects.filter(idea_id=idea.pk).values("user_id"))


class IdeaPolicy(Policy):
    """Project ideas are content of their group: its readers see them; the team and the
    group's moderators change them."""

    model = ProjectIdea
    rules = {
        "view": _group("read"),
        "edit": SignedIn() & _group("read") & (OnTeam() | _group("moderate")),
    }


idea_policy = IdeaPolicy()


def viewable_ideas(user) -> QuerySet[ProjectIdea]:
    """Ideas of groups whose content the user may read."""
    return idea_policy.instances_user_has_permission_for(user, "view")


def can_view_idea_list(user, group: WorkingGroup) -> bool:
    """A group's project ideas are content of the group."""
    return group_perms.can_read_content(user, group)


def can_view_idea(user, idea: ProjectIdea) -> bool:
    return idea_policy.user_has_permission_for_instance(user, "view", idea)


def can_create_idea(user, group: WorkingGroup) -> bool:
    return _authenticated(user) and group_perms.can_post(user, group)


def is_team_member(user, idea: ProjectIdea) -> bool:
    if not _authenticated(user):
        return False
    cache = idea.__dict__.setdefault("_team_ids", None)
    if cache is None:
        cache = set(idea.team.values_list("user_id", flat=True))
        idea.__dict__["_team_ids"] = cache
    return user.pk in cache


def can_edit_idea(user, idea: ProjectIdea) -> bool:
    """The team and the group's moderators (site admins too)."""
    return idea_policy.user_has_permission_for_instance(user, "edit", idea)


def check_can_view_idea(user, idea: ProjectIdea) -> None:
    group_perms.check_can_read_content(user, idea.group)


def check_can_edit_idea(user, idea: ProjectIdea) -> None:
    check_can_view_idea(user, idea)
    if not can_edit_idea(user, idea):
        raise PermissionDenied(
            _("Only the project team and the group's moderators can change this.")
        )


def check_can_create_idea(user, group: WorkingGroup) -> None:
    group_perms.check_can_post(user, group)
