"""Who may see or do what in discussions. Builds on `groups.permissions` (membership, roles,
visibility) and is the ONLY place discussions answers these questions: views, lists,
search, the mention autocomplete, websockets and post fragments all call it.

`user` may be AnonymousUser. Group roles are cached per request by groups.permissions, so
asking many questions about one thread costs one membership query.
"""

from __future__ import annotations

from dataclasses import dataclass

from django.core.exceptions import PermissionDenied
from django.db.models import QuerySet
from django.http import Http404
from django.shortcuts import get_object_or_404
from django.utils.translation import gettext as _

from core.policy import FieldIn, FieldIsNull, IsUser, Policy, Through, signed_in
from core.refusals import LoginRequired
from groups import permissions as group_perms
from groups.models import WorkingGroup

from .models import ContentStatus, Post, Thread

_authenticated = signed_in


def _is_author(user, obj) -> bool:
    return _authenticated(user) and obj.author_id == user.pk


# --- reading --------------------------------------------------------------------------


def can_read_group_discussions(user, group: WorkingGroup) -> bool:
    """The group's thread list (same rule as the group's content)."""
    return group_perms.can_read_content(user, group)


class ThreadPolicy(Policy):
    """Who may read or moderate a thread: the group's readers, and while it awaits
    approval only its author and the group's moderators. One rule, three forms
    (core.policy): `can_read_thread`, `readable_threads`, `thread_readers`."""

    model = Thread
    rules = {
        "read": Through("group", group_perms.group_policy, "read")
        & (
            FieldIn("status", [ContentStatus.PUBLISHED])
            | IsUser("author")
            | Through("group", group_perms.group_policy, "moderate")
        ),
        "moderate": Through("group", group_perms.group_policy, "moderate"),
    }


thread_policy = ThreadPolicy()


def can_read_thread(user, thread: Thread) -> bool:
    """Readers of the group's content; a thread still awaiting approval only for its author
    and the moderators."""
    return thread_policy.user_has_permission_for_instance(user, "read", thread)


_PUBLISHED = FieldIn("status", [ContentStatus.PUBLISHED])


class PostPolicy(Policy):
    """Who may see a post (in full or as a placeholder): the thread's readers, and while
    it is held for approval its author and the moderators. `read`: a live post in a
    published thread of a readable group, in full (search, member pages, mentions)."""

    model = Post
    rules = {
        "see": Through("thread", thread_policy, "read")
        & (_PUBLISHED | IsUser("author") | Through("group", group_perms.group_policy, "moderate")),
        "read": Through("group", group_perms.group_policy, "read")
        & FieldIn("thread__status", [ContentStatus.PUBLISHED])
        & _PUBLISHED
        & FieldIsNull("hidden_at")
        & FieldIsNull("deleted_at"),
    }


post_policy = PostPolicy()


def can_see_post(user, post: Post) -> bool:
    """May the post appear (in full or as a placeholder) for this viewer?"""
    return post_policy.user_has_permission_for_instance(user, "see", post)


def can_see_post_body(user, post: Post) -> bool:
    """Hidden posts: author (with the reason) and moderators; deleted posts: nobody."""
    if post.is_deleted or not can_see_post(user, post):
        return False
    if post.is_hidden:
        return _is_author(user, post) or group_perms.can_moderate(user, post.group)
    return True


def can_see_history(user, post: Post) -> bool:
    """Edit history: the author and the group's moderators."""
    return can_see_post(user, post) and (
        _is_author(user, post) or group_perms.can_moderate(user, post.group)
    )


# --- writing --------------------------------------------------------------------------


def can_start_thread(user, group: WorkingGroup) -> bool:
    return _authenticated(user) and group_perms.can_post(user, group)


def can_reply(user, thread: Thread) -> bool:
    """Members may reply to a readable, unlocked thread; moderators also to locked ones."""
    if not _authenticated(user) or not can_read_thread(user, thread):
        return False
    if thread.status != ContentStatus.PUBLISHED:
        return False
    if thread.locked and not group_perms.can_moderate(user, thread.group):
        return False
    return group_perms.can_post(user, thread.group)


def can_edit_post(user, post: Post) -> bool:
    """Authors edit their own posts while still members, unless deleted, hidden, rejected
    or in a locked thread."""
    if not _is_author(user, post) or post.is_deleted or post.is_hidden:
        return False
    if post.status == ContentStatus.REJECTED:
        return False
    if post.thread.locked and not group_perms.can_moderate(user, post.group):
        return False
    return group_perms.can_post(user, post.group)


