"""The pages, end to end through the test client (no JavaScript): start a thread, reply,
quote, edit, delete, react, report, moderate; list views keep a fixed query count."""

import re

import pytest

from discussions import services
from discussions.models import ModerationLogEntry, Post, Report, Thread
from groups.models import Membership
from tests.factories import GroupFactory, PostFactory, ThreadFactory, build_tree

from .conftest import make_member


@pytest.fixture
def member(client, public_group):
    user = make_member(public_group)
    client.force_login(user)
    return user


def test_start_a_thread_and_reply_without_javascript(client, public_group, member):
    response = client.get(f"/en/discussions/groups/{public_group.slug}/new/")
    assert response.status_code == 200 and 'name="title"' in response.content.decode()
    response = client.post(
        f"/en/discussions/groups/{public_group.slug}/new/",
        {"title": "Parking policy", "body": "What works **for you**?", "language": "fr"},
    )
    thread = Thread.objects.get(title="Parking policy")
    assert response.status_code == 302 and response["Location"] == thread.get_absolute_url()
    assert thread.language == "fr" and thread.author == member
    response = client.post(
        f"/en/discussions/threads/{thread.pk}/reply/",
        {"body": "Residents' permits", "language": "en"},
    )
    reply = Post.objects.get(body="Residents' permits")
    assert response["Location"] == f"{thread.get_absolute_url()}#post-{reply.pk}"
    response = client.post(
        f"/en/discussions/posts/{reply.pk}/reply/", {"body": "Which city?", "language": "en"}
    )
    nested = Post.objects.get(body="Which city?")
    assert nested.parent == reply and response.status_code == 302
    html = client.get(thread.get_absolute_url()).content.decode()
    assert "<strong>for you</strong>" in html and "Which city?" in html
    assert 'lang="fr"' in html  # the opening post says its language


def test_redirect_after_reply_goes_to_the_right_page(client, public_group, member, thread_in):
    thread = thread_in(public_group)
    build_tree(thread, [member], 45, top_level=45)
    client.post(
        f"/en/discussions/threads/{thread.pk}/reply/", {"body": "Late reply", "language": "en"}
    )
    late = Post.objects.get(body="Late reply")
    response = client.post(
        f"/en/discussions/threads/{thread.pk}/reply/", {"body": "Later", "language": "en"}
    )
    assert "?page=3#post-" in response["Location"]
    assert f"post-{late.pk}" in client.get(f"{thread.get_absolute_url()}?page=3").content.decode()


def test_inline_reply_answers_json_and_the_fragment_renders(
    client, public_group, member, thread_in
):
    thread = thread_in(public_group)
    response = client.post(
        f"/en/discussions/threads/{thread.pk}/reply/",
        {"body": "Via *fetch*", "language": "en"},
        HTTP_ACCEPT="application/json",
    )
    data = response.json()
    post = Post.objects.get(body="Via *fetch*")
    assert data == {
        "ok": True,
        "post": post.pk,
        "parent": post.parent_id,
        "pending": False,
        "fragment": f"/en/discussions/posts/{post.pk}/fragment/",
    }
    fragment = client.get(data["fragment"]).content.decode()
    assert fragment.startswith(f'<li class="node" id="post-{post.pk}"')
    assert "<em>fetch</em>" in fragment and "<html" not in fragment
    response = client.post(
        f"/en/discussions/threads/{thread.pk}/reply/",
        {"body": "", "language": "en"},
        HTTP_ACCEPT="application/json",
    )
    assert response.status_code == 400 and response.json()["ok"] is False
    assert response.json()["error"] == "Please write a message."
    response = client.post(
        f"/en/discussions/threads/{thread.pk}/reply/",
        {"body": "Fine words", "language": "xx"},
        HTTP_ACCEPT="application/json",
    )
    assert (
        response.status_code == 400
        and "xx is not one of the available choices" in (response.json()["error"])
    )


