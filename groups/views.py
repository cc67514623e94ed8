"""Thin views for working groups (served through GroupIndexPage / GroupPage routes).

Each view: permission check via groups.permissions, form validation, one service call.
A ValidationError becomes a 400 and a PermissionDenied a 403, both re-rendering the page
with the message and the submitted input; a secret group answers 404 to non-members.
"""

from __future__ import annotations

from django.contrib import messages
from django.contrib.auth import get_user_model
from django.contrib.auth.views import redirect_to_login
from django.core.exceptions import PermissionDenied, ValidationError
from django.core.paginator import Paginator
from django.http import Http404, HttpResponseNotAllowed, HttpResponseRedirect
from django.shortcuts import get_object_or_404
from django.template.response import TemplateResponse
from django.utils import translation
from django.utils.translation import gettext as _

from core import concurrency, users
from core.idempotency import key_from
from core.panels import render_panels
from core.refusals import refusal_message, refusal_status

from . import permissions as perms
from . import selectors, services
from .feeds import GroupFeed
from .forms import (
    BanForm,
    DecisionForm,
    DirectoryFilterForm,
    GroupCreateForm,
    GroupSettingsForm,
    InvitationForm,
    JoinRequestForm,
    MemberRoleForm,
    ReasonForm,
)
from .models import Ban, GroupIndexPage, GroupPage, Invitation, JoinRequest, Membership

PAGE_SIZE = 24
MEMBERS_PAGE_SIZE = 50


# --- helpers --------------------------------------------------------------------------


def _language() -> str:
    return translation.get_language() or "en"


def _group_context(request, page: GroupPage, **extra) -> dict:
    """What every group sub-page needs: the page, the group, the user's standing."""
    group = page.group
    user = request.user
    role = perms.role_of(user, group)
    can_moderate = perms.can_moderate(user, group)
    context = {
        "page": page,
        "group": group,
        "role": role,
        "role_label": Membership.Role(role).label if role else "",
        "can_read": perms.can_read_content(user, group),
        "can_moderate": can_moderate,
        "can_manage": perms.can_manage(user, group),
        "group_url": page.get_url(request),
        "pending_count": selectors.pending_requests(group).count() if can_moderate else 0,
    }
    context.update(extra)
    return context


def _render(request, template: str, context: dict, status: int = 200):
    return TemplateResponse(request, template, context, status=status)


def _fail(
    request, page: GroupPage, exc: Exception, *, template: str = "groups/message.html", **extra
):
    """Show the page again with the error message (and the input kept in `extra` forms)."""
    if isinstance(exc, Http404):
        raise exc
    context = _group_context(request, page, error=refusal_message(exc), **extra)
    return _render(request, template, context, status=refusal_status(exc))


def _require_post(request):
    if request.method != "POST":
        return HttpResponseNotAllowed(["POST"])
    return None


def _login_first(request, page: GroupPage | None = None):
    """Anonymous visitors go to the login page and come back here."""
    return redirect_to_login(request.get_full_path())


def _sub(page, name: str, **kwargs) -> str:
    return page.url + page.reverse_subpage(name, kwargs=kwargs or None)


# --- directory ------------------------------------------------------------------------


def directory(request, index: GroupIndexPage):
    """The group directory: filters (GET), name search, paging; secret groups only for members."""
    form = DirectoryFilterForm(request.GET or None)
    filters = {}
    if form.is_bound and form.is_valid():
        filters = {k: v for k, v in form.cleaned_data.items() if v}
    qs = selectors.directory(request.user, **filters)
    page_obj = Paginator(qs, PAGE_SIZE).get_page(request.GET.get("page"))
    groups = selectors.attach_pages(list(page_obj.object_list), request, _language())
    perms.prime(request.user, groups)
    for group in groups:
        group.my_role = perms.role_of(request.user, group)
    query = request.GET.copy()
    query.pop("page", None)
    context = {
        "page": index,
        "form": form,
        "groups": groups,
        "page_obj": page_obj,
        "querystring": query.urlencode(),
        "filtered": bool(filters.keys() - {"sort"}),
        "can_create": perms.can_create_group(request.user),
        "create_url": index.url + index.reverse_subpage("create"),
        "feed_url": index.url + index.reverse_subpage("feed"),
    }
    return _render(
        request, "groups/group_index_page.html", context, status=400 if form.errors else 200
    )


