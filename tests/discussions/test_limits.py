"""Every limit answers with a clear, translated message and a 4xx (never a 500), keeps the
member's text, and changes nothing."""

import pytest
from django.utils import translation

from discussions.models import Post, Thread
from discussions.services import (
    BODY_MAX_LENGTH,
    TITLE_MAX_LENGTH,
    post_delete,
    post_hide,
    slow_mode_set,
    thread_lock,
)
from groups.models import Membership
from tests.factories import PostFactory

from .conftest import make_member


@pytest.fixture
def setup(client, public_group, thread_in):
    thread = thread_in(public_group)
    member = make_member(public_group)
    moderator = make_member(public_group, role=Membership.Role.MODERATOR)
    client.force_login(member)
    return client, thread, member, moderator


def reply(client, thread, body="A fine reply", parent="", **extra):
    return client.post(
        f"/en/discussions/threads/{thread.pk}/reply/",
        {"body": body, "language": "en", "parent": parent},
        **extra,
    )


def test_body_length_limit(setup):
    client, thread, member, _ = setup
    assert reply(client, thread, "x" * BODY_MAX_LENGTH).status_code == 302
    too_long = "y" * (BODY_MAX_LENGTH + 1)
    response = reply(client, thread, too_long)
    html = response.content.decode()
    assert response.status_code == 400
    assert "The message is too long: at most 20,000 characters, you wrote 20,001." in html
    assert too_long in html  # the text is not lost
    assert not Post.objects.filter(body=too_long).exists()


def test_body_length_message_is_translated(setup):
    client, thread, member, _ = setup
    response = client.post(
        f"/de/discussions/threads/{thread.pk}/reply/",
        {"body": "z" * (BODY_MAX_LENGTH + 5), "language": "de"},
    )
    assert response.status_code == 400
    with translation.override("de"):
        from django.utils.translation import gettext

        expected = gettext(
            "The message is too long: at most %(max)s characters, you wrote %(count)s."
        )
    assert expected != "The message is too long: at most %(max)s characters, you wrote %(count)s."
    assert expected.split("%")[0] in response.content.decode()


def test_empty_body_is_refused(setup):
    client, thread, *_ = setup
    response = reply(client, thread, "   \n ")
    assert response.status_code == 400
    assert Post.objects.filter(thread=thread).count() == 1


def test_title_length_limit(setup):
    client, thread, member, _ = setup
    url = f"/en/discussions/groups/{thread.group.slug}/new/"
    long_title = "T" * (TITLE_MAX_LENGTH + 1)
    response = client.post(url, {"title": long_title, "body": "Body", "language": "en"})
    assert response.status_code == 400
    assert (
        "The title is too long: at most 200 characters, you wrote 201." in response.content.decode()
    )
    response = client.post(url, {"title": "Hi", "body": "Body", "language": "en"})
    assert response.status_code == 400
    assert "at least 3 characters" in response.content.decode()
    assert Thread.objects.count() == 1
    assert (
        client.post(
            url, {"title": "T" * TITLE_MAX_LENGTH, "body": "Body", "language": "en"}
        ).status_code
        == 302
    )


def test_posts_per_minute_answers_429(setup, settings):
    client, thread, member, _ = setup
    settings.DISCUSSIONS_POSTS_PER_MINUTE = 3
    for i in range(3):
        assert reply(client, thread, f"Reply {i}").status_code == 302
    response = reply(client, thread, "One too many")
    assert response.status_code == 429
    assert int(response["Retry-After"]) >= 1
    html = response.content.decode()
    assert "You are posting too fast: at most 3 posts per minute." in html
    assert "One too many" in html
    # The JSON path (inline form) gets the same answer.
    response = reply(client, thread, "Again", HTTP_ACCEPT="application/json")
    assert response.status_code == 429 and "too fast" in response.json()["error"]
    assert Post.objects.filter(thread=thread).count() == 4


def test_reply_to_locked_thread(setup):
    client, thread, member, moderator = setup
    thread_lock(thread=thread, by=moderator, locked=True, reason="Decision taken")
    response = reply(client, thread, "Can I still?")
    assert response.status_code == 403
    html = response.content.decode()
    assert "This thread is locked: nobody can reply any more." in html
    assert "Can I still?" in html
    # Moderators may still reply (e.g. to explain the lock).
    client.force_login(moderator)
    assert reply(client, thread, "Locked, see the minutes.").status_code == 302


def test_reply_to_a_post_of_another_thread(setup, thread_in):
    client, thread, member, _ = setup
    other = thread_in(thread.group)
    foreign = PostFactory(thread=other)
    response = reply(client, thread, "Crossing threads", parent=foreign.pk)
    assert response.status_code == 400
    assert "You can only reply to posts of this thread." in response.content.decode()
    assert not Post.objects.filter(body="Crossing threads").exists()


