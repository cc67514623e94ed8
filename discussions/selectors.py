"""Reads: thread pages, focused branches, lists, the moderation queue, search.

Every selector asks discussions.permissions (never decides visibility itself) and costs a
fixed number of queries whatever the size of the thread or list.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field

from django.core.paginator import Page, Paginator
from django.db.models import Count, Q, QuerySet, Window
from django.utils.html import escape
from django.utils.safestring import SafeString, mark_safe
from django.utils.translation import gettext as _

from core import users
from groups import permissions as group_perms
from groups.models import WorkingGroup

from . import permissions as perms
from .models import (
    REACTION_EMOJI,
    SEGMENT,
    ContentStatus,
    GroupDiscussionSettings,
    ModerationLogEntry,
    Post,
    Reaction,
    Reactions,
    Report,
    Thread,
    path_ancestors,
    path_successor,
)

TOP_LEVEL_PER_PAGE = 20  # top-level branches per thread page
MAX_REPLIES_PER_PAGE = 300  # replies loaded per page (deeper/later ones get "continue")
MAX_LOADED_DEPTH = 10  # levels below the page's root loaded before "continue this thread"
VISUAL_DEPTH = 6  # indentation stops growing after this many levels
THREADS_PER_PAGE = 25

POST_FIELDS = (
    "id",
    "thread_id",
    "group_id",
    "parent_id",
    "path",
    "depth",
    "child_count",
    "descendant_count",
    "author_id",
    "body_html",
    "language",
    "status",
    "created_at",
    "edited_at",
    "edit_count",
    "deleted_at",
    "hidden_at",
    "hidden_reason",
    "reaction_counts",
    "author__id",
)


_ROW_FIELDS = tuple(f for f in POST_FIELDS if not f.startswith("author__"))


def _author_fields() -> tuple[str, str]:
    # The handle and name lookups of whatever the user model is (core.users).
    return users.author_fields("author")


class RowAuthor:
    """A post's author as a thread page shows it."""

    __slots__ = ("pk", "username", "display_name")

    def __init__(self, pk: int, username: str, display_name: str):
        self.pk, self.username, self.display_name = pk, username, display_name

    @property
    def public_name(self) -> str:
        return self.display_name or self.username  # what core.users.display_name says


class PostRow:
    """A post as a thread page reads it: POST_FIELDS as plain attributes. A page of 300
    posts would otherwise build 600 model instances (post and author) — about a fifth of
    the page's own work — for values it only reads."""

    __slots__ = (*_ROW_FIELDS, "author", "thread")

    def __init__(self, values: tuple):
        for name, value in zip(_ROW_FIELDS, values, strict=False):
            setattr(self, name, value)
        username, display_name = values[len(_ROW_FIELDS) : len(_ROW_FIELDS) + 2]
        author_id = self.author_id
        self.author = RowAuthor(author_id, username, display_name) if author_id else None

    @property
    def pk(self) -> int:
        return self.id


def _rows(queryset: QuerySet[Post], *extra: str) -> list[tuple[PostRow, tuple]]:
    """(row, extra values) for each post of `queryset`, in its order (one query)."""
    width = len(_ROW_FIELDS) + 2
    return [
        (PostRow(values), values[width:])
        for values in queryset.values_list(*_ROW_FIELDS, *_author_fields(), *extra)
    ]


