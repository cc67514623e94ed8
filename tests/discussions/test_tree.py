"""The post tree: materialised paths, counters, thread pages and permalinks."""

import re

import pytest

from discussions import selectors
from discussions.models import Post, path_ancestors, path_segment, path_successor
from tests.factories import PostFactory, build_tree


def test_path_helpers():
    assert path_segment(7) == "00007"
    assert path_ancestors("000010000200003") == ["", "00001", "0000100002"]
    assert path_successor("0000100002") == "0000100003"
    # Every descendant of a path sorts between it and its successor, whatever follows.
    for child in ("000010000200001", "0000100002" + "99999" * 10):
        assert "0000100002" < child < path_successor("0000100002")


def test_replies_get_tree_paths_and_counters(public_group, thread_in):
    thread = thread_in(public_group)
    a = PostFactory(thread=thread)
    b = PostFactory(thread=thread)
    a1 = PostFactory(thread=thread, parent=a)
    a1x = PostFactory(thread=thread, parent=a1)
    a2 = PostFactory(thread=thread, parent=a)
    assert [p.path for p in (a, b, a1, a1x, a2)] == [
        "00001",
        "00002",
        "0000100001",
        "000010000100001",
        "0000100002",
    ]
    assert [p.depth for p in (a, a1, a1x)] == [1, 2, 3]
    root = Post.objects.get(thread=thread, depth=0)
    a.refresh_from_db()
    thread.refresh_from_db()
    assert (root.child_count, root.descendant_count) == (2, 5)
    assert (a.child_count, a.descendant_count, a.last_child_seq) == (2, 3, 2)
    assert thread.reply_count == 5
    ordered = list(Post.objects.filter(thread=thread).order_by("path").values_list("pk", flat=True))
    assert ordered == [root.pk, a.pk, a1.pk, a1x.pk, a2.pk, b.pk]


def _recomputed_counters(thread):
    posts = list(Post.objects.filter(thread=thread))
    children, descendants = {}, {}
    for p in posts:
        if p.parent_id:
            children[p.parent_id] = children.get(p.parent_id, 0) + 1
    by_path = {p.path: p for p in posts}
    for p in posts:
        for ancestor in path_ancestors(p.path):
            descendants[by_path[ancestor].pk] = descendants.get(by_path[ancestor].pk, 0) + 1
    return {p.pk: (children.get(p.pk, 0), descendants.get(p.pk, 0)) for p in posts}


def test_build_tree_matches_service_invariants(public_group, thread_in, member_factory):
    """The bulk builder used for size tests keeps the same counters the services keep."""
    thread = thread_in(public_group)
    PostFactory(thread=thread)
    build_tree(thread, [member_factory(public_group)], 120, top_level=7)
    PostFactory(thread=thread, parent=Post.objects.filter(thread=thread, depth=3).first())
    stored = {p.pk: (p.child_count, p.descendant_count) for p in Post.objects.filter(thread=thread)}
    assert stored == _recomputed_counters(thread)
    for p in Post.objects.filter(thread=thread).exclude(depth=0):
        assert p.path.startswith(p.parent.path) and len(p.path) == len(p.parent.path) + 5


def _thread_with(group, n, thread_in, member_factory):
    thread = thread_in(group)
    build_tree(thread, [member_factory(group), member_factory(group)], n, top_level=min(n, 12))
    return thread


@pytest.mark.parametrize("logged_in", [False, True])
def test_thread_page_query_count_is_the_same_for_10_and_500_posts(
    client, public_group, thread_in, member_factory, django_assert_num_queries, logged_in
):
    small = _thread_with(public_group, 10, thread_in, member_factory)
    large = _thread_with(public_group, 500, thread_in, member_factory)
    if logged_in:
        client.force_login(member_factory(public_group))
    client.get(small.get_absolute_url())  # warm caches (site root, content types)
    counts = []
    for thread in (small, large):
        from django.db import connection
        from django.test.utils import CaptureQueriesContext

        with CaptureQueriesContext(connection) as ctx:
            response = client.get(thread.get_absolute_url())
        assert response.status_code == 200
        counts.append(len(ctx))
    assert counts[0] == counts[1], counts
    wide = thread_in(public_group)
    build_tree(wide, [member_factory(public_group)], 500, top_level=45)
    with django_assert_num_queries(counts[0]):  # a later page costs the same
        assert client.get(wide.get_absolute_url() + "?page=3").status_code == 200
    # A page number past the end shows the last page (one count more to find it).
    with django_assert_num_queries(counts[0] + 2):
        response = client.get(large.get_absolute_url() + "?page=9")
    assert response.status_code == 200 and response.context["page_obj"].number == 1


