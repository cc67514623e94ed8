"""Notifications, watch levels, email preferences and digest bookkeeping.

`Notification` is django-notifications-community's model, swapped in through
`NOTIFICATIONS_NOTIFICATION_MODEL = "inbox.Notification"` and extended with what Plaza
needs: a kind, a grouping key, must-deliver, the audience whose permission it needs at
render time, references to the group/thread/post it is about, the target URL in the
recipient's language, and the email state.

The inbox stores plain ids of groups, threads and posts (like the library's generic
references): it listens to the other apps and asks their permissions at render time, it
never reaches into their tables through foreign keys.
"""

from __future__ import annotations

import json

from django.conf import settings
from django.db import connections, models
from django.db.models import Q
from django.utils import timezone
from django.utils.translation import gettext_lazy as _
from notifications.base.models import AbstractNotification, NotificationQuerySet


class Kind(models.TextChoices):
    """What happened. Stored in the library's `verb` column."""

    REPLY = "reply", _("Reply to you")
    MENTION = "mention", _("Mention")
    NEW_THREAD = "new_thread", _("New thread")
    NEW_POST = "new_post", _("New post")
    JOIN_APPROVED = "join_approved", _("Join request approved")
    JOIN_DECLINED = "join_declined", _("Join request declined")
    INVITED = "invited", _("Invitation")
    POST_HIDDEN = "post_hidden", _("Your post was hidden")
    POST_REJECTED = "post_rejected", _("Your post was not approved")
    REPORT_RESOLVED = "report_resolved", _("Your report was handled")
    JOIN_REQUESTED = "join_requested", _("Join request to review")
    REPORT_CREATED = "report_created", _("Report to review")
    POST_HELD = "post_held", _("Post awaiting approval")
    CONTACT_REQUESTED = "contact_requested", _("Contact request")
    EVENT_PROMOTED = "event_promoted", _("Place at an event")


# Invitations, join decisions and moderation of your own content: emailed at once whatever
# the member's email choice, and never merged with anything.
MUST_DELIVER_KINDS = frozenset(
    {
        Kind.JOIN_APPROVED,
        Kind.JOIN_DECLINED,
        Kind.INVITED,
        Kind.POST_HIDDEN,
        Kind.POST_REJECTED,
        Kind.EVENT_PROMOTED,
    }
)


class Audience(models.TextChoices):
    """Whose permission a notification needs when it is shown (checked at render time)."""

    RECIPIENT = "recipient", _("About the recipient themself")
    READERS = "readers", _("Readers of the content")
    MODERATORS = "moderators", _("Moderators of the group")


class EmailState(models.TextChoices):
    """Where a notification is in the email pipeline."""

    NONE = "none", _("Not emailed")
    IMMEDIATE = "immediate", _("To be emailed now")
    DAILY = "daily", _("Waiting for the daily digest")
    WEEKLY = "weekly", _("Waiting for the weekly digest")
    SENT = "sent", _("Emailed")
    SKIPPED = "skipped", _("Not emailed (no longer relevant)")


PENDING_EMAIL_STATES = (EmailState.IMMEDIATE, EmailState.DAILY, EmailState.WEEKLY)


def id_set(ids, *, using: str = "default"):
    """`field__in=id_set(ids)`: a set of ids as ONE bound parameter instead of one per id.

    A fan-out filters by a thousand user ids several times per event; an ordinary `__in`
    list costs Django ~1,000 value conversions and the database 1,000 bound parameters
    each time (together ~3 ms per query on the bench machine). Here the ids travel as one
    JSON text (SQLite json_each) or one bigint array (PostgreSQL) and the database
    unpacks them itself.
    """
    from django.db.models.expressions import RawSQL

    values = sorted({int(i) for i in ids})
    if connections[using].vendor == "postgresql":
        return RawSQL("SELECT unnest(%s::bigint[])", (values,))
    return RawSQL("SELECT value FROM json_each(%s)", (json.dumps(values),))


