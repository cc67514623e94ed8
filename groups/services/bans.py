"""Bans: ban (ending the membership) and lift."""

from __future__ import annotations

from django.core.exceptions import PermissionDenied, ValidationError
from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from .. import permissions as perms
from .. import signals
from ..models import (
    Ban,
    Invitation,
    JoinRequest,
    Membership,
    WorkingGroup,
)
from ._common import Action, _clean_reason, _emit, _locked_group, _log, _recount

# --- bans -----------------------------------------------------------------------------


@transaction.atomic
def ban_create(*, group: WorkingGroup, user, by, reason: str = "") -> Ban:
    """Ban `user` from this group: they stop being a member, their pending request is
    declined and open invitations revoked; they cannot rejoin or be re-invited until the
    ban is lifted."""
    perms.check_can_moderate(by, group)
    group = _locked_group(group)
    if Ban.objects.filter(group=group, user=user).exists():
        raise ValidationError(_("This person is already banned from this group."))
    if not perms.can_ban(by, group, user):
        raise PermissionDenied(_("You cannot ban this person."))
    reason = _clean_reason(reason)
    was_member = Membership.objects.filter(group=group, user=user).delete()[0] > 0
    now = timezone.now()
    JoinRequest.objects.filter(group=group, user=user, status=JoinRequest.Status.PENDING).update(
        status=JoinRequest.Status.DECLINED, decided_by=by, decided_at=now, reason=reason
    )
    Invitation.objects.filter(group=group, user=user, status=Invitation.Status.PENDING).update(
        status=Invitation.Status.REVOKED, responded_at=now
    )
    ban = Ban.objects.create(group=group, user=user, by=by, reason=reason)
    if was_member:
        _recount(group)
    _log(group=group, actor=by, action=Action.BANNED, subject=user, reason=reason)
    perms.forget(user)
    if was_member:
        _emit(
            signals.member_left,
            group=group,
            group_id=group.pk,
            user=user,
            user_id=user.pk,
            by=by,
            by_id=by.pk,
            reason=reason,
            removed=True,
        )
    _emit(
        signals.member_banned,
        group=group,
        group_id=group.pk,
        user=user,
        user_id=user.pk,
        by=by,
        by_id=by.pk,
        reason=reason,
        lifted=False,
    )
    return ban


@transaction.atomic
def ban_lift(*, group: WorkingGroup, user, by, reason: str = "") -> None:
    """Lift a ban; the person may then join, request or be invited again."""
    perms.check_can_moderate(by, group)
    deleted = Ban.objects.filter(group=group, user=user).delete()[0]
    if not deleted:
        raise ValidationError(_("This person is not banned from this group."))
    reason = _clean_reason(reason)
    _log(group=group, actor=by, action=Action.UNBANNED, subject=user, reason=reason)
    perms.forget(user)
    _emit(
        signals.member_banned,
        group=group,
        group_id=group.pk,
        user=user,
        user_id=user.pk,
        by=by,
        by_id=by.pk,
        reason=reason,
        lifted=True,
    )