def test_reply_to_a_parent_that_does_not_exist(setup):
    client, thread, *_ = setup
    response = reply(client, thread, "Into the void", parent=999999)
    assert response.status_code == 400
    assert "This post does not exist (any more)." in response.content.decode()
    assert client.get("/en/discussions/posts/999999/reply/").status_code == 404


def test_reply_to_hidden_or_deleted_posts(setup):
    client, thread, member, moderator = setup
    hidden = PostFactory(thread=thread)
    post_hide(post=hidden, by=moderator, reason="Off topic")
    deleted = PostFactory(thread=thread, author=member)
    post_delete(post=deleted, user=member)
    for target, message in (
        (hidden, "You cannot reply to a post a moderator has hidden."),
        (deleted, "You cannot reply to a deleted post."),
    ):
        response = reply(client, thread, "Replying anyway", parent=target.pk)
        assert response.status_code == 400
        assert message in response.content.decode()
    assert not Post.objects.filter(body="Replying anyway").exists()


def test_editing_or_reacting_to_hidden_and_deleted_posts(setup):
    client, thread, member, moderator = setup
    own = PostFactory(thread=thread, author=member)
    post_hide(post=own, by=moderator, reason="Spam")
    response = client.post(
        f"/en/discussions/posts/{own.pk}/edit/", {"body": "Sneaky edit", "language": "en"}
    )
    assert response.status_code == 403
    assert "A moderator hid this post; it cannot be edited." in response.content.decode()
    response = client.post(f"/en/discussions/posts/{own.pk}/react/", {"kind": "like"})
    assert response.status_code == 403
    assert "You cannot react to a hidden, deleted or unapproved post." in response.content.decode()


def test_slow_mode_per_thread_answers_429(setup):
    client, thread, member, moderator = setup
    slow_mode_set(
        by=moderator, group=thread.group, thread=thread, seconds=300, reason="Heated debate"
    )
    assert reply(client, thread, "First").status_code == 302
    response = reply(client, thread, "Second")
    assert response.status_code == 429
    assert "Slow mode is on: one post every 5 minutes per member." in response.content.decode()
    # Other threads are not slowed; moderators are exempt.
    client.force_login(moderator)
    assert reply(client, thread, "Mod 1").status_code == 302
    assert reply(client, thread, "Mod 2").status_code == 302
    page = client.get(thread.get_absolute_url()).content.decode()
    assert "Heated debate" in page and moderator.public_name in page  # who and why is visible


def test_slow_mode_per_group(setup, thread_in):
    client, thread, member, moderator = setup
    slow_mode_set(by=moderator, group=thread.group, seconds=60, reason="Calm down")
    assert reply(client, thread, "First").status_code == 302
    other = thread_in(thread.group)
    response = reply(client, other, "Elsewhere")
    assert response.status_code == 429
    assert "one post every 1 minute" in response.content.decode()


def test_unknown_reaction_and_bad_parent_values_are_400(setup):
    client, thread, member, _ = setup
    post = PostFactory(thread=thread)
    response = client.post(f"/en/discussions/posts/{post.pk}/react/", {"kind": "bomb"})
    assert response.status_code == 400
    response = reply(client, thread, "Hi", parent="not-a-number")
    assert response.status_code == 400


@pytest.mark.parametrize(
    "query", ['"unbalanced', 'say "hi', "tr\x00am", "a\x1fb", '""', "*", "NEAR(a b)", "x" * 5000]
)
def test_odd_search_and_autocomplete_input_is_never_a_500(setup, query):
    """Quotes break the SQLite search syntax, NUL bytes every PostgreSQL text parameter:
    both are what people paste, and must get an answer, not a server error."""
    client, thread, member, _ = setup
    PostFactory(thread=thread, body="Tram timetables and say hi")
    # A NUL byte never reaches a view: the request guard refuses it with a translated 400
    # (core.middleware); everything else gets an ordinary answer.
    ok = 400 if "\x00" in query else 200
    response = client.get("/en/discussions/search/", {"q": query})
    assert response.status_code == ok
    response = client.get(f"/en/discussions/threads/{thread.pk}/mentions/", {"q": query})
    assert response.status_code == ok
    if ok == 200:
        assert response.json()["results"] == []
    assert client.get(f"/en/discussions/members/{query[:50]}/").status_code in (ok, 404)


def test_search_still_finds_what_a_stray_quote_surrounds(setup):
    client, thread, member, _ = setup
    PostFactory(thread=thread, body="The tram timetable changed")
    html = client.get("/en/discussions/search/", {"q": '"timetable'}).content.decode()
    assert "The tram timetable changed" in html