class InboxQuerySet(NotificationQuerySet):
    """The library's queryset plus Plaza's reads."""

    def for_recipient(self, user) -> InboxQuerySet:
        return self.filter(recipient=user)

    def fan_out_insert(
        self, *, common: dict, varying: tuple[str, ...], rows: list[tuple]
    ) -> list[tuple[int, int]]:
        """Insert one notification per row in ONE statement; return (id, recipient_id) pairs.

        A fan-out must cost the same for 10 or 1,000 recipients, in queries and in time.
        `bulk_create` builds a Python value per field per row (~25 × 1,000) and, on
        SQLite, splits the rows by Django's historical 999-variable cap (~40 INSERTs).
        Here the columns in `common` (attnames; missing ones take their defaults) are
        bound once, and the few that vary per row (`varying`, e.g. recipient_id, verb,
        group_key, url, email_state) travel as ONE JSON array parameter that the database
        unpacks itself (SQLite json_each, PostgreSQL jsonb_array_elements):

            INSERT INTO inbox_notification (<common...>, <varying...>)
            SELECT CAST(%s AS <type>), ..., r.value[0], ... FROM <json rows> AS r
            RETURNING id, recipient_id
        """
        if not rows:
            return []
        connection = connections[self.db]
        sqlite = connection.vendor == "sqlite"
        if connection.vendor not in ("sqlite", "postgresql"):  # pragma: no cover - other backends
            raise NotImplementedError(connection.vendor)
        quote = connection.ops.quote_name
        by_attname = {f.attname: f for f in self.model._meta.concrete_fields}
        columns, selects, params = [], [], []
        for field in self.model._meta.concrete_fields:
            if field.primary_key or field.attname in varying:
                continue
            value = common[field.attname] if field.attname in common else field.get_default()
            columns.append(quote(field.column))
            # PostgreSQL types a SELECT list on its own (a bare literal would be text);
            # SQLite must NOT cast: its CAST to a date type would keep only the year.
            selects.append("%s" if sqlite else f"CAST(%s AS {field.db_type(connection)})")
            params.append(field.get_db_prep_save(value, connection))
        for index, attname in enumerate(varying):
            field = by_attname[attname]
            columns.append(quote(field.column))
            if sqlite:
                selects.append(f"json_extract(r.value, '$[{index}]')")
            else:
                selects.append(f"CAST(r.value->>{index} AS {field.db_type(connection)})")
        source = (
            "json_each(%s) AS r"
            if sqlite
            else "jsonb_array_elements(CAST(%s AS jsonb)) AS r(value)"
        )
        params.append(json.dumps(rows))
        sql = (
            f"INSERT INTO {quote(self.model._meta.db_table)} ({', '.join(columns)}) "
            f"SELECT {', '.join(selects)} FROM {source} "
            f"RETURNING {quote('id')}, {quote(by_attname['recipient_id'].column)}"
        )
        with connection.cursor() as cursor:
            cursor.execute(sql, params)
            return [(int(pk), int(recipient)) for pk, recipient in cursor.fetchall()]


