"""Invitations: create, accept, decline, revoke, claim on sign-up."""

from __future__ import annotations

from django.conf import settings
from django.core.exceptions import PermissionDenied, ValidationError
from django.core.mail import send_mail
from django.db import transaction
from django.template.loader import render_to_string
from django.utils import timezone, translation
from django.utils.translation import gettext as _

from core import users
from core.idempotency import idempotent

from .. import permissions as perms
from .. import signals
from ..models import (
    GroupIndexPage,
    Invitation,
    Membership,
    WorkingGroup,
)
from ._common import Action, _check_not_banned, _check_not_member, _emit, _log, _require_login
from .membership import membership_add

# --- invitations ----------------------------------------------------------------------


@idempotent(user="by")
@transaction.atomic
def invitation_create(
    *, group: WorkingGroup, by, user=None, email: str = "", message: str = ""
) -> Invitation:
    """A moderator invites a registered member or an email address.

    An address that belongs to a verified account becomes an invitation for that account.
    Banned people and members cannot be invited; one open invitation per person. The
    invitation email goes out after commit, in the invitee's language.
    """
    from allauth.account.models import EmailAddress

    perms.check_can_moderate(by, group)
    email = (email or "").strip().lower()
    if user is None and not email:
        raise ValidationError(_("Name a member or an email address to invite."))
    if user is None:
        from django.core.validators import validate_email

        try:
            validate_email(email)
        except ValidationError as error:
            raise ValidationError(_("Enter a valid email address.")) from error
        address = (
            EmailAddress.objects.filter(email__iexact=email, verified=True)
            .select_related("user")
            .first()
        )
        user = address.user if address else None
    if user is not None:
        _check_not_banned(group, user, own=False)
        _check_not_member(group, user, own=False)
        email = ""
    now = timezone.now()
    open_qs = Invitation.objects.filter(
        group=group, status=Invitation.Status.PENDING, expires_at__gt=now
    )
    if (
        open_qs.filter(user=user) if user is not None else open_qs.filter(email__iexact=email)
    ).exists():
        raise ValidationError(_("This person already has an open invitation."))
    invitation = Invitation.objects.create(
        group=group, user=user, email=email, invited_by=by, message=(message or "").strip()[:2000]
    )
    _log(
        group=group,
        actor=by,
        action=Action.INVITED,
        subject=user,
        email=email,
        reason=invitation.message,
    )
    transaction.on_commit(lambda: _send_invitation_email(invitation))
    _emit(
        signals.member_invited,
        group=group,
        group_id=group.pk,
        invitation=invitation,
        invitation_id=invitation.pk,
        user=user,
        user_id=getattr(user, "pk", None),
        email=email,
        by=by,
        by_id=by.pk,
    )
    return invitation


def invitation_url(invitation: Invitation, language: str) -> str:
    """Absolute URL of the page where the invitee accepts or declines."""
    index = (
        GroupIndexPage.objects.live().filter(locale__language_code=language).first()
        or GroupIndexPage.objects.live().first()
    )
    base = settings.WAGTAILADMIN_BASE_URL.rstrip("/")
    if index is None:
        return base + "/"
    relative = index.url + index.reverse_subpage("invitation", kwargs={"token": invitation.token})
    return base + relative


def _send_invitation_email(invitation: Invitation) -> None:
    language = users.preferred_language(
        invitation.user if invitation.user_id else invitation.invited_by
    )
    to = invitation.user.email if invitation.user_id else invitation.email
    if not to:
        return
    with translation.override(language):
        page = invitation.group.page_in(language)
        context = {
            "invitation": invitation,
            "group_name": page.title if page else invitation.group.name,
            "inviter": users.display_name(invitation.invited_by),
            "url": invitation_url(invitation, language),
            "expires_at": invitation.expires_at,
        }
        subject = render_to_string("groups/email/invitation_subject.txt", context).strip()
        body = render_to_string("groups/email/invitation_body.txt", context)
    send_mail(" ".join(subject.split()), body, settings.DEFAULT_FROM_EMAIL, [to])


def _open_invitation_for(invitation: Invitation, user) -> Invitation:
    _require_login(user)
    invitation = (
        Invitation.objects.select_for_update().select_related("group").get(pk=invitation.pk)
    )
    if not perms.invitation_is_for(user, invitation):
        raise PermissionDenied(_("This invitation is addressed to someone else."))
    if invitation.status != Invitation.Status.PENDING:
        raise ValidationError(_("This invitation has already been answered or withdrawn."))
    if invitation.is_expired:
        raise ValidationError(
            _("This invitation has expired. Ask the group's moderators for a new one.")
        )
    return invitation


@transaction.atomic
def invitation_accept(*, invitation: Invitation, user) -> Membership:
    """The invitee accepts: they become a member (unless banned since)."""
    invitation = _open_invitation_for(invitation, user)
    membership = membership_add(group=invitation.group, user=user, via="invitation")
    invitation.status = Invitation.Status.ACCEPTED
    invitation.user = user
    invitation.responded_at = timezone.now()
    invitation.save(update_fields=["status", "user", "responded_at"])
    return membership


@transaction.atomic
def invitation_decline(*, invitation: Invitation, user) -> Invitation:
    """The invitee declines."""
    invitation = _open_invitation_for(invitation, user)
    invitation.status = Invitation.Status.DECLINED
    invitation.user = user
    invitation.responded_at = timezone.now()
    invitation.save(update_fields=["status", "user", "responded_at"])
    _log(group=invitation.group, actor=user, action=Action.INVITATION_DECLINED, subject=user)
    return invitation


@transaction.atomic
def invitation_revoke(*, invitation: Invitation, by) -> Invitation:
    """A moderator withdraws an open invitation."""
    perms.check_can_moderate(by, invitation.group)
    invitation = Invitation.objects.select_for_update().get(pk=invitation.pk)
    if invitation.status != Invitation.Status.PENDING:
        raise ValidationError(_("This invitation has already been answered or withdrawn."))
    invitation.status = Invitation.Status.REVOKED
    invitation.responded_at = timezone.now()
    invitation.save(update_fields=["status", "responded_at"])
    _log(
        group=invitation.group,
        actor=by,
        action=Action.INVITATION_REVOKED,
        subject=invitation.user,
        email=invitation.email,
    )
    return invitation


@transaction.atomic
def invitations_claim(*, user, email: str) -> int:
    """Attach open invitations sent to `email` to `user` (after they confirm that address),
    so an emailed invitation survives sign-up. Returns how many were claimed."""
    if not email:
        return 0
    claimed = Invitation.objects.filter(
        user__isnull=True,
        email__iexact=email.strip(),
        status=Invitation.Status.PENDING,
        expires_at__gt=timezone.now(),
    ).exclude(group__bans__user=user)
    return claimed.update(user=user)