class Presenter:
    """Per-request text for posts: labels translated once, dates formatted once per minute
    (a 300-post page would otherwise call gettext and the date formatter thousands of
    times)."""

    def __init__(self):
        from django.utils import formats, timezone
        from django.utils.translation import ngettext

        self._formats, self._timezone, self._ngettext = formats, timezone, ngettext
        self._when: dict = {}
        self._replies: dict[int, str] = {}
        self._continue: dict[int, str] = {}
        self.former_member = str(_("Former member"))
        self.reactions = [
            (kind, REACTION_EMOJI[kind], str(label)) for kind, label in Reactions.choices
        ]
        # URL prefixes: reversed once, so a 300-post page does not reverse() thousands of times.
        from django.urls import reverse

        index = reverse("discussions:index")
        self.posts_url = index + "posts/"
        self.threads_url = index + "threads/"
        self.labels = {key: escape(value) for key, value in labels().items()}

    def actions(self, item: PostItem) -> SafeString:
        """The row of action links under a post. Built here, not in the template, because a
        300-post page would resolve ~10,000 template variables for it; it holds only our own
        URLs (ids) and translated labels (escaped), never member text."""
        lab, url = self.labels, item.url
        out = [f'<a class="permalink" href="{item.permalink}">{lab["link"]}</a>']
        if item.can_reply:
            out.append(
                f' <a href="{url}reply/" data-reply="{item.id}">{lab["reply"]}</a>'
                f' <a href="{url}reply/?quote={item.id}">{lab["quote"]}</a>'
            )
        if item.can_edit:
            out.append(f' <a href="{url}edit/">{lab["edit"]}</a>')
        if item.can_delete:
            out.append(f' <a href="{url}delete/">{lab["delete"]}</a>')
        if item.can_history:
            out.append(f' <a href="{url}history/">{lab["history"]}</a>')
        if item.can_report:
            out.append(f' <a href="{url}report/">{lab["report"]}</a>')
        if item.can_moderate:
            out.append(f' <a href="{url}moderate/">{lab["moderate"]}</a>')
        if item.can_react:
            out.append(f' <a href="{url}react/" data-react-menu>{lab["react"]}</a>')
        return mark_safe("".join(out))  # ids, our URLs and escaped labels: no member text

    def when(self, moment) -> str:
        key = moment.replace(second=0, microsecond=0)
        if key not in self._when:
            local = self._timezone.localtime(moment) if self._timezone.is_aware(moment) else moment
            self._when[key] = self._formats.date_format(local, "SHORT_DATETIME_FORMAT")
        return self._when[key]

    def replies(self, count: int) -> str:
        if count not in self._replies:
            self._replies[count] = self._ngettext(
                "%(counter)s reply", "%(counter)s replies", count
            ) % {"counter": count}
        return self._replies[count]

    def continue_label(self, count: int) -> str:
        if count not in self._continue:
            self._continue[count] = self._ngettext(
                "Continue this thread (%(counter)s more reply)",
                "Continue this thread (%(counter)s more replies)",
                count,
            ) % {"counter": count}
        return self._continue[count]


def labels() -> dict[str, str]:
    """Action labels for post templates, translated once per page."""
    return {
        "link": _("Link"),
        "reply": _("Reply"),
        "quote": _("Quote"),
        "edit": _("Edit"),
        "delete": _("Delete"),
        "history": _("History"),
        "report": _("Report"),
        "moderate": _("Moderate"),
        "react": _("React"),
        "edited": _("edited"),
        "deleted": _("This post was deleted by its author."),
        "hidden": _("This post was hidden by a moderator."),
        "waiting": _("Waiting for approval."),
        "my_pending": _(
            "Your post is waiting for a moderator's approval; "
            "until then only you and the moderators can see it."
        ),
    }


@dataclass
class Viewer:
    """What the current user may do in one thread (computed once, used for every post)."""

    user: object
    abilities: perms.ThreadAbilities
    text: Presenter = field(default_factory=Presenter)

    @classmethod
    def for_thread(cls, user, thread: Thread) -> Viewer:
        return cls(user=user, abilities=perms.thread_abilities(user, thread))

    @property
    def can_reply(self) -> bool:
        return self.abilities.can_reply

    @property
    def can_moderate(self) -> bool:
        return self.abilities.can_moderate

    @property
    def can_react(self) -> bool:
        return self.abilities.can_react


@dataclass
class PostItem:
    """A post prepared for the template: what this viewer sees and can do, its texts, and
    where it sits in the tree (how many levels to open/close around it)."""

    post: Post
    id: str  # the pk as text (ints go through number localisation in templates)
    url: str  # /<lang>/discussions/posts/<id>/ — actions hang below it
    permalink: str
    level: int  # 0 = the page's top level
    show_body: bool
    placeholder: str  # "", "deleted", "hidden", "pending", "rejected"
    mine: bool
    can_edit: bool
    can_delete: bool
    can_react: bool
    can_reply: bool
    can_report: bool
    can_moderate: bool
    can_history: bool
    author_name: str
    when: str
    iso: str
    replies_label: str
    reactions: list[tuple[str, str, str, int, bool]] = field(
        default_factory=list
    )  # only kinds with a count
    opens_children: bool = False
    closes: range = range(0)
    continue_count: int = 0  # replies not loaded here ("continue this thread")
    continue_label: str = ""
    flat: bool = False  # its replies are beyond the visual indentation limit
    parent_name: str = ""  # said in the summary where indentation no longer shows it
    actions: str = ""


