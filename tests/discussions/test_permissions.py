"""A private group's discussions are unreachable for non-members on every surface:
thread, post (permalink and fragment), search, mention autocomplete, lists, member pages.
(The websocket subscription is tested in test_realtime.py.)"""

import pytest

from discussions import permissions as perms
from discussions import selectors
from groups.models import Membership
from tests.factories import PostFactory, UserFactory

from .conftest import make_member

SECRET_WORD = "zanzibarquokka"


@pytest.fixture(params=["members", "secret"])
def closed_thread(request, private_group, secret_group, thread_in):
    group = private_group if request.param == "members" else secret_group
    thread = thread_in(group, title=f"Plans {SECRET_WORD}", body=f"Opening {SECRET_WORD}")
    post = PostFactory(thread=thread, body=f"Reply about {SECRET_WORD}")
    return thread, post


def _surfaces(thread, post):
    return {
        "thread": thread.get_absolute_url(),
        "permalink": f"/en/discussions/threads/{thread.pk}/posts/{post.pk}/",
        "fragment": f"/en/discussions/posts/{post.pk}/fragment/",
        "reply page": f"/en/discussions/posts/{post.pk}/reply/",
        "quote": f"/en/discussions/posts/{post.pk}/reply/?quote={post.pk}",
        "mentions": f"/en/discussions/threads/{thread.pk}/mentions/?q=u",
        "group threads": f"/en/discussions/groups/{thread.group.slug}/",
        "history": f"/en/discussions/posts/{post.pk}/history/",
    }


@pytest.mark.parametrize("who", ["anonymous", "outsider", "banned"])
def test_closed_group_content_is_unreachable(client, closed_thread, who):
    thread, post = closed_thread
    if who != "anonymous":
        user = UserFactory()
        if who == "banned":
            from groups.services import ban_create

            owner = make_member(thread.group, role=Membership.Role.OWNER)
            MembershipUser = make_member(thread.group)
            ban_create(group=thread.group, user=MembershipUser, by=owner, reason="spam")
            user = MembershipUser
        client.force_login(user)
    secret = thread.group.visibility == "secret"
    for name, url in _surfaces(thread, post).items():
        response = client.get(url)
        if who == "anonymous" and name in ("reply page", "quote") and not secret:
            # Writing needs an account first: a login redirect, revealing nothing.
            assert response.status_code in (302, 403), name
        else:
            assert response.status_code in ((404,) if secret else (403, 404)), (
                name,
                response.status_code,
            )
        assert SECRET_WORD not in response.content.decode(), name
    # Lists and search never mention it either.
    response = client.get("/en/discussions/")
    assert response.status_code == 200 and SECRET_WORD not in response.content.decode()
    response = client.get(f"/en/discussions/search/?q={SECRET_WORD}")  # the query itself is echoed
    html = response.content.decode()
    assert response.status_code == 200
    assert thread.get_absolute_url() not in html and f"/posts/{post.pk}/" not in html
    assert f"Plans {SECRET_WORD}" not in html and f"Reply about {SECRET_WORD}" not in html
    # Nor does the author's member page.
    response = client.get(f"/en/discussions/members/{post.author.username}/")
    assert SECRET_WORD not in response.content.decode()


def test_members_reach_every_surface(client, closed_thread):
    thread, post = closed_thread
    member = make_member(thread.group)
    client.force_login(member)
    for name, url in _surfaces(thread, post).items():
        if name == "history":
            continue  # author and moderators only (below)
        response = client.get(url)
        assert response.status_code == 200, name
    assert SECRET_WORD in client.get(f"/en/discussions/search/?q={SECRET_WORD}").content.decode()
    assert SECRET_WORD in client.get(thread.get_absolute_url()).content.decode()


def test_mention_autocomplete_offers_only_people_who_can_read(
    client, private_group, public_group, thread_in
):
    thread = thread_in(private_group)
    inside = make_member(private_group, username="anna_inside")
    UserFactory(username="anna_outside")
    client.force_login(inside)
    names = [
        r["username"]
        for r in client.get(f"/en/discussions/threads/{thread.pk}/mentions/?q=ann").json()[
            "results"
        ]
    ]
    assert names == ["anna_inside"]
    # In a public group anyone can read, so anyone can be mentioned.
    public_thread = thread_in(public_group)
    names = [
        r["username"]
        for r in client.get(f"/en/discussions/threads/{public_thread.pk}/mentions/?q=ann").json()[
            "results"
        ]
    ]
    assert names == ["anna_inside", "anna_outside"]


def test_mention_of_someone_who_cannot_read_notifies_nobody(
    private_group, thread_in, django_capture_on_commit_callbacks
):
    from discussions import signals

    thread = thread_in(private_group)
    inside = make_member(private_group, username="inside")
    UserFactory(username="outside")
    received = []
    signals.post_created.connect(
        lambda **kw: received.append(kw["mentioned_user_ids"]),
        weak=False,
        dispatch_uid="test-mentions",
    )
    try:
        with django_capture_on_commit_callbacks(execute=True):
            post = PostFactory(thread=thread, body="Hello @inside and @outside")
    finally:
        signals.post_created.disconnect(dispatch_uid="test-mentions")
    assert received == [[inside.pk]]
    # Both names render as links only if the account exists; reading rights decide notifications.
    assert 'href="/discussions/members/outside/"' in post.body_html


