"""Thin views for discussions.

Each view: load, permission check through discussions.permissions, form validation, one
service call. A ValidationError answers 400, a PermissionDenied 403, a rate limit 429 —
each re-rendering the form with the message and the member's text intact. Secret groups
and unapproved threads answer 404 to people who may not know about them.
"""

from __future__ import annotations

import functools

from django.conf import settings
from django.contrib.auth import get_user_model
from django.contrib.auth.views import redirect_to_login
from django.core.exceptions import PermissionDenied, ValidationError
from django.http import Http404, HttpResponseRedirect, JsonResponse
from django.shortcuts import get_object_or_404
from django.template.loader import render_to_string
from django.template.response import TemplateResponse
from django.urls import reverse
from django.utils import timezone, translation
from django.utils.translation import gettext as _
from django.views.decorators.http import require_GET, require_POST

from cms.chrome_cache import chrome_cached
from core import concurrency, users
from core.http import page_number, parse_id
from core.idempotency import key_from
from core.refusals import refusal_message, refusal_status, with_retry_after
from groups import permissions as group_perms
from groups.models import WorkingGroup

from . import permissions as perms
from . import selectors, services
from .forms import (
    EditForm,
    MoveForm,
    PremoderationForm,
    ReasonForm,
    ReplyForm,
    ReportForm,
    ResolveForm,
    SlowModeForm,
    ThreadForm,
)
from .models import ContentStatus, Post, Report, Thread
from .receivers import GROUP_LINKS

# --- helpers --------------------------------------------------------------------------


def _render(request, template: str, context: dict, status: int = 200, exc: Exception | None = None):
    if exc is not None:
        context["error"] = refusal_message(exc)
        status = refusal_status(exc)
        if isinstance(exc, concurrency.EditConflict) and "form" in context:
            # Both texts: the saved one beside the form, the member's own left in it.
            context["conflict"] = context["form"].take_conflict(exc)
    response = TemplateResponse(request, template, context, status=status)
    return with_retry_after(response, exc) if exc is not None else response


def _wants_json(request) -> bool:
    return "application/json" in request.headers.get("Accept", "")


def _json_error(exc: Exception) -> JsonResponse:
    response = JsonResponse(
        {"ok": False, "error": refusal_message(exc)}, status=refusal_status(exc)
    )
    return with_retry_after(response, exc)


def _form_page(request, template: str, context: dict, form, act):
    """The shape every form page shares: a valid POST runs `act()` (one service call that
    returns the success response); a refused write re-renders the form with the service's
    message (4xx), invalid input with the field errors (400); a GET shows the form."""
    if request.method == "POST" and form.is_valid():
        try:
            return act()
        except (ValidationError, PermissionDenied) as exc:
            return _render(request, template, context, exc=exc)
    return _render(request, template, context, status=400 if form.errors else 200)


def _blank_reply_fields(language: str) -> str:
    """The fields of an empty reply form in one language. They are the same bytes for every
    reader of every thread page, so they are rendered once per process and language, not
    through Django's widget templates on each request (~1.5 ms of a thread page). No member
    text is in them; with DEBUG on they are rendered each time (template edits show)."""
    if settings.DEBUG:
        return _render_reply_fields(language)
    return _cached_reply_fields(language)


def _render_reply_fields(language: str) -> str:
    form = ReplyForm(initial={"language": language})
    return render_to_string("discussions/includes/reply_fields.html", {"form": form})


_cached_reply_fields = functools.lru_cache(maxsize=len(settings.LANGUAGES))(_render_reply_fields)


def _language() -> str:
    return translation.get_language() or "en"


def _login_first(request):
    return redirect_to_login(request.get_full_path())


def _group(slug: str) -> WorkingGroup:
    return get_object_or_404(WorkingGroup, slug=slug)


def _thread(thread_id: int) -> Thread:
    # The group's discussion settings (slow mode notice) come with the same query.
    return get_object_or_404(
        Thread.objects.select_related("group", "group__discussion_settings__slow_mode_by"),
        pk=thread_id,
    )