def _prepare(
    post: Post, viewer: Viewer, mine_reactions: set[tuple[int, str]], level: int
) -> PostItem:
    text = viewer.text
    may = perms.post_abilities(viewer.abilities, post)
    if post.deleted_at is not None:
        placeholder = "deleted"
    elif post.status == ContentStatus.REJECTED:
        placeholder = "rejected"
    elif post.status == ContentStatus.PENDING:
        placeholder = "pending"
    elif post.hidden_at is not None:
        placeholder = "hidden"
    else:
        placeholder = ""
    reactions = []
    counts = post.reaction_counts
    if not placeholder and counts:
        reactions = [
            (kind, emoji, label, counts[kind], (post.pk, kind) in mine_reactions)
            for kind, emoji, label in text.reactions
            if counts.get(kind)
        ]
    author = post.author
    pk = str(post.pk)
    item = PostItem(
        post=post,
        id=pk,
        url=f"{text.posts_url}{pk}/",
        permalink=f"{text.threads_url}{post.thread_id}/posts/{pk}/#post-{pk}",
        level=level,
        show_body=may.show_body,
        placeholder=placeholder,
        mine=may.mine,
        can_edit=may.can_edit,
        can_delete=may.can_delete,
        can_react=may.can_react,
        can_reply=may.can_reply,
        can_report=may.can_report,
        can_moderate=viewer.can_moderate,
        can_history=may.can_history,
        author_name=users.display_name(author) if author is not None else text.former_member,
        when=text.when(post.created_at),
        iso=post.created_at.isoformat(),
        replies_label=text.replies(post.descendant_count) if post.descendant_count else "",
        reactions=reactions,
    )
    item.actions = text.actions(item)
    return item


def _tree_items(
    posts: list[Post], base_depth: int, viewer: Viewer, mine_reactions, max_level: int
) -> list[PostItem]:
    """Flat list in tree order with open/close markers, so the template nests
    <ol>/<details> without recursion. `posts` is ancestor-closed and sorted by path."""
    items = [_prepare(p, viewer, mine_reactions, p.depth - base_depth) for p in posts]
    by_pk = {p.pk: p for p in posts}
    loaded_children: dict[int, int] = {}
    for item in items:
        if item.post.parent_id is not None and item.post.status == ContentStatus.PUBLISHED:
            loaded_children[item.post.parent_id] = loaded_children.get(item.post.parent_id, 0) + 1
        item.flat = item.level + 1 >= VISUAL_DEPTH
        if item.level >= VISUAL_DEPTH:
            parent = by_pk.get(item.post.parent_id)
            if parent is not None:
                item.parent_name = (
                    users.display_name(parent.author)
                    if parent.author
                    else viewer.text.former_member
                )
    for index, item in enumerate(items):
        next_level = items[index + 1].level if index + 1 < len(items) else 0
        if next_level > item.level:
            item.opens_children = True
        else:
            item.closes = range(item.level - next_level)
        missing = item.post.child_count - loaded_children.get(item.post.pk, 0)
        if missing > 0:
            item.continue_count = item.post.descendant_count if item.level >= max_level else missing
            item.continue_label = viewer.text.continue_label(item.continue_count)
    return items


def _posts_queryset(thread: Thread, viewer: Viewer) -> QuerySet[Post]:
    return (
        Post.objects.filter(thread=thread)
        .for_viewer(viewer.user, moderator=viewer.can_moderate)
        .select_related("author")
        .only(*POST_FIELDS, *_author_fields())
    )


