"""Issue 11: a stale edit never silently wins (409 with both texts, then a merge saves),
and a retried or doubled reply stores one post (the same JSON / redirect again), through
the real views."""

import re
import threading

import pytest
from django.db import connection
from django.test import Client

from discussions.models import Post, PostRevision, Thread
from tests.factories import PostFactory

from .conftest import make_member

KEY = "a" * 32


def _version_in(html: str) -> str:
    return re.search(r'<input type="hidden" name="version" value="(\d+)"', html).group(1)


def _key_in(html: str) -> str:
    found = re.search(r'<input type="hidden" name="idempotency_key" value="([0-9a-f]{32})"', html)
    return found.group(1)


@pytest.fixture
def author(client, public_group):
    user = make_member(public_group)
    client.force_login(user)
    return user


# --- optimistic concurrency on edits ----------------------------------------------------


def test_a_stale_edit_gets_409_with_both_texts_and_a_merge_then_saves(
    client, public_group, author, thread_in
):
    post = PostFactory(thread=thread_in(public_group), author=author, body="Original text")
    url = f"/en/discussions/posts/{post.pk}/edit/"
    tab_a = client.get(url).content.decode()
    tab_b = client.get(url).content.decode()
    assert _version_in(tab_a) == _version_in(tab_b) == "0"

    newer = {"body": "Tab A's <b>newer</b> text", "language": "en", "version": "0"}
    assert client.post(url, newer).status_code == 302
    response = client.post(url, {"body": "Tab B's own words", "language": "en", "version": "0"})
    html = response.content.decode()
    assert response.status_code == 409
    assert "Someone saved a newer version while you were editing." in html
    # The saved text, escaped (never rendered as markup) beside the form...
    assert "Tab A&#x27;s &lt;b&gt;newer&lt;/b&gt; text" in html and "<b>newer</b>" not in html
    assert "data-conflict" in html
    # ... and the member's own text kept in the form, which now carries the saved version.
    assert re.search(r"<textarea name=\"body\"[^>]*>\s*Tab B&#x27;s own words</textarea>", html)
    assert _version_in(html) == "1"
    post.refresh_from_db()
    assert post.body == "Tab A's <b>newer</b> text" and post.edit_count == 1
    assert PostRevision.objects.filter(post=post).count() == 1  # only A's save made one

    merged = client.post(
        url, {"body": "A and B, merged", "language": "en", "version": _version_in(html)}
    )
    assert merged.status_code == 302
    post.refresh_from_db()
    assert post.body == "A and B, merged" and post.edit_count == 2


def test_the_conflict_is_translated_and_covers_the_title(client, public_group, author):
    from discussions import services

    thread = services.thread_start(group=public_group, author=author, title="Opening", body="1")
    opening = thread.posts.get(depth=0)
    url = f"/de/discussions/posts/{opening.pk}/edit/"
    tab = {"body": "Body", "language": "en", "version": "0"}
    assert client.post(url, {**tab, "title": "Title from tab A"}).status_code == 302
    response = client.post(url, {**tab, "title": "Title from tab B", "body": "Body B"})
    html = response.content.decode()
    assert response.status_code == 409
    assert "Jemand hat eine neuere Fassung gespeichert" in html
    assert "Title from tab A" in html and 'value="Title from tab B"' in html
    thread.refresh_from_db()
    assert thread.title == "Title from tab A"


def test_an_old_tab_without_a_version_and_a_doubled_save_still_save(
    client, public_group, author, thread_in
):
    """Choice: a form without the version field (rendered before it existed) is not checked;
    saving the same text twice is no conflict (nothing would be lost)."""
    post = PostFactory(thread=thread_in(public_group), author=author, body="One")
    url = f"/en/discussions/posts/{post.pk}/edit/"
    assert client.post(url, {"body": "Two", "language": "en"}).status_code == 302
    assert client.post(url, {"body": "Three", "language": "en", "version": "1"}).status_code == 302
    assert client.post(url, {"body": "Three", "language": "en", "version": "1"}).status_code == 302
    post.refresh_from_db()
    assert post.body == "Three" and post.edit_count == 2
    response = client.post(url, {"body": "Four", "language": "en", "version": "x"})
    assert response.status_code == 400 and "This form is out of date." in response.content.decode()


# --- idempotent replies -----------------------------------------------------------------


def test_pages_with_create_forms_carry_a_fresh_key(client, public_group, author, thread_in):
    thread = thread_in(public_group)
    page = client.get(thread.get_absolute_url()).content.decode()
    again = client.get(thread.get_absolute_url()).content.decode()
    assert _key_in(page) != _key_in(again)  # made per rendering, not cached with the form
    post = PostFactory(thread=thread)
    for url in (
        f"/en/discussions/posts/{post.pk}/reply/",
        f"/en/discussions/groups/{public_group.slug}/new/",
        f"/en/discussions/posts/{post.pk}/report/",
    ):
        assert _key_in(client.get(url).content.decode()), url