def test_large_thread_is_paginated_by_top_level_branches(
    client, public_group, thread_in, member_factory
):
    thread = thread_in(public_group)
    build_tree(thread, [member_factory(public_group)], 400, top_level=45)
    html = client.get(thread.get_absolute_url()).content.decode()
    tops = Post.objects.filter(thread=thread, depth=1).order_by("path")
    first_page, third_page = list(tops[:20]), list(tops[40:45])
    assert all(f'id="post-{p.pk}"' in html for p in first_page)
    assert not any(f'id="post-{p.pk}"' in html for p in third_page)
    shown = len(re.findall(r'<li class="node" id="post-', html))
    assert shown <= selectors.TOP_LEVEL_PER_PAGE + selectors.MAX_REPLIES_PER_PAGE
    assert "Page 1 of 3" in html
    page3 = client.get(thread.get_absolute_url() + "?page=3").content.decode()
    assert all(f'id="post-{p.pk}"' in page3 for p in third_page)


def test_deep_branch_continues_on_its_own_page(client, public_group, thread_in, member_factory):
    thread = thread_in(public_group)
    author = member_factory(public_group)
    parent = None
    chain = []
    for _ in range(selectors.MAX_LOADED_DEPTH + 4):
        parent = PostFactory(thread=thread, parent=parent, author=author)
        chain.append(parent)
    html = client.get(thread.get_absolute_url()).content.decode()
    last_loaded = chain[selectors.MAX_LOADED_DEPTH]
    assert f'id="post-{last_loaded.pk}"' in html
    assert f'id="post-{chain[selectors.MAX_LOADED_DEPTH + 1].pk}"' not in html
    continue_url = f"/en/discussions/threads/{thread.pk}/posts/{last_loaded.pk}/"
    assert f'class="continue" href="{continue_url}#post-{last_loaded.pk}"' in html
    assert "Continue this thread (3 more replies)" in html
    deeper = client.get(continue_url).content.decode()
    assert f'id="post-{chain[-1].pk}"' in deeper


def test_permalink_opens_the_post_with_its_ancestors(client, public_group, thread_in):
    thread = thread_in(public_group, body="Opening words")
    a = PostFactory(thread=thread, body="Branch A")
    a1 = PostFactory(thread=thread, parent=a, body="Reply in A")
    a1x = PostFactory(thread=thread, parent=a1, body="Deep reply")
    b = PostFactory(thread=thread, body="Unrelated branch B")
    response = client.get(a1.get_absolute_url())
    html = response.content.decode()
    assert response.status_code == 200
    for text in ("Opening words", "Branch A", "Reply in A", "Deep reply"):
        assert text in html
    assert "Unrelated branch B" not in html
    assert html.index("Branch A") < html.index("Reply in A") < html.index("Deep reply")
    assert f'id="post-{a1x.pk}"' in html and f'id="post-{b.pk}"' not in html
    # A post id from another thread is not found under this thread.
    other = thread_in(public_group)
    assert client.get(f"/en/discussions/threads/{other.pk}/posts/{a1.pk}/").status_code == 404


def test_branches_collapse_without_javascript(client, public_group, thread_in):
    thread = thread_in(public_group)
    a = PostFactory(thread=thread)
    PostFactory(thread=thread, parent=a)
    html = client.get(thread.get_absolute_url()).content.decode()
    node = html[html.index(f'<li class="node" id="post-{a.pk}"') :]
    assert node.startswith(
        f'<li class="node" id="post-{a.pk}" data-post="{a.pk}"><details open><summary'
    )
    assert '<ol class="replies">' in node
    assert (
        "1 reply" in node[: node.index("</summary>")]
    )  # the collapsed summary says what is inside


def test_deleted_post_keeps_its_replies_in_place(client, public_group, thread_in):
    from discussions.services import post_delete

    thread = thread_in(public_group)
    a = PostFactory(thread=thread, body="Soon gone")
    child = PostFactory(thread=thread, parent=a, body="Still here")
    post_delete(post=a, user=a.author)
    html = client.get(thread.get_absolute_url()).content.decode()
    assert "Soon gone" not in html
    assert "This post was deleted by its author." in html
    assert "Still here" in html
    assert html.index(f'id="post-{a.pk}"') < html.index(f'id="post-{child.pk}"')