def _my_reactions(viewer: Viewer, thread: Thread, shown=None) -> set[tuple[int, str]]:
    """The viewer's reactions in this thread (one query; bounded by what they reacted to).
    None to ask when none of the `shown` posts has a reaction from anyone."""
    if not viewer.can_react:
        return set()
    if shown is not None and not any(p.reaction_counts for p in shown):
        return set()
    return set(
        Reaction.objects.filter(user=viewer.user, post__thread_id=thread.pk).values_list(
            "post_id", "kind"
        )
    )


@dataclass
class ThreadPage:
    """Everything the thread page shows: the opening post and one page of top-level branches."""

    thread: Thread
    viewer: Viewer
    opening: PostItem | None
    items: list[PostItem]
    page: Page
    group_settings: GroupDiscussionSettings


@dataclass
class BranchView:
    """A post opened on its own (permalink / "continue this thread"): its ancestors, then
    the post and its replies."""

    thread: Thread
    viewer: Viewer
    focus: Post
    ancestors: list[PostItem]
    items: list[PostItem]
    page: Page
    group_settings: GroupDiscussionSettings


def _settings_for(group: WorkingGroup) -> GroupDiscussionSettings:
    """The group's settings, from the thread query's join when it made one (views do)."""
    if "discussion_settings" in group._state.fields_cache:
        return group._state.fields_cache["discussion_settings"] or GroupDiscussionSettings(
            group=group
        )
    from .services import group_settings_of

    return group_settings_of(group)


def _counted_page(queryset: QuerySet[Post], page_number) -> Page:
    """`Paginator.get_page` (same numbers, same fallbacks) with the total counted by the
    page's own query (COUNT(*) OVER ()), not by a separate COUNT query."""
    per_page = TOP_LEVEL_PER_PAGE
    paginator = Paginator(queryset, per_page)
    try:
        number = int(page_number)
    except (TypeError, ValueError):
        number = 1
    if number < 1:
        return paginator.get_page(number)  # Django's answer for these: the last page
    start = (number - 1) * per_page
    counted = _rows(
        queryset.annotate(_total=Window(Count("pk")))[start : start + per_page], "_total"
    )
    rows = [row for row, _extra in counted]
    if rows:
        paginator.count = counted[0][1][0]  # a cached_property: set, it is not queried again
    elif number > 1:
        # Past the end: the last page, as get_page does.
        return paginator.get_page(number)
    else:
        paginator.count = 0
    return Page(rows, number, paginator)


def _branches_page(
    base: QuerySet[Post],
    *,
    root: Post | None,
    root_path: str,
    root_depth: int,
    deepest: int,
    page_number,
) -> tuple[Page, list[Post]]:
    """One page of the direct replies of the post at `root_path`, each with its replies
    (down to depth `deepest`, at most MAX_REPLIES_PER_PAGE rows).
    Three queries (count, the page's direct replies, their replies) whatever the size, and
    every reply stays reachable: a later page, or "continue this thread" on a post whose
    replies did not fit, which opens that post's own branch pages.
    `root` None: the root itself comes with the replies query (the opening post)."""
    children = base.filter(depth=root_depth + 1).order_by("path")
    if root_path:
        children = children.filter(path__gt=root_path, path__lt=path_successor(root_path))
    page = _counted_page(children, page_number)
    tops = list(page.object_list)
    wanted = []
    if root is None:
        wanted.append(Q(depth=root_depth, path=root_path))
    if tops:
        wanted.append(
            Q(
                path__gte=tops[0].path,
                path__lt=path_successor(tops[-1].path),
                depth__gt=root_depth + 1,
                depth__lte=deepest,
            )
        )
    rows = []
    if wanted:
        condition = wanted[0] if len(wanted) == 1 else wanted[0] | wanted[1]
        sliced = base.filter(condition).order_by("path")[: MAX_REPLIES_PER_PAGE + 1]
        rows = [row for row, _extra in _rows(sliced)]
    return page, sorted([*tops, *rows], key=lambda p: p.path)