def _group_link(group: WorkingGroup) -> dict:
    """The group's localised page title and URL (falls back to its default name). The same
    for every reader: cached with the page chrome (a query less per page)."""
    language = _language()

    def build() -> dict:
        page = group.page_in(language)
        return {"title": page.title if page else "", "url": (page.get_url() if page else "") or ""}

    link = chrome_cached(f"{group.pk}:{language}", build, scope=GROUP_LINKS)
    return {"title": link["title"] or group.name, "url": link["url"]}


def _urls() -> dict:
    # Prefixes for per-post links, so a 300-post page does not reverse() 3,000 times.
    index = reverse("discussions:index")
    return {"posts": index + "posts/", "threads": index + "threads/", "members": index + "members/"}


def _tz(request) -> str:
    return users.time_zone(request.user)


def _base_context(request, group: WorkingGroup, **extra) -> dict:
    context = {
        "group": group,
        "group_link": _group_link(group),
        "can_moderate_group": perms.can_moderate_group(request.user, group),
        "urls": _urls(),
        "tz": _tz(request),
    }
    context.update(extra)
    return context


def _thread_page_url(post: Post) -> str:
    """Where a post is shown in its thread: the page holding its top-level branch, or its
    own permalink when the thread page does not load it (too deep, or after the replies
    one page carries)."""
    if post.depth == 0:
        return reverse("discussions:thread", args=[post.thread_id])
    if post.depth > 1 + selectors.MAX_LOADED_DEPTH:
        return post.get_absolute_url()
    top_path = post.path[: selectors.SEGMENT]
    tops = Post.objects.filter(thread_id=post.thread_id, depth=1).order_by("path")
    before = tops.filter(path__lt=top_path).count()
    page = before // selectors.TOP_LEVEL_PER_PAGE + 1
    if post.depth > 1:
        first = tops.values_list("path", flat=True)[(page - 1) * selectors.TOP_LEVEL_PER_PAGE]
        earlier_replies = Post.objects.filter(
            thread_id=post.thread_id,
            path__gte=first,
            path__lt=post.path,
            depth__gt=1,
            depth__lte=1 + selectors.MAX_LOADED_DEPTH,
        ).count()
        if earlier_replies >= selectors.MAX_REPLIES_PER_PAGE:
            return post.get_absolute_url()
    url = reverse("discussions:thread", args=[post.thread_id])
    query = f"?page={page}" if page > 1 else ""
    return f"{url}{query}#post-{post.pk}"


# --- lists ----------------------------------------------------------------------------


@require_GET
def index(request):
    """Recent threads in every group the visitor may read."""
    from django.core.paginator import Paginator

    threads = (
        perms.readable_threads(request.user)
        .filter(status=ContentStatus.PUBLISHED)
        .select_related("group", "author")
        .order_by("-last_post_at", "-pk")
    )
    page_obj = Paginator(threads, selectors.THREADS_PER_PAGE).get_page(request.GET.get("page"))
    return _render(request, "discussions/index.html", {"page_obj": page_obj, "tz": _tz(request)})


@require_GET
def group_threads(request, slug: str):
    """A group's threads, pinned first, then by latest activity."""
    group = _group(slug)
    group_perms.check_can_read_content(request.user, group)
    page_obj = selectors.group_threads_page(
        user=request.user, group=group, page_number=request.GET.get("page")
    )
    return _render(
        request,
        "discussions/group_threads.html",
        _base_context(
            request,
            group,
            page_obj=page_obj,
            can_start=perms.can_start_thread(request.user, group),
            group_settings=services.group_settings_of(group),
        ),
    )


def thread_create(request, slug: str):
    """Start a thread in a group."""
    group = _group(slug)
    if not request.user.is_authenticated:
        group_perms.check_can_view_group(request.user, group)
        return _login_first(request)
    perms.check_can_start_thread(request.user, group)
    form = ThreadForm(request.POST or None, initial={"language": _language()})
    context = _base_context(
        request, group, form=form, group_settings=services.group_settings_of(group)
    )

    def start():
        thread = services.thread_start(
            group=group,
            author=request.user,
            idempotency_key=key_from(request.POST),
            **form.cleaned_data,
        )
        return HttpResponseRedirect(thread.get_absolute_url())

    return _form_page(request, "discussions/thread_form.html", context, form, start)


# --- thread and posts -----------------------------------------------------------------


