"""Who may see or do what in a working group. The ONLY place that answers it.

`GroupPolicy` holds each rule once (core.policy); the `can_*`, `*_groups` and
`group_*` functions below are its three forms by name. Every surface (pages, directory,
search, sitemaps, feeds, websockets, other apps) calls them. `user` may be
AnonymousUser; a site admin is `is_superuser`.

The user's role per group is cached on the user object for the length of a request
(`_ROLE_CACHE`); services call `forget(user)` after changing someone's membership.
"""

from __future__ import annotations

from functools import reduce
from operator import or_
from typing import Protocol

from django.core.exceptions import PermissionDenied
from django.db.models import Exists, OuterRef, Q, QuerySet
from django.http import Http404
from django.utils import timezone
from django.utils.translation import gettext as _
from wagtail import hooks

from core.policy import Answer, FieldIn, Policy, Rule, SiteAdmin, signed_in

from .models import Ban, Invitation, JoinRequest, Membership, WorkingGroup

_ROLE_CACHE = "_plaza_group_roles"
_BAN_CACHE = "_plaza_group_bans"
_GRANT_CACHE = "_plaza_group_grants"
MODERATOR_ROLES = (Membership.Role.MODERATOR, Membership.Role.OWNER)


_authenticated = signed_in


def is_site_admin(user) -> bool:
    return SiteAdmin().holds(user, None)


def forget(user) -> None:
    """Drop the cached roles/bans of `user` (after a membership change)."""
    for attr in (_ROLE_CACHE, _BAN_CACHE, _GRANT_CACHE):
        if user is not None and hasattr(user, attr):
            delattr(user, attr)


def prime(user, groups) -> None:
    """Load `user`'s roles for many groups in one query (lists call this)."""
    if not _authenticated(user):
        return
    cache = getattr(user, _ROLE_CACHE, None)
    if cache is None:
        cache = {}
        setattr(user, _ROLE_CACHE, cache)
    ids = [g.pk for g in groups if g.pk not in cache]
    if ids:
        found = dict(
            Membership.objects.filter(user=user, group_id__in=ids).values_list("group_id", "role")
        )
        for gid in ids:
            cache[gid] = found.get(gid)


def role_of(user, group: WorkingGroup) -> str | None:
    """The user's role in the group, or None (one query per user and group per request)."""
    if not _authenticated(user):
        return None
    cache = getattr(user, _ROLE_CACHE, None)
    if cache is None:
        cache = {}
        setattr(user, _ROLE_CACHE, cache)
    if group.pk not in cache:
        cache[group.pk] = (
            Membership.objects.filter(user=user, group=group).values_list("role", flat=True).first()
        )
    return cache[group.pk]


def is_banned(user, group: WorkingGroup) -> bool:
    if not _authenticated(user):
        return False
    cache = getattr(user, _BAN_CACHE, None)
    if cache is None:
        cache = {}
        setattr(user, _BAN_CACHE, cache)
    if group.pk not in cache:
        cache[group.pk] = Ban.objects.filter(user=user, group=group).exists()
    return cache[group.pk]


def is_member(user, group: WorkingGroup) -> bool:
    return role_of(user, group) is not None


def is_owner(user, group: WorkingGroup) -> bool:
    return role_of(user, group) == Membership.Role.OWNER


# --- the policy ----------------------------------------------------------------------


class HasRole(Rule):
    """The user is a member of the group, with one of `roles` if given."""

    def __init__(self, *roles: str):
        self.roles = roles

    def holds(self, user, group) -> bool:
        role = role_of(user, group)
        return role is not None and (not self.roles or role in self.roles)

    def _memberships(self):
        qs = Membership.objects.all()
        return qs.filter(role__in=self.roles) if self.roles else qs

    def objects(self, user) -> Answer:
        if not signed_in(user):
            return False
        return Q(Exists(self._memberships().filter(group=OuterRef("pk"), user=user)))

    def users(self, group) -> Answer:
        return Q(Exists(self._memberships().filter(group_id=group.pk, user=OuterRef("pk"))))


class GroupGrant(Protocol):
    """A power over groups that another app grants (registered with the Wagtail hook
    `plaza_group_grants`; partners: an association's moderators moderate the groups whose
    page lives in its section). Both methods return subqueries, so lists stay one query."""

    power: str  # "moderate"

    def group_ids(self, user) -> QuerySet:
        """Ids of the groups `user` holds the power over (a `values()` queryset)."""

    def user_ids(self, group: WorkingGroup) -> QuerySet:
        """Ids of the users holding the power over `group` (a `values()` queryset)."""


def grants(power: str) -> list[GroupGrant]:
    return [
        g for g in (hook() for hook in hooks.get_hooks("plaza_group_grants")) if g.power == power
    ]


class Granted(Rule):
    """Another app grants the user `power` over the group (see GroupGrant)."""

    def __init__(self, power: str):
        self.power = power

    def holds(self, user, group) -> bool:
        return signed_in(user) and group.pk in _granted_ids(user, self.power)

    def objects(self, user) -> Answer:
        if not signed_in(user):
            return False
        return _any_q([Q(pk__in=g.group_ids(user)) for g in grants(self.power)])

    def users(self, group) -> Answer:
        return _any_q([Q(pk__in=g.user_ids(group)) for g in grants(self.power)])