def thread_page(*, thread: Thread, user, page_number) -> ThreadPage:
    """One page of a thread. Queries: top-level count + the page's top-level posts + their
    replies (bounded) + the viewer's reactions — the same for 10 or 100,000 posts."""
    viewer = Viewer.for_thread(user, thread)
    base = _posts_queryset(thread, viewer)
    page, loaded = _branches_page(
        base,
        root=None,
        root_path="",
        root_depth=0,
        deepest=1 + MAX_LOADED_DEPTH,
        page_number=page_number,
    )
    for p in loaded:
        p.thread = thread
    opening = next((p for p in loaded if p.depth == 0), None)
    posts = [p for p in loaded if p.depth > 0]
    mine = _my_reactions(viewer, thread, loaded)
    items = _tree_items(posts, 1, viewer, mine, MAX_LOADED_DEPTH)
    opening_item = _prepare(opening, viewer, mine, 0) if opening else None
    return ThreadPage(
        thread=thread,
        viewer=viewer,
        opening=opening_item,
        items=items,
        page=page,
        group_settings=_settings_for(thread.group),
    )


def branch_view(*, thread: Thread, post: Post, user, page_number=None) -> BranchView:
    """A post with its ancestors and one page of its replies (each with its own replies,
    bounded), in a fixed number of queries."""
    viewer = Viewer.for_thread(user, thread)
    base = _posts_queryset(thread, viewer)
    line = list(base.filter(path__in=[*path_ancestors(post.path), post.path]).order_by("path"))
    ancestors = [p for p in line if p.path != post.path]
    focus = next((p for p in line if p.path == post.path), post)
    page, replies = _branches_page(
        base,
        root=focus,
        root_path=post.path,
        root_depth=post.depth,
        deepest=post.depth + MAX_LOADED_DEPTH,
        page_number=page_number,
    )
    posts = [focus, *replies]
    for p in [*ancestors, *posts]:
        p.thread = thread
    mine = _my_reactions(viewer, thread, [*ancestors, *posts])
    ancestor_items = [_prepare(p, viewer, mine, 0) for p in ancestors]
    items = _tree_items(posts, post.depth, viewer, mine, MAX_LOADED_DEPTH)
    if items and items[0].post.pk == focus.pk:
        # The focus's own further replies are on the next pages (the page links say so),
        # not behind a "continue" link to this very page.
        items[0].continue_count, items[0].continue_label = 0, ""
    return BranchView(
        thread=thread,
        viewer=viewer,
        focus=focus,
        ancestors=ancestor_items,
        items=items,
        page=page,
        group_settings=_settings_for(thread.group),
    )


def reaction_choices(*, post: Post, user) -> list[tuple[str, str, str, int, bool]]:
    """Every reaction kind for one post: (kind, emoji, label, count, chosen by user)."""
    mine = set(Reaction.objects.filter(post=post, user=user).values_list("kind", flat=True))
    counts = post.reaction_counts or {}
    return [
        (kind, REACTION_EMOJI[kind], str(label), counts.get(kind, 0), kind in mine)
        for kind, label in Reactions.choices
    ]


def post_item(*, post: Post, user) -> PostItem:
    """One post prepared for this viewer (the live-update fragment)."""
    viewer = Viewer.for_thread(user, post.thread)
    return _prepare(post, viewer, _my_reactions(viewer, post.thread), 0)


# --- lists ----------------------------------------------------------------------------


def _thread_list(user, group: WorkingGroup) -> QuerySet[Thread]:
    qs = Thread.objects.filter(group=group).select_related("author")
    if not group_perms.can_moderate(user, group):
        visible = Q(status=ContentStatus.PUBLISHED)
        if user is not None and user.is_authenticated:
            visible |= Q(author=user, status=ContentStatus.PENDING)
        qs = qs.filter(visible)
    return qs.listed()


def threads_for_group(user, group: WorkingGroup, limit: int = 5) -> list[Thread]:
    """The group's latest threads (pinned first) the user may read; [] if they may not."""
    if not perms.can_read_group_discussions(user, group):
        return []
    return list(_thread_list(user, group)[:limit])


def group_threads_page(*, user, group: WorkingGroup, page_number) -> Page:
    return Paginator(_thread_list(user, group), THREADS_PER_PAGE).get_page(page_number)


