"""Who must hear of what: the inbox's reactions to the other apps' domain events.

Signals arrive INSIDE the other app's transaction (`core.events.emit`): the notifications,
their per-member sequence numbers and the queued emails commit with the post, or not at
all. Each receiver works out the recipients with a fixed number of queries (watch levels,
readers, bans — never one per person) and hands them to `services.notifications_send`;
pushes go out after the commit.

Rules:
- never the actor; never someone who cannot read the thread/group or is banned from it;
- watch levels: muted → nothing; normal → replies to you and mentions; tracking → also
  new threads; watching → every post. A thread's own level beats its group's level;
  writing in a thread starts watching it;
- one notification per person per event (reply beats mention beats "new post");
- must-deliver (invitations, join decisions, moderation of your own post) ignore the
  watch level: they are about you, not about activity.

A failure here fails the write that caused the event (it rolls back whole and the member
is asked to try again): a post is never stored without its notifications.
"""

from __future__ import annotations

import functools
import logging

from django.apps import apps
from django.conf import settings
from django.db import transaction
from django.dispatch import receiver
from django.urls import reverse

from core import users
from discussions import signals as discussion_signals
from groups import signals as group_signals

from . import permissions as perms
from . import services
from .models import Audience, Kind, WatchLevel
from .selectors import effective_level, watch_levels

logger = logging.getLogger(__name__)

LEVEL_ORDER = {
    WatchLevel.MUTED: 0,
    WatchLevel.NORMAL: 1,
    WatchLevel.TRACKING: 2,
    WatchLevel.WATCHING: 3,
}


def safely(handler):
    """Run a receiver as part of the write that emitted the event (its transaction, a
    savepoint of its own). An error is logged with the event's name and re-raised: the
    write rolls back rather than commit without the notifications it owes."""

    @functools.wraps(handler)
    def wrapper(*args, **kwargs):
        try:
            with transaction.atomic():
                return handler(*args, **kwargs)
        except Exception:
            logger.error("inbox: %s failed; the write is rolled back", handler.__name__)
            raise

    return wrapper


# --- helpers --------------------------------------------------------------------------


def _name(user) -> str:
    return users.display_name(user)


def _user(user_id):
    from django.contrib.auth import get_user_model

    return get_user_model().objects.filter(pk=user_id).first() if user_id else None


def _post_url(post):
    return lambda language: post.get_absolute_url()


def _group_page_url(group, subpage: str | None = None):
    def url(language: str) -> str:
        page = group.page_in(language)
        if page is None:
            return ""
        base = page.get_url() or ""
        return base + page.reverse_subpage(subpage) if subpage and base else base

    return url


def _queue_url(group):
    return lambda language: reverse("discussions:queue", args=[group.slug])


def _content_recipients(
    *, thread, post, author_id, direct: dict[int, str], watchers_from: str
) -> dict[int, str]:
    """Recipients of a new post/thread: `direct` ({user: kind} for replies and mentions)
    plus everyone whose effective level reaches `watchers_from`, minus the muted, the
    author, and whoever cannot read the thread or is banned. Three queries."""
    group_levels, thread_levels = watch_levels(group_ref=thread.group_id, thread_ref=thread.pk)
    threshold = LEVEL_ORDER[watchers_from]
    candidates: dict[int, str] = {}
    watcher_kind = Kind.NEW_POST if watchers_from == WatchLevel.WATCHING else Kind.NEW_THREAD
    for user_id in set(group_levels) | set(thread_levels):
        if LEVEL_ORDER[effective_level(user_id, group_levels, thread_levels)] >= threshold:
            candidates[user_id] = watcher_kind
    candidates.update({uid: kind for uid, kind in direct.items() if uid})  # direct beats watching
    candidates = {
        uid: kind
        for uid, kind in candidates.items()
        if uid != author_id
        and effective_level(uid, group_levels, thread_levels) != WatchLevel.MUTED
    }
    readers = perms.thread_readers_among(thread, candidates)
    return {uid: kind for uid, kind in candidates.items() if uid in readers}