def _any_q(qs: list[Q]) -> Answer:
    return reduce(or_, qs) if qs else False


def _granted_ids(user, power: str) -> set[int]:
    """The groups granted to `user` (one query per power and user object, when reached)."""
    cache = getattr(user, _GRANT_CACHE, None)
    if cache is None:
        cache = {}
        setattr(user, _GRANT_CACHE, cache)
    if power not in cache:
        granted = Granted(power).objects(user)
        cache[power] = (
            set(WorkingGroup.objects.filter(granted).values_list("pk", flat=True))
            if granted is not False
            else set()
        )
    return cache[power]


_MEMBER = HasRole()
_GRANTED_MODERATION = Granted("moderate")
# The group's own moderators: by role or by grant. Site admins may moderate every group
# but are not told about every group's queue.
_REVIEWER = HasRole(*MODERATOR_ROLES) | _GRANTED_MODERATION


class GroupPolicy(Policy):
    """Who may do what to a working group. Every rule is written once, here; every surface
    (pages, lists, search, sitemaps, feeds, files, notifications, websockets) asks it.

    - view: know the group exists (secret groups: members, moderators by grant, admins);
    - read: its threads, posts, member list and members' note;
    - post: start threads and reply (members; a ban removes the membership);
    - moderate: approve, invite, remove, ban, move, read the log;
    - review: be told about the moderation queue (moderators by role or grant);
    - manage: settings and the moderator team.
    """

    model = WorkingGroup
    rules = {
        "view": SiteAdmin()
        | FieldIn("visibility", [WorkingGroup.Visibility.PUBLIC, WorkingGroup.Visibility.MEMBERS])
        | _MEMBER
        | _GRANTED_MODERATION,
        "read": SiteAdmin()
        | FieldIn("visibility", [WorkingGroup.Visibility.PUBLIC])
        | _MEMBER
        | _GRANTED_MODERATION,
        "post": _MEMBER,
        "moderate": SiteAdmin() | _REVIEWER,
        "review": _REVIEWER,
        "manage": SiteAdmin() | HasRole(Membership.Role.OWNER),
    }


group_policy = GroupPolicy()


# --- the questions, by name (each one line over the policy) ----------------------------


def can_view_group(user, group: WorkingGroup) -> bool:
    """May the user know the group exists? (Secret groups answer 404 to the others.)"""
    return group_policy.user_has_permission_for_instance(user, "view", group)


def can_read_content(user, group: WorkingGroup) -> bool:
    """Threads, posts, the member list, the members' note."""
    return group_policy.user_has_permission_for_instance(user, "read", group)


def can_post(user, group: WorkingGroup) -> bool:
    """Members (of any role) may write; banned users are not members."""
    return group_policy.user_has_permission_for_instance(user, "post", group)


def can_moderate(user, group: WorkingGroup) -> bool:
    """Approve/decline, invite, remove, ban, promote/demote, read the log."""
    return group_policy.user_has_permission_for_instance(user, "moderate", group)


def can_manage(user, group: WorkingGroup) -> bool:
    """Group settings and the moderator team: owners and site admins."""
    return group_policy.user_has_permission_for_instance(user, "manage", group)


def can_create_group(user) -> bool:
    return is_site_admin(user)


# --- joining --------------------------------------------------------------------------


def can_join(user, group: WorkingGroup) -> bool:
    """Join in one click: open groups, signed in, not yet a member, not banned."""
    return (
        _authenticated(user)
        and group.join_policy == WorkingGroup.JoinPolicy.OPEN
        and can_view_group(user, group)
        and not is_member(user, group)
        and not is_banned(user, group)
    )


def can_request_to_join(user, group: WorkingGroup) -> bool:
    """Ask to join an on-request group (one pending request at a time)."""
    return (
        _authenticated(user)
        and group.join_policy == WorkingGroup.JoinPolicy.REQUEST
        and can_view_group(user, group)
        and not is_member(user, group)
        and not is_banned(user, group)
        and not pending_request_of(user, group)
    )


def pending_request_of(user, group: WorkingGroup) -> JoinRequest | None:
    if not _authenticated(user):
        return None
    return JoinRequest.objects.filter(
        user=user, group=group, status=JoinRequest.Status.PENDING
    ).first()


def can_leave(user, group: WorkingGroup) -> bool:
    """Members may leave; the last owner must hand over first."""
    role = role_of(user, group)
    if role is None:
        return False
    if role == Membership.Role.OWNER:
        return group.memberships.filter(role=Membership.Role.OWNER).exclude(user=user).exists()
    return True


