"""Membership: add, join, leave, remove, change role."""

from __future__ import annotations

from django.core.exceptions import PermissionDenied, ValidationError
from django.db import IntegrityError, transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from .. import permissions as perms
from .. import signals
from ..models import (
    JoinRequest,
    Membership,
    WorkingGroup,
)
from ._common import (
    Action,
    Role,
    _check_not_banned,
    _check_not_member,
    _clean_reason,
    _emit,
    _locked_group,
    _log,
    _recount,
    _require_login,
)

# --- membership -----------------------------------------------------------------------


@transaction.atomic
def membership_add(
    *,
    group: WorkingGroup,
    user,
    role: str = Role.MEMBER,
    by=None,
    reason: str = "",
    via: str = "added",
) -> Membership:
    """Make `user` a member with `role`. Low level: callers decide whether that is allowed
    (join, approve, accept, or a moderator/seed adding someone); a ban always blocks it."""
    group = _locked_group(group)
    own = by is None or by.pk == user.pk
    _check_not_banned(group, user, own=own)
    _check_not_member(group, user, own=own)
    if role not in Role.values:
        raise ValidationError(_("Unknown role."))
    try:
        with transaction.atomic():
            membership = Membership.objects.create(group=group, user=user, role=role)
    except IntegrityError as error:
        raise ValidationError(
            _("You are already a member of this group.")
            if own
            else _("This person is already a member.")
        ) from error
    _recount(group)
    action = {"open": Action.JOINED, "invitation": Action.INVITATION_ACCEPTED}.get(
        via, Action.ADDED
    )
    if via != "request":  # an approval is logged (and its request closed) by the decision
        _log(
            group=group,
            actor=by or user,
            action=action,
            subject=user,
            reason=_clean_reason(reason),
            detail=role if role != Role.MEMBER else "",
        )
        # A member has no use for a pending request any more.
        JoinRequest.objects.filter(
            group=group, user=user, status=JoinRequest.Status.PENDING
        ).update(status=JoinRequest.Status.APPROVED, decided_at=timezone.now(), decided_by=by)
    perms.forget(user)
    _emit(
        signals.member_joined,
        group=group,
        group_id=group.pk,
        user=user,
        user_id=user.pk,
        membership=membership,
        role=role,
        via=via,
    )
    return membership


@transaction.atomic
def group_join(*, group: WorkingGroup, user) -> Membership:
    """Join an open group in one click."""
    _require_login(user)
    perms.check_can_view_group(user, group)
    _check_not_banned(group, user, own=True)
    _check_not_member(group, user, own=True)
    if group.join_policy != WorkingGroup.JoinPolicy.OPEN:
        if group.join_policy == WorkingGroup.JoinPolicy.REQUEST:
            raise ValidationError(
                _("This group accepts members on request: please send a request to join.")
            )
        raise ValidationError(_("This group is by invitation only."))
    return membership_add(group=group, user=user, via="open")


@transaction.atomic
def membership_leave(*, group: WorkingGroup, user) -> None:
    """Leave a group. The last owner must hand over ownership first."""
    _require_login(user)
    group = _locked_group(group)
    membership = Membership.objects.filter(group=group, user=user).first()
    if membership is None:
        raise ValidationError(_("You are not a member of this group."))
    if (
        membership.role == Role.OWNER
        and not group.memberships.filter(role=Role.OWNER).exclude(pk=membership.pk).exists()
    ):
        raise ValidationError(
            _("You are the last owner: make another member an owner before you leave.")
        )
    membership.delete()
    _recount(group)
    _log(group=group, actor=user, action=Action.LEFT, subject=user)
    perms.forget(user)
    _emit(
        signals.member_left,
        group=group,
        group_id=group.pk,
        user=user,
        user_id=user.pk,
        by=user,
        by_id=user.pk,
        reason="",
        removed=False,
    )


def _membership_for(group, user) -> Membership:
    membership = Membership.objects.select_for_update().filter(group=group, user=user).first()
    if membership is None:
        raise ValidationError(_("This person is not a member of this group."))
    return membership


@transaction.atomic
def membership_remove(*, group: WorkingGroup, user, by, reason: str = "") -> None:
    """A moderator removes a member (moderators need an owner; owners need another owner)."""
    perms.check_can_moderate(by, group)
    group = _locked_group(group)
    membership = _membership_for(group, user)
    if not perms.can_remove_member(by, group, membership):
        raise PermissionDenied(_("You cannot remove this member."))
    membership.delete()
    _recount(group)
    _log(group=group, actor=by, action=Action.REMOVED, subject=user, reason=_clean_reason(reason))
    perms.forget(user)
    _emit(
        signals.member_left,
        group=group,
        group_id=group.pk,
        user=user,
        user_id=user.pk,
        by=by,
        by_id=by.pk,
        reason=_clean_reason(reason),
        removed=True,
    )


@transaction.atomic
def membership_set_role(
    *, group: WorkingGroup, user, role: str, by, reason: str = ""
) -> Membership:
    """Promote or demote a member. Moderators handle member ↔ moderator; the owner role is
    the owners' (and site admins') to give or take, and a group always keeps one owner."""
    perms.check_can_moderate(by, group)
    group = _locked_group(group)
    membership = _membership_for(group, user)
    if role not in Role.values:
        raise ValidationError(_("Unknown role."))
    if membership.role == role:
        raise ValidationError(_("This member already has that role."))
    if not perms.can_change_role(by, group, membership, role):
        if membership.role == Role.OWNER and perms.can_manage(by, group):
            raise ValidationError(
                _("A group needs at least one owner: make someone else an owner first.")
            )
        raise PermissionDenied(_("You cannot give or take this role."))
    old = membership.role
    membership.role = role
    membership.save(update_fields=["role"])
    _log(
        group=group,
        actor=by,
        action=Action.ROLE_CHANGED,
        subject=user,
        reason=_clean_reason(reason),
        detail=f"{old} → {role}",
    )
    perms.forget(user)
    _emit(
        signals.role_changed,
        group=group,
        group_id=group.pk,
        user=user,
        user_id=user.pk,
        old_role=old,
        new_role=role,
        by=by,
        by_id=by.pk,
    )
    return membership