def test_indentation_stops_at_the_visual_limit(client, public_group, thread_in, member_factory):
    thread = thread_in(public_group)
    author = member_factory(public_group)
    parent = None
    for _ in range(selectors.VISUAL_DEPTH + 2):
        parent = PostFactory(thread=thread, parent=parent, author=author)
    html = client.get(thread.get_absolute_url()).content.decode()
    assert html.count('<ol class="replies">') == selectors.VISUAL_DEPTH - 1
    assert html.count('<ol class="replies flat">') == 2
    assert "in reply to" in html  # flat levels say whom they answer


def _crawl(client, start):
    """Every post id a reader can reach from `start` by following page links and
    "continue this thread" links (no JavaScript), and how many pages that took."""
    visited, todo, shown = set(), [start], set()
    while todo:
        url = todo.pop()
        if url in visited:
            continue
        visited.add(url)
        response = client.get(url)
        assert response.status_code == 200, url
        html = response.content.decode()
        shown |= {int(i) for i in re.findall(r'class="(?:opening )?node" id="post-(\d+)"', html)}
        todo += re.findall(r'class="continue" href="([^"#]+)', html)
        base = url.split("?")[0]
        todo += [base + query for query in re.findall(r'href="(\?page=\d+)"', html)]
    return shown, len(visited)


@pytest.mark.parametrize("top_level", [1, 30])
def test_every_post_of_a_big_thread_is_reachable(
    client, public_group, thread_in, member_factory, top_level
):
    """Thousands of posts are never one page, and none of them is out of reach: a branch
    too big for one page continues on its own pages."""
    thread = thread_in(public_group)
    build_tree(thread, [member_factory(public_group)], 900, top_level=top_level)
    everything = set(Post.objects.filter(thread=thread).values_list("pk", flat=True))
    shown, pages = _crawl(client, thread.get_absolute_url())
    assert shown == everything
    assert pages > 3  # it really was spread over several pages


def test_a_post_with_many_replies_pages_them(client, public_group, thread_in, member_factory):
    thread = thread_in(public_group)
    busy = PostFactory(thread=thread, body="Popular question")
    build_tree_under = [PostFactory(thread=thread, parent=busy) for _ in range(25)]
    url = f"/en/discussions/threads/{thread.pk}/posts/{busy.pk}/"
    first = client.get(url).content.decode()
    assert "Page 1 of 2" in first and 'href="?page=2"' in first
    assert "Popular question" in first
    assert 'class="continue"' not in first  # the page links lead on, not a link to itself
    second = client.get(url + "?page=2").content.decode()
    assert "Popular question" in second  # the focused post stays on top of every page
    assert all(
        (f'id="post-{p.pk}"' in second) == (i >= selectors.TOP_LEVEL_PER_PAGE)
        for i, p in enumerate(build_tree_under)
    )


def test_permalink_query_count_is_the_same_for_small_and_large_branches(
    client, public_group, thread_in, member_factory
):
    from django.db import connection
    from django.test.utils import CaptureQueriesContext

    author = member_factory(public_group)
    client.force_login(member_factory(public_group))
    counts = []
    for n in (10, 600):
        thread = thread_in(public_group)
        build_tree(thread, [author], n, top_level=1)
        top = Post.objects.get(thread=thread, depth=1)
        deep = Post.objects.filter(thread=thread, depth__gt=1, child_count__gt=0).first()
        for post in (top, deep):
            url = f"/en/discussions/threads/{thread.pk}/posts/{post.pk}/"
            client.get(url)  # warm
            with CaptureQueriesContext(connection) as ctx:
                assert client.get(url).status_code == 200
            counts.append(len(ctx))
    assert len(set(counts)) == 1, counts


def test_a_reply_without_javascript_lands_where_it_is_shown(
    client, public_group, thread_in, member_factory
):
    """In a branch bigger than a page, the redirect after a no-JS reply opens the new
    post's permalink (the thread page would not show it); elsewhere the thread page."""
    thread = thread_in(public_group)
    member = member_factory(public_group)
    build_tree(thread, [member], 450, top_level=1)
    client.force_login(member)
    last = Post.objects.filter(thread=thread, depth__lte=4).order_by("-path").first()
    first = Post.objects.filter(thread=thread, depth=2).order_by("path").first()
    for parent in (last, first):
        response = client.post(
            f"/en/discussions/posts/{parent.pk}/reply/", {"body": "Mine", "language": "en"}
        )
        new = Post.objects.filter(thread=thread, parent=parent).order_by("-pk").first()
        assert response.status_code == 302
        assert f'id="post-{new.pk}"' in client.get(response["Location"]).content.decode()
        if parent == first:
            assert response["Location"] == f"{thread.get_absolute_url()}#post-{new.pk}"
