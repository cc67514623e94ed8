"""Join requests: ask, withdraw, decide."""

from __future__ import annotations

from django.core.exceptions import PermissionDenied, ValidationError
from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from core.idempotency import idempotent

from .. import permissions as perms
from .. import signals
from ..models import (
    JoinRequest,
    WorkingGroup,
)
from ._common import (
    Action,
    _check_not_banned,
    _check_not_member,
    _clean_reason,
    _emit,
    _log,
    _require_login,
)
from .membership import membership_add

# --- join requests --------------------------------------------------------------------


@idempotent(user="user")
@transaction.atomic
def join_request_create(*, group: WorkingGroup, user, message: str = "") -> JoinRequest:
    """Ask to join an on-request group, with an optional message to the moderators."""
    _require_login(user)
    perms.check_can_view_group(user, group)
    _check_not_banned(group, user, own=True)
    _check_not_member(group, user, own=True)
    if group.join_policy != WorkingGroup.JoinPolicy.REQUEST:
        if group.join_policy == WorkingGroup.JoinPolicy.OPEN:
            raise ValidationError(_("This group is open: you can join it directly."))
        raise ValidationError(_("This group is by invitation only."))
    if JoinRequest.objects.filter(
        group=group, user=user, status=JoinRequest.Status.PENDING
    ).exists():
        raise ValidationError(_("You have already asked to join; the moderators will answer soon."))
    message = (message or "").strip()
    if len(message) > 2000:
        raise ValidationError(_("Please keep your message under 2000 characters."))
    join_request = JoinRequest.objects.create(group=group, user=user, message=message)
    _log(group=group, actor=user, action=Action.REQUESTED, subject=user, reason=message)
    _emit(
        signals.join_requested,
        group=group,
        group_id=group.pk,
        user=user,
        user_id=user.pk,
        join_request=join_request,
        join_request_id=join_request.pk,
    )
    return join_request


@transaction.atomic
def join_request_withdraw(*, join_request: JoinRequest, user) -> JoinRequest:
    """The applicant withdraws a pending request."""
    join_request = JoinRequest.objects.select_for_update().get(pk=join_request.pk)
    if join_request.user_id != getattr(user, "pk", None):
        raise PermissionDenied(_("This is not your request."))
    if join_request.status != JoinRequest.Status.PENDING:
        raise ValidationError(_("This request has already been handled."))
    join_request.status = JoinRequest.Status.WITHDRAWN
    join_request.decided_at = timezone.now()
    join_request.save(update_fields=["status", "decided_at"])
    _log(group=join_request.group, actor=user, action=Action.REQUEST_WITHDRAWN, subject=user)
    return join_request


@transaction.atomic
def join_request_decide(
    *, join_request: JoinRequest, by, approve: bool, reason: str = ""
) -> JoinRequest:
    """A moderator approves (the applicant becomes a member) or declines (with a reason the
    applicant sees). A request can be decided once."""
    group = join_request.group
    perms.check_can_moderate(by, group)
    join_request = (
        JoinRequest.objects.select_for_update()
        .select_related("group", "user")
        .get(pk=join_request.pk)
    )
    if join_request.group_id != group.pk:  # pragma: no cover - defensive
        raise PermissionDenied(_("Only the group's moderators can do this."))
    if join_request.status != JoinRequest.Status.PENDING:
        raise ValidationError(_("This request has already been handled."))
    reason = _clean_reason(reason)
    if approve:
        membership_add(group=group, user=join_request.user, by=by, via="request")
        join_request.status = JoinRequest.Status.APPROVED
    else:
        join_request.status = JoinRequest.Status.DECLINED
    join_request.decided_by = by
    join_request.decided_at = timezone.now()
    join_request.reason = reason
    join_request.save(update_fields=["status", "decided_by", "decided_at", "reason"])
    _log(
        group=group,
        actor=by,
        action=Action.APPROVED if approve else Action.DECLINED,
        subject=join_request.user,
        reason=reason,
    )
    _emit(
        signals.join_request_decided,
        group=group,
        group_id=group.pk,
        user=join_request.user,
        user_id=join_request.user_id,
        join_request=join_request,
        join_request_id=join_request.pk,
        approved=approve,
        by=by,
        by_id=by.pk,
        reason=reason,
    )
    return join_request


def join_request_approve(*, join_request: JoinRequest, by, reason: str = "") -> JoinRequest:
    """Approve a pending request (see join_request_decide)."""
    return join_request_decide(join_request=join_request, by=by, approve=True, reason=reason)


def join_request_decline(*, join_request: JoinRequest, by, reason: str = "") -> JoinRequest:
    """Decline a pending request with a reason (see join_request_decide)."""
    return join_request_decide(join_request=join_request, by=by, approve=False, reason=reason)
