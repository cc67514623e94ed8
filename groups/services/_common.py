"""What the groups services share: events, the log, counts, the small checks."""

from __future__ import annotations

from django.core.exceptions import PermissionDenied, ValidationError
from django.utils.translation import gettext as _

from core.events import emit

from ..models import (
    Ban,
    Membership,
    MembershipLogEntry,
    WorkingGroup,
)

Action = MembershipLogEntry.Action
Role = Membership.Role
SETTINGS_FIELDS = ("name", "kind", "visibility", "join_policy", "topic", "region", "languages")


# --- helpers --------------------------------------------------------------------------


def _emit(signal, **kwargs) -> None:
    emit(signal, WorkingGroup, **kwargs)


def _log(
    *, group, actor, action, subject=None, email="", reason="", detail=""
) -> MembershipLogEntry:
    return MembershipLogEntry.objects.create(
        group=group,
        actor=actor,
        subject=subject,
        subject_email=email,
        action=action,
        reason=reason[:2000],
        detail=detail[:200],
    )


def _recount(group: WorkingGroup) -> None:
    group.member_count = group.memberships.count()
    WorkingGroup.objects.filter(pk=group.pk).update(member_count=group.member_count)


def _locked_group(group: WorkingGroup) -> WorkingGroup:
    # Serialises concurrent membership writes on one group (no-op on SQLite, which
    # serialises writers anyway with transaction_mode=IMMEDIATE).
    return WorkingGroup.objects.select_for_update().get(pk=group.pk)


def _require_login(user) -> None:
    if user is None or not user.is_authenticated:
        raise PermissionDenied(_("Please log in first."))


def _check_not_banned(group, user, *, own: bool) -> None:
    if Ban.objects.filter(group=group, user=user).exists():
        raise ValidationError(
            _("You are banned from this group.")
            if own
            else _("This person is banned from this group. Lift the ban first.")
        )


def _check_not_member(group, user, *, own: bool) -> None:
    if Membership.objects.filter(group=group, user=user).exists():
        raise ValidationError(
            _("You are already a member of this group.")
            if own
            else _("This person is already a member.")
        )


def _clean_reason(reason: str) -> str:
    return (reason or "").strip()[:2000]
