"""Every write to discussions: threads, replies, edits, reactions, reports, moderation.

Each service is keyword-only, runs in one transaction, checks permissions itself (so no
surface can forget to) and raises ValidationError / PermissionDenied (PostingTooFast for
rate limits) with a translated message, changing nothing. Domain events (signals.py) and
websocket pushes (realtime.py) go out after commit.
"""

from __future__ import annotations

from datetime import datetime, timedelta

from django.conf import settings
from django.core.exceptions import PermissionDenied, ValidationError
from django.db import transaction
from django.db.models import Count, F, Max
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import ngettext

from core import users
from core.concurrency import check_version
from core.events import emit
from core.idempotency import idempotent
from core.search import index_sync
from groups import permissions as group_perms
from groups.models import WorkingGroup

from . import permissions as perms
from . import realtime, signals
from .exceptions import PostingTooFast
from .models import (
    MAX_CHILDREN,
    MAX_DEPTH,
    ContentStatus,
    GroupDiscussionSettings,
    ModerationLogEntry,
    Post,
    PostRevision,
    Reaction,
    Reactions,
    Report,
    Thread,
    path_ancestors,
    path_segment,
)
from .rendering import render_markdown

Action = ModerationLogEntry.Action

TITLE_MIN_LENGTH = 3
TITLE_MAX_LENGTH = 200
BODY_MAX_LENGTH = 20_000
REASON_MAX_LENGTH = 500
REPORT_DETAILS_MAX_LENGTH = 2_000
SLOW_MODE_MAX_SECONDS = 7 * 24 * 3600
PREMODERATION_MAX = 50


def posts_per_minute() -> int:
    """How many posts (threads + replies) a member may write per minute."""
    return int(getattr(settings, "DISCUSSIONS_POSTS_PER_MINUTE", 6))


# --- helpers --------------------------------------------------------------------------


def _emit(signal, sender, **kwargs) -> None:
    emit(signal, sender, **kwargs)


def _log(
    *, group, actor, action, thread=None, post=None, subject=None, reason="", detail=""
) -> None:
    ModerationLogEntry.objects.create(
        group=group,
        actor=actor,
        action=action,
        thread=thread,
        post=post,
        subject=subject,
        reason=reason,
        detail=detail[:300],
    )


def _touch(group: WorkingGroup, at: datetime) -> None:
    from groups.services import group_touch_activity

    group_touch_activity(group=group, at=at)


def _require_login(user) -> None:
    if user is None or not user.is_authenticated:
        raise PermissionDenied(_("Please log in first."))


def _clean_title(title: str) -> str:
    title = " ".join((title or "").split())
    if len(title) < TITLE_MIN_LENGTH:
        raise ValidationError(
            _("Please give the thread a title of at least %(min)d characters.")
            % {"min": TITLE_MIN_LENGTH},
            code="title",
        )
    if len(title) > TITLE_MAX_LENGTH:
        raise ValidationError(
            _("The title is too long: at most %(max)d characters, you wrote %(count)d.")
            % {"max": TITLE_MAX_LENGTH, "count": len(title)},
            code="title",
        )
    return title


def _clean_body(body: str) -> str:
    body = (body or "").replace("\r\n", "\n").strip("\n")
    if not body.strip():
        raise ValidationError(_("Please write a message."), code="body")
    if len(body) > BODY_MAX_LENGTH:
        raise ValidationError(
            _("The message is too long: at most %(max)s characters, you wrote %(count)s.")
            % {"max": f"{BODY_MAX_LENGTH:,}", "count": f"{len(body):,}"},
            code="body",
        )
    return body


def _clean_language(language: str | None, author) -> str:
    codes = dict(settings.LANGUAGES)
    language = language or users.preferred_language(author)
    if language not in codes:
        raise ValidationError(_("Please choose one of the offered languages."), code="language")
    return language


def _clean_reason(reason: str, *, required: bool, message: str = "") -> str:
    reason = (reason or "").strip()
    if required and not reason:
        raise ValidationError(message or _("Please give a reason."), code="reason")
    if len(reason) > REASON_MAX_LENGTH:
        raise ValidationError(
            _("The reason is too long: at most %(max)d characters.") % {"max": REASON_MAX_LENGTH},
            code="reason",
        )
    return reason


