"""Threads, the post tree, reactions, reports, moderation.

A thread belongs to the canonical `WorkingGroup` (never to one locale's page), so every
translation of a group page shows the same discussions.

The post tree is a materialised path per thread: the opening post has path "" (depth 0),
its replies "00001", "00002", ..., their replies "0000100001", ... Fixed-width decimal
segments sort the same in every database collation, so `ORDER BY path` is depth-first tree
order, a branch is `path LIKE 'p%'` and a run of top-level branches is a range scan — a
thread page costs the same number of queries whatever the thread's size. Paths are scoped
to the thread, so moving a thread to another group never rewrites them.
"""

from __future__ import annotations

from django.conf import settings
from django.db import models
from django.db.models import Q
from django.utils import timezone
from django.utils.translation import gettext_lazy as _
from wagtail.search import index
from wagtail.search.queryset import SearchableQuerySetMixin

from core.languages import site_languages
from groups.models import WorkingGroup

SEGMENT = 5  # digits per tree level
MAX_CHILDREN = 10**SEGMENT - 1
PATH_MAX_LENGTH = 2000
MAX_DEPTH = PATH_MAX_LENGTH // SEGMENT  # 400 levels: "without limit" for people


def path_segment(number: int) -> str:
    return f"{number:0{SEGMENT}d}"


def path_ancestors(path: str) -> list[str]:
    """Paths of every ancestor of `path`, root ("") first, excluding `path` itself."""
    return [path[:i] for i in range(0, len(path), SEGMENT)]


def path_successor(path: str) -> str:
    """The smallest path after `path` and its whole subtree (same width, +1 on the last
    segment): `path <= p < path_successor(path)` is exactly the subtree."""
    head, last = path[:-SEGMENT], int(path[-SEGMENT:])
    return head + path_segment(last + 1)


class ContentStatus(models.TextChoices):
    """Pre-moderation state of a post (and, through its opening post, of a thread)."""

    PENDING = "pending", _("Awaiting approval")
    PUBLISHED = "published", _("Published")
    REJECTED = "rejected", _("Rejected")


class Reactions(models.TextChoices):
    """The small fixed set of reactions (the emoji is shown next to the translated name)."""

    LIKE = "like", _("Like")
    THANKS = "thanks", _("Thanks")
    INSIGHTFUL = "insightful", _("Insightful")
    AGREE = "agree", _("Agree")
    CELEBRATE = "celebrate", _("Celebrate")


REACTION_EMOJI = {
    Reactions.LIKE: "👍",
    Reactions.THANKS: "🙏",
    Reactions.INSIGHTFUL: "💡",
    Reactions.AGREE: "✅",
    Reactions.CELEBRATE: "🎉",
}


class GroupDiscussionSettings(models.Model):
    """Per-group discussion settings kept on the discussions side (groups stays unaware):
    pre-moderation of new members' first posts and group-wide slow mode."""

    group = models.OneToOneField(
        WorkingGroup, on_delete=models.CASCADE, primary_key=True, related_name="discussion_settings"
    )
    premoderate_first_posts = models.PositiveSmallIntegerField(
        _("hold the first posts of new members"),
        default=0,
        help_text=_(
            "The first N posts of each new member wait for a moderator's approval (0 = off)."
        ),
    )
    slow_mode_seconds = models.PositiveIntegerField(_("slow mode interval (seconds)"), default=0)
    slow_mode_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, blank=True, related_name="+"
    )
    slow_mode_reason = models.CharField(_("slow mode reason"), max_length=300, blank=True)
    slow_mode_set_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        verbose_name = _("group discussion settings")
        verbose_name_plural = _("group discussion settings")

    def __str__(self) -> str:
        return f"Discussion settings of {self.group}"


class ThreadQuerySet(SearchableQuerySetMixin, models.QuerySet):
    def listed(self) -> ThreadQuerySet:
        return self.order_by("-pinned", "-last_post_at", "-pk")