@require_GET
def thread_detail(request, thread_id: int):
    """The thread: opening post and one page of top-level branches, nested, collapsible."""
    thread = perms.access_thread(request.user, thread_id)
    with timezone.override(_tz(request)):
        view = selectors.thread_page(
            thread=thread, user=request.user, page_number=page_number(request.GET.get("page"))
        )
    form = ReplyForm(initial={"language": _language()}) if view.viewer.can_reply else None
    return _render(
        request,
        "discussions/thread.html",
        _base_context(
            request,
            thread.group,
            thread=thread,
            view=view,
            page_obj=view.page,
            form=form,
            blank_reply_fields=_blank_reply_fields(_language()) if form else "",
            labels=selectors.labels(),
        ),
    )


@require_GET
def post_detail(request, thread_id: int, post_id: int):
    """Permalink: the thread opened at one post, with its ancestors and one page of its
    replies ("continue this thread" lands here too)."""
    thread = _thread(thread_id)
    post = get_object_or_404(Post, pk=post_id, thread=thread)
    post.thread = thread
    perms.check_can_see_post(request.user, post)
    with timezone.override(_tz(request)):
        view = selectors.branch_view(
            thread=thread,
            post=post,
            user=request.user,
            page_number=page_number(request.GET.get("page")),
        )
    form = ReplyForm(initial={"language": _language()}) if view.viewer.can_reply else None
    return _render(
        request,
        "discussions/branch.html",
        _base_context(
            request,
            thread.group,
            thread=thread,
            view=view,
            form=form,
            blank_reply_fields=_blank_reply_fields(_language()) if form else "",
            labels=selectors.labels(),
        ),
    )


@require_GET
def post_fragment(request, post_id: int):
    """One post as an HTML fragment for live updates, rendered for THIS viewer (the socket
    only carries ids; this view is where permission is checked)."""
    post = perms.access_post(request.user, post_id)
    with timezone.override(_tz(request)):
        item = selectors.post_item(post=post, user=request.user)
    return _render(
        request,
        "discussions/fragment.html",
        {
            "item": item,
            "thread": post.thread,
            "urls": _urls(),
            "labels": selectors.labels(),
        },
    )


def _reply(request, thread: Thread, parent: Post | None, quote: Post | None = None):
    """Shared by the thread's reply form and the reply-to-a-post page (the caller's
    access_* call has checked that the member may read the thread)."""
    initial = {"language": _language()}
    if quote is not None:
        initial["body"] = _quote_text(quote)
    form = ReplyForm(request.POST or None, initial=initial)
    context = _base_context(request, thread.group, thread=thread, parent=parent, form=form)
    if request.method != "POST":
        # The form only for those who may reply. On POST the service's check decides,
        # so a thread locked meanwhile re-renders the form with the text kept.
        perms.check_can_reply(request.user, thread)
        return _render(request, "discussions/reply_form.html", context)
    if not form.is_valid():
        if _wants_json(request):
            if "body" in form.errors:
                error = _("Please write a message.")
            else:  # the field's own (translated) message, e.g. an unknown language
                error = " ".join(str(m) for messages in form.errors.values() for m in messages)
            return JsonResponse({"ok": False, "error": error}, status=400)
        return _render(request, "discussions/reply_form.html", context, status=400)
    parent_id = form.cleaned_data.get("parent") or (parent.pk if parent else None)
    try:
        post = services.post_reply(
            thread=thread,
            parent=parent_id,
            author=request.user,
            body=form.cleaned_data["body"],
            language=form.cleaned_data["language"],
            idempotency_key=key_from(request.POST),
        )
    except (ValidationError, PermissionDenied) as exc:
        if _wants_json(request):
            return _json_error(exc)
        if parent is None and parent_id:
            context["parent"] = Post.objects.filter(pk=parent_id, thread=thread).first()
        return _render(request, "discussions/reply_form.html", context, exc=exc)
    if _wants_json(request):
        return JsonResponse(
            {
                "ok": True,
                "post": post.pk,
                "parent": post.parent_id,
                "pending": post.status == ContentStatus.PENDING,
                "fragment": reverse("discussions:post_fragment", args=[post.pk]),
            }
        )
    return HttpResponseRedirect(_thread_page_url(post))


def _quote_text(post: Post) -> str:
    name = post.author.username if post.author else _("someone")
    lines = (post.body or "").splitlines() or [""]
    return f"@{name} " + _("wrote:") + "\n" + "\n".join("> " + line for line in lines) + "\n\n"