def directory_feed(request, index: GroupIndexPage):
    """Atom feed of new groups; feeds are anonymous, so only non-secret groups appear."""
    return GroupFeed(index=index)(request)


def group_create_view(request, index: GroupIndexPage):
    """Site administrators create a group (and its page in this directory's language)."""
    if not request.user.is_authenticated:
        return _login_first(request)
    if not perms.can_create_group(request.user):
        return _render(
            request,
            "groups/message.html",
            {"page": index, "error": _("Only site administrators can create working groups.")},
            403,
        )
    form = GroupCreateForm(request.POST or None, initial={"languages": [_language()]})
    if request.method == "POST" and form.is_valid():
        data = form.cleaned_data
        try:
            group = services.group_create(
                name=data["name"],
                slug=data["slug"],
                kind=data["kind"],
                visibility=data["visibility"],
                join_policy=data["join_policy"],
                topic=data["topic"],
                region=data["region"],
                languages=data["languages"],
                purpose=data["purpose"],
                owner=request.user,
                by=request.user,
                parent_page=index,
            )
        except (ValidationError, PermissionDenied) as exc:
            return _render(
                request,
                "groups/create.html",
                {"page": index, "form": form, "error": refusal_message(exc)},
                refusal_status(exc),
            )
        messages.success(request, _("The group has been created."))
        return HttpResponseRedirect(group.get_absolute_url(_language()) or index.url)
    return _render(
        request, "groups/create.html", {"page": index, "form": form}, 400 if form.errors else 200
    )


# --- a group --------------------------------------------------------------------------


def group_detail(request, page: GroupPage):
    """Purpose, charter, coordinators, languages; members and member notes as visibility allows."""
    group = page.group
    perms.check_can_view_group(request.user, group)
    user = request.user
    can_read = perms.can_read_content(user, group)
    members = selectors.members(group)[:12] if can_read else []
    context = _group_context(
        request,
        page,
        coordinators=selectors.coordinators(group),
        members=members,
        can_join=perms.can_join(user, group),
        can_request=perms.can_request_to_join(user, group),
        pending_request=perms.pending_request_of(user, group),
        is_banned=perms.is_banned(user, group),
        can_leave=perms.is_member(user, group),
        sections=render_panels("plaza_group_page_sections", request, page),
    )
    return _render(request, "groups/group_page.html", context)


def members(request, page: GroupPage):
    """The member list (paged), with management links for moderators."""
    group = page.group
    try:
        perms.check_can_read_content(request.user, group)
    except PermissionDenied as exc:
        return _fail(request, page, exc)
    page_obj = Paginator(selectors.members(group), MEMBERS_PAGE_SIZE).get_page(
        request.GET.get("page")
    )
    return _render(request, "groups/members.html", _group_context(request, page, page_obj=page_obj))


def member_action(request, page: GroupPage, user_id: int):
    """Moderators change a member's role, remove or ban them (each with a reason)."""
    group = page.group
    if not request.user.is_authenticated:
        perms.check_can_view_group(request.user, group)
        return _login_first(request)
    try:
        perms.check_can_moderate(request.user, group)
    except PermissionDenied as exc:
        return _fail(request, page, exc)
    membership = get_object_or_404(
        Membership.objects.select_related("user"), group=group, user_id=user_id
    )
    target = membership.user
    action = request.POST.get("action", "")
    role_form = MemberRoleForm(
        request.POST if action == "role" else None, initial={"role": membership.role}
    )
    remove_form = ReasonForm(request.POST if action == "remove" else None, prefix="remove")
    ban_form = ReasonForm(request.POST if action == "ban" else None, prefix="ban")
    context = {
        "membership": membership,
        "target": target,
        "role_form": role_form,
        "remove_form": remove_form,
        "ban_form": ban_form,
        "members_url": _sub(page, "members"),
    }
    template = "groups/member_manage.html"
    if request.method == "POST":
        form = {"role": role_form, "remove": remove_form, "ban": ban_form}.get(action)
        if form is None or not form.is_valid():
            return _render(request, template, _group_context(request, page, **context), 400)
        reason = form.cleaned_data.get("reason", "")
        try:
            if action == "role":
                services.membership_set_role(
                    group=group,
                    user=target,
                    role=form.cleaned_data["role"],
                    by=request.user,
                    reason=reason,
                )
                messages.success(
                    request,
                    _("The role of %(name)s has been changed.")
                    % {"name": users.display_name(target)},
                )
            elif action == "remove":
                services.membership_remove(group=group, user=target, by=request.user, reason=reason)
                messages.success(
                    request,
                    _("%(name)s has been removed from the group.")
                    % {"name": users.display_name(target)},
                )
            else:
                services.ban_create(group=group, user=target, by=request.user, reason=reason)
                messages.success(
                    request,
                    _("%(name)s has been banned from the group.")
                    % {"name": users.display_name(target)},
                )
        except (ValidationError, PermissionDenied) as exc:
            return _fail(request, page, exc, template=template, **context)
        return HttpResponseRedirect(_sub(page, "members"))
    return _render(request, template, _group_context(request, page, **context))