def test_quote_prefills_the_reply(client, public_group, member, thread_in):
    thread = thread_in(public_group)
    quoted = PostFactory(thread=thread, body="Line one\nLine two")
    target = PostFactory(thread=thread)
    html = client.get(
        f"/en/discussions/posts/{target.pk}/reply/?quote={quoted.pk}"
    ).content.decode()
    assert f"@{quoted.author.username} wrote:\n&gt; Line one\n&gt; Line two" in html


def test_edit_and_delete_pages(client, public_group, member, thread_in):
    thread = thread_in(public_group)
    post = PostFactory(thread=thread, author=member, body="Draft")
    assert client.get(f"/en/discussions/posts/{post.pk}/edit/").status_code == 200
    response = client.post(
        f"/en/discussions/posts/{post.pk}/edit/", {"body": "Final", "language": "en"}
    )
    assert response.status_code == 302
    post.refresh_from_db()
    assert post.body == "Final"
    html = client.get(thread.get_absolute_url()).content.decode()
    assert f"/en/discussions/posts/{post.pk}/history/" in html and "edited" in html
    assert client.get(f"/en/discussions/posts/{post.pk}/delete/").status_code == 200
    client.post(f"/en/discussions/posts/{post.pk}/delete/")
    post.refresh_from_db()
    assert post.is_deleted
    other = PostFactory(thread=thread)
    assert client.get(f"/en/discussions/posts/{other.pk}/edit/").status_code == 403
    assert client.post(f"/en/discussions/posts/{other.pk}/delete/").status_code == 403


def test_react_without_javascript(client, public_group, member, thread_in):
    thread = thread_in(public_group)
    post = PostFactory(thread=thread)
    response = client.post(f"/en/discussions/posts/{post.pk}/react/", {"kind": "insightful"})
    assert response.status_code == 302
    html = client.get(thread.get_absolute_url()).content.decode()
    assert (
        'value="insightful" aria-pressed="true" title="Insightful">'
        '<span aria-hidden="true">💡</span> 1'
        '<span class="visually-hidden"> Insightful</span>'
    ) in html
    permalink = client.get(f"/en/discussions/threads/{thread.pk}/posts/{post.pk}/").content
    assert b'value="insightful" aria-pressed="true"' in permalink
    other = PostFactory(thread=thread)  # no reactions anywhere on its page: none pressed
    permalink = client.get(f"/en/discussions/threads/{thread.pk}/posts/{other.pk}/").content
    assert b'aria-pressed="true"' not in permalink
    client.logout()
    html = client.get(thread.get_absolute_url()).content.decode()
    assert '<span class="reaction" title="Insightful"><span aria-hidden="true">💡</span> 1' in html
    assert 'name="kind"' not in html  # counts, no buttons


def test_report_flow_to_the_queue_and_resolution(client, public_group, member, thread_in):
    thread = thread_in(public_group)
    post = PostFactory(thread=thread, body="Off-topic advert")
    response = client.post(
        f"/en/discussions/posts/{post.pk}/report/", {"reason": "spam", "details": "An ad"}
    )
    assert "The group's moderators will look at this post." in response.content.decode()
    queue = f"/en/discussions/groups/{public_group.slug}/moderation/"
    assert client.get(queue).status_code == 403
    moderator = make_member(public_group, role=Membership.Role.MODERATOR)
    client.force_login(moderator)
    html = client.get(queue).content.decode()
    report = Report.objects.get()
    assert "Off-topic advert" in html and "An ad" in html
    response = client.post(
        f"/en/discussions/reports/{report.pk}/resolve/", {"action": "hide", "note": ""}
    )
    assert response.status_code == 400 and "Please say why" in response.content.decode()
    client.post(
        f"/en/discussions/reports/{report.pk}/resolve/", {"action": "hide", "note": "No ads"}
    )
    post.refresh_from_db()
    assert post.is_hidden and post.hidden_reason == "No ads"
    log = client.get(f"/en/discussions/groups/{public_group.slug}/moderation/log/").content.decode()
    assert "hid a post" in log and "No ads" in log and moderator.public_name in log