def _content_subject(*, thread, post, actor) -> services.Subject:
    return services.Subject(
        actor=actor,
        audience=Audience.READERS,
        group_ref=thread.group_id,
        thread_ref=thread.pk,
        post_ref=post.pk,
        data={"actor": _name(actor), "thread": thread.title, "group": thread.group.name},
        url=_post_url(post),
        target=thread,
        action_object=post,
    )


# --- discussions ----------------------------------------------------------------------


@receiver(discussion_signals.thread_created, dispatch_uid="inbox.thread_created")
@safely
def on_thread_created(sender, thread, post, author_id, mentioned_user_ids=(), **kwargs):
    """New thread: its author starts watching it; mentioned readers and members tracking
    or watching the group hear of it."""
    if author_id:
        services.watch_start_automatic(
            user_id=author_id, thread_ref=thread.pk, group_ref=thread.group_id
        )
    direct = {int(uid): Kind.MENTION for uid in mentioned_user_ids or ()}
    recipients = _content_recipients(
        thread=thread,
        post=post,
        author_id=author_id,
        direct=direct,
        watchers_from=WatchLevel.TRACKING,
    )
    if recipients:
        services.notifications_send(
            recipients=recipients,
            subject=_content_subject(thread=thread, post=post, actor=post.author),
        )


@receiver(discussion_signals.post_created, dispatch_uid="inbox.post_created")
@safely
def on_post_created(
    sender, post, author_id, parent_author_id=None, mentioned_user_ids=(), **kwargs
):
    """A reply became visible: the author of the post replied to hears of it, mentioned
    readers, and everyone watching the thread. Writing a reply starts watching."""
    thread = post.thread
    if author_id:
        services.watch_start_automatic(
            user_id=author_id, thread_ref=thread.pk, group_ref=thread.group_id
        )
    direct: dict[int, str] = {int(uid): Kind.MENTION for uid in mentioned_user_ids or ()}
    if parent_author_id:
        direct[int(parent_author_id)] = Kind.REPLY
    recipients = _content_recipients(
        thread=thread,
        post=post,
        author_id=author_id,
        direct=direct,
        watchers_from=WatchLevel.WATCHING,
    )
    if recipients:
        services.notifications_send(
            recipients=recipients,
            subject=_content_subject(thread=thread, post=post, actor=post.author),
        )


@receiver(discussion_signals.post_edited, dispatch_uid="inbox.post_edited")
@safely
def on_post_edited(sender, post, author_id, mentioned_user_ids=(), **kwargs):
    """An edit that mentions new people notifies them (and only them), once."""
    from .models import Notification

    if not mentioned_user_ids or not post.is_live:
        return
    already = set(
        Notification.objects.filter(
            post_ref=post.pk, recipient_id__in=list(mentioned_user_ids)
        ).values_list("recipient_id", flat=True)
    )
    direct = {int(uid): Kind.MENTION for uid in mentioned_user_ids if int(uid) not in already}
    if not direct:
        return
    thread = post.thread
    group_levels, thread_levels = watch_levels(group_ref=thread.group_id, thread_ref=thread.pk)
    direct = {
        uid: kind
        for uid, kind in direct.items()
        if uid != author_id
        and effective_level(uid, group_levels, thread_levels) != WatchLevel.MUTED
    }
    readers = perms.thread_readers_among(thread, direct)
    recipients = {uid: kind for uid, kind in direct.items() if uid in readers}
    if recipients:
        services.notifications_send(
            recipients=recipients,
            subject=_content_subject(thread=thread, post=post, actor=post.author),
        )