def can_delete_post(user, post: Post) -> bool:
    """Authors delete their own posts (a placeholder stays)."""
    return _is_author(user, post) and not post.is_deleted and can_see_post(user, post)


def can_react(user, post: Post) -> bool:
    return (
        _authenticated(user)
        and post.is_live
        and post.thread.status == ContentStatus.PUBLISHED
        and group_perms.can_post(user, post.group)
    )


def can_report(user, post: Post) -> bool:
    """Any signed-in reader may report someone else's live post."""
    return (
        _authenticated(user)
        and post.is_live
        and not _is_author(user, post)
        and can_read_thread(user, post.thread)
    )


# --- many posts at once (thread pages) ------------------------------------------------


@dataclass(frozen=True)
class ThreadAbilities:
    """What one viewer may do in one thread, asked once per page: the per-post answers
    below then need no query, whatever the number of posts."""

    user_id: int | None
    can_reply: bool  # reply to the thread's live posts
    can_moderate: bool
    can_post: bool  # a member of the group (edit own posts)
    can_react: bool  # a member, and the thread is published
    thread_locked: bool


@dataclass(frozen=True)
class PostAbilities:
    """The same answers as can_see_post_body / can_edit_post / can_delete_post / can_react /
    can_report / can_see_history (tests check they agree) for one post the viewer sees."""

    mine: bool
    show_body: bool
    can_edit: bool
    can_delete: bool
    can_react: bool
    can_reply: bool
    can_report: bool
    can_history: bool  # the link: only when there is a history


def thread_abilities(user, thread: Thread) -> ThreadAbilities:
    can_post = _authenticated(user) and group_perms.can_post(user, thread.group)
    return ThreadAbilities(
        user_id=user.pk if _authenticated(user) else None,
        can_reply=can_reply(user, thread),
        can_moderate=can_moderate_thread(user, thread),
        can_post=can_post,
        can_react=can_post and thread.status == ContentStatus.PUBLISHED,
        thread_locked=thread.locked,
    )


def post_abilities(abilities: ThreadAbilities, post: Post) -> PostAbilities:
    """Per-post answers from the thread's (no query). `post` is one the viewer may see."""
    mine = abilities.user_id is not None and post.author_id == abilities.user_id
    deleted, hidden = post.deleted_at is not None, post.hidden_at is not None
    published = post.status == ContentStatus.PUBLISHED
    live = published and not hidden and not deleted
    moderator = abilities.can_moderate
    return PostAbilities(
        mine=mine,
        show_body=not deleted and ((published and not hidden) or mine or moderator),
        can_edit=mine
        and not deleted
        and not hidden
        and post.status != ContentStatus.REJECTED
        and (not abilities.thread_locked or moderator)
        and abilities.can_post,
        can_delete=mine and not deleted,
        can_react=live and abilities.can_react,
        can_reply=live and abilities.can_reply,
        can_report=live and abilities.user_id is not None and not mine,
        can_history=bool(post.edit_count) and (mine or moderator),
    )


# --- moderating -----------------------------------------------------------------------


def can_moderate_group(user, group: WorkingGroup) -> bool:
    return group_perms.can_moderate(user, group)


def can_moderate_thread(user, thread: Thread) -> bool:
    return group_perms.can_moderate(user, thread.group)


def can_move_thread(user, thread: Thread, target: WorkingGroup) -> bool:
    """Moderators move threads between groups they moderate."""
    return (
        target.pk != thread.group_id
        and group_perms.can_moderate(user, thread.group)
        and group_perms.can_moderate(user, target)
    )


# --- querysets (single queries; lists, search, autocomplete) --------------------------


def readable_threads(user) -> QuerySet[Thread]:
    """Threads the user may read, in groups whose content they may read."""
    return thread_policy.instances_user_has_permission_for(user, "read")


def readable_posts(user) -> QuerySet[Post]:
    """Live posts the user may read in full (search results, member pages)."""
    return post_policy.instances_user_has_permission_for(user, "read")


def post_readers(post: Post) -> QuerySet:
    """Active accounts that may read the post in full."""
    return post_policy.users_with_permission_for_instance("read", post)


def thread_readers(thread: Thread) -> QuerySet:
    """Every active account that may read the thread (mention autocomplete, mention
    notifications): public groups' threads everyone, others the group's readers."""
    return thread_policy.users_with_permission_for_instance("read", thread)


# --- check_* variants (raise) ---------------------------------------------------------


def check_can_read_thread(user, thread: Thread) -> None:
    """Secret groups and unapproved threads answer 404; other private content 403."""
    group_perms.check_can_read_content(user, thread.group)
    if not can_read_thread(user, thread):
        raise Http404(_("No such thread."))