class Notification(AbstractNotification):
    """One thing one member should learn about (a row per recipient).

    Library fields in use: recipient, unread, actor (who did it), verb (= `Kind`),
    timestamp, emailed, data (the words needed to render the text in any language, e.g.
    the thread title and the actor's name at the time). Grouping: rows of one recipient
    with the same `group_key` (e.g. "reply:t:42") show as one entry ("5 new replies in
    …"); must-deliver rows get a unique key, so they are never merged away.
    """

    # The library indexes these columns one by one; such indexes never help a query here
    # and slow every bulk insert, so they are redeclared without db_index.
    unread = models.BooleanField(_("unread"), default=True)
    # Covered by the (recipient, -id) indexes below; a separate FK index would be dead weight.
    recipient = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.CASCADE,
        related_name="notifications",
        verbose_name=_("recipient"),
        db_index=False,
    )
    # Nobody looks notifications up by content type alone: no separate indexes. And no
    # database constraint: PostgreSQL checks each deferred foreign key row by row at
    # COMMIT, and these three cost ~10 ms per 1,000-recipient fan-out (commit 16 → 6 ms,
    # bench/RESULTS.md) to guard ids Django itself creates and never reuses. The ORM
    # still cascades if a content type is ever deleted; the recipient keeps its constraint.
    actor_content_type = models.ForeignKey(
        "contenttypes.ContentType",
        on_delete=models.CASCADE,
        related_name="notify_actor",
        verbose_name=_("actor content type"),
        db_index=False,
        db_constraint=False,
    )
    target_content_type = models.ForeignKey(
        "contenttypes.ContentType",
        on_delete=models.CASCADE,
        related_name="notify_target",
        verbose_name=_("target content type"),
        blank=True,
        null=True,
        db_index=False,
        db_constraint=False,
    )
    action_object_content_type = models.ForeignKey(
        "contenttypes.ContentType",
        on_delete=models.CASCADE,
        related_name="notify_action_object",
        verbose_name=_("action object content type"),
        blank=True,
        null=True,
        db_index=False,
        db_constraint=False,
    )
    public = models.BooleanField(_("public"), default=True)
    deleted = models.BooleanField(_("deleted"), default=False)
    emailed = models.BooleanField(_("emailed"), default=False)
    timestamp = models.DateTimeField(_("timestamp"), default=timezone.now)

    # The recipient's own sequence number, gapless and in COMMIT order (see
    # NotificationCursor): the websocket replay's cursor. Ids are not commit order: two
    # workers take ids in one order and may commit them in the other.
    seq = models.PositiveBigIntegerField(_("sequence number"), null=True, blank=True)
    group_key = models.CharField(_("grouping key"), max_length=120)
    must_deliver = models.BooleanField(_("must be delivered"), default=False)
    audience = models.CharField(
        _("audience"), max_length=16, choices=Audience.choices, default=Audience.READERS
    )
    group_ref = models.PositiveBigIntegerField(_("working group id"), null=True, blank=True)
    thread_ref = models.PositiveBigIntegerField(_("thread id"), null=True, blank=True)
    post_ref = models.PositiveBigIntegerField(_("post id"), null=True, blank=True)
    url = models.CharField(_("link"), max_length=500, blank=True)
    email_state = models.CharField(
        _("email state"), max_length=16, choices=EmailState.choices, default=EmailState.NONE
    )
    emailed_at = models.DateTimeField(_("emailed at"), null=True, blank=True)
    # Given (and committed) before the email is handed to SMTP; a resend after a crash
    # between "handed over" and "recorded as sent" reuses it as the Message-ID, so mail
    # systems see one message delivered twice, not two messages (at least once, deduped).
    email_key = models.CharField(_("email key"), max_length=64, blank=True, default="")
    digest = models.ForeignKey(
        "inbox.DigestDelivery",
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="notifications",
    )

    objects = InboxQuerySet.as_manager()

    class Meta(AbstractNotification.Meta):
        abstract = False
        ordering = ("-id",)
        verbose_name = _("notification")
        verbose_name_plural = _("notifications")
        constraints = [
            # Never reused; also the index the replay reads ("after cursor C", in order).
            models.UniqueConstraint(fields=["recipient", "seq"], name="inbox_recipient_seq"),
        ]
        indexes = [
            # The badge: COUNT(*) WHERE recipient = ? AND unread, over unread rows only.
            models.Index(
                fields=["recipient", "-id"], condition=Q(unread=True), name="inbox_unread"
            ),
            # The centre and the websocket replay: a recipient's rows newest first / after an id.
            models.Index(fields=["recipient", "-id"], name="inbox_recipient_id"),
            models.Index(fields=["recipient", "group_key"], name="inbox_recipient_key"),
            # Withdrawing notifications about a post or a group when access ends.
            models.Index(
                fields=["post_ref"], condition=Q(post_ref__isnull=False), name="inbox_post_ref"
            ),
            models.Index(fields=["group_ref", "recipient"], name="inbox_group_recipient"),
            # The email pipeline reads only what is still waiting.
            models.Index(
                fields=["email_state", "recipient"],
                condition=Q(email_state__in=["immediate", "daily", "weekly"]),
                name="inbox_email_pending",
            ),
        ]

    def __str__(self) -> str:
        return f"{self.verb} for {self.recipient_id} (#{self.pk})"

    @property
    def kind(self) -> str:
        return self.verb