def test_moderator_pages(client, public_group, thread_in):
    thread = thread_in(public_group)
    moderator = make_member(public_group, role=Membership.Role.MODERATOR)
    client.force_login(moderator)
    url = f"/en/discussions/threads/{thread.pk}/moderate/"
    assert client.get(url).status_code == 200
    response = client.post(url, {"action": "lock", "lock-reason": ""})
    assert (
        response.status_code == 400
        and "Please say why the thread is locked" in response.content.decode()
    )
    client.post(url, {"action": "lock", "lock-reason": "Agreed in the meeting"})
    client.post(url, {"action": "pin"})
    client.post(url, {"action": "slow", "slow-seconds": "300", "slow-reason": "Hot topic"})
    thread.refresh_from_db()
    assert thread.locked and thread.pinned and thread.slow_mode_seconds == 300
    html = client.get(thread.get_absolute_url()).content.decode()
    assert "Agreed in the meeting" in html and "Hot topic" in html
    settings_url = f"/en/discussions/groups/{public_group.slug}/moderation/settings/"
    response = client.post(
        settings_url, {"action": "premoderation", "premod-premoderate_first_posts": "3"}
    )
    assert response.status_code == 302, response.content.decode()[-3000:]
    client.post(settings_url, {"action": "slow", "slow-seconds": "60", "slow-reason": "Busy week"})
    group_settings = services.group_settings_of(public_group)
    assert group_settings.premoderate_first_posts == 3 and group_settings.slow_mode_seconds == 60
    assert (
        "Busy week" in client.get(f"/en/discussions/groups/{public_group.slug}/").content.decode()
    )
    member = make_member(public_group)
    client.force_login(member)
    for page in (url, settings_url, f"/en/discussions/groups/{public_group.slug}/moderation/log/"):
        assert client.get(page).status_code == 403


def test_move_only_offers_groups_the_moderator_moderates(client, public_group, thread_in):
    thread = thread_in(public_group)
    moderator = make_member(public_group, role=Membership.Role.MODERATOR)
    target = GroupFactory(name="Target group")
    GroupFactory(name="Unrelated group")
    Membership.objects.create(group=target, user=moderator, role=Membership.Role.MODERATOR)
    client.force_login(moderator)
    html = client.get(f"/en/discussions/threads/{thread.pk}/moderate/").content.decode()
    assert "Target group" in html and "Unrelated group" not in html
    client.post(
        f"/en/discussions/threads/{thread.pk}/moderate/",
        {"action": "move", "move-target": str(target.pk), "move-reason": "Fits better"},
    )
    thread.refresh_from_db()
    assert thread.group == target
    assert ModerationLogEntry.objects.filter(group=target, action="thread_moved_in").exists()


def test_pending_posts_are_approved_from_the_queue(client, public_group, thread_in):
    thread = thread_in(public_group)
    owner = make_member(public_group, role=Membership.Role.OWNER)
    services.group_discussion_settings_update(
        group=public_group, by=owner, premoderate_first_posts=1
    )
    newcomer = make_member(public_group)
    held = PostFactory(thread=thread, author=newcomer, body="Newcomer hello")
    client.force_login(newcomer)
    assert "waiting for a moderator" in client.get(thread.get_absolute_url()).content.decode()
    client.force_login(owner)
    assert (
        "Newcomer hello"
        in client.get(f"/en/discussions/groups/{public_group.slug}/moderation/").content.decode()
    )
    response = client.post(
        f"/en/discussions/posts/{held.pk}/moderate/", {"action": "approve", "next": "queue"}
    )
    assert response["Location"] == f"/en/discussions/groups/{public_group.slug}/moderation/"
    client.logout()
    assert "Newcomer hello" in client.get(thread.get_absolute_url()).content.decode()


def test_group_page_shows_its_threads(client, site_tree, thread_in):
    group = GroupFactory(with_page=True)
    thread = thread_in(group, title="Shown on the group page")
    page = group.page_in("en")
    html = client.get(page.get_url()).content.decode()
    assert "Shown on the group page" in html and thread.get_absolute_url() in html


def test_member_page_is_where_mentions_link(client, public_group, thread_in):
    thread = thread_in(public_group)
    PostFactory(thread=thread, body=f"Thanks @{thread.author.username}")
    response = client.get(f"/discussions/members/{thread.author.username}/", follow=True)
    assert response.redirect_chain[0][0] == f"/en/discussions/members/{thread.author.username}/"
    assert thread.title in response.content.decode()


