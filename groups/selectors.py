"""Reads for working groups: the directory, localised pages, member lists, "my groups".

Every list starts from a permissions queryset, so nothing a user may not see can leak.
Each function runs a fixed number of queries whatever the number of rows.
"""

from __future__ import annotations

from collections.abc import Iterable

from django.conf import settings
from django.db.models import Case, Exists, IntegerField, OuterRef, Q, QuerySet, Value, When
from django.utils import timezone

from core import users

from . import permissions as perms
from .models import (
    GroupIndexPage,
    GroupPage,
    Invitation,
    JoinRequest,
    Membership,
    MembershipLogEntry,
    WorkingGroup,
)

SORTS = {
    "activity": ("-last_activity_at", "name"),
    "name": ("name", "pk"),
    "members": ("-member_count", "name"),
}


def directory(
    user,
    *,
    q: str = "",
    kind: str = "",
    topic: str = "",
    region: str = "",
    language: str = "",
    sort: str = "activity",
) -> QuerySet[WorkingGroup]:
    """The groups `user` may see, filtered. Name search covers every translation's title."""
    qs = perms.viewable_groups(user)
    if kind:
        qs = qs.filter(kind=kind)
    if topic:
        qs = qs.filter(topic=topic)
    if region:
        qs = qs.filter(region=region)
    if language:
        qs = qs.with_language(language)
    if q:
        titled = GroupPage.objects.filter(group=OuterRef("pk"), title__icontains=q)
        qs = qs.filter(Q(name__icontains=q) | Exists(titled))
    return qs.order_by(*SORTS.get(sort, SORTS["activity"]))


def localized_pages(groups: Iterable[WorkingGroup], language: str | None) -> dict[int, GroupPage]:
    """group id → its live page in `language`, else in the default language, else any. One query."""
    groups = list(groups)
    if not groups:
        return {}
    wanted = [language or settings.LANGUAGE_CODE, settings.LANGUAGE_CODE]
    preference = Case(
        *(When(locale__language_code=code, then=Value(rank)) for rank, code in enumerate(wanted)),
        default=Value(len(wanted)),
        output_field=IntegerField(),
    )
    pages = (
        GroupPage.objects.live()
        .filter(group__in=groups)
        .select_related("locale")
        .annotate(preference=preference)
        .order_by("group_id", "preference")
    )
    found: dict[int, GroupPage] = {}
    for page in pages:
        found.setdefault(page.group_id, page)
    return found


def attach_pages(groups: list[WorkingGroup], request, language: str | None) -> list[WorkingGroup]:
    """Give each group `.page`, `.title` and `.url` in the visitor's language (one query)."""
    pages = localized_pages(groups, language)
    for group in groups:
        page = pages.get(group.pk)
        group.page = page
        group.title = page.title if page else group.name
        group.url = (page.get_url(request) if page else "") or ""
        group.purpose = page.purpose if page else ""
    return groups


def members(group: WorkingGroup) -> QuerySet[Membership]:
    """Owners first, then moderators, then members, by name."""
    rank = Case(
        When(role=Membership.Role.OWNER, then=Value(0)),
        When(role=Membership.Role.MODERATOR, then=Value(1)),
        default=Value(2),
        output_field=IntegerField(),
    )
    return (
        group.memberships.select_related("user")
        .annotate(rank=rank)
        .order_by("rank", *users.name_ordering("user"))
    )


def coordinators(group: WorkingGroup) -> list[Membership]:
    return list(members(group).filter(role__in=perms.MODERATOR_ROLES))


def pending_requests(group: WorkingGroup) -> QuerySet[JoinRequest]:
    return group.join_requests.filter(status=JoinRequest.Status.PENDING).select_related("user")


def recent_decisions(group: WorkingGroup, limit: int = 20) -> list[JoinRequest]:
    return list(
        group.join_requests.exclude(status=JoinRequest.Status.PENDING)
        .select_related("user", "decided_by")
        .order_by("-decided_at", "-pk")[:limit]
    )


def open_invitations(group: WorkingGroup) -> QuerySet[Invitation]:
    return group.invitations.filter(
        status=Invitation.Status.PENDING, expires_at__gt=timezone.now()
    ).select_related("user", "invited_by")


def log(group: WorkingGroup) -> QuerySet[MembershipLogEntry]:
    return group.log_entries.select_related("actor", "subject")


def my_groups(user, request, language: str | None) -> dict:
    """The dashboard's "My groups": memberships, requests with their status, invitations."""
    if not user.is_authenticated:
        return {"memberships": [], "requests": [], "invitations": []}
    memberships = list(
        Membership.objects.filter(user=user)
        .select_related("group")
        .order_by("-group__last_activity_at")
    )
    requests = list(
        JoinRequest.objects.filter(user=user).select_related("group").order_by("-created_at")[:10]
    )
    invitations = list(perms.open_invitations_for(user).select_related("group", "invited_by"))
    groups = {m.group_id: m.group for m in memberships}
    # Requests to, and invitations from, secret groups reveal only what the user already knows.
    for item in (*requests, *invitations):
        groups.setdefault(item.group_id, item.group)
    attach_pages(list(groups.values()), request, language)
    for item in (*memberships, *requests, *invitations):
        item.group = groups[item.group_id]
    index = directory_page(language)
    index_url = index.get_url(request) if index else ""
    for invitation in invitations:
        invitation.answer_url = (
            index_url + index.reverse_subpage("invitation", kwargs={"token": invitation.token})
            if index
            else ""
        )
    return {
        "memberships": memberships,
        "requests": requests,
        "invitations": invitations,
        "directory_url": index_url,
    }


def directory_page(language: str | None) -> GroupIndexPage | None:
    """The live group directory page in `language` (else the default language's)."""
    pages = list(
        GroupIndexPage.objects.live()
        .filter(
            locale__language_code__in=[language or settings.LANGUAGE_CODE, settings.LANGUAGE_CODE]
        )
        .select_related("locale")
    )
    pages.sort(key=lambda p: p.locale.language_code != language)
    return pages[0] if pages else None