class CursorQuerySet(models.QuerySet):
    def advance(self, user_ids) -> dict[int, int]:
        """Take the next sequence number of each member, in ONE statement: {user id: seq}.

        INSERT … ON CONFLICT DO UPDATE … RETURNING locks each member's row until the
        caller's transaction ends, so a second fan-out to the same member waits for this
        one to commit and gets the next number: numbers follow commit order and a
        rolled-back transaction gives its numbers back (no gaps). Rows are taken in
        ascending user order, so two fan-outs to overlapping members cannot deadlock.
        """
        ids = sorted({int(u) for u in user_ids})
        if not ids:
            return {}
        connection = connections[self.db]
        table = connection.ops.quote_name(self.model._meta.db_table)
        if connection.vendor == "postgresql":
            source = "SELECT u, 1 FROM unnest(%s::bigint[]) AS u ORDER BY u"
            param = ids
        else:  # SQLite (the WHERE resolves its parser's ON CONFLICT ambiguity)
            source = "SELECT value, 1 FROM json_each(%s) WHERE 1 ORDER BY value"
            param = json.dumps(ids)
        sql = (
            f"INSERT INTO {table} (user_id, last_seq) {source} "
            f"ON CONFLICT (user_id) DO UPDATE SET last_seq = {table}.last_seq + 1 "
            "RETURNING user_id, last_seq"
        )
        with connection.cursor() as cursor:
            cursor.execute(sql, [param])
            return {int(uid): int(seq) for uid, seq in cursor.fetchall()}

    def latest(self, user_ids) -> dict[int, int]:
        """{user id: last sequence number given} (0 for members who never had one)."""
        ids = [int(u) for u in user_ids]
        found = dict(self.filter(user_id__in=id_set(ids)).values_list("user_id", "last_seq"))
        return {uid: found.get(uid, 0) for uid in ids}


class NotificationCursor(models.Model):
    """The last sequence number given to one member's notifications.

    Bumped in the transaction that stores the notification (see CursorQuerySet.advance),
    so a member's numbers are 1, 2, 3, … in the order their notifications COMMITTED. The
    websocket client keeps the highest number up to which it has everything; "replay
    after C" can then never miss a notification that committed late with a low id.

    Data map: no content of its own; erased with the member (CASCADE), not exported.
    """

    user = models.OneToOneField(
        settings.AUTH_USER_MODEL,
        on_delete=models.CASCADE,
        primary_key=True,
        related_name="inbox_cursor",
    )
    last_seq = models.PositiveBigIntegerField(_("last sequence number"), default=0)

    objects = CursorQuerySet.as_manager()

    class Meta:
        verbose_name = _("notification cursor")
        verbose_name_plural = _("notification cursors")

    def __str__(self) -> str:
        return f"{self.user_id}: {self.last_seq}"


class WatchLevel(models.TextChoices):
    """How closely a member follows a group or a thread."""

    MUTED = "muted", _("Muted")
    NORMAL = "normal", _("Normal")
    TRACKING = "tracking", _("Tracking")
    WATCHING = "watching", _("Watching")


WATCH_LEVEL_HELP = {
    WatchLevel.MUTED: _("Nothing, not even replies or mentions."),
    WatchLevel.NORMAL: _("Replies to you and mentions of you."),
    WatchLevel.TRACKING: _("Replies, mentions and every new thread."),
    WatchLevel.WATCHING: _("Every new thread and every new post."),
}