def join(request, page: GroupPage):
    """Join an open group (POST)."""
    group = page.group
    perms.check_can_view_group(request.user, group)
    if not request.user.is_authenticated:
        return _login_first(request)
    if (response := _require_post(request)) is not None:
        return response
    try:
        services.group_join(group=group, user=request.user)
    except (ValidationError, PermissionDenied) as exc:
        return _fail(request, page, exc)
    messages.success(request, _("Welcome to the group!"))
    return HttpResponseRedirect(page.get_url(request))


def leave(request, page: GroupPage):
    """Confirm, then leave (the last owner is told to hand over first)."""
    group = page.group
    perms.check_can_view_group(request.user, group)
    if not request.user.is_authenticated:
        return _login_first(request)
    if request.method == "POST":
        try:
            services.membership_leave(group=group, user=request.user)
        except (ValidationError, PermissionDenied) as exc:
            return _fail(request, page, exc, template="groups/leave.html")
        messages.success(request, _("You have left the group."))
        # A secret group's page is gone for a former member: go to the directory.
        target = (
            page.get_url(request)
            if perms.can_view_group(request.user, group)
            else page.get_parent().url
        )
        return HttpResponseRedirect(target)
    if not perms.is_member(request.user, group):
        return _fail(request, page, ValidationError(_("You are not a member of this group.")))
    return _render(request, "groups/leave.html", _group_context(request, page))


def request_join(request, page: GroupPage):
    """Ask to join (with a message), see the status of one's requests, withdraw."""
    group = page.group
    perms.check_can_view_group(request.user, group)
    if not request.user.is_authenticated:
        return _login_first(request)
    user = request.user
    form = JoinRequestForm(
        request.POST if request.method == "POST" and "withdraw" not in request.POST else None
    )
    history = list(
        JoinRequest.objects.filter(group=group, user=user)
        .select_related("decided_by")
        .order_by("-created_at")[:10]
    )
    context = {
        "form": form,
        "history": history,
        "pending": perms.pending_request_of(user, group),
        "can_request": perms.can_request_to_join(user, group),
    }
    template = "groups/request_join.html"
    if request.method == "POST":
        try:
            if "withdraw" in request.POST:
                pending = context["pending"]
                if pending is None:
                    raise ValidationError(_("You have no pending request to withdraw."))
                services.join_request_withdraw(join_request=pending, user=user)
                messages.success(request, _("Your request has been withdrawn."))
                return HttpResponseRedirect(_sub(page, "request_join"))
            if not form.is_valid():
                return _render(request, template, _group_context(request, page, **context), 400)
            services.join_request_create(
                group=group,
                user=user,
                message=form.cleaned_data["message"],
                idempotency_key=key_from(request.POST),
            )
        except (ValidationError, PermissionDenied) as exc:
            return _fail(request, page, exc, template=template, **context)
        messages.success(request, _("Your request has been sent to the moderators."))
        return HttpResponseRedirect(_sub(page, "request_join"))
    return _render(request, template, _group_context(request, page, **context))


# --- moderation -----------------------------------------------------------------------


def _moderator_gate(request, page: GroupPage):
    """None when the user may moderate; else the response to send (404 / login / 403)."""
    group = page.group
    perms.check_can_view_group(request.user, group)
    if not request.user.is_authenticated:
        return _login_first(request)
    try:
        perms.check_can_moderate(request.user, group)
    except PermissionDenied as exc:
        return _fail(request, page, exc)
    return None


def requests(request, page: GroupPage):
    """Pending join requests with approve/decline forms, and recent decisions."""
    if (response := _moderator_gate(request, page)) is not None:
        return response
    return _render(request, "groups/requests.html", _requests_context(request, page))


