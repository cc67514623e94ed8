"""Reads: thread pages, focused branches, lists, the moderation queue, search.

Every selector asks discussions.permissions (never decides visibility itself) and costs a
fixed number of queries whatever the size of the thread or list.
"""

from __future__ import annotations

from dataclasses import dataclass, field

from django.core.paginator import Page, Paginator
from django.db.models import Q, QuerySet
from django.utils.translation import gettext as _

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
    "id", "thread_id", "group_id", "parent_id", "path", "depth", "child_count", "descendant_count", "author_id",
    "body_html", "language", "status", "created_at", "edited_at", "edit_count", "deleted_at", "hidden_at",
    "hidden_reason", "reaction_counts",
    "author__id", "author__username", "author__display_name",
)


@dataclass
class Viewer:
    """What the current user may do in one thread (computed once, used for every post)."""

    user: object
    can_reply: bool
    can_moderate: bool
    can_react: bool
    is_authenticated: bool

    @classmethod
    def for_thread(cls, user, thread: Thread) -> Viewer:
        return cls(
            user=user,
            can_reply=perms.can_reply(user, thread),
            can_moderate=perms.can_moderate_thread(user, thread),
            can_react=group_perms.can_post(user, thread.group) and thread.status == ContentStatus.PUBLISHED,
            is_authenticated=bool(user and user.is_authenticated),
        )


@dataclass
class PostItem:
    """A post prepared for the template: what this viewer sees and can do, and where it
    sits in the tree (how many levels to open/close around it)."""

    post: Post
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
    reactions: list[tuple[str, str, str, int, bool]] = field(default_factory=list)
    opens_children: bool = False
    closes: range = range(0)
    continue_count: int = 0  # replies not loaded here ("continue this thread")
    flat: bool = False  # its replies are beyond the visual indentation limit
    parent_name: str = ""  # said in the summary where indentation no longer shows it


def _prepare(post: Post, viewer: Viewer, mine_reactions: set[tuple[int, str]], level: int) -> PostItem:
    user = viewer.user
    mine = viewer.is_authenticated and post.author_id == user.pk
    live = post.status == ContentStatus.PUBLISHED and post.hidden_at is None and post.deleted_at is None
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
    show_body = post.deleted_at is None and (placeholder in ("", "pending") or mine or viewer.can_moderate)
    thread_locked = post.thread.locked if "thread" in post._state.fields_cache else False
    reactions = []
    counts = post.reaction_counts or {}
    if live:
        for kind, label in Reactions.choices:
            count = counts.get(kind, 0)
            if count or viewer.can_react:
                reactions.append((kind, REACTION_EMOJI[kind], label, count, (post.pk, kind) in mine_reactions))
    return PostItem(
        post=post,
        level=level,
        show_body=show_body,
        placeholder=placeholder,
        mine=mine,
        can_edit=mine and post.deleted_at is None and post.hidden_at is None and post.status != ContentStatus.REJECTED
        and (not thread_locked or viewer.can_moderate) and viewer.can_react,
        can_delete=mine and post.deleted_at is None,
        can_react=live and viewer.can_react,
        can_reply=live and viewer.can_reply,
        can_report=live and viewer.is_authenticated and not mine,
        can_moderate=viewer.can_moderate,
        reactions=reactions,
    )


def _tree_items(posts: list[Post], base_depth: int, viewer: Viewer, mine_reactions, max_level: int) -> list[PostItem]:
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
                item.parent_name = parent.author.public_name if parent.author else _("Former member")
    for index, item in enumerate(items):
        next_level = items[index + 1].level if index + 1 < len(items) else 0
        if next_level > item.level:
            item.opens_children = True
        else:
            item.closes = range(item.level - next_level)
        missing = item.post.child_count - loaded_children.get(item.post.pk, 0)
        if missing > 0:
            item.continue_count = item.post.descendant_count if item.level >= max_level else missing
    return items


def _posts_queryset(thread: Thread, viewer: Viewer) -> QuerySet[Post]:
    return (
        Post.objects.filter(thread=thread)
        .for_viewer(viewer.user, moderator=viewer.can_moderate)
        .select_related("author")
        .only(*POST_FIELDS)
    )


def _my_reactions(viewer: Viewer, posts: list[Post]) -> set[tuple[int, str]]:
    if not viewer.can_react or not posts:
        return set()
    return set(Reaction.objects.filter(user=viewer.user, post__in=[p.pk for p in posts]).values_list("post_id", "kind"))


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
    group_settings: GroupDiscussionSettings


def _settings_for(group: WorkingGroup) -> GroupDiscussionSettings:
    from .services import group_settings_of

    return group_settings_of(group)


def thread_page(*, thread: Thread, user, page_number) -> ThreadPage:
    """One page of a thread. Queries: top-level count + the page's top-level posts + their
    replies (bounded) + the viewer's reactions — the same for 10 or 100,000 posts."""
    viewer = Viewer.for_thread(user, thread)
    base = _posts_queryset(thread, viewer)
    top_level = base.filter(depth=1).order_by("path")
    page = Paginator(top_level, TOP_LEVEL_PER_PAGE).get_page(page_number)
    tops = list(page.object_list)
    opening_and_replies: list[Post] = []
    if tops:
        upper = path_successor(tops[-1].path)
        opening_and_replies = list(
            base.filter(Q(depth=0) | Q(path__gte=tops[0].path, path__lt=upper, depth__gt=1,
                                       depth__lte=1 + MAX_LOADED_DEPTH))
            .order_by("path")[: MAX_REPLIES_PER_PAGE + 1]
        )
    else:
        opening_and_replies = list(base.filter(depth=0))
    opening = next((p for p in opening_and_replies if p.depth == 0), None)
    replies = [p for p in opening_and_replies if p.depth > 0]
    # Merge the page's top-level posts with their (bounded) replies in tree order.
    posts = sorted([*tops, *replies], key=lambda p: p.path)
    for p in posts:
        p.thread = thread
    if opening is not None:
        opening.thread = thread
    mine = _my_reactions(viewer, [*posts, *([opening] if opening else [])])
    items = _tree_items(posts, 1, viewer, mine, MAX_LOADED_DEPTH)
    opening_item = _prepare(opening, viewer, mine, 0) if opening else None
    return ThreadPage(thread=thread, viewer=viewer, opening=opening_item, items=items, page=page,
                      group_settings=_settings_for(thread.group))