def thread_reply(request, thread_id: int):
    """Reply to the thread (or, with `parent` in the form, to a post of it)."""
    thread = perms.access_thread(request.user, thread_id, signed_in=True)
    return _reply(request, thread, None)


def post_reply(request, post_id: int):
    """Reply to one post (the no-JS page; ?quote=<id> pre-fills a quote of any post)."""
    parent = perms.access_post(request.user, post_id, signed_in=True)
    quote = None
    quote_id = parse_id(request.GET.get("quote"))
    if quote_id is not None:
        quote = (
            Post.objects.select_related("author", "thread__group")
            .filter(pk=quote_id, thread=parent.thread)
            .first()
        )
        if quote is not None and not perms.can_see_post_body(request.user, quote):
            quote = None
    return _reply(request, parent.thread, parent, quote)


def post_edit(request, post_id: int):
    """The author edits a post (and the title, for an opening post)."""
    post = perms.access_post(request.user, post_id, action="edit")
    initial = {
        "body": post.body,
        "language": post.language,
        "title": post.thread.title,
        "version": post.edit_count,
    }
    form = EditForm(request.POST or None, initial=initial)
    context = _base_context(request, post.group, thread=post.thread, post=post, form=form)

    def edit():
        data = form.cleaned_data
        services.post_edit(
            post=post,
            user=request.user,
            body=data["body"],
            language=data["language"],
            title=data["title"] if post.is_opening else None,
            expected_version=form.expected_version(),
        )
        return HttpResponseRedirect(_thread_page_url(post))

    return _form_page(request, "discussions/edit_form.html", context, form, edit)


def post_delete(request, post_id: int):
    """The author deletes a post after confirming."""
    post = perms.access_post(request.user, post_id, action="delete")
    context = _base_context(request, post.group, thread=post.thread, post=post)
    if request.method == "POST":
        try:
            services.post_delete(post=post, user=request.user)
        except (ValidationError, PermissionDenied) as exc:
            return _render(request, "discussions/delete_confirm.html", context, exc=exc)
        return HttpResponseRedirect(_thread_page_url(post))
    return _render(request, "discussions/delete_confirm.html", context)


def post_react(request, post_id: int):
    """Toggle one reaction. GET shows the choice (the no-JS path of "React"); POST toggles
    (JS sends the same request and swaps the post in place)."""
    post = perms.access_post(request.user, post_id, signed_in=True)
    if request.method != "POST":  # on POST the service decides (JS gets its message)
        perms.check_can_react(request.user, post)
        return _render(
            request,
            "discussions/react.html",
            _base_context(
                request,
                post.group,
                thread=post.thread,
                post=post,
                choices=selectors.reaction_choices(post=post, user=request.user),
            ),
        )
    try:
        added = services.reaction_toggle(
            post=post, user=request.user, kind=request.POST.get("kind", "")
        )
    except (ValidationError, PermissionDenied) as exc:
        if _wants_json(request):
            return _json_error(exc)
        return _render(
            request,
            "discussions/message.html",
            _base_context(request, post.group, thread=post.thread, post=post),
            exc=exc,
        )
    if _wants_json(request):
        return JsonResponse({"ok": True, "added": added})
    return HttpResponseRedirect(_thread_page_url(post))


def post_report(request, post_id: int):
    """Report a post to the group's moderators."""
    post = perms.access_post(request.user, post_id, action="report")
    form = ReportForm(request.POST or None)
    context = _base_context(request, post.group, thread=post.thread, post=post, form=form)

    def report():
        services.report_create(
            post=post,
            reporter=request.user,
            idempotency_key=key_from(request.POST),
            **form.cleaned_data,
        )
        context["done"] = True
        return _render(request, "discussions/report_form.html", context)

    return _form_page(request, "discussions/report_form.html", context, form, report)


@require_GET
def post_history(request, post_id: int):
    """Earlier versions of a post (author and moderators)."""
    post = perms.access_post(request.user, post_id, action="history")
    revisions = list(post.revisions.all())
    return _render(
        request,
        "discussions/history.html",
        _base_context(request, post.group, thread=post.thread, post=post, revisions=revisions),
    )


