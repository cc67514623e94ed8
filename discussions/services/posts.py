"""Threads and replies: start, reply, edit, delete, react."""

from __future__ import annotations

from django.core.exceptions import ValidationError
from django.db import transaction
from django.db.models import Count
from django.utils import timezone
from django.utils.translation import gettext as _

from core.concurrency import check_version
from core.idempotency import idempotent
from groups.models import WorkingGroup

from .. import permissions as perms
from .. import realtime, signals
from ..models import (
    MAX_CHILDREN,
    MAX_DEPTH,
    ContentStatus,
    Post,
    PostRevision,
    Reaction,
    Reactions,
    Thread,
    path_segment,
)
from ..rendering import render_markdown
from ._common import (
    _announce_held,
    _announce_reply,
    _announce_thread,
    _check_pace,
    _clean_body,
    _clean_language,
    _clean_title,
    _emit,
    _locked_post,
    _needs_approval,
    _publish_counts,
    _readable_mentions,
    _require_login,
    _touch,
)

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