def branch_view(*, thread: Thread, post: Post, user) -> BranchView:
    """A post with its ancestors and its replies (bounded), in a fixed number of queries."""
    viewer = Viewer.for_thread(user, thread)
    base = _posts_queryset(thread, viewer)
    ancestors = list(base.filter(path__in=path_ancestors(post.path)).order_by("path"))
    subtree_filter = Q(depth__gte=post.depth, depth__lte=post.depth + MAX_LOADED_DEPTH)
    if post.depth == 0:
        subtree = base.filter(subtree_filter)
    else:
        subtree = base.filter(subtree_filter, path__gte=post.path, path__lt=path_successor(post.path))
    posts = list(subtree.order_by("path")[: MAX_REPLIES_PER_PAGE + 1])
    for p in [*ancestors, *posts]:
        p.thread = thread
    mine = _my_reactions(viewer, [*ancestors, *posts])
    ancestor_items = [_prepare(p, viewer, mine, 0) for p in ancestors]
    items = _tree_items(posts, post.depth, viewer, mine, MAX_LOADED_DEPTH)
    focus = next((p for p in posts if p.pk == post.pk), post)
    return BranchView(thread=thread, viewer=viewer, focus=focus, ancestors=ancestor_items, items=items,
                      group_settings=_settings_for(thread.group))


def post_item(*, post: Post, user) -> PostItem:
    """One post prepared for this viewer (the live-update fragment)."""
    viewer = Viewer.for_thread(user, post.thread)
    return _prepare(post, viewer, _my_reactions(viewer, [post]), 0)


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
        .select_related("post__thread", "post__author", "reporter").order_by("created_at", "pk")[:200]
    )
    held = list(
        Post.objects.filter(group=group, status=ContentStatus.PENDING, deleted_at__isnull=True)
        .select_related("thread", "author").order_by("created_at", "pk")[:200]
    )
    return reports, held


def moderation_log_page(*, group: WorkingGroup, page_number) -> Page:
    qs = ModerationLogEntry.objects.filter(group=group).select_related("actor", "thread", "subject", "post")
    return Paginator(qs, 50).get_page(page_number)


def member_posts(*, viewer, member, limit: int = 30) -> list[Post]:
    """A member's latest posts that the viewer may read (one query)."""
    return list(
        perms.readable_posts(viewer).filter(author=member).select_related("thread", "group")
        .order_by("-created_at")[:limit]
    )


def mention_candidates(*, thread: Thread, prefix: str, limit: int = 8) -> list[dict]:
    """People who can read the thread whose handle or name starts with `prefix`."""
    prefix = prefix.strip().lstrip("@")[:50]
    if not prefix:
        return []
    rows = (
        perms.thread_readers(thread)
        .filter(Q(username__istartswith=prefix) | Q(display_name__istartswith=prefix))
        .order_by("username").values("username", "display_name")[:limit]
    )
    return [{"username": r["username"], "name": r["display_name"] or r["username"]} for r in rows]


# --- search ---------------------------------------------------------------------------

def search(*, user, query: str, limit: int = 40) -> tuple[list[Thread], list[Post]]:
    """Threads and posts matching `query` that the user may read (Wagtail search backend,
    filtered by the groups the user may read before ranking)."""
    query = query.strip()[:200]
    if not query:
        return [], []
    readable = list(group_perms.readable_groups(user).values_list("pk", flat=True))
    if not readable:
        return [], []
    thread_qs = Thread.objects.filter(status=ContentStatus.PUBLISHED, group_id__in=readable)
    threads = list(thread_qs.search(query)[:limit])
    post_qs = Post.objects.filter(
        group_id__in=readable, status=ContentStatus.PUBLISHED, hidden_at__isnull=True, deleted_at__isnull=True,
    )
    post_hits = list(post_qs.search(query)[:limit])
    # Re-check each hit through permissions (the thread's own status) and load relations.
    ids = [p.pk for p in post_hits]
    loaded = {p.pk: p for p in perms.readable_posts(user).filter(pk__in=ids).select_related("thread", "author", "group")}
    posts = [loaded[i] for i in ids if i in loaded]
    thread_ids = [t.pk for t in threads]
    loaded_threads = {t.pk: t for t in Thread.objects.filter(pk__in=thread_ids).select_related("group", "author")}
    return [loaded_threads[i] for i in thread_ids if i in loaded_threads], posts


__all__ = [
    "SEGMENT", "TOP_LEVEL_PER_PAGE", "MAX_REPLIES_PER_PAGE", "MAX_LOADED_DEPTH", "VISUAL_DEPTH",
    "thread_page", "branch_view", "post_item", "threads_for_group", "group_threads_page", "moderation_queue",
    "moderation_log_page", "member_posts", "mention_candidates", "search",
]