def test_search_page(client, public_group, thread_in):
    thread_in(public_group, title="Tram timetables", body="Frequency matters")
    html = client.get("/en/discussions/search/?q=tram").content.decode()
    assert "Tram timetables" in html


def _count(client, url, django_assert_max_num_queries, n):
    from django.db import connection
    from django.test.utils import CaptureQueriesContext

    with CaptureQueriesContext(connection) as ctx:
        assert client.get(url).status_code == 200
    return len(ctx)


def test_list_views_have_a_fixed_query_count(
    client, public_group, thread_in, django_assert_max_num_queries
):
    moderator = make_member(public_group, role=Membership.Role.MODERATOR)
    client.force_login(moderator)
    urls = [
        "/en/discussions/",
        f"/en/discussions/groups/{public_group.slug}/",
        f"/en/discussions/groups/{public_group.slug}/moderation/",
        f"/en/discussions/groups/{public_group.slug}/moderation/log/",
        f"/en/discussions/members/{moderator.username}/",
    ]

    def grow(n):
        for i in range(n):
            thread = ThreadFactory(
                group=public_group, author=moderator if i % 2 else make_member(public_group)
            )
            post = PostFactory(thread=thread, author=moderator)
            reporter = make_member(public_group)
            report = services.report_create(post=post, reporter=reporter, reason="spam")
            if i % 3 == 0:
                services.report_resolve(report=report, by=moderator, hide=False, note="fine")

    grow(2)
    for url in urls:
        client.get(url)
    small = {url: _count(client, url, django_assert_max_num_queries, 0) for url in urls}
    grow(30)
    for url in urls:
        with django_assert_max_num_queries(small[url]):
            assert client.get(url).status_code == 200


def test_no_page_in_discussions_is_a_500_for_bad_ids(client, member):
    for url in (
        "/en/discussions/threads/999/",
        "/en/discussions/posts/999/edit/",
        "/en/discussions/groups/nope/",
        "/en/discussions/threads/999/posts/1/",
        "/en/discussions/members/nobody/",
    ):
        assert client.get(url).status_code == 404


def test_no_html_ever_comes_from_anything_but_the_renderer(client, public_group, member, thread_in):
    thread = thread_in(public_group, title="<script>alert(1)</script> title")
    PostFactory(thread=thread, body="<img src=x onerror=alert(1)>")
    html = client.get(thread.get_absolute_url()).content.decode()
    assert "<script>alert(1)" not in html and "<img src=x" not in html
    assert "&lt;script&gt;alert(1)&lt;/script&gt; title" in html
    assert re.search(r"&lt;img src=x onerror=alert\(1\)&gt;", html)


def test_the_blank_reply_form_is_the_same_as_a_freshly_rendered_one_in_each_language(
    client, public_group, member, thread_in
):
    from django.utils import translation

    from discussions.views import _render_reply_fields

    thread = thread_in(public_group)
    for language in ("en", "de", "ar"):
        html = client.get(f"/{language}/discussions/threads/{thread.pk}/").content.decode()
        with translation.override(language):
            fresh = _render_reply_fields(language)
        assert fresh in html, language
        assert f'<option value="{language}" selected>' in fresh
    with translation.override("de"):
        assert str(_render_reply_fields("de")) != str(_render_reply_fields("en"))


def test_breadcrumbs_name_the_group_page_and_follow_its_changes(client, site_tree, thread_in):
    group = GroupFactory(with_page=True)
    thread = thread_in(group)
    page = group.page_in("en")
    html = client.get(thread.get_absolute_url()).content.decode()
    assert f'<a href="{page.get_url()}">{page.title}</a>' in html
    page.title = "Renamed working group"
    page.save_revision().publish()
    html = client.get(thread.get_absolute_url()).content.decode()
    assert "Renamed working group</a>" in html
    page.unpublish()
    html = client.get(thread.get_absolute_url()).content.decode()
    assert "Renamed working group" not in html and group.name in html