class Thread(index.Indexed, models.Model):
    """A conversation in a working group: a title and a tree of posts under its opening post."""

    group = models.ForeignKey(
        WorkingGroup, on_delete=models.CASCADE, related_name="threads", verbose_name=_("group")
    )
    title = models.CharField(_("title"), max_length=200)
    author = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.SET_NULL,
        null=True,
        related_name="discussion_threads",
    )
    language = models.CharField(_("language"), max_length=8, choices=site_languages)
    status = models.CharField(
        max_length=16, choices=ContentStatus.choices, default=ContentStatus.PUBLISHED
    )
    created_at = models.DateTimeField(_("started"), default=timezone.now)
    last_post_at = models.DateTimeField(_("last post"), default=timezone.now)
    reply_count = models.PositiveIntegerField(_("replies"), default=0)

    pinned = models.BooleanField(_("pinned"), default=False)
    locked = models.BooleanField(_("locked"), default=False)
    locked_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, blank=True, related_name="+"
    )
    locked_reason = models.CharField(_("why it is locked"), max_length=300, blank=True)
    locked_at = models.DateTimeField(null=True, blank=True)

    slow_mode_seconds = models.PositiveIntegerField(_("slow mode interval (seconds)"), default=0)
    slow_mode_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, blank=True, related_name="+"
    )
    slow_mode_reason = models.CharField(_("slow mode reason"), max_length=300, blank=True)
    slow_mode_set_at = models.DateTimeField(null=True, blank=True)

    objects = ThreadQuerySet.as_manager()

    search_fields = [
        index.SearchField("title", boost=3),
        index.AutocompleteField("title"),
        index.FilterField("group_id"),
        index.FilterField("status"),
        index.FilterField("last_post_at"),
    ]

    class Meta:
        verbose_name = _("thread")
        verbose_name_plural = _("threads")
        indexes = [
            models.Index(
                fields=["group", "status", "-pinned", "-last_post_at"], name="disc_thread_list"
            )
        ]

    def __str__(self) -> str:
        return self.title

    def get_absolute_url(self) -> str:
        from django.urls import reverse

        return reverse("discussions:thread", args=[self.pk])


class PostQuerySet(SearchableQuerySetMixin, models.QuerySet):
    def in_tree_order(self) -> PostQuerySet:
        return self.order_by("path")

    def visible_to_everyone(self) -> PostQuerySet:
        return self.filter(status=ContentStatus.PUBLISHED)

    def for_viewer(self, user, *, moderator: bool) -> PostQuerySet:
        """Posts a viewer may see in the tree: moderators all; others published ones plus
        their own held or rejected posts."""
        if moderator:
            return self
        if user is not None and user.is_authenticated:
            return self.filter(Q(status=ContentStatus.PUBLISHED) | Q(author=user))
        return self.visible_to_everyone()