# --- moderation -----------------------------------------------------------------------


def post_moderate(request, post_id: int):
    """Hide/unhide a post, or approve/reject a held one, with a reason."""
    post = perms.access_post(request.user, post_id, action="moderate")
    form = ReasonForm(request.POST or None)
    context = _base_context(request, post.group, thread=post.thread, post=post, form=form)

    def moderate():
        action = request.POST.get("action")
        reason = form.cleaned_data["reason"]
        actions = {
            "hide": lambda: services.post_hide(post=post, by=request.user, reason=reason),
            "unhide": lambda: services.post_unhide(post=post, by=request.user, reason=reason),
            "approve": lambda: services.post_approve(post=post, by=request.user),
            "reject": lambda: services.post_reject(post=post, by=request.user, reason=reason),
        }
        if action not in actions:
            raise ValidationError(_("Unknown action."))
        actions[action]()
        if request.POST.get("next", "") == "queue":
            return HttpResponseRedirect(reverse("discussions:queue", args=[post.group.slug]))
        return HttpResponseRedirect(post.get_absolute_url())

    return _form_page(request, "discussions/post_moderate.html", context, form, moderate)


def thread_moderate(request, thread_id: int):
    """Lock/unlock, pin/unpin, move and slow mode for one thread."""
    thread = perms.access_thread(request.user, thread_id, action="moderate")
    targets = list(
        group_perms.moderated_groups(request.user).exclude(pk=thread.group_id).order_by("name")
    )
    action = request.POST.get("action") if request.method == "POST" else None
    lock_form = ReasonForm(request.POST if action in ("lock", "unlock") else None, prefix="lock")
    slow_form = SlowModeForm(
        request.POST if action == "slow" else None,
        prefix="slow",
        initial={"seconds": thread.slow_mode_seconds, "reason": thread.slow_mode_reason},
    )
    move_form = MoveForm(request.POST if action == "move" else None, prefix="move", groups=targets)
    context = _base_context(
        request,
        thread.group,
        thread=thread,
        lock_form=lock_form,
        slow_form=slow_form,
        move_form=move_form,
        targets=targets,
    )
    if action is None:
        return _render(request, "discussions/thread_moderate.html", context)
    user = request.user
    try:
        if action in ("lock", "unlock"):
            if not lock_form.is_valid():
                raise ValidationError(_("Please check the form."))
            services.thread_lock(
                thread=thread,
                by=user,
                locked=action == "lock",
                reason=lock_form.cleaned_data["reason"],
            )
        elif action in ("pin", "unpin"):
            services.thread_pin(thread=thread, by=user, pinned=action == "pin")
        elif action == "slow":
            if not slow_form.is_valid():
                raise ValidationError(_("Please check the form."))
            services.slow_mode_set(
                by=user, group=thread.group, thread=thread, **slow_form.cleaned_data
            )
        elif action == "move":
            if not move_form.is_valid():
                raise ValidationError(_("Please choose a group you moderate."))
            target = get_object_or_404(WorkingGroup, pk=move_form.cleaned_data["target"])
            services.thread_move(
                thread=thread, by=user, target=target, reason=move_form.cleaned_data["reason"]
            )
        else:
            raise ValidationError(_("Unknown action."))
    except (ValidationError, PermissionDenied) as exc:
        return _render(request, "discussions/thread_moderate.html", context, exc=exc)
    return HttpResponseRedirect(thread.get_absolute_url())


def moderation_queue(request, slug: str):
    """Open reports and held posts of a group, for its moderators."""
    group = _group(slug)
    if not request.user.is_authenticated:
        group_perms.check_can_view_group(request.user, group)
        return _login_first(request)
    perms.check_can_moderate_group(request.user, group)
    reports, held = selectors.moderation_queue(group=group)
    return _render(
        request,
        "discussions/queue.html",
        _base_context(request, group, reports=reports, held=held, resolve_form=ResolveForm()),
    )