def _requests_context(request, page: GroupPage, **extra) -> dict:
    group = page.group
    pending = list(selectors.pending_requests(group))
    # A reason typed for a request that is no longer pending is shown, not lost.
    extra["orphan_reason"] = (
        extra.get("failed_reason") if extra.get("failed_id") not in {r.pk for r in pending} else ""
    )
    return _group_context(
        request, page, pending=pending, decided=selectors.recent_decisions(group), **extra
    )


def request_decide(request, page: GroupPage, request_id: int):
    """Approve or decline one request (POST), with a reason."""
    if (response := _moderator_gate(request, page)) is not None:
        return response
    if (response := _require_post(request)) is not None:
        return response
    join_request = get_object_or_404(JoinRequest, pk=request_id, group=page.group)
    form = DecisionForm(request.POST)
    if not form.is_valid():
        return _render(
            request,
            "groups/requests.html",
            _requests_context(
                request, page, error=_("Choose approve or decline."), failed_id=request_id
            ),
            400,
        )
    approve = form.cleaned_data["decision"] == "approve"
    try:
        services.join_request_decide(
            join_request=join_request,
            by=request.user,
            approve=approve,
            reason=form.cleaned_data["reason"],
        )
    except (ValidationError, PermissionDenied) as exc:
        return _render(
            request,
            "groups/requests.html",
            _requests_context(
                request,
                page,
                error=refusal_message(exc),
                failed_id=request_id,
                failed_reason=form.cleaned_data["reason"],
            ),
            refusal_status(exc),
        )
    name = users.display_name(join_request.user)
    messages.success(
        request,
        (
            _("%(name)s is now a member.")
            if approve
            else _("The request of %(name)s has been declined.")
        )
        % {"name": name},
    )
    return HttpResponseRedirect(_sub(page, "requests"))


def invitations(request, page: GroupPage):
    """Open invitations and the form to invite a member or an email address."""
    if (response := _moderator_gate(request, page)) is not None:
        return response
    group = page.group
    form = InvitationForm(request.POST or None)
    template = "groups/invitations.html"

    def context(**extra):
        return _group_context(
            request,
            page,
            form=form,
            open_invitations=list(selectors.open_invitations(group)),
            **extra,
        )

    if request.method == "POST":
        if not form.is_valid():
            return _render(request, template, context(), 400)
        kind, who = form.cleaned_data["invitee"]
        try:
            services.invitation_create(
                group=group,
                by=request.user,
                message=form.cleaned_data["message"],
                idempotency_key=key_from(request.POST),
                **({"user": who} if kind == "user" else {"email": who}),
            )
        except (ValidationError, PermissionDenied) as exc:
            return _render(
                request, template, context(error=refusal_message(exc)), refusal_status(exc)
            )
        messages.success(request, _("The invitation has been sent."))
        return HttpResponseRedirect(_sub(page, "invitations"))
    return _render(request, template, context())


def invitation_revoke(request, page: GroupPage, invitation_id: int):
    if (response := _moderator_gate(request, page)) is not None:
        return response
    if (response := _require_post(request)) is not None:
        return response
    invitation = get_object_or_404(Invitation, pk=invitation_id, group=page.group)
    try:
        services.invitation_revoke(invitation=invitation, by=request.user)
    except (ValidationError, PermissionDenied) as exc:
        return _fail(request, page, exc)
    messages.success(request, _("The invitation has been withdrawn."))
    return HttpResponseRedirect(_sub(page, "invitations"))


def bans(request, page: GroupPage):
    """Current bans (with lift forms) and a form to ban someone by handle."""
    if (response := _moderator_gate(request, page)) is not None:
        return response
    group = page.group
    form = BanForm(request.POST or None)
    template = "groups/bans.html"

    def context(**extra):
        return _group_context(
            request,
            page,
            form=form,
            lift_form=ReasonForm(),
            bans=list(
                Ban.objects.filter(group=group).select_related("user", "by").order_by("-created_at")
            ),
            **extra,
        )

    if request.method == "POST":
        if not form.is_valid():
            return _render(request, template, context(), 400)
        try:
            services.ban_create(
                group=group,
                user=form.cleaned_data["handle"],
                by=request.user,
                reason=form.cleaned_data["reason"],
            )
        except (ValidationError, PermissionDenied) as exc:
            return _render(
                request, template, context(error=refusal_message(exc)), refusal_status(exc)
            )
        messages.success(request, _("The ban is in place."))
        return HttpResponseRedirect(_sub(page, "bans"))
    return _render(request, template, context())