class Post(index.Indexed, models.Model):
    """One message in a thread's tree (the opening post is the root, depth 0).

    `body` is the author's Markdown; `body_html` its sanitised rendering (the only member
    content ever marked safe). A deleted post keeps its row — an empty placeholder — so the
    replies under it stay in place; a hidden post keeps its body for its author and the
    moderators, with the reason shown to the author.
    """

    thread = models.ForeignKey(Thread, on_delete=models.CASCADE, related_name="posts")
    # Denormalised from the thread so search and moderation filter without a join.
    group = models.ForeignKey(WorkingGroup, on_delete=models.CASCADE, related_name="+")
    parent = models.ForeignKey(
        "self", on_delete=models.CASCADE, null=True, blank=True, related_name="children"
    )
    path = models.CharField(max_length=PATH_MAX_LENGTH)
    depth = models.PositiveSmallIntegerField(default=0)
    # Allocation counter for children's path segments (never decreases).
    last_child_seq = models.PositiveIntegerField(default=0)
    child_count = models.PositiveIntegerField(default=0)  # published direct replies
    descendant_count = models.PositiveIntegerField(default=0)  # published replies at any depth

    author = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.SET_NULL,
        null=True,
        related_name="discussion_posts",
    )
    body = models.TextField(_("message"), blank=True)
    body_html = models.TextField(blank=True, editable=False)
    language = models.CharField(_("language"), max_length=8, choices=site_languages)
    mentioned_user_ids = models.JSONField(default=list, blank=True, editable=False)
    status = models.CharField(
        max_length=16, choices=ContentStatus.choices, default=ContentStatus.PUBLISHED
    )
    created_at = models.DateTimeField(_("written"), default=timezone.now)
    edited_at = models.DateTimeField(_("edited"), null=True, blank=True)
    edit_count = models.PositiveIntegerField(default=0)
    deleted_at = models.DateTimeField(null=True, blank=True)
    hidden_at = models.DateTimeField(null=True, blank=True)
    hidden_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, blank=True, related_name="+"
    )
    hidden_reason = models.CharField(_("reason"), max_length=500, blank=True)
    reaction_counts = models.JSONField(default=dict, blank=True, editable=False)

    objects = PostQuerySet.as_manager()

    search_fields = [
        index.SearchField("body"),
        index.FilterField("group_id"),
        index.FilterField("thread_id"),
        index.FilterField("status"),
        index.FilterField("deleted_at"),
        index.FilterField("hidden_at"),
        index.FilterField("created_at"),
    ]

    class Meta:
        verbose_name = _("post")
        verbose_name_plural = _("posts")
        constraints = [
            models.UniqueConstraint(fields=["thread", "path"], name="disc_post_path_unique")
        ]
        indexes = [
            models.Index(fields=["thread", "depth", "path"], name="disc_post_branches"),
            models.Index(fields=["author", "created_at"], name="disc_post_author_time"),
            models.Index(fields=["group", "status"], name="disc_post_group_status"),
        ]

    def __str__(self) -> str:
        return f"#{self.pk} in {self.thread_id}"

    def get_absolute_url(self) -> str:
        from django.urls import reverse

        return reverse("discussions:post", args=[self.thread_id, self.pk]) + f"#post-{self.pk}"

    @property
    def is_opening(self) -> bool:
        return self.depth == 0

    @property
    def is_deleted(self) -> bool:
        return self.deleted_at is not None

    @property
    def is_hidden(self) -> bool:
        return self.hidden_at is not None

    @property
    def is_published(self) -> bool:
        return self.status == ContentStatus.PUBLISHED

    @property
    def is_live(self) -> bool:
        """Published, not hidden, not deleted: what every reader sees in full."""
        return self.is_published and not self.is_hidden and not self.is_deleted

    def ancestor_paths(self) -> list[str]:
        return path_ancestors(self.path)


class PostRevision(models.Model):
    """An earlier version of a post's text, kept when its author edits it (visible to the
    author and the group's moderators)."""

    post = models.ForeignKey(Post, on_delete=models.CASCADE, related_name="revisions")
    body = models.TextField()
    title = models.CharField(max_length=200, blank=True)  # the thread title, for opening posts
    created_at = models.DateTimeField(default=timezone.now)  # when this version was replaced
    written_at = models.DateTimeField()  # when this version was written

    class Meta:
        verbose_name = _("post revision")
        verbose_name_plural = _("post revisions")
        ordering = ["-created_at", "-pk"]

    def __str__(self) -> str:
        return f"Revision of post {self.post_id} from {self.written_at:%Y-%m-%d %H:%M}"


class Reaction(models.Model):
    """One member's reaction of one kind to one post (a toggle)."""

    post = models.ForeignKey(Post, on_delete=models.CASCADE, related_name="reactions")
    user = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="+")
    kind = models.CharField(max_length=16, choices=Reactions.choices)
    created_at = models.DateTimeField(default=timezone.now)

    class Meta:
        verbose_name = _("reaction")
        verbose_name_plural = _("reactions")
        constraints = [
            models.UniqueConstraint(fields=["post", "user", "kind"], name="disc_reaction_unique")
        ]
        indexes = [models.Index(fields=["user", "post"], name="disc_reaction_user")]

    def __str__(self) -> str:
        return f"{self.kind} by {self.user_id} on {self.post_id}"