def test_a_doubled_inline_reply_stores_one_post_and_answers_the_same_json(
    client, public_group, author, thread_in
):
    thread = thread_in(public_group)
    url = f"/en/discussions/threads/{thread.pk}/reply/"
    data = {"body": "Sent twice", "language": "en", "idempotency_key": KEY}
    first = client.post(url, data, HTTP_ACCEPT="application/json")
    second = client.post(url, data, HTTP_ACCEPT="application/json")
    assert first.status_code == second.status_code == 200
    assert second.json() == first.json() and first.json()["ok"] is True
    assert Post.objects.filter(thread=thread, body="Sent twice").count() == 1
    # The no-JS fallback of the same submit lands on that same post.
    fallback = client.post(url, data)
    assert fallback.status_code == 302
    assert fallback["Location"].endswith(f"#post-{first.json()['post']}")
    assert Post.objects.filter(thread=thread, depth=1).count() == 1


def test_the_same_key_from_another_member_is_another_reply(client, public_group, thread_in):
    thread = thread_in(public_group)
    url = f"/en/discussions/threads/{thread.pk}/reply/"
    for _ in range(2):
        client.force_login(make_member(public_group))
        data = {"body": "Mine", "language": "en", "idempotency_key": KEY}
        assert client.post(url, data).status_code == 302
    assert Post.objects.filter(thread=thread, body="Mine").count() == 2


def test_a_reply_form_without_a_key_still_posts(client, public_group, author, thread_in):
    """Choice: a page rendered before keys existed (an old open tab) posts as before,
    without protection against doubling."""
    thread = thread_in(public_group)
    url = f"/en/discussions/threads/{thread.pk}/reply/"
    for _ in range(2):
        assert client.post(url, {"body": "Old tab", "language": "en"}).status_code == 302
    assert Post.objects.filter(thread=thread, body="Old tab").count() == 2


def test_a_malformed_key_is_a_translated_400(client, public_group, author, thread_in):
    thread = thread_in(public_group)
    url = f"/fr/discussions/threads/{thread.pk}/reply/"
    data = {"body": "Hm", "language": "en", "idempotency_key": "bad key"}
    response = client.post(url, data, HTTP_ACCEPT="application/json")
    assert response.status_code == 400 and "recharger la page" in response.json()["error"]
    response = client.post(url, data)
    assert response.status_code == 400 and "Hm</textarea>" in response.content.decode()
    assert not Post.objects.filter(thread=thread, depth=1).exists()


def test_doubled_thread_and_report_submits_create_one(client, public_group, author, thread_in):
    new = f"/en/discussions/groups/{public_group.slug}/new/"
    data = {"title": "Only once", "body": "Hello", "language": "en", "idempotency_key": KEY}
    first, second = client.post(new, data), client.post(new, data)
    assert first["Location"] == second["Location"]
    assert Thread.objects.filter(title="Only once").count() == 1
    post = PostFactory(thread=thread_in(public_group))
    report = {"reason": "spam", "details": "", "idempotency_key": KEY}
    for _ in range(2):  # without the key the second would be "already reported" (400)
        response = client.post(f"/en/discussions/posts/{post.pk}/report/", report)
        assert response.status_code == 200 and "Thank you." in response.content.decode()


@pytest.mark.django_db(transaction=True)
def test_two_concurrent_requests_with_one_key_store_one_post(public_group):
    """Two real requests at once (two threads, two connections, the full view stack)."""
    from tests.factories import ThreadFactory

    member = make_member(public_group)
    thread = ThreadFactory(group=public_group)
    url = f"/en/discussions/threads/{thread.pk}/reply/"
    data = {"body": "At the same time", "language": "en", "idempotency_key": KEY}
    barrier, answers, errors = threading.Barrier(2), [], []

    def submit():
        try:
            client = Client()
            client.force_login(member)
            barrier.wait(10)
            answers.append(client.post(url, data, HTTP_ACCEPT="application/json"))
        except Exception as exc:  # pragma: no cover - reported below
            errors.append(exc)
        finally:
            connection.close()

    workers = [threading.Thread(target=submit) for _ in range(2)]
    for w in workers:
        w.start()
    for w in workers:
        w.join(30)
    assert not errors, errors
    assert [a.status_code for a in answers] == [200, 200]
    assert answers[0].json() == answers[1].json()
    assert Post.objects.filter(thread=thread, body="At the same time").count() == 1
