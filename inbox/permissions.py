"""Who may see which notification, who may be notified, who may watch what.

The inbox does not decide who may read a group or a thread: it asks
`groups.permissions` and `discussions.permissions` — in batch (querysets used as
subqueries), so a page of notifications or a fan-out to a thousand members costs the same
few queries as one.
"""

from __future__ import annotations

from collections.abc import Iterable

from django.core.exceptions import PermissionDenied
from django.db.models import Exists, OuterRef, Q, QuerySet
from django.utils.translation import gettext as _

from .models import Audience, Notification, id_set


def visible_notifications(user) -> QuerySet[Notification]:
    """The user's notifications they may still see, as one query.

    - about the recipient themself (invitations, join decisions, their hidden post): always;
    - about content: only while they may read it — the thread (and the post, which must
      not be hidden or deleted) or, for group-level items, the group's content;
    - for moderators: only while they moderate the group.
    A notification about something the recipient can no longer see is simply not there,
    so it reveals nothing (not even that it existed).
    """
    from discussions.permissions import readable_posts, readable_threads
    from groups.permissions import moderated_groups, readable_groups

    if user is None or not user.is_authenticated:
        return Notification.objects.none()
    readable_post = Exists(readable_posts(user).filter(pk=OuterRef("post_ref")))
    readable_thread = Exists(readable_threads(user).filter(pk=OuterRef("thread_ref")))
    readable_group = Exists(readable_groups(user).filter(pk=OuterRef("group_ref")))
    moderated_group = Exists(moderated_groups(user).filter(pk=OuterRef("group_ref")))
    readers = Q(audience=Audience.READERS) & (
        (Q(thread_ref__isnull=True) & readable_group)
        | (
            Q(thread_ref__isnull=False)
            & readable_thread
            & (Q(post_ref__isnull=True) | readable_post)
        )
    )
    moderators = Q(audience=Audience.MODERATORS) & moderated_group
    return Notification.objects.filter(recipient=user).filter(
        Q(audience=Audience.RECIPIENT) | readers | moderators
    )


def check_owns_notification(user, notification: Notification) -> None:
    """Members act only on their own notifications (mark read, open)."""
    if notification.recipient_id != getattr(user, "pk", None):
        raise PermissionDenied(_("This notification is not yours."))


# --- fan-out: who may be told --------------------------------------------------------


def _unbanned_among(readers, group_id: int, user_ids: Iterable[int]) -> set[int]:
    """Of `user_ids`, those in `readers` (a policy's users-queryset) not banned from the
    group (one query): a ban ends notifications even where the content is public."""
    from groups.models import Ban

    ids = {int(i) for i in user_ids}
    if not ids:
        return set()
    banned = Ban.objects.filter(group_id=group_id, user=OuterRef("pk"))
    return set(
        readers.filter(pk__in=id_set(ids)).exclude(Exists(banned)).values_list("pk", flat=True)
    )


def thread_readers_among(thread, user_ids: Iterable[int]) -> set[int]:
    """Of `user_ids`, who may read the thread (`discussions.permissions.thread_readers`,
    the batch form of `can_read_thread`) and is not banned from its group."""
    from discussions.permissions import thread_readers

    return _unbanned_among(thread_readers(thread), thread.group_id, user_ids)


def group_readers_among(group, user_ids: Iterable[int]) -> set[int]:
    """Of `user_ids`, who may read the group's content and is not banned."""
    from groups.permissions import group_readers

    return _unbanned_among(group_readers(group), group.pk, user_ids)


def group_moderator_ids(group) -> set[int]:
    """Who reviews the group's queue (one query): its moderators and owners, and those
    who moderate it by grant (a partner association's moderators)."""
    from groups.permissions import group_reviewers

    return set(group_reviewers(group).values_list("pk", flat=True))


# --- watching -------------------------------------------------------------------------


def can_watch_group(user, group) -> bool:
    """Readers of a group's content may choose how closely they follow it."""
    from groups.permissions import can_read_content

    return (
        bool(user is not None and user.is_authenticated)
        and can_read_content(user, group)
        and not _banned(user, group)
    )


def can_watch_thread(user, thread) -> bool:
    from discussions.permissions import can_read_thread

    return (
        bool(user is not None and user.is_authenticated)
        and can_read_thread(user, thread)
        and not _banned(user, thread.group)
    )


def _banned(user, group) -> bool:
    # A ban ends the membership, so a member (role already known to the page) is not banned.
    from groups.permissions import is_banned, is_member

    return not is_member(user, group) and is_banned(user, group)


def check_can_watch_group(user, group) -> None:
    if not can_watch_group(user, group):
        raise PermissionDenied(_("You can only follow groups whose discussions you can read."))


def check_can_watch_thread(user, thread) -> None:
    if not can_watch_thread(user, thread):
        raise PermissionDenied(_("You can only follow discussions you can read."))