def check_can_see_post(user, post: Post) -> None:
    check_can_read_thread(user, post.thread)
    if not can_see_post(user, post):
        raise Http404(_("No such post."))


def check_can_start_thread(user, group: WorkingGroup) -> None:
    group_perms.check_can_post(user, group)


def check_can_reply(user, thread: Thread) -> None:
    check_can_read_thread(user, thread)
    if thread.status != ContentStatus.PUBLISHED:
        raise PermissionDenied(_("This thread is waiting for a moderator's approval."))
    group_perms.check_can_post(user, thread.group)
    if not can_reply(user, thread):
        raise PermissionDenied(_("This thread is locked: nobody can reply any more."))


def check_can_edit_post(user, post: Post) -> None:
    check_can_see_post(user, post)
    if not can_edit_post(user, post):
        if post.is_deleted:
            raise PermissionDenied(_("This post was deleted."))
        if post.is_hidden:
            raise PermissionDenied(_("A moderator hid this post; it cannot be edited."))
        if post.thread.locked:
            raise PermissionDenied(_("This thread is locked: posts cannot be edited any more."))
        raise PermissionDenied(_("You can only edit your own posts."))


def check_can_delete_post(user, post: Post) -> None:
    check_can_see_post(user, post)
    if not can_delete_post(user, post):
        if post.is_deleted:
            raise PermissionDenied(_("This post was already deleted."))
        raise PermissionDenied(_("You can only delete your own posts."))


def check_can_react(user, post: Post) -> None:
    check_can_see_post(user, post)
    if not can_react(user, post):
        if not post.is_live:
            raise PermissionDenied(_("You cannot react to a hidden, deleted or unapproved post."))
        raise PermissionDenied(_("Only members of this group can react."))


def check_can_report(user, post: Post) -> None:
    check_can_see_post(user, post)
    if not can_report(user, post):
        if _is_author(user, post):
            raise PermissionDenied(_("You cannot report your own post."))
        raise PermissionDenied(_("This post cannot be reported."))


def check_can_see_history(user, post: Post) -> None:
    check_can_see_post(user, post)
    if not can_see_history(user, post):
        raise PermissionDenied(
            _("Only the author and the group's moderators can see the edit history.")
        )


def check_can_moderate_group(user, group: WorkingGroup) -> None:
    group_perms.check_can_moderate(user, group)


def check_can_moderate_thread(user, thread: Thread) -> None:
    group_perms.check_can_moderate(user, thread.group)


# --- fetch and check in one call (views) ------------------------------------------------


def _needs_account(user, see) -> None:
    """A visitor who may see the thing is asked to sign in; one who may not gets the 404
    or 403 the see-check raises."""
    if not _authenticated(user):
        see()
        raise LoginRequired


_THREAD_CHECKS = {
    "read": None,
    "reply": check_can_reply,
    "moderate": check_can_moderate_thread,
}
_POST_CHECKS = {
    "see": None,
    "edit": check_can_edit_post,
    "delete": check_can_delete_post,
    "react": check_can_react,
    "report": check_can_report,
    "history": check_can_see_history,
    "moderate": lambda user, post: check_can_moderate_group(user, post.group),
}


def access_thread(user, thread_id: int, *, action: str = "read", signed_in: bool = False) -> Thread:
    """The thread if `user` may do `action` to it (read, reply, moderate); else 404 for a
    thread they may not know of, 403 for one they may read but not act on, and for a
    visitor who may read it the login redirect (LoginRequired) when the action, or
    `signed_in`, needs an account."""
    thread = get_object_or_404(
        Thread.objects.select_related("group", "group__discussion_settings__slow_mode_by"),
        pk=thread_id,
    )
    check = _THREAD_CHECKS[action]
    if check is None and not signed_in:
        check_can_read_thread(user, thread)
        return thread
    _needs_account(user, lambda: check_can_read_thread(user, thread))
    (check or check_can_read_thread)(user, thread)
    return thread


def access_post(user, post_id: int, *, action: str = "see", signed_in: bool = False) -> Post:
    """The post if `user` may do `action` to it (see, edit, delete, react, report,
    history, moderate); the same 404 / 403 / login answers as `access_thread`."""
    post = get_object_or_404(
        Post.objects.select_related("thread__group", "author", "group"), pk=post_id
    )
    check = _POST_CHECKS[action]
    if (check is None and not signed_in) or action == "history":
        (check or check_can_see_post)(user, post)  # history: a visitor's 403, no login
        return post
    _needs_account(user, lambda: check_can_see_post(user, post))
    (check or check_can_see_post)(user, post)
    return post