@receiver(discussion_signals.post_hidden, dispatch_uid="inbox.post_hidden")
@safely
def on_post_hidden(sender, post, author_id, by_id=None, reason="", **kwargs):
    """The author learns (must-deliver) that a moderator hid their post, with the reason;
    everyone else's notifications about the post disappear."""
    services.notifications_withdraw(post_ref=post.pk)
    if not author_id:
        return
    thread = post.thread
    actor = _user(by_id) or post.author
    subject = _content_subject(thread=thread, post=post, actor=actor)
    subject.audience = Audience.RECIPIENT
    subject.data = {
        **subject.data,
        "actor": "",
        "reason": reason,
    }  # moderators act as "a moderator"
    services.notifications_send(recipients={author_id: Kind.POST_HIDDEN}, subject=subject)


@receiver(discussion_signals.post_deleted, dispatch_uid="inbox.post_deleted")
@safely
def on_post_deleted(sender, post, **kwargs):
    """A deleted post's notifications disappear for everyone."""
    services.notifications_withdraw(post_ref=post.pk)


@receiver(discussion_signals.post_rejected, dispatch_uid="inbox.post_rejected")
@safely
def on_post_rejected(sender, post, author_id, by_id=None, reason="", **kwargs):
    """Moderation of your own content is must-deliver: a held post was not approved."""
    services.notifications_withdraw(
        post_ref=post.pk, kinds=[Kind.POST_HELD], audiences=[Audience.MODERATORS]
    )
    if not author_id:
        return
    thread = post.thread
    subject = _content_subject(thread=thread, post=post, actor=_user(by_id) or post.author)
    subject.audience = Audience.RECIPIENT
    subject.data = {**subject.data, "actor": "", "reason": reason}
    services.notifications_send(recipients={author_id: Kind.POST_REJECTED}, subject=subject)


@receiver(discussion_signals.post_approved, dispatch_uid="inbox.post_approved")
@safely
def on_post_approved(sender, post, **kwargs):
    """Approved: the other moderators' "waiting for approval" notifications are done.
    (discussions announces the post itself with post_created/thread_created.)"""
    services.notifications_withdraw(
        post_ref=post.pk, kinds=[Kind.POST_HELD], audiences=[Audience.MODERATORS]
    )


@receiver(discussion_signals.thread_moved, dispatch_uid="inbox.thread_moved")
@safely
def on_thread_moved(sender, thread, from_group_id, **kwargs):
    """Notifications follow a moved thread; whoever cannot read it in its new group (or
    does not moderate that group) stops seeing — and counting — them."""
    services.notifications_follow_thread(thread=thread, from_group_ref=from_group_id)


@receiver(discussion_signals.post_held, dispatch_uid="inbox.post_held")
@safely
def on_post_held(sender, post, author_id, **kwargs):
    """The group's moderators learn that a post waits for their approval."""
    thread = post.thread
    group = thread.group
    moderators = {uid: Kind.POST_HELD for uid in perms.group_moderator_ids(group)}
    moderators = _not_muting_group(group, moderators)
    if not moderators:
        return
    subject = services.Subject(
        actor=post.author,
        audience=Audience.MODERATORS,
        group_ref=group.pk,
        thread_ref=thread.pk,
        post_ref=post.pk,
        data={"actor": _name(post.author), "thread": thread.title, "group": group.name},
        url=_queue_url(group),
        target=thread,
        action_object=post,
    )
    services.notifications_send(recipients=moderators, subject=subject)


@receiver(discussion_signals.report_created, dispatch_uid="inbox.report_created")
@safely
def on_report_created(sender, report, reporter_id, **kwargs):
    """A report arrives in the group's moderation queue: its moderators hear of it."""
    post = report.post
    thread = post.thread
    group = thread.group
    moderators = _not_muting_group(
        group, {uid: Kind.REPORT_CREATED for uid in perms.group_moderator_ids(group)}
    )
    if not moderators:
        return
    reporter = report.reporter or _user(reporter_id)
    subject = services.Subject(
        actor=reporter,
        audience=Audience.MODERATORS,
        group_ref=group.pk,
        thread_ref=thread.pk,
        post_ref=post.pk,
        data={"actor": _name(reporter), "thread": thread.title, "group": group.name},
        url=_queue_url(group),
        target=thread,
        action_object=report,
    )
    services.notifications_send(recipients=moderators, subject=subject)


