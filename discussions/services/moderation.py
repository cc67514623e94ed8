"""Moderation: posts hidden, approved or rejected; threads locked, pinned or moved;
slow mode and the group's discussion settings."""

from __future__ import annotations

from django.core.exceptions import PermissionDenied, ValidationError
from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from core.search import index_sync
from groups.models import WorkingGroup

from .. import permissions as perms
from .. import realtime, signals
from ..models import (
    ContentStatus,
    GroupDiscussionSettings,
    Post,
    Report,
    Thread,
)
from ._common import (
    PREMODERATION_MAX,
    SLOW_MODE_MAX_SECONDS,
    Action,
    _announce_reply,
    _announce_thread,
    _clean_reason,
    _emit,
    _locked_post,
    _log,
    _publish_counts,
    _require_login,
    _touch,
    _wait_text,
)

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
