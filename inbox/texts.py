"""The words of a notification, in whatever language is active.

A notification stores what it is about (its kind and `data`: the actor's name, the thread
title, the group name, a reason) and is worded when shown — in the centre, a toast, an
email — so every member reads it in their own language. Names and titles are member
content: templates escape them; nothing here is marked safe.
"""

from __future__ import annotations

from django.utils.translation import gettext as _
from django.utils.translation import ngettext

from .models import Kind


def describe(kind: str, data: dict | None, count: int = 1) -> str:
    """One line for a notification (count > 1: a grouped entry of `count` notifications)."""
    data = data or {}
    values = {
        "actor": data.get("actor") or _("Someone"),
        "thread": data.get("thread") or _("a discussion"),
        "group": data.get("group") or _("a working group"),
        "event": data.get("event") or _("an event"),
        "count": count,
    }
    if count > 1:
        grouped = _GROUPED.get(kind)
        if grouped is not None:
            return grouped(count) % values
    single = _SINGLE.get(kind)
    if single is None:
        return _("Something new concerns you.")
    if kind == Kind.REPORT_RESOLVED and data.get("outcome") == "hidden":
        return _("The moderators hid the post you reported in “%(thread)s”.") % values
    if kind == Kind.REPORT_RESOLVED and data.get("outcome") == "dismissed":
        return (
            _("The moderators reviewed your report on a post in “%(thread)s” and left the post up.")
            % values
        )
    return single() % values


_SINGLE = {
    Kind.REPLY: lambda: _("%(actor)s replied to you in “%(thread)s”."),
    Kind.MENTION: lambda: _("%(actor)s mentioned you in “%(thread)s”."),
    Kind.NEW_THREAD: lambda: _("%(actor)s started “%(thread)s” in %(group)s."),
    Kind.NEW_POST: lambda: _("%(actor)s posted in “%(thread)s”."),
    Kind.JOIN_APPROVED: lambda: _("Your request to join %(group)s was approved. Welcome!"),
    Kind.JOIN_DECLINED: lambda: _("Your request to join %(group)s was declined."),
    Kind.INVITED: lambda: _("%(actor)s invited you to join %(group)s."),
    Kind.POST_HIDDEN: lambda: _("A moderator hid your post in “%(thread)s”."),
    Kind.POST_REJECTED: lambda: _("A moderator did not approve your post in “%(thread)s”."),
    Kind.POST_HELD: lambda: _("A post by %(actor)s in “%(thread)s” is waiting for approval."),
    Kind.REPORT_RESOLVED: lambda: _(
        "The moderators handled your report on a post in “%(thread)s”."
    ),
    Kind.JOIN_REQUESTED: lambda: _("%(actor)s asks to join %(group)s."),
    Kind.REPORT_CREATED: lambda: _("%(actor)s reported a post in “%(thread)s”."),
    Kind.CONTACT_REQUESTED: lambda: _("%(actor)s would like to get in touch with you."),
    Kind.EVENT_PROMOTED: lambda: _("A place opened up: you are now registered for %(event)s."),
}

_GROUPED = {
    Kind.REPLY: lambda n: ngettext(
        "%(count)s new reply to you in “%(thread)s”.",
        "%(count)s new replies to you in “%(thread)s”.",
        n,
    ),
    Kind.MENTION: lambda n: ngettext(
        "%(count)s new mention of you in “%(thread)s”.",
        "%(count)s new mentions of you in “%(thread)s”.",
        n,
    ),
    Kind.NEW_THREAD: lambda n: ngettext(
        "%(count)s new thread in %(group)s.", "%(count)s new threads in %(group)s.", n
    ),
    Kind.NEW_POST: lambda n: ngettext(
        "%(count)s new post in “%(thread)s”.", "%(count)s new posts in “%(thread)s”.", n
    ),
    Kind.JOIN_REQUESTED: lambda n: ngettext(
        "%(count)s request to join %(group)s.", "%(count)s requests to join %(group)s.", n
    ),
    Kind.REPORT_CREATED: lambda n: ngettext(
        "%(count)s new report in %(group)s.", "%(count)s new reports in %(group)s.", n
    ),
    Kind.POST_HELD: lambda n: ngettext(
        "%(count)s post waiting for approval in %(group)s.",
        "%(count)s posts waiting for approval in %(group)s.",
        n,
    ),
}


def describe_short(kind: str, data: dict | None) -> str:
    """The line under a thread's heading (emails, digests): the thread is already named."""
    data = data or {}
    values = {"actor": data.get("actor") or _("Someone")}
    if kind == Kind.REPORT_RESOLVED and data.get("outcome") == "hidden":
        return _("The moderators hid the post you reported.")
    if kind == Kind.REPORT_RESOLVED and data.get("outcome") == "dismissed":
        return _("The moderators reviewed your report and left the post up.")
    short = _SHORT.get(kind)
    return short() % values if short else describe(kind, data)


_SHORT = {
    Kind.REPLY: lambda: _("%(actor)s replied to you."),
    Kind.MENTION: lambda: _("%(actor)s mentioned you."),
    Kind.NEW_THREAD: lambda: _("%(actor)s started this thread."),
    Kind.NEW_POST: lambda: _("%(actor)s posted."),
    Kind.POST_HIDDEN: lambda: _("A moderator hid your post."),
    Kind.POST_REJECTED: lambda: _("A moderator did not approve your post."),
    Kind.POST_HELD: lambda: _("A post by %(actor)s is waiting for approval."),
    Kind.REPORT_RESOLVED: lambda: _("The moderators handled your report."),
    Kind.REPORT_CREATED: lambda: _("%(actor)s reported a post."),
}


def detail(kind: str, data: dict | None) -> str:
    """A second line some kinds carry (a moderator's reason); '' when there is none."""
    data = data or {}
    reason = (data.get("reason") or "").strip()
    if not reason:
        return ""
    if kind in (Kind.JOIN_DECLINED, Kind.POST_HIDDEN, Kind.POST_REJECTED, Kind.JOIN_APPROVED):
        return _("Reason given: %(reason)s") % {"reason": reason}
    if kind in (Kind.JOIN_REQUESTED, Kind.INVITED):
        return _("Message: %(reason)s") % {"reason": reason}
    if kind == Kind.CONTACT_REQUESTED:
        return _("Subject: %(reason)s") % {"reason": reason}
    return ""