def ban_lift(request, page: GroupPage, user_id: int):
    if (response := _moderator_gate(request, page)) is not None:
        return response
    if (response := _require_post(request)) is not None:
        return response
    target = get_object_or_404(get_user_model(), pk=user_id)
    form = ReasonForm(request.POST)
    form.is_valid()
    try:
        services.ban_lift(
            group=page.group,
            user=target,
            by=request.user,
            reason=form.cleaned_data.get("reason", ""),
        )
    except (ValidationError, PermissionDenied) as exc:
        return _fail(request, page, exc)
    messages.success(
        request, _("The ban on %(name)s has been lifted.") % {"name": users.display_name(target)}
    )
    return HttpResponseRedirect(_sub(page, "bans"))


def log(request, page: GroupPage):
    """The membership log: who did what to whom, when, and why."""
    if (response := _moderator_gate(request, page)) is not None:
        return response
    page_obj = Paginator(selectors.log(page.group), 50).get_page(request.GET.get("page"))
    return _render(request, "groups/log.html", _group_context(request, page, page_obj=page_obj))


def group_settings(request, page: GroupPage):
    """Owners change visibility, join policy, kind, topic, region, languages and the name."""
    group = page.group
    perms.check_can_view_group(request.user, group)
    if not request.user.is_authenticated:
        return _login_first(request)
    try:
        perms.check_can_manage(request.user, group)
    except PermissionDenied as exc:
        return _fail(request, page, exc)
    form = GroupSettingsForm(request.POST or None, initial=GroupSettingsForm.initial_for(group))
    template = "groups/settings.html"
    if request.method == "POST":
        if not form.is_valid():
            return _render(request, template, _group_context(request, page, form=form), 400)
        try:
            services.group_update_settings(
                group=group,
                by=request.user,
                expected_version=form.expected_version(),
                **form.changes(),
            )
        except concurrency.EditConflict as exc:
            conflict = form.take_conflict(exc)  # the saved settings beside the member's
            return _fail(request, page, exc, template=template, form=form, conflict=conflict)
        except (ValidationError, PermissionDenied) as exc:
            return _fail(request, page, exc, template=template, form=form)
        messages.success(request, _("The settings have been saved."))
        return HttpResponseRedirect(_sub(page, "group_settings"))
    return _render(request, template, _group_context(request, page, form=form))


# --- invitations, from the invitee's side ----------------------------------------------


def invitation_respond(request, index: GroupIndexPage, token: str):
    """The page an invitation links to: accept or decline; anonymous visitors log in or
    sign up first (with the invited address the invitation is claimed on confirmation)."""
    invitation = (
        Invitation.objects.select_related("group", "invited_by").filter(token=token).first()
    )
    if invitation is None:
        raise Http404(_("No such invitation."))
    group = invitation.group
    page = group.page_in(_language())
    context = {
        "page": index,
        "invitation": invitation,
        "group": group,
        "group_title": page.title if page else group.name,
    }
    template = "groups/invitation_respond.html"
    if not request.user.is_authenticated:
        context["next"] = request.get_full_path()
        return _render(request, template, context)
    if not perms.invitation_is_for(request.user, invitation):
        context["error"] = _("This invitation is addressed to someone else.")
        context["foreign"] = True
        return _render(request, template, context, 403)
    if request.method == "POST":
        try:
            if request.POST.get("answer") == "accept":
                services.invitation_accept(invitation=invitation, user=request.user)
                messages.success(request, _("Welcome to the group!"))
                return HttpResponseRedirect((page.get_url(request) if page else None) or index.url)
            if request.POST.get("answer") == "decline":
                services.invitation_decline(invitation=invitation, user=request.user)
                messages.success(request, _("You have declined the invitation."))
                return HttpResponseRedirect(index.url)
            raise ValidationError(_("Choose accept or decline."))
        except (ValidationError, PermissionDenied) as exc:
            invitation.refresh_from_db()
            context["error"] = refusal_message(exc)
            return _render(request, template, context, refusal_status(exc))
    return _render(request, template, context)