@require_POST
def report_resolve(request, report_id: int):
    """Resolve a report: hide the post or dismiss the report, with a note."""
    report = get_object_or_404(Report.objects.select_related("group"), pk=report_id)
    if not request.user.is_authenticated:
        group_perms.check_can_view_group(request.user, report.group)
        return _login_first(request)
    perms.check_can_moderate_group(request.user, report.group)
    form = ResolveForm(request.POST)
    try:
        if not form.is_valid():
            raise ValidationError(_("Please check the form."))
        services.report_resolve(
            report=report,
            by=request.user,
            hide=request.POST.get("action") == "hide",
            note=form.cleaned_data["note"],
        )
    except (ValidationError, PermissionDenied) as exc:
        reports, held = selectors.moderation_queue(group=report.group)
        return _render(
            request,
            "discussions/queue.html",
            _base_context(
                request, report.group, reports=reports, held=held, resolve_form=ResolveForm()
            ),
            exc=exc,
        )
    return HttpResponseRedirect(reverse("discussions:queue", args=[report.group.slug]))


@require_GET
def moderation_log(request, slug: str):
    """Every moderation action in a group: who, when, why."""
    group = _group(slug)
    if not request.user.is_authenticated:
        group_perms.check_can_view_group(request.user, group)
        return _login_first(request)
    perms.check_can_moderate_group(request.user, group)
    page_obj = selectors.moderation_log_page(group=group, page_number=request.GET.get("page"))
    return _render(
        request, "discussions/log.html", _base_context(request, group, page_obj=page_obj)
    )


def group_settings(request, slug: str):
    """Pre-moderation and group-wide slow mode, for the group's moderators."""
    group = _group(slug)
    if not request.user.is_authenticated:
        group_perms.check_can_view_group(request.user, group)
        return _login_first(request)
    perms.check_can_moderate_group(request.user, group)
    current = services.group_settings_of(group)
    action = request.POST.get("action") if request.method == "POST" else None
    premod_form = PremoderationForm(
        request.POST if action == "premoderation" else None,
        prefix="premod",
        initial={"premoderate_first_posts": current.premoderate_first_posts},
    )
    slow_form = SlowModeForm(
        request.POST if action == "slow" else None,
        prefix="slow",
        initial={"seconds": current.slow_mode_seconds, "reason": current.slow_mode_reason},
    )
    context = _base_context(
        request, group, premod_form=premod_form, slow_form=slow_form, group_settings=current
    )
    if action is None:
        return _render(request, "discussions/group_settings.html", context)
    try:
        if action == "premoderation":
            if not premod_form.is_valid():
                raise ValidationError(_("Please enter a number."))
            services.group_discussion_settings_update(
                group=group, by=request.user, **premod_form.cleaned_data
            )
        elif action == "slow":
            if not slow_form.is_valid():
                raise ValidationError(_("Please check the form."))
            services.slow_mode_set(by=request.user, group=group, **slow_form.cleaned_data)
        else:
            raise ValidationError(_("Unknown action."))
    except (ValidationError, PermissionDenied) as exc:
        return _render(request, "discussions/group_settings.html", context, exc=exc)
    return HttpResponseRedirect(
        reverse("discussions:group_settings", args=[group.slug]) + "?saved=1"
    )


# --- people and search ----------------------------------------------------------------


@require_GET
def mention_autocomplete(request, thread_id: int):
    """JSON: people who can read this thread, matching what follows the @."""
    thread = perms.access_thread(request.user, thread_id)
    if not request.user.is_authenticated:
        raise PermissionDenied(_("Please log in first."))
    results = selectors.mention_candidates(thread=thread, prefix=request.GET.get("q", ""))
    return JsonResponse({"results": results})


@require_GET
def member_detail(request, username: str):
    """A member's public name and the posts of theirs the visitor may read (what @mentions
    link to)."""
    if not username.isprintable():
        raise Http404  # a NUL would reach the database (PostgreSQL refuses it: a 500)
    member = get_object_or_404(get_user_model(), **{users.handle_field(): username}, is_active=True)
    posts = selectors.member_posts(viewer=request.user, member=member)
    return _render(
        request, "discussions/member.html", {"member": member, "posts": posts, "tz": _tz(request)}
    )


@require_GET
def search(request):
    """Search threads and posts; only what the visitor may read."""
    query = selectors.search_text(request.GET.get("q", ""))
    threads, posts = selectors.search(user=request.user, query=query) if query else ([], [])
    return _render(
        request,
        "discussions/search.html",
        {"query": query, "threads": threads, "posts": posts, "tz": _tz(request)},
    )