class Report(models.Model):
    """A member's report of a post to the group's moderators, and how it was resolved.

    `snapshot` keeps the text as reported, so the evidence survives an edit or deletion.
    """

    class Reason(models.TextChoices):
        SPAM = "spam", _("Spam or advertising")
        ABUSE = "abuse", _("Harassment or abuse")
        OFF_TOPIC = "off_topic", _("Off topic")
        MISINFORMATION = "misinformation", _("Misleading or false")
        OTHER = "other", _("Something else")

    class Status(models.TextChoices):
        OPEN = "open", _("Open")
        HIDDEN = "hidden", _("Post hidden")
        DISMISSED = "dismissed", _("Dismissed")

    post = models.ForeignKey(Post, on_delete=models.CASCADE, related_name="reports")
    group = models.ForeignKey(WorkingGroup, on_delete=models.CASCADE, related_name="+")
    reporter = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, related_name="+"
    )
    reason = models.CharField(_("reason"), max_length=20, choices=Reason.choices)
    details = models.TextField(_("details"), blank=True)
    snapshot = models.TextField(blank=True, editable=False)
    status = models.CharField(
        _("status"), max_length=16, choices=Status.choices, default=Status.OPEN
    )
    resolved_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, blank=True, related_name="+"
    )
    resolved_at = models.DateTimeField(null=True, blank=True)
    resolution_note = models.TextField(_("note"), blank=True)
    created_at = models.DateTimeField(default=timezone.now)

    class Meta:
        verbose_name = _("report")
        verbose_name_plural = _("reports")
        ordering = ["created_at", "pk"]
        constraints = [
            models.UniqueConstraint(
                fields=["post", "reporter"], condition=Q(status="open"), name="disc_one_open_report"
            )
        ]
        indexes = [models.Index(fields=["group", "status", "created_at"], name="disc_report_queue")]

    def __str__(self) -> str:
        return f"Report {self.pk} on post {self.post_id} ({self.status})"


class ModerationLogEntry(models.Model):
    """One moderation action in a group: who did what, when and why (moderators read it)."""

    class Action(models.TextChoices):
        POST_HIDDEN = "post_hidden", _("hid a post")
        POST_UNHIDDEN = "post_unhidden", _("unhid a post")
        POST_APPROVED = "post_approved", _("approved a post")
        POST_REJECTED = "post_rejected", _("rejected a post")
        REPORT_DISMISSED = "report_dismissed", _("dismissed a report")
        REPORT_UPHELD = "report_upheld", _("upheld a report")
        THREAD_LOCKED = "thread_locked", _("locked a thread")
        THREAD_UNLOCKED = "thread_unlocked", _("unlocked a thread")
        THREAD_PINNED = "thread_pinned", _("pinned a thread")
        THREAD_UNPINNED = "thread_unpinned", _("unpinned a thread")
        THREAD_MOVED_OUT = "thread_moved_out", _("moved a thread to another group")
        THREAD_MOVED_IN = "thread_moved_in", _("moved a thread here")
        SLOW_MODE = "slow_mode", _("changed slow mode")
        SETTINGS = "settings", _("changed the discussion settings")

    group = models.ForeignKey(WorkingGroup, on_delete=models.CASCADE, related_name="moderation_log")
    actor = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, related_name="+"
    )
    action = models.CharField(_("action"), max_length=32, choices=Action.choices)
    thread = models.ForeignKey(
        Thread, on_delete=models.SET_NULL, null=True, blank=True, related_name="+"
    )
    post = models.ForeignKey(
        Post, on_delete=models.SET_NULL, null=True, blank=True, related_name="+"
    )
    subject = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, blank=True, related_name="+"
    )
    detail = models.CharField(_("detail"), max_length=300, blank=True)
    reason = models.TextField(_("reason"), blank=True)
    created_at = models.DateTimeField(_("when"), default=timezone.now, db_index=True)

    class Meta:
        verbose_name = _("moderation log entry")
        verbose_name_plural = _("moderation log")
        ordering = ["-created_at", "-pk"]

    def __str__(self) -> str:
        return f"{self.created_at:%Y-%m-%d} {self.actor_id} {self.action}"
