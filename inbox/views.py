"""Thin views: the notification centre, read state, watch levels, email settings,
unsubscribe. Everything works with plain forms; inbox.js only adds live updates."""

from __future__ import annotations

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied, ValidationError
from django.core.paginator import Paginator
from django.http import Http404, HttpResponseRedirect
from django.shortcuts import get_object_or_404, redirect, render
from django.urls import reverse
from django.utils.translation import gettext as _
from django.views.decorators.csrf import csrf_exempt
from django.views.decorators.http import require_http_methods, require_POST

from core.http import parse_id, redirect_next, safe_url

from . import permissions as perms
from . import selectors, services
from .forms import SettingsForm
from .models import EmailFrequency, Notification, WatchLevel
from .tokens import unsubscribe_read

PAGE_SIZE = 30


def _error_page(request, error: Exception, status: int):
    message = (
        error.messages[0]
        if isinstance(error, ValidationError)
        else (str(error) or _("You cannot do this."))
    )
    return render(request, "inbox/error.html", {"message": message}, status=status)


@login_required
def centre(request):
    """All or unread notifications, alike ones grouped, newest first."""
    unread_only = request.GET.get("show") == "unread"
    rows = selectors.centre_groups(request.user, unread_only=unread_only)
    page = Paginator(rows, PAGE_SIZE).get_page(request.GET.get("page"))
    entries = selectors.centre_entries(page.object_list)
    return render(
        request,
        "inbox/centre.html",
        {
            "entries": entries,
            "page_obj": page,
            "unread_only": unread_only,
            "muted": WatchLevel.MUTED,
        },
    )


@login_required
def open_notification(request, pk: int):
    """Follow a notification to the exact post (or page) it is about, marking it (and the
    alike ones grouped with it) read. Something no longer visible answers 404."""
    notification = get_object_or_404(Notification, pk=pk, recipient=request.user)
    if not perms.visible_notifications(request.user).filter(pk=pk).exists():
        raise Http404(_("This notification is no longer available."))
    services.notification_mark_read(user=request.user, notification=notification)
    fallback = reverse("inbox:centre")
    return HttpResponseRedirect(safe_url(request, notification.url or fallback, fallback))


@login_required
@require_POST
def mark_read(request, pk: int):
    notification = get_object_or_404(Notification, pk=pk, recipient=request.user)
    services.notification_mark_read(user=request.user, notification=notification)
    return redirect_next(request, reverse("inbox:centre"))


@login_required
@require_POST
def mark_all_read(request):
    count = services.notifications_mark_all_read(user=request.user)
    if count:
        messages.success(request, _("All notifications are marked as read."))
    return redirect_next(request, reverse("inbox:centre"))


@login_required
@require_POST
def watch(request):
    """Set the watch level of a group or a thread (one click: "Mute this thread")."""
    from discussions.models import Thread
    from groups.models import WorkingGroup

    level = request.POST.get("level", "")
    try:
        if request.POST.get("thread"):
            thread = get_object_or_404(
                Thread.objects.select_related("group"), pk=parse_id(request.POST["thread"])
            )
            services.watch_set_thread(user=request.user, thread=thread, level=level or None)
        else:
            group = get_object_or_404(WorkingGroup, pk=parse_id(request.POST.get("group")))
            services.watch_set_group(user=request.user, group=group, level=level or None)
    except (ValueError, TypeError):
        raise Http404 from None
    except PermissionDenied as error:
        return _error_page(request, error, 403)
    except ValidationError as error:
        return _error_page(request, error, 400)
    if level == WatchLevel.MUTED:
        messages.success(request, _("Muted. You will not hear about it any more."))
    else:
        messages.success(request, _("Your choice is saved."))
    return redirect_next(request, reverse("inbox:centre"))


@login_required
@require_http_methods(["GET", "POST"])
def settings_view(request):
    """Email frequency, and for each of the member's groups: watch level and email override."""
    context = selectors.settings_context(request.user)
    form = SettingsForm(request.POST or None, user=request.user, context=context)
    if request.method == "POST" and form.is_valid():
        try:
            form.save()
        except (ValidationError, PermissionDenied) as error:
            form.add_error(
                None, error.messages[0] if isinstance(error, ValidationError) else str(error)
            )
        else:
            messages.success(request, _("Your notification settings are saved."))
            return redirect("inbox:settings")
    return render(
        request,
        "inbox/settings.html",
        {
            **context,
            "form": form,
            "levels": WatchLevel.choices,
            "frequencies": EmailFrequency.choices,
        },
        status=400 if form.is_bound and form.errors else 200,
    )


@csrf_exempt  # the signed token is the credential; mail clients POST here (RFC 8058)
@require_http_methods(["GET", "POST"])
def unsubscribe(request, token: str):
    """One-click unsubscribe without logging in. GET asks (link scanners follow links),
    POST does it — from the page's button or the mail client's List-Unsubscribe-Post."""
    try:
        unsubscribe_read(token)
    except ValidationError as error:
        return _error_page(request, error, 400)
    if request.method == "POST":
        try:
            user, group_ref = services.email_unsubscribe(token=token)
        except ValidationError as error:
            return _error_page(request, error, 400)
        name = selectors.group_name(group_ref, for_user_id=user.pk)
        return render(request, "inbox/unsubscribed.html", {"group_name": name})
    user_id, group_ref = unsubscribe_read(token)
    name = selectors.group_name(group_ref, for_user_id=user_id)
    return render(request, "inbox/unsubscribe.html", {"group_name": name})