@receiver(discussion_signals.report_resolved, dispatch_uid="inbox.report_resolved")
@safely
def on_report_resolved(sender, report, reporter_id, by_id=None, status="", **kwargs):
    """The reporter learns the outcome; the other moderators' notices about it are done."""
    services.notifications_withdraw(
        group_ref=kwargs.get("group_id"),
        about=report,
        kinds=[Kind.REPORT_CREATED],
        audiences=[Audience.MODERATORS],
    )
    if not reporter_id:
        return
    post = report.post
    thread = post.thread
    outcome = {"hidden": "hidden", "dismissed": "dismissed"}.get(str(status), "")
    subject = services.Subject(
        actor=_user(by_id) or report.reporter,
        audience=Audience.RECIPIENT,
        group_ref=thread.group_id,
        thread_ref=thread.pk,
        post_ref=post.pk,
        data={"actor": "", "thread": thread.title, "group": thread.group.name, "outcome": outcome},
        # A hidden post is no longer readable for the reporter: send them to the thread.
        url=lambda language: thread.get_absolute_url(),
        target=thread,
        action_object=report,
    )
    services.notifications_send(recipients={reporter_id: Kind.REPORT_RESOLVED}, subject=subject)


# --- groups ---------------------------------------------------------------------------


def _not_muting_group(group, recipients: dict[int, str]) -> dict[int, str]:
    """Drop those who muted the group (moderators too: muting is their choice)."""
    group_levels, _threads = watch_levels(group_ref=group.pk)
    return {
        uid: kind for uid, kind in recipients.items() if group_levels.get(uid) != WatchLevel.MUTED
    }


@receiver(group_signals.join_requested, dispatch_uid="inbox.join_requested")
@safely
def on_join_requested(sender, group, user, join_request, **kwargs):
    """A request to join: the group's moderators hear of it."""
    moderators = _not_muting_group(
        group, {uid: Kind.JOIN_REQUESTED for uid in perms.group_moderator_ids(group)}
    )
    if not moderators:
        return
    subject = services.Subject(
        actor=user,
        audience=Audience.MODERATORS,
        group_ref=group.pk,
        data={"actor": _name(user), "group": group.name, "reason": join_request.message[:300]},
        url=_group_page_url(group, "requests"),
        target=group,
        action_object=join_request,
    )
    services.notifications_send(recipients=moderators, subject=subject)


@receiver(group_signals.join_request_decided, dispatch_uid="inbox.join_request_decided")
@safely
def on_join_request_decided(
    sender, group, user, join_request, approved, by=None, reason="", **kwargs
):
    """Must-deliver: the applicant learns the decision; other moderators' notices are done."""
    services.notifications_withdraw(
        group_ref=group.pk,
        about=join_request,
        kinds=[Kind.JOIN_REQUESTED],
        audiences=[Audience.MODERATORS],
    )
    subject = services.Subject(
        actor=by or user,
        audience=Audience.RECIPIENT,
        group_ref=group.pk,
        data={"actor": _name(by), "group": group.name, "reason": reason},
        url=_group_page_url(group),
        target=group,
        action_object=join_request,
    )
    kind = Kind.JOIN_APPROVED if approved else Kind.JOIN_DECLINED
    services.notifications_send(recipients={user.pk: kind}, subject=subject)


