"""What the discussions services share: limits, cleaning, pace, the log, events."""

from __future__ import annotations

from datetime import datetime, timedelta

from django.conf import settings
from django.core.exceptions import PermissionDenied, ValidationError
from django.db.models import F, Max
from django.utils.translation import gettext as _
from django.utils.translation import ngettext

from core import users
from core.events import emit
from groups import permissions as group_perms
from groups.models import WorkingGroup

from .. import permissions as perms
from .. import realtime, signals
from ..exceptions import PostingTooFast
from ..models import (
    ContentStatus,
    GroupDiscussionSettings,
    ModerationLogEntry,
    Post,
    Thread,
    path_ancestors,
)

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