class Watch(models.Model):
    """A member's chosen watch level for a group (thread_ref empty) or one thread in it.

    No row means the default: members follow their groups at "normal"; a thread follows
    its group's level, except that writing in a thread starts watching it. The most
    specific row wins (a muted thread in a watched group stays silent).
    """

    user = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="inbox_watches"
    )
    group_ref = models.PositiveBigIntegerField(_("working group id"))
    thread_ref = models.PositiveBigIntegerField(_("thread id"), null=True, blank=True)
    level = models.CharField(_("level"), max_length=16, choices=WatchLevel.choices)
    automatic = models.BooleanField(
        _("set automatically"),
        default=False,
        help_text=_("Started by writing in the thread, not chosen."),
    )
    updated_at = models.DateTimeField(_("updated"), auto_now=True)

    class Meta:
        verbose_name = _("watch level")
        verbose_name_plural = _("watch levels")
        constraints = [
            models.UniqueConstraint(
                fields=["user", "group_ref"],
                condition=Q(thread_ref__isnull=True),
                name="inbox_watch_group_unique",
            ),
            models.UniqueConstraint(
                fields=["user", "thread_ref"],
                condition=Q(thread_ref__isnull=False),
                name="inbox_watch_thread_unique",
            ),
        ]
        indexes = [
            models.Index(fields=["group_ref", "thread_ref", "level"], name="inbox_watch_lookup")
        ]

    def __str__(self) -> str:
        where = f"thread {self.thread_ref}" if self.thread_ref else f"group {self.group_ref}"
        return f"{self.user_id} {self.level} {where}"


class EmailFrequency(models.TextChoices):
    """How often a member wants activity by email (must-deliver messages ignore it)."""

    IMMEDIATELY = "immediately", _("Immediately")
    DAILY = "daily", _("Daily digest")
    WEEKLY = "weekly", _("Weekly digest")
    OFF = "off", _("Off")


DEFAULT_EMAIL_FREQUENCY = EmailFrequency.DAILY


class EmailPreference(models.Model):
    """A member's email choice for all groups, unless a group override says otherwise."""

    user = models.OneToOneField(
        settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="inbox_email"
    )
    frequency = models.CharField(
        _("email"), max_length=16, choices=EmailFrequency.choices, default=DEFAULT_EMAIL_FREQUENCY
    )
    updated_at = models.DateTimeField(_("updated"), auto_now=True)

    class Meta:
        verbose_name = _("email preference")
        verbose_name_plural = _("email preferences")

    def __str__(self) -> str:
        return f"{self.user_id}: {self.frequency}"


class GroupEmailPreference(models.Model):
    """A member's email choice for one group, overriding their general choice."""

    user = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="inbox_group_email"
    )
    group_ref = models.PositiveBigIntegerField(_("working group id"))
    frequency = models.CharField(_("email"), max_length=16, choices=EmailFrequency.choices)
    updated_at = models.DateTimeField(_("updated"), auto_now=True)

    class Meta:
        verbose_name = _("group email preference")
        verbose_name_plural = _("group email preferences")
        constraints = [
            models.UniqueConstraint(fields=["user", "group_ref"], name="inbox_group_email_unique")
        ]
        indexes = [models.Index(fields=["group_ref"], name="inbox_group_email_group")]

    def __str__(self) -> str:
        return f"{self.user_id} in {self.group_ref}: {self.frequency}"


class DigestDelivery(models.Model):
    """One digest email for one member and one period ("2026-03-14" daily, "2026-W11"
    weekly, in the member's time zone). The unique constraint is what makes
    `send_digests` safe to run twice: the second run cannot claim the same period."""

    class Status(models.TextChoices):
        CLAIMED = "claimed", _("Being prepared")
        SENT = "sent", _("Sent")
        EMPTY = "empty", _("Nothing to send")

    user = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="inbox_digests"
    )
    frequency = models.CharField(_("frequency"), max_length=16, choices=EmailFrequency.choices)
    period = models.CharField(_("period"), max_length=16)
    status = models.CharField(
        _("status"), max_length=16, choices=Status.choices, default=Status.CLAIMED
    )
    item_count = models.PositiveIntegerField(_("items"), default=0)
    created_at = models.DateTimeField(_("created"), auto_now_add=True)
    sent_at = models.DateTimeField(_("sent"), null=True, blank=True)

    class Meta:
        verbose_name = _("digest")
        verbose_name_plural = _("digests")
        constraints = [
            models.UniqueConstraint(
                fields=["user", "frequency", "period"], name="inbox_digest_once_per_period"
            )
        ]

    def __str__(self) -> str:
        return f"{self.frequency} digest {self.period} for {self.user_id} ({self.status})"