def can_change_role(actor, group: WorkingGroup, target: Membership, new_role: str) -> bool:
    """Moderators promote members to moderator and demote moderators; only owners (and site
    admins) touch the owner role or other owners."""
    if (
        not can_moderate(actor, group)
        or new_role not in Membership.Role.values
        or target.role == new_role
    ):
        return False
    touches_owner = Membership.Role.OWNER in (target.role, new_role)
    if touches_owner and not can_manage(actor, group):
        return False
    if target.role == Membership.Role.OWNER and new_role != Membership.Role.OWNER:
        # Demoting an owner is fine only if another owner remains.
        return group.memberships.filter(role=Membership.Role.OWNER).exclude(pk=target.pk).exists()
    return True


def can_remove_member(actor, group: WorkingGroup, target: Membership) -> bool:
    """Moderators remove members; owners/site admins also moderators; nobody removes an owner
    except another owner/site admin; nobody removes themselves (that is leaving)."""
    if not can_moderate(actor, group) or target.user_id == getattr(actor, "pk", None):
        return False
    if target.role == Membership.Role.MODERATOR and not can_manage(actor, group):
        return False
    if target.role == Membership.Role.OWNER:
        return (
            can_manage(actor, group)
            and group.memberships.filter(role=Membership.Role.OWNER).exclude(pk=target.pk).exists()
        )
    return True


def can_ban(actor, group: WorkingGroup, target_user) -> bool:
    """Moderators ban non-moderators; banning a moderator/owner needs an owner or site admin."""
    if not can_moderate(actor, group) or target_user.pk == getattr(actor, "pk", None):
        return False
    role = (
        Membership.objects.filter(group=group, user=target_user)
        .values_list("role", flat=True)
        .first()
    )
    if role == Membership.Role.OWNER:
        return (
            can_manage(actor, group)
            and group.memberships.filter(role=Membership.Role.OWNER)
            .exclude(user=target_user)
            .exists()
        )
    if role == Membership.Role.MODERATOR:
        return can_manage(actor, group)
    return not target_user.is_superuser


# --- querysets (single queries; for lists, search, counts, sitemaps, feeds) -----------


def viewable_groups(user) -> QuerySet[WorkingGroup]:
    """Groups whose existence the user may know about."""
    return group_policy.instances_user_has_permission_for(user, "view")


def readable_groups(user) -> QuerySet[WorkingGroup]:
    """Groups whose content (threads, posts, members) the user may read."""
    return group_policy.instances_user_has_permission_for(user, "read")


def postable_groups(user) -> QuerySet[WorkingGroup]:
    """Groups the user may write in (start threads, propose ideas)."""
    return group_policy.instances_user_has_permission_for(user, "post")


def moderated_groups(user) -> QuerySet[WorkingGroup]:
    """Groups the user moderates (all groups for a site admin)."""
    return group_policy.instances_user_has_permission_for(user, "moderate")


def group_readers(group: WorkingGroup) -> QuerySet:
    """Active accounts that may read the group's content."""
    return group_policy.users_with_permission_for_instance("read", group)


def group_moderators(group: WorkingGroup) -> QuerySet:
    """Active accounts that moderate the group (site admins included)."""
    return group_policy.users_with_permission_for_instance("moderate", group)


def group_reviewers(group: WorkingGroup) -> QuerySet:
    """Active accounts told about the group's moderation queue (not every site admin)."""
    return group_policy.users_with_permission_for_instance("review", group)


def invitation_is_for(user, invitation: Invitation) -> bool:
    """Is this invitation addressed to `user` (by account or by a verified email)?"""
    if not _authenticated(user):
        return False
    if invitation.user_id is not None:
        return invitation.user_id == user.pk
    from allauth.account.models import EmailAddress

    return EmailAddress.objects.filter(
        user=user, email__iexact=invitation.email, verified=True
    ).exists()


def open_invitations_for(user) -> QuerySet[Invitation]:
    if not _authenticated(user):
        return Invitation.objects.none()
    return Invitation.objects.filter(
        user=user, status=Invitation.Status.PENDING, expires_at__gt=timezone.now()
    )


# --- check_* variants (raise) ---------------------------------------------------------


def check_can_view_group(user, group: WorkingGroup) -> None:
    """Secret groups answer 404 (not 403): non-members must not learn they exist."""
    if not can_view_group(user, group):
        raise Http404(_("No such group."))


def check_can_read_content(user, group: WorkingGroup) -> None:
    check_can_view_group(user, group)
    if not can_read_content(user, group):
        raise PermissionDenied(_("Only members of this group can see this."))


def check_can_post(user, group: WorkingGroup) -> None:
    check_can_view_group(user, group)
    if is_banned(user, group):
        raise PermissionDenied(_("You are banned from this group."))
    if not can_post(user, group):
        raise PermissionDenied(_("Only members of this group can write here."))


def check_can_moderate(user, group: WorkingGroup) -> None:
    check_can_view_group(user, group)
    if not can_moderate(user, group):
        raise PermissionDenied(_("Only the group's moderators can do this."))


def check_can_manage(user, group: WorkingGroup) -> None:
    check_can_view_group(user, group)
    if not can_manage(user, group):
        raise PermissionDenied(_("Only the group's owners can do this."))
