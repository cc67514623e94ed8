"""Every write to working groups: membership, requests, invitations, bans, settings.

Each service is keyword-only, runs in one transaction, checks permissions itself (so no
surface can forget to) and raises ValidationError / PermissionDenied with a translated
message for bad input, changing nothing. Domain events go out after commit (signals.py).
"""

from __future__ import annotations

from collections.abc import Iterable
from datetime import datetime

from django.conf import settings
from django.core.exceptions import PermissionDenied, ValidationError
from django.core.mail import send_mail
from django.db import IntegrityError, transaction
from django.db.models import Q
from django.template.loader import render_to_string
from django.utils import timezone, translation
from django.utils.translation import gettext as _
from wagtail.models import Collection

from core import users
from core.concurrency import check_version
from core.events import emit
from core.idempotency import idempotent
from core.search import index_sync

from . import permissions as perms
from . import signals
from .models import (
    Ban,
    GroupIndexPage,
    GroupPage,
    Invitation,
    JoinRequest,
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


# --- groups ---------------------------------------------------------------------------


@transaction.atomic
def group_create(
    *,
    name: str,
    slug: str,
    kind: str,
    visibility: str,
    join_policy: str,
    owner,
    parent_page: GroupIndexPage | None = None,
    topic: str = "",
    region: str = "",
    languages: Iterable[str] = ("en",),
    purpose: str = "",
    charter: str = "",
    members_note: str = "",
    by=None,
) -> WorkingGroup:
    """Create a working group with `owner` as its first owner (and its page under
    `parent_page`, in that page's locale, when given).

    `by` (when given) must be allowed to create groups; seed code and tests pass None.
    """
    if by is not None and not perms.can_create_group(by):
        raise PermissionDenied(_("Only site administrators can create working groups."))
    group = WorkingGroup(
        name=name.strip(),
        slug=slug,
        kind=kind,
        visibility=visibility,
        join_policy=join_policy,
        topic=topic,
        region=region,
        languages=WorkingGroup.encode_languages(languages),
    )
    group.full_clean()
    group.save()
    group_collection_ensure(group=group)
    Membership.objects.create(group=group, user=owner, role=Role.OWNER)
    _recount(group)
    _log(group=group, actor=by or owner, action=Action.ADDED, subject=owner, detail=Role.OWNER)
    if parent_page is not None:
        page = GroupPage(
            title=group.name,
            slug=slug,
            group=group,
            purpose=purpose,
            charter=charter,
            members_note=members_note,
            locale=parent_page.locale,
        )
        parent_page.add_child(instance=page)
        page.save_revision().publish()
    perms.forget(owner)
    _emit(
        signals.member_joined,
        group=group,
        group_id=group.pk,
        user=owner,
        user_id=owner.pk,
        membership=None,
        role=Role.OWNER,
        via="added",
    )
    return group


@transaction.atomic
def group_update_settings(
    *, group: WorkingGroup, by, expected_version: int | None = None, **changes: object
) -> WorkingGroup:
    """Change a group's name, kind, visibility, join policy, topic, region or languages.

    Owners and site admins only. Becoming secret removes the group's pages from the
    search index; leaving secret puts them back. `expected_version` is the group's version
    when the settings form was loaded: if another save came in since, EditConflict carries
    the saved settings and nothing changes (None skips the check). Each change bumps it.
    """
    perms.check_can_manage(by, group)
    unknown = set(changes) - set(SETTINGS_FIELDS)
    if unknown:
        raise ValueError(f"Not group settings: {sorted(unknown)}")
    group = _locked_group(group)
    saved = {field: getattr(group, field) for field in SETTINGS_FIELDS}
    saved["languages"] = group.language_list
    if "languages" in changes and not isinstance(changes["languages"], str):
        changes["languages"] = WorkingGroup.encode_languages(changes["languages"])
    before = {field: getattr(group, field) for field in changes}
    for field, value in changes.items():
        setattr(group, field, value)
    group.full_clean()
    changed = [f for f in changes if before[f] != getattr(group, f)]
    if not changed:
        return group
    # The row is locked: no other save can come between this check and ours.
    check_version(expected=expected_version, current=group.version, saved=saved)
    group.version += 1
    group.save(update_fields=[*changed, "version"])
    _log(
        group=group,
        actor=by,
        action=Action.SETTINGS_CHANGED,
        detail=", ".join(f"{f}: {before[f]} → {getattr(group, f)}" for f in changed),
    )
    if "name" in changed and group.collection_id:
        Collection.objects.filter(pk=group.collection_id).update(name=group.name[:255])
    if "visibility" in changed:
        # Other apps bring their own entries in step from group_settings_changed.
        index_sync(GroupPage, GroupPage.objects.filter(group=group).values_list("pk", flat=True))
    _emit(
        signals.group_settings_changed,
        group=group,
        group_id=group.pk,
        changed=changed,
        by=by,
        by_id=getattr(by, "pk", None),
    )
    return group


GROUP_COLLECTIONS = "Working groups"


@transaction.atomic
def group_collection_ensure(*, group: WorkingGroup) -> Collection:
    """The group's own files collection (under "Working groups"), made on first need.

    Files in it are readable by whoever may read the group's content (files.policy via
    groups.files_rule); the editor links meeting minutes from the members' note to it.
    """
    if group.collection_id:
        return group.collection
    locked = _locked_group(group)
    if locked.collection_id:
        group.collection = locked.collection
        return group.collection
    sibling = Collection.objects.filter(working_group__isnull=False).first()
    parent = sibling.get_parent() if sibling else None
    if parent is None:
        root = Collection.get_first_root_node() or Collection.add_root(name="Root")
        parent = root.get_children().filter(name=GROUP_COLLECTIONS).first()
        parent = parent or root.add_child(name=GROUP_COLLECTIONS)
    collection = parent.add_child(name=group.name[:255])
    WorkingGroup.objects.filter(pk=group.pk).update(collection=collection)
    group.collection = collection
    return collection


@transaction.atomic
def group_touch_activity(*, group: WorkingGroup, at: datetime | None = None) -> None:
    """Record activity (a new thread or post); other apps call this when content changes."""
    at = at or timezone.now()
    WorkingGroup.objects.filter(pk=group.pk).filter(
        Q(last_activity_at__lt=at) | Q(last_activity_at__isnull=True)
    ).update(last_activity_at=at)
    if group.last_activity_at is None or group.last_activity_at < at:
        group.last_activity_at = at


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


# --- page tree ------------------------------------------------------------------------


@transaction.atomic
def group_index_ensure(
    *, language: str | None = None, title: str = "Working groups", intro: str = ""
) -> GroupIndexPage:
    """The group directory page under the home page (English first, then `language`'s
    translation when asked). Idempotent; used by seed_demo and tests."""
    from core.pages import home_page, page_translation_ensure

    home = home_page()
    index = GroupIndexPage.objects.filter(locale=home.locale).first()
    if index is None:
        index = home.add_child(
            instance=GroupIndexPage(title=title, slug="groups", intro=intro, show_in_menus=True)
        )
        index.save_revision().publish()
    if language and language != home.locale.language_code:
        page_translation_ensure(page=home, language=language)  # the translated parent
        return page_translation_ensure(page=index, language=language, title=title, intro=intro)
    return index