def group_settings_of(group: WorkingGroup) -> GroupDiscussionSettings:
    """The group's discussion settings (defaults when none were saved; not written).
    Always read fresh: a cached reverse one-to-one would hide a change made moments ago."""
    found = (
        GroupDiscussionSettings.objects.select_related("slow_mode_by").filter(group=group).first()
    )
    return found or GroupDiscussionSettings(group=group)


def _wait_text(seconds: int) -> str:
    if seconds >= 3600:
        hours = -(-seconds // 3600)
        return ngettext("%(n)d hour", "%(n)d hours", hours) % {"n": hours}
    if seconds >= 60:
        minutes = -(-seconds // 60)
        return ngettext("%(n)d minute", "%(n)d minutes", minutes) % {"n": minutes}
    return ngettext("%(n)d second", "%(n)d seconds", seconds) % {"n": seconds}


def _check_pace(*, author, group: WorkingGroup, thread: Thread | None, now: datetime) -> None:
    """Posts-per-minute limit for everyone; slow mode (thread or group) for non-moderators."""
    limit = posts_per_minute()
    recent = list(
        Post.objects.filter(author=author, created_at__gt=now - timedelta(minutes=1))
        .order_by("-created_at")
        .values_list("created_at", flat=True)[:limit]
    )
    if len(recent) >= limit:
        wait = int((recent[-1] + timedelta(minutes=1) - now).total_seconds()) + 1
        raise PostingTooFast(
            ngettext(
                "You are posting too fast: at most %(n)d post per minute. Please wait %(wait)s.",
                "You are posting too fast: at most %(n)d posts per minute. Please wait %(wait)s.",
                limit,
            )
            % {"n": limit, "wait": _wait_text(wait)},
            retry_after=wait,
        )
    if group_perms.can_moderate(author, group):
        return
    group_seconds = group_settings_of(group).slow_mode_seconds
    checks = []
    if group_seconds:
        checks.append((group_seconds, Post.objects.filter(author=author, group=group)))
    if thread is not None and thread.slow_mode_seconds:
        checks.append((thread.slow_mode_seconds, Post.objects.filter(author=author, thread=thread)))
    for seconds, posts in checks:
        last = posts.aggregate(last=Max("created_at"))["last"]
        if last and last + timedelta(seconds=seconds) > now:
            wait = int((last + timedelta(seconds=seconds) - now).total_seconds()) + 1
            raise PostingTooFast(
                _(
                    "Slow mode is on: one post every %(interval)s per member. "
                    "You can post again in %(wait)s."
                )
                % {"interval": _wait_text(seconds), "wait": _wait_text(wait)},
                retry_after=wait,
            )


def _needs_approval(author, group: WorkingGroup) -> bool:
    """Pre-moderation: the first N posts of a member wait for approval (moderators never)."""
    first_n = group_settings_of(group).premoderate_first_posts
    if not first_n or group_perms.can_moderate(author, group):
        return False
    published = Post.objects.filter(
        author=author, group=group, status=ContentStatus.PUBLISHED
    ).count()
    return published < first_n


def _readable_mentions(thread: Thread, user_ids, exclude: int | None = None) -> list[int]:
    """Mentioned people who can read the thread (a mention of anyone else notifies nobody)."""
    ids = {int(i) for i in user_ids if i != exclude}
    if not ids:
        return []
    return sorted(perms.thread_readers(thread).filter(pk__in=ids).values_list("pk", flat=True))


def _publish_counts(post: Post, at: datetime) -> None:
    """A reply became visible: bump its parent, ancestors, thread (F() so concurrent replies
    never lose a count)."""
    Post.objects.filter(pk=post.parent_id).update(child_count=F("child_count") + 1)
    Post.objects.filter(thread_id=post.thread_id, path__in=path_ancestors(post.path)).update(
        descendant_count=F("descendant_count") + 1
    )
    Thread.objects.filter(pk=post.thread_id).update(
        reply_count=F("reply_count") + 1, last_post_at=at
    )


def _announce_reply(post: Post, thread: Thread) -> None:
    parent_author_id = (
        Post.objects.filter(pk=post.parent_id).values_list("author_id", flat=True).first()
    )
    _emit(
        signals.post_created,
        Post,
        post=post,
        post_id=post.pk,
        thread_id=thread.pk,
        group_id=thread.group_id,
        parent_id=post.parent_id,
        parent_author_id=parent_author_id,
        author_id=post.author_id,
        mentioned_user_ids=_readable_mentions(
            thread, post.mentioned_user_ids, exclude=post.author_id
        ),
    )
    realtime.thread_event(thread.pk, "post_created", post=post.pk, parent=post.parent_id)


def _announce_thread(thread: Thread, post: Post) -> None:
    _emit(
        signals.thread_created,
        Thread,
        thread=thread,
        thread_id=thread.pk,
        group_id=thread.group_id,
        post=post,
        post_id=post.pk,
        author_id=thread.author_id,
        mentioned_user_ids=_readable_mentions(
            thread, post.mentioned_user_ids, exclude=thread.author_id
        ),
    )


def _announce_held(post: Post, thread: Thread) -> None:
    """A new member's post waits for approval: the moderators are told (the author sees it
    marked as waiting)."""
    _emit(
        signals.post_held,
        Post,
        post=post,
        post_id=post.pk,
        thread_id=thread.pk,
        group_id=thread.group_id,
        author_id=post.author_id,
    )


def _locked_post(post: Post | int) -> Post:
    pk = post.pk if isinstance(post, Post) else post
    found = (
        Post.objects.select_for_update()
        .select_related("thread__group", "group")
        .filter(pk=pk)
        .first()
    )
    if found is None:
        raise ValidationError(_("This post does not exist (any more)."), code="missing")
    return found


# --- threads and replies --------------------------------------------------------------


@idempotent(user="author")
@transaction.atomic
def thread_start(
    *, group: WorkingGroup, author, title: str, body: str, language: str | None = None
) -> Thread:
    """Start a thread in a group with its opening post. New members' posts may be held
    for approval (pre-moderation); then only the author and moderators see the thread."""
    _require_login(author)
    perms.check_can_start_thread(author, group)
    title = _clean_title(title)
    body = _clean_body(body)
    language = _clean_language(language, author)
    now = timezone.now()
    _check_pace(author=author, group=group, thread=None, now=now)
    status = ContentStatus.PENDING if _needs_approval(author, group) else ContentStatus.PUBLISHED
    rendered = render_markdown(body)
    thread = Thread.objects.create(
        group=group,
        title=title,
        author=author,
        language=language,
        status=status,
        created_at=now,
        last_post_at=now,
    )
    post = Post.objects.create(
        thread=thread,
        group=group,
        parent=None,
        path="",
        depth=0,
        author=author,
        body=body,
        body_html=rendered.html,
        language=language,
        mentioned_user_ids=sorted(rendered.mentioned_user_ids),
        status=status,
        created_at=now,
    )
    if status == ContentStatus.PUBLISHED:
        _touch(group, now)
        _announce_thread(thread, post)
    else:
        _announce_held(post, thread)
    return thread


@idempotent(user="author")
@transaction.atomic
def post_reply(
    *, thread: Thread, parent: Post | int | None, author, body: str, language: str | None = None
) -> Post:
    """Reply to the thread (parent None = its opening post) or to any post in it, at any depth.

    With `idempotency_key` (the reply form's), a retried or doubled submit returns the
    first reply instead of storing a second one (core.idempotency)."""
    _require_login(author)
    thread = Thread.objects.select_related("group").get(pk=thread.pk)
    perms.check_can_reply(author, thread)
    if parent is None:
        parent = Post.objects.filter(thread=thread, depth=0).values_list("pk", flat=True).first()
    parent = _locked_post(parent) if parent is not None else None
    if parent is None:
        raise ValidationError(_("The post you are replying to does not exist."), code="missing")
    if parent.thread_id != thread.pk:
        raise ValidationError(_("You can only reply to posts of this thread."), code="wrong_thread")
    if parent.is_deleted:
        raise ValidationError(_("You cannot reply to a deleted post."), code="deleted")
    if parent.is_hidden:
        raise ValidationError(
            _("You cannot reply to a post a moderator has hidden."), code="hidden"
        )
    if parent.status != ContentStatus.PUBLISHED:
        raise ValidationError(
            _("You cannot reply to a post that is not published."), code="unpublished"
        )
    if parent.depth + 1 > MAX_DEPTH:
        raise ValidationError(
            _("This branch is nested too deeply; please reply further up."), code="depth"
        )
    if parent.last_child_seq >= MAX_CHILDREN:
        raise ValidationError(
            _("This post has too many replies; please reply elsewhere."), code="full"
        )
    body = _clean_body(body)
    language = _clean_language(language, author)
    now = timezone.now()
    _check_pace(author=author, group=thread.group, thread=thread, now=now)
    status = (
        ContentStatus.PENDING if _needs_approval(author, thread.group) else ContentStatus.PUBLISHED
    )
    rendered = render_markdown(body)

    # The parent row is locked: the next segment is ours alone.
    seq = parent.last_child_seq + 1
    Post.objects.filter(pk=parent.pk).update(last_child_seq=seq)
    post = Post.objects.create(
        thread=thread,
        group=thread.group,
        parent=parent,
        path=parent.path + path_segment(seq),
        depth=parent.depth + 1,
        author=author,
        body=body,
        body_html=rendered.html,
        language=language,
        mentioned_user_ids=sorted(rendered.mentioned_user_ids),
        status=status,
        created_at=now,
    )
    if status == ContentStatus.PUBLISHED:
        _publish_counts(post, now)
        _touch(thread.group, now)
        _announce_reply(post, thread)
    else:
        _announce_held(post, thread)
    return post


@transaction.atomic
def post_edit(
    *,
    post: Post,
    user,
    body: str,
    title: str | None = None,
    language: str | None = None,
    expected_version: int | None = None,
) -> Post:
    """The author edits a post (and, for an opening post, the thread title); the previous
    version is kept as a revision for the author and the moderators.

    `expected_version` is the post's `edit_count` when the edit form was loaded: if the
    post was edited since (another tab), EditConflict carries the saved texts and nothing
    is written (core.concurrency). None skips the check."""
    _require_login(user)
    post = _locked_post(post)
    perms.check_can_edit_post(user, post)
    body = _clean_body(body)
    language = _clean_language(language or post.language, user)
    thread = post.thread
    new_title = _clean_title(title) if (title is not None and post.is_opening) else thread.title
    if body == post.body and new_title == thread.title and language == post.language:
        return post
    # The row is locked: no other edit can slip in between this check and the save.
    check_version(
        expected=expected_version,
        current=post.edit_count,
        saved=lambda: {
            **({"title": thread.title} if post.is_opening else {}),
            "body": post.body,
            "language": post.language,
        },
    )
    now = timezone.now()
    PostRevision.objects.create(
        post=post,
        body=post.body,
        title=thread.title if post.is_opening else "",
        created_at=now,
        written_at=post.edited_at or post.created_at,
    )
    rendered = render_markdown(body)
    new_mentions = set(rendered.mentioned_user_ids) - set(post.mentioned_user_ids)
    post.body, post.body_html, post.language = body, rendered.html, language
    post.mentioned_user_ids = sorted(rendered.mentioned_user_ids)
    post.edited_at, post.edit_count = now, post.edit_count + 1
    post.save(
        update_fields=[
            "body",
            "body_html",
            "language",
            "mentioned_user_ids",
            "edited_at",
            "edit_count",
        ]
    )
    if post.is_opening and new_title != thread.title:
        thread.title = new_title
        thread.save(update_fields=["title"])
    if post.is_published:
        _emit(
            signals.post_edited,
            Post,
            post=post,
            post_id=post.pk,
            thread_id=thread.pk,
            group_id=post.group_id,
            author_id=post.author_id,
            mentioned_user_ids=_readable_mentions(thread, new_mentions, exclude=post.author_id),
        )
        realtime.thread_event(thread.pk, "post_updated", post=post.pk, parent=post.parent_id)
    return post


@transaction.atomic
def post_delete(*, post: Post, user) -> Post:
    """The author deletes a post: its text and history go, a placeholder keeps the replies
    under it in place."""
    _require_login(user)
    post = _locked_post(post)
    perms.check_can_delete_post(user, post)
    post.body = post.body_html = ""
    post.mentioned_user_ids = []
    post.deleted_at = timezone.now()
    post.save(update_fields=["body", "body_html", "mentioned_user_ids", "deleted_at"])
    post.revisions.all().delete()
    Reaction.objects.filter(post=post).delete()
    if post.reaction_counts:
        post.reaction_counts = {}
        post.save(update_fields=["reaction_counts"])
    _emit(
        signals.post_deleted,
        Post,
        post=post,
        post_id=post.pk,
        thread_id=post.thread_id,
        group_id=post.group_id,
        author_id=post.author_id,
    )
    realtime.thread_event(post.thread_id, "post_updated", post=post.pk, parent=post.parent_id)
    return post


@transaction.atomic
def reaction_toggle(*, post: Post, user, kind: str) -> bool:
    """Add the user's reaction of `kind` to a post, or take it back. Returns True if added."""
    _require_login(user)
    if kind not in Reactions.values:
        raise ValidationError(_("Unknown reaction."), code="kind")
    post = _locked_post(post)
    perms.check_can_react(user, post)
    deleted, _ignored = Reaction.objects.filter(post=post, user=user, kind=kind).delete()
    added = not deleted
    if added:
        Reaction.objects.create(post=post, user=user, kind=kind)
    counts = dict(
        Reaction.objects.filter(post=post)
        .values_list("kind")
        .annotate(n=Count("pk"))
        .values_list("kind", "n")
    )
    post.reaction_counts = {k: counts[k] for k in Reactions.values if counts.get(k)}
    post.save(update_fields=["reaction_counts"])
    if added:
        _emit(
            signals.reaction_added,
            Post,
            post=post,
            post_id=post.pk,
            thread_id=post.thread_id,
            group_id=post.group_id,
            author_id=post.author_id,
            user_id=user.pk,
            kind=kind,
        )
    realtime.thread_event(post.thread_id, "post_updated", post=post.pk, parent=post.parent_id)
    return added


# --- reports --------------------------------------------------------------------------


@idempotent(user="reporter")
@transaction.atomic
def report_create(*, post: Post, reporter, reason: str, details: str = "") -> Report:
    """Report a post to the group's moderators (one open report per person and post)."""
    _require_login(reporter)
    post = _locked_post(post)
    perms.check_can_report(reporter, post)
    if reason not in Report.Reason.values:
        raise ValidationError(_("Please choose a reason."), code="reason")
    details = (details or "").strip()
    if reason == Report.Reason.OTHER and not details:
        raise ValidationError(_("Please tell the moderators what is wrong."), code="details")
    if len(details) > REPORT_DETAILS_MAX_LENGTH:
        raise ValidationError(
            _("The explanation is too long: at most %(max)d characters.")
            % {"max": REPORT_DETAILS_MAX_LENGTH},
            code="details",
        )
    if Report.objects.filter(post=post, reporter=reporter, status=Report.Status.OPEN).exists():
        raise ValidationError(
            _("You have already reported this post; the moderators will look at it."),
            code="duplicate",
        )
    report = Report.objects.create(
        post=post,
        group=post.group,
        reporter=reporter,
        reason=reason,
        details=details,
        snapshot=post.body,
    )
    _emit(
        signals.report_created,
        Report,
        report=report,
        report_id=report.pk,
        post_id=post.pk,
        thread_id=post.thread_id,
        group_id=post.group_id,
        reporter_id=reporter.pk,
    )
    return report


@transaction.atomic
def report_resolve(*, report: Report, by, hide: bool, note: str = "") -> Report:
    """A moderator resolves a report: hide the post (closing every open report on it) or
    dismiss this report. The note is logged and, when hiding, shown to the author."""
    _require_login(by)
    report = (
        Report.objects.select_for_update().select_related("post__thread__group").get(pk=report.pk)
    )
    perms.check_can_moderate_group(by, report.post.group)
    if report.status != Report.Status.OPEN:
        raise ValidationError(_("This report has already been resolved."), code="resolved")
    note = _clean_reason(
        note, required=hide, message=_("Please say why the post is hidden; its author will see it.")
    )
    now = timezone.now()
    post = report.post
    if hide:
        if not post.is_hidden and not post.is_deleted:
            post_hide(post=post, by=by, reason=note)
        targets = list(
            Report.objects.select_for_update().filter(post=post, status=Report.Status.OPEN)
        )
        status = Report.Status.HIDDEN
        _log(
            group=post.group,
            actor=by,
            action=Action.REPORT_UPHELD,
            thread=post.thread,
            post=post,
            subject=post.author,
            reason=note,
        )
    else:
        targets = [report]
        status = Report.Status.DISMISSED
        _log(
            group=post.group,
            actor=by,
            action=Action.REPORT_DISMISSED,
            thread=post.thread,
            post=post,
            subject=report.reporter,
            reason=note,
        )
    for target in targets:
        target.status, target.resolved_by, target.resolved_at, target.resolution_note = (
            status,
            by,
            now,
            note,
        )
        target.save(update_fields=["status", "resolved_by", "resolved_at", "resolution_note"])
        _emit(
            signals.report_resolved,
            Report,
            report=target,
            report_id=target.pk,
            post_id=post.pk,
            thread_id=post.thread_id,
            group_id=post.group_id,
            reporter_id=target.reporter_id,
            by_id=by.pk,
            status=status,
            note=note,
        )
    report.refresh_from_db()
    return report


# --- moderation of posts --------------------------------------------------------------


def _set_hidden(*, post: Post, by, hide: bool, reason: str) -> Post:
    """Hide or unhide a post (the shared body of post_hide and post_unhide): check, store,
    log, tell the author (signal) and the thread's viewers (ids only)."""
    _require_login(by)
    post = _locked_post(post)
    perms.check_can_moderate_group(by, post.group)
    if hide:
        reason = _clean_reason(
            reason, required=True, message=_("Please say why; the author will see the reason.")
        )
        if post.is_deleted:
            raise ValidationError(_("This post was deleted by its author."), code="deleted")
        if post.is_hidden:
            raise ValidationError(_("This post is already hidden."), code="hidden")
        post.hidden_at, post.hidden_by, post.hidden_reason = timezone.now(), by, reason
    else:
        reason = _clean_reason(reason, required=False)
        if not post.is_hidden:
            raise ValidationError(_("This post is not hidden."), code="not_hidden")
        post.hidden_at, post.hidden_by, post.hidden_reason = None, None, ""
    post.save(update_fields=["hidden_at", "hidden_by", "hidden_reason"])
    _log(
        group=post.group,
        actor=by,
        action=Action.POST_HIDDEN if hide else Action.POST_UNHIDDEN,
        thread=post.thread,
        post=post,
        subject=post.author,
        reason=reason,
    )
    _emit(
        signals.post_hidden if hide else signals.post_unhidden,
        Post,
        post=post,
        post_id=post.pk,
        thread_id=post.thread_id,
        group_id=post.group_id,
        author_id=post.author_id,
        by_id=by.pk,
        reason=reason,
    )
    realtime.thread_event(post.thread_id, "post_updated", post=post.pk, parent=post.parent_id)
    return post


@transaction.atomic
def post_hide(*, post: Post, by, reason: str) -> Post:
    """A moderator hides a post; its author sees it with the reason, others a placeholder."""
    return _set_hidden(post=post, by=by, hide=True, reason=reason)


@transaction.atomic
def post_unhide(*, post: Post, by, reason: str = "") -> Post:
    """A moderator shows a hidden post again."""
    return _set_hidden(post=post, by=by, hide=False, reason=reason)


@transaction.atomic
def post_approve(*, post: Post, by) -> Post:
    """A moderator approves a held post (pre-moderation): it appears for everyone; an
    opening post publishes its thread."""
    _require_login(by)
    post = _locked_post(post)
    perms.check_can_moderate_group(by, post.group)
    if post.status != ContentStatus.PENDING:
        raise ValidationError(_("This post is not waiting for approval."), code="not_pending")
    if post.is_deleted:
        raise ValidationError(_("This post was deleted by its author."), code="deleted")
    now = timezone.now()
    post.status = ContentStatus.PUBLISHED
    post.save(update_fields=["status"])
    thread = post.thread
    _log(
        group=post.group,
        actor=by,
        action=Action.POST_APPROVED,
        thread=thread,
        post=post,
        subject=post.author,
    )
    _emit(
        signals.post_approved,
        Post,
        post=post,
        post_id=post.pk,
        thread_id=thread.pk,
        group_id=post.group_id,
        author_id=post.author_id,
        by_id=by.pk,
    )
    if post.is_opening:
        thread.status = ContentStatus.PUBLISHED
        thread.last_post_at = max(thread.last_post_at, now)
        thread.save(update_fields=["status", "last_post_at"])
        _announce_thread(thread, post)
    else:
        _publish_counts(post, now)
        _announce_reply(post, thread)
    _touch(post.group, now)
    return post


@transaction.atomic
def post_reject(*, post: Post, by, reason: str) -> Post:
    """A moderator rejects a held post; only its author (with the reason) and moderators
    still see it."""
    _require_login(by)
    post = _locked_post(post)
    perms.check_can_moderate_group(by, post.group)
    reason = _clean_reason(
        reason, required=True, message=_("Please say why; the author will see the reason.")
    )
    if post.status != ContentStatus.PENDING:
        raise ValidationError(_("This post is not waiting for approval."), code="not_pending")
    post.status, post.hidden_by, post.hidden_reason = ContentStatus.REJECTED, by, reason
    post.save(update_fields=["status", "hidden_by", "hidden_reason"])
    if post.is_opening:
        Thread.objects.filter(pk=post.thread_id).update(status=ContentStatus.REJECTED)
    _log(
        group=post.group,
        actor=by,
        action=Action.POST_REJECTED,
        thread=post.thread,
        post=post,
        subject=post.author,
        reason=reason,
    )
    _emit(
        signals.post_rejected,
        Post,
        post=post,
        post_id=post.pk,
        thread_id=post.thread_id,
        group_id=post.group_id,
        author_id=post.author_id,
        by_id=by.pk,
        reason=reason,
    )
    return post


# --- moderation of threads and groups -------------------------------------------------


def _locked_thread(thread: Thread) -> Thread:
    return Thread.objects.select_for_update().select_related("group").get(pk=thread.pk)


@transaction.atomic
def thread_lock(*, thread: Thread, by, locked: bool, reason: str = "") -> Thread:
    """Lock (nobody but moderators may reply or edit) or unlock a thread; the reason for a
    lock is shown to members."""
    _require_login(by)
    thread = _locked_thread(thread)
    perms.check_can_moderate_thread(by, thread)
    reason = _clean_reason(
        reason,
        required=locked,
        message=_("Please say why the thread is locked; members will see it."),
    )
    if thread.locked == locked:
        raise ValidationError(
            _("This thread is already locked.") if locked else _("This thread is not locked."),
            code="unchanged",
        )
    thread.locked = locked
    thread.locked_by, thread.locked_at, thread.locked_reason = (
        (by, timezone.now(), reason) if locked else (None, None, "")
    )
    thread.save(update_fields=["locked", "locked_by", "locked_at", "locked_reason"])
    _log(
        group=thread.group,
        actor=by,
        action=Action.THREAD_LOCKED if locked else Action.THREAD_UNLOCKED,
        thread=thread,
        reason=reason,
    )
    _emit(
        signals.thread_locked,
        Thread,
        thread=thread,
        thread_id=thread.pk,
        group_id=thread.group_id,
        by_id=by.pk,
        locked=locked,
        reason=reason,
    )
    realtime.thread_event(thread.pk, "thread_updated")
    return thread


@transaction.atomic
def thread_pin(*, thread: Thread, by, pinned: bool) -> Thread:
    """Pin a thread to the top of its group's list, or unpin it."""
    _require_login(by)
    thread = _locked_thread(thread)
    perms.check_can_moderate_thread(by, thread)
    if thread.pinned == pinned:
        raise ValidationError(
            _("This thread is already pinned.") if pinned else _("This thread is not pinned."),
            code="unchanged",
        )
    thread.pinned = pinned
    thread.save(update_fields=["pinned"])
    _log(
        group=thread.group,
        actor=by,
        action=Action.THREAD_PINNED if pinned else Action.THREAD_UNPINNED,
        thread=thread,
    )
    _emit(
        signals.thread_pinned,
        Thread,
        thread=thread,
        thread_id=thread.pk,
        group_id=thread.group_id,
        by_id=by.pk,
        pinned=pinned,
    )
    return thread


@transaction.atomic
def thread_move(*, thread: Thread, by, target: WorkingGroup, reason: str = "") -> Thread:
    """Move a thread (with all its posts and reports) to another group the moderator
    moderates. Logged in both groups."""
    _require_login(by)
    thread = _locked_thread(thread)
    if target.pk == thread.group_id:
        raise ValidationError(_("The thread is already in this group."), code="same_group")
    if not perms.can_move_thread(by, thread, target):
        raise PermissionDenied(_("You can only move threads between groups you moderate."))
    reason = _clean_reason(reason, required=False)
    source = thread.group
    thread.group = target
    thread.save(update_fields=["group"])
    Post.objects.filter(thread=thread).update(group=target)
    # A bulk update skips modelsearch: the posts' group filter field is brought in step.
    index_sync(Post, Post.objects.filter(thread=thread).values_list("pk", flat=True))
    Report.objects.filter(post__thread=thread).update(group=target)
    _log(
        group=source,
        actor=by,
        action=Action.THREAD_MOVED_OUT,
        thread=thread,
        reason=reason,
        detail=target.name,
    )
    _log(
        group=target,
        actor=by,
        action=Action.THREAD_MOVED_IN,
        thread=thread,
        reason=reason,
        detail=source.name,
    )
    _touch(target, timezone.now())
    _emit(
        signals.thread_moved,
        Thread,
        thread=thread,
        thread_id=thread.pk,
        from_group_id=source.pk,
        group_id=target.pk,
        by_id=by.pk,
        reason=reason,
    )
    realtime.thread_event(thread.pk, "thread_updated")
    return thread


@transaction.atomic
def slow_mode_set(
    *, by, group: WorkingGroup, thread: Thread | None = None, seconds: int, reason: str = ""
) -> None:
    """Slow mode for one thread or the whole group: one post per interval per member
    (moderators exempt). 0 turns it off. Who set it and why is shown to members."""
    _require_login(by)
    if thread is not None:
        thread = _locked_thread(thread)
        group = thread.group
    perms.check_can_moderate_group(by, group)
    try:
        seconds = int(seconds)
    except (TypeError, ValueError):
        raise ValidationError(_("Please choose an interval."), code="seconds") from None
    if seconds < 0 or seconds > SLOW_MODE_MAX_SECONDS:
        raise ValidationError(_("The interval must be between 0 (off) and 7 days."), code="seconds")
    reason = _clean_reason(
        reason,
        required=seconds > 0,
        message=_("Please say why slow mode is on; members will see it."),
    )
    now = timezone.now()
    values = {
        "slow_mode_seconds": seconds,
        "slow_mode_by": by if seconds else None,
        "slow_mode_reason": reason if seconds else "",
        "slow_mode_set_at": now if seconds else None,
    }
    if thread is not None:
        for field, value in values.items():
            setattr(thread, field, value)
        thread.save(update_fields=list(values))
    else:
        GroupDiscussionSettings.objects.update_or_create(group=group, defaults=values)
    detail = _("off") if not seconds else _wait_text(seconds)
    _log(
        group=group,
        actor=by,
        action=Action.SLOW_MODE,
        thread=thread,
        reason=reason,
        detail=str(detail),
    )
    _emit(
        signals.slow_mode_changed,
        Thread,
        thread_id=thread.pk if thread else None,
        group_id=group.pk,
        by_id=by.pk,
        seconds=seconds,
        reason=reason,
    )
    if thread is not None:
        realtime.thread_event(thread.pk, "thread_updated")


@transaction.atomic
def group_discussion_settings_update(
    *, group: WorkingGroup, by, premoderate_first_posts: int
) -> GroupDiscussionSettings:
    """Pre-moderation for the group: hold the first N posts of each new member (0 = off)."""
    _require_login(by)
    perms.check_can_moderate_group(by, group)
    try:
        value = int(premoderate_first_posts)
    except (TypeError, ValueError):
        raise ValidationError(_("Please enter a number."), code="premoderate") from None
    if value < 0 or value > PREMODERATION_MAX:
        raise ValidationError(
            _("Choose a number between 0 (off) and %(max)d.") % {"max": PREMODERATION_MAX},
            code="premoderate",
        )
    group_settings, _created = GroupDiscussionSettings.objects.update_or_create(
        group=group, defaults={"premoderate_first_posts": value}
    )
    _log(
        group=group,
        actor=by,
        action=Action.SETTINGS,
        detail=_("hold the first %(n)d posts of new members") % {"n": value}
        if value
        else _("pre-moderation off"),
    )
    return group_settings