@receiver(group_signals.member_invited, dispatch_uid="inbox.member_invited")
@safely
def on_member_invited(sender, group, invitation, user=None, by=None, **kwargs):
    """Must-deliver: an invited member finds the invitation in their inbox. groups emails
    every invitation itself (account or not, whatever the email settings), so it is
    recorded as emailed rather than sent twice."""
    if user is None:
        return
    from groups.services import invitation_url

    def url(language: str) -> str:
        absolute = invitation_url(invitation, language)
        base = settings.WAGTAILADMIN_BASE_URL.rstrip("/")
        return absolute[len(base) :] if absolute.startswith(base) else absolute

    subject = services.Subject(
        actor=by or user,
        audience=Audience.RECIPIENT,
        group_ref=group.pk,
        data={"actor": _name(by), "group": group.name, "reason": (invitation.message or "")[:300]},
        url=url,
        target=group,
        action_object=invitation,
    )
    services.notifications_send(
        recipients={user.pk: Kind.INVITED}, subject=subject, emailed_elsewhere=True
    )


@receiver(group_signals.member_left, dispatch_uid="inbox.member_left")
@safely
def on_member_left(sender, group, user_id, **kwargs):
    """Left or removed: what they can no longer read is withdrawn; moderator notices too."""
    from groups.permissions import group_readers

    audiences = [Audience.MODERATORS]
    if not group_readers(group).filter(pk=user_id).exists():
        audiences.append(Audience.READERS)
    services.notifications_withdraw(
        recipient_ids=[user_id], group_ref=group.pk, audiences=audiences
    )


@receiver(group_signals.group_settings_changed, dispatch_uid="inbox.group_settings_changed")
@safely
def on_group_settings_changed(sender, group, changed, **kwargs):
    """A group turned private: outsiders stop seeing (and counting) what it told them."""
    if "visibility" in changed:
        services.notifications_follow_group_visibility(group=group)


@receiver(group_signals.member_banned, dispatch_uid="inbox.member_banned")
@safely
def on_member_banned(sender, group, user_id, lifted=False, **kwargs):
    """Banned: nothing about the group reaches them any more (even if it is public)."""
    if lifted:
        return
    services.notifications_withdraw(recipient_ids=[user_id], group_ref=group.pk)


@receiver(group_signals.role_changed, dispatch_uid="inbox.role_changed")
@safely
def on_role_changed(sender, group, user_id, old_role, new_role, **kwargs):
    """No longer a moderator: the moderation notices of the group are withdrawn."""
    from groups.permissions import MODERATOR_ROLES

    if old_role in MODERATOR_ROLES and new_role not in MODERATOR_ROLES:
        services.notifications_withdraw(
            recipient_ids=[user_id], group_ref=group.pk, audiences=[Audience.MODERATORS]
        )


# --- knowledge (if installed) ---------------------------------------------------------

if apps.is_installed("knowledge"):
    from knowledge import signals as knowledge_signals

    @receiver(knowledge_signals.contact_requested, dispatch_uid="inbox.contact_requested")
    @safely
    def on_contact_requested(sender, contact_request, from_user, to_user, **kwargs):
        """A member wrote to another through Plaza. knowledge emails the message itself;
        the inbox shows that it arrived (subject only, never the address)."""
        subject = services.Subject(
            actor=from_user,
            audience=Audience.RECIPIENT,
            data={"actor": _name(from_user), "reason": contact_request.subject[:160]},
            url=lambda language: reverse("knowledge:profile", args=[from_user.username]),
            action_object=contact_request,
        )
        services.notifications_send(
            recipients={to_user.pk: Kind.CONTACT_REQUESTED}, subject=subject, emailed_elsewhere=True
        )

    @receiver(knowledge_signals.registration_confirmed, dispatch_uid="inbox.registration_promoted")
    @safely
    def on_registration_confirmed(sender, registration, user, event, promoted=False, **kwargs):
        """Moved up from the waiting list: must-deliver (knowledge emails it itself)."""
        if not promoted:
            return  # the member registered themself: nothing to tell them
        subject = services.Subject(
            actor=event,  # nobody in particular acted: the event freed a place
            audience=Audience.RECIPIENT,
            data={"event": event.title},
            url=lambda language: event.get_url() or "",
            action_object=registration,
        )
        services.notifications_send(
            recipients={user.pk: Kind.EVENT_PROMOTED}, subject=subject, emailed_elsewhere=True
        )