def moderation_queue(*, group: WorkingGroup) -> tuple[list[Report], list[Post]]:
    """Open reports and held posts of a group, oldest first (two queries)."""
    reports = list(
        Report.objects.filter(group=group, status=Report.Status.OPEN)
        .select_related("post__thread", "post__author", "reporter")
        .order_by("created_at", "pk")[:200]
    )
    held = list(
        Post.objects.filter(group=group, status=ContentStatus.PENDING, deleted_at__isnull=True)
        .select_related("thread", "author")
        .order_by("created_at", "pk")[:200]
    )
    return reports, held


def moderation_log_page(*, group: WorkingGroup, page_number) -> Page:
    qs = ModerationLogEntry.objects.filter(group=group).select_related(
        "actor", "thread", "subject", "post"
    )
    return Paginator(qs, 50).get_page(page_number)


def member_posts(*, viewer, member, limit: int = 30) -> list[Post]:
    """A member's latest posts that the viewer may read (one query)."""
    return list(
        perms.readable_posts(viewer)
        .filter(author=member)
        .select_related("thread", "group")
        .order_by("-created_at")[:limit]
    )


# Control characters (PostgreSQL refuses NUL in any text parameter) and double quotes
# (the SQLite search backend wraps each term in quotes; one more breaks its query syntax).
_UNSEARCHABLE = re.compile(r'[\x00-\x1f\x7f"]')


def search_text(value: str, max_length: int = 200) -> str:
    """What members type into a search or autocomplete box, made safe for every database
    backend: no control characters or double quotes, single spaces, bounded length."""
    return " ".join(_UNSEARCHABLE.sub(" ", value or "").split())[:max_length]


def mention_candidates(*, thread: Thread, prefix: str, limit: int = 8) -> list[dict]:
    """People who can read the thread whose handle or name starts with `prefix`."""
    prefix = search_text(prefix, 51).lstrip("@")[:50]
    if not prefix:
        return []
    handle, name = users.handle_field(), users.name_field() or users.handle_field()
    rows = (
        perms.thread_readers(thread)
        .filter(Q(**{f"{handle}__istartswith": prefix}) | Q(**{f"{name}__istartswith": prefix}))
        .order_by(handle)
        .values_list(handle, name)[:limit]
    )
    return [{"username": h, "name": n or h} for h, n in rows]


# --- search ---------------------------------------------------------------------------


def search(*, user, query: str, limit: int = 40) -> tuple[list[Thread], list[Post]]:
    """Threads and posts matching `query` that the user may read (Wagtail search backend,
    filtered by the groups the user may read before ranking)."""
    query = search_text(query)
    if not query:
        return [], []
    readable = list(group_perms.readable_groups(user).values_list("pk", flat=True))
    if not readable:
        return [], []
    thread_qs = Thread.objects.filter(status=ContentStatus.PUBLISHED, group_id__in=readable)
    threads = list(thread_qs.search(query)[:limit])
    post_qs = Post.objects.filter(
        group_id__in=readable,
        status=ContentStatus.PUBLISHED,
        hidden_at__isnull=True,
        deleted_at__isnull=True,
    )
    post_hits = list(post_qs.search(query)[:limit])
    # Re-check each hit through permissions (the thread's own status) and load relations.
    ids = [p.pk for p in post_hits]
    loaded = {
        p.pk: p
        for p in perms.readable_posts(user)
        .filter(pk__in=ids)
        .select_related("thread", "author", "group")
    }
    posts = [loaded[i] for i in ids if i in loaded]
    thread_ids = [t.pk for t in threads]
    loaded_threads = {
        t.pk: t for t in Thread.objects.filter(pk__in=thread_ids).select_related("group", "author")
    }
    return [loaded_threads[i] for i in thread_ids if i in loaded_threads], posts


__all__ = [
    "SEGMENT",
    "TOP_LEVEL_PER_PAGE",
    "MAX_REPLIES_PER_PAGE",
    "MAX_LOADED_DEPTH",
    "VISUAL_DEPTH",
    "thread_page",
    "branch_view",
    "post_item",
    "threads_for_group",
    "group_threads_page",
    "moderation_queue",
    "moderation_log_page",
    "member_posts",
    "mention_candidates",
    "search",
]
