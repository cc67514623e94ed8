"""Who may see or do what in a working group. The ONLY place that answers it.

Every surface (pages, directory, search, sitemaps, feeds, websockets, other apps) calls
these functions. `user` may be AnonymousUser; a site admin is `is_superuser`.

The user's role per group is cached on the user object for the length of a request
(`_ROLE_CACHE`); services call `forget(user)` after changing someone's membership.
"""

from __future__ import annotations

from django.core.exceptions import PermissionDenied
from django.db.models import Exists, OuterRef, Q, QuerySet
from django.http import Http404
from django.utils import timezone
from django.utils.translation import gettext as _

from .models import Ban, Invitation, JoinRequest, Membership, WorkingGroup

_ROLE_CACHE = "_plaza_group_roles"
_BAN_CACHE = "_plaza_group_bans"
MODERATOR_ROLES = (Membership.Role.MODERATOR, Membership.Role.OWNER)


def _authenticated(user) -> bool:
    return bool(user is not None and user.is_authenticated and user.is_active)


def is_site_admin(user) -> bool:
    return _authenticated(user) and user.is_superuser


def forget(user) -> None:
    """Drop the cached roles/bans of `user` (after a membership change)."""
    for attr in (_ROLE_CACHE, _BAN_CACHE):
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


# --- seeing and reading ---------------------------------------------------------------


def can_view_group(user, group: WorkingGroup) -> bool:
    """May the user know the group exists? Secret groups: members and site admins only."""
    if group.visibility != WorkingGroup.Visibility.SECRET:
        return True
    return is_site_admin(user) or is_member(user, group) or moderates_via_partner(user, group)


def can_read_content(user, group: WorkingGroup) -> bool:
    """Threads, posts, the member list, the members' note: public → all; else members,
    admins and the partner association's moderators (who cannot moderate what they cannot read)."""
    if group.visibility == WorkingGroup.Visibility.PUBLIC:
        return True
    return is_site_admin(user) or is_member(user, group) or moderates_via_partner(user, group)


def can_read_members(user, group: WorkingGroup) -> bool:
    """The member list follows the content's visibility."""
    return can_read_content(user, group)


def can_post(user, group: WorkingGroup) -> bool:
    """Members (of any role) may write; banned users are not members."""
    return is_member(user, group)


_PARTNER_CACHE = "_plaza_partner_moderated"


def moderates_via_partner(user, group: WorkingGroup) -> bool:
    """A partner association's moderators moderate the groups whose page lives in its section.

    Answered once per user object (two queries) and only for signed-in users who are not
    already moderators by role.
    """
    if not _authenticated(user):
        return False
    return group.pk in _partner_moderated_ids(user)


def _partner_moderated_ids(user) -> set[int]:
    ids = getattr(user, _PARTNER_CACHE, None)
    if ids is None:
        from partners.selectors import moderated_group_ids_via_partners

        ids = moderated_group_ids_via_partners(user)
        setattr(user, _PARTNER_CACHE, ids)
    return ids


def can_moderate(user, group: WorkingGroup) -> bool:
    """Approve/decline, invite, remove, ban, promote/demote, read the log."""
    return (
        is_site_admin(user)
        or role_of(user, group) in MODERATOR_ROLES
        or moderates_via_partner(user, group)
    )


def can_manage(user, group: WorkingGroup) -> bool:
    """Group settings and the moderator team: owners and site admins."""
    return is_site_admin(user) or is_owner(user, group)


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


def can_invite(user, group: WorkingGroup) -> bool:
    return can_moderate(user, group)


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
    qs = WorkingGroup.objects.all()
    if is_site_admin(user):
        return qs
    if not _authenticated(user):
        return qs.exclude(visibility=WorkingGroup.Visibility.SECRET)
    mine = Membership.objects.filter(group=OuterRef("pk"), user=user)
    return qs.filter(~Q(visibility=WorkingGroup.Visibility.SECRET) | Exists(mine))


def readable_groups(user) -> QuerySet[WorkingGroup]:
    """Groups whose content (threads, posts, members) the user may read."""
    qs = WorkingGroup.objects.all()
    if is_site_admin(user):
        return qs
    if not _authenticated(user):
        return qs.filter(visibility=WorkingGroup.Visibility.PUBLIC)
    mine = Membership.objects.filter(group=OuterRef("pk"), user=user)
    return qs.filter(Q(visibility=WorkingGroup.Visibility.PUBLIC) | Exists(mine))


def moderated_groups(user) -> QuerySet[WorkingGroup]:
    """Groups the user moderates (all groups for a site admin)."""
    qs = WorkingGroup.objects.all()
    if is_site_admin(user):
        return qs
    if not _authenticated(user):
        return qs.none()
    return qs.filter(memberships__user=user, memberships__role__in=MODERATOR_ROLES)


def moderated_groups_with_partners(user) -> QuerySet[WorkingGroup]:
    """moderated_groups plus those moderated through a partner association (two queries
    more, so only where the full list is shown: the move form)."""
    if not _authenticated(user) or is_site_admin(user):
        return moderated_groups(user)
    by_role = Membership.objects.filter(group=OuterRef("pk"), user=user, role__in=MODERATOR_ROLES)
    return WorkingGroup.objects.filter(Exists(by_role) | Q(pk__in=_partner_moderated_ids(user)))


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