def test_pending_thread_is_visible_only_to_author_and_moderators(client, private_group, thread_in):
    from discussions.services import group_discussion_settings_update

    owner = make_member(private_group, role=Membership.Role.OWNER)
    group_discussion_settings_update(group=private_group, by=owner, premoderate_first_posts=1)
    newcomer = make_member(private_group)
    thread = thread_in(private_group, author=newcomer, title="Held thread")
    assert thread.status == "pending"
    other = make_member(private_group)
    client.force_login(other)
    assert client.get(thread.get_absolute_url()).status_code == 404
    assert (
        "Held thread"
        not in client.get(f"/en/discussions/groups/{private_group.slug}/").content.decode()
    )
    for user in (newcomer, owner):
        client.force_login(user)
        assert client.get(thread.get_absolute_url()).status_code == 200


def test_hidden_post_body_only_for_author_and_moderators(client, public_group, thread_in):
    from discussions.services import post_hide

    thread = thread_in(public_group)
    moderator = make_member(public_group, role=Membership.Role.MODERATOR)
    post = PostFactory(thread=thread, body="Rude words here")
    post_hide(post=post, by=moderator, reason="Personal attack")
    url = thread.get_absolute_url()
    html = client.get(url).content.decode()
    assert "Rude words here" not in html and "Personal attack" not in html
    assert "This post was hidden by a moderator." in html
    client.force_login(post.author)
    html = client.get(url).content.decode()
    assert "Rude words here" in html
    assert "A moderator hid your post. Reason: Personal attack" in html
    client.force_login(moderator)
    assert "Rude words here" in client.get(url).content.decode()
    # Search never returns hidden text.
    assert not selectors.search(user=UserFactory(), query="rude")[1]


def test_permission_functions_for_roles(public_group, private_group, thread_in):
    thread = thread_in(private_group)
    member = make_member(private_group)
    moderator = make_member(private_group, role=Membership.Role.MODERATOR)
    outsider = UserFactory()
    admin = UserFactory(is_superuser=True)
    assert perms.can_read_thread(member, thread) and perms.can_reply(member, thread)
    assert not perms.can_read_thread(outsider, thread) and not perms.can_reply(outsider, thread)
    assert perms.can_read_thread(admin, thread) and perms.can_moderate_thread(admin, thread)
    assert perms.can_moderate_thread(moderator, thread) and not perms.can_moderate_thread(
        member, thread
    )
    other_group_thread = thread_in(public_group)
    assert perms.can_read_thread(outsider, other_group_thread)
    assert not perms.can_reply(
        outsider, other_group_thread
    )  # reading is public, writing is for members
    assert set(perms.readable_threads(outsider)) == {other_group_thread}
    assert set(perms.readable_threads(member)) == {thread, other_group_thread}


@pytest.mark.parametrize("locked", [False, True])
def test_per_post_answers_on_thread_pages_agree_with_the_one_post_questions(
    public_group, private_group, thread_in, locked
):
    """Thread pages ask permissions once per thread and derive each post's actions from
    that (no query per post); the answers must be those of the one-post functions that
    guard the action pages and services."""
    from django.contrib.auth.models import AnonymousUser

    from discussions import services
    from discussions.models import ContentStatus, Post

    checked = 0
    for group in (public_group, private_group):
        moderator = make_member(group, role=Membership.Role.MODERATOR)
        author = make_member(group)
        thread = thread_in(group)
        posts = {
            "live": PostFactory(thread=thread, author=author),
            "edited": PostFactory(thread=thread, author=author),
            "hidden": PostFactory(thread=thread, author=author),
            "deleted": PostFactory(thread=thread, author=author),
            "pending": PostFactory(thread=thread, author=author),
            "rejected": PostFactory(thread=thread, author=author),
        }
        services.post_edit(post=posts["edited"], user=author, body="Second thoughts")
        services.post_hide(post=posts["hidden"], by=moderator, reason="Rude")
        services.post_delete(post=posts["deleted"], user=author)
        Post.objects.filter(pk__in=[posts["pending"].pk, posts["rejected"].pk]).update(
            status=ContentStatus.PENDING
        )
        services.post_reject(
            post=Post.objects.get(pk=posts["rejected"].pk), by=moderator, reason="No"
        )
        if locked:
            services.thread_lock(thread=thread, by=moderator, locked=True, reason="Done")
        thread.refresh_from_db()
        viewers = [AnonymousUser(), UserFactory(), make_member(group), author, moderator]
        for viewer in viewers:
            abilities = perms.thread_abilities(viewer, thread)
            for name, post in posts.items():
                post = Post.objects.select_related("thread__group", "group").get(pk=post.pk)
                if not perms.can_see_post(viewer, post):
                    continue
                got = perms.post_abilities(abilities, post)
                where = (group.visibility, locked, viewer, name)
                assert got.show_body == perms.can_see_post_body(viewer, post), where
                assert got.can_edit == perms.can_edit_post(viewer, post), where
                assert got.can_delete == perms.can_delete_post(viewer, post), where
                assert got.can_react == perms.can_react(viewer, post), where
                assert got.can_report == perms.can_report(viewer, post), where
                assert got.can_reply == (perms.can_reply(viewer, thread) and post.is_live), where
                assert got.can_history == (
                    bool(post.edit_count) and perms.can_see_history(viewer, post)
                ), where
                checked += 1
    assert checked >= 30  # every viewer saw several kinds of post
