"""Two members in two browsers: one replies three levels deep (inline forms, @mention
autocomplete); the other sees each reply appear live, collapses the branch without
reloading, and follows the permalink, which opens the thread at that post with its
ancestors."""

import re

import pytest

from tests.browser.pages import log_in
from tests.factories import (
    GroupFactory,
    MembershipFactory,
    PostFactory,
    ThreadFactory,
    UserFactory,
)

pytestmark = pytest.mark.browser


@pytest.fixture
def fork_safe_async():
    """Before live_asgi forks the server: drop asgiref's thread-sensitive executor and any
    channel layer an earlier async test created in this process. A forked child inherits
    them without their thread / event loop, so every database_sync_to_async call in the
    websocket consumer would wait forever (the socket never opens)."""
    from concurrent.futures import ThreadPoolExecutor

    from asgiref.sync import SyncToAsync
    from channels.layers import channel_layers

    SyncToAsync.single_thread_executor = ThreadPoolExecutor(max_workers=1)
    channel_layers.backends = {}


def reply_inline(page, post_id, text):
    """Open the inline reply form under a post, write, send; return the new post's id."""
    page.click(f"#post-{post_id} >> .post-actions >> a[data-reply='{post_id}']")
    form = page.locator(f"#post-{post_id} form[data-reply-form]")
    form.locator("textarea").fill(text)
    with page.expect_response(re.compile(r"/reply/$")) as answer:
        form.locator("button[type=submit]").click()
    new_id = answer.value.json()["post"]
    page.wait_for_selector(f"#post-{post_id} ol.replies > #post-{new_id}")
    return new_id


def test_live_nested_replies_collapse_and_permalink(
    fork_safe_async, live_asgi, new_context, site_tree
):
    from groups.models import Membership

    group = GroupFactory(
        name="Urban mobility", slug="mobility", visibility="members", with_page=True
    )
    amina = UserFactory(username="amina", display_name="Amina Diallo")
    kwame = UserFactory(username="kwame", display_name="Kwame Mensah")
    for user in (amina, kwame):
        MembershipFactory(group=group, user=user, role=Membership.Role.MEMBER)
    thread = ThreadFactory(
        group=group,
        author=kwame,
        title="Bus rapid transit lessons",
        body="What did your first corridor teach you?",
    )
    PostFactory(thread=thread, author=kwame, body="An unrelated branch about fares.")

    watcher = new_context().new_page()
    log_in(watcher, live_asgi.url, kwame.email)
    # Spelled out, not reverse(): the parent process may have another language active.
    thread_url = f"{live_asgi.url}/en/discussions/threads/{thread.pk}/"
    watcher.goto(thread_url)
    watcher.wait_for_selector(".discussion[data-live='1']")  # the socket is subscribed

    writer = new_context().new_page()
    log_in(writer, live_asgi.url, amina.email)
    writer.goto(thread_url)
    opening_id = writer.get_attribute("article.opening", "data-post")

    # Level 1: a reply to the thread.
    writer.locator("form[data-reply-form] textarea").fill(
        "Level one: involve the informal operators early."
    )
    with writer.expect_response(re.compile(r"/reply/$")) as answer:
        writer.click("form[data-reply-form] button[type=submit]")
    level1 = answer.value.json()["post"]
    assert answer.value.json()["parent"] == int(opening_id)
    watcher.wait_for_selector(f"ol[data-tree] > #post-{level1} >> text=Level one")

    # Level 2 and level 3, each under the previous one, through the inline form.
    level2 = reply_inline(writer, level1, "Level two: compensate the operators who lose routes.")
    watcher.wait_for_selector(f"#post-{level1} ol.replies > #post-{level2} >> text=Level two")

    writer.click(f"#post-{level2} >> .post-actions >> a[data-reply='{level2}']")
    area = writer.locator(f"#post-{level2} form[data-reply-form] textarea")
    area.fill("Level three: that is what ")
    area.press_sequentially("@kw")
    writer.wait_for_selector(".mention-list li[data-username=kwame]")
    area.press("Enter")  # picks the highlighted suggestion
    area.press_sequentially("proposed too.")
    assert area.input_value() == "Level three: that is what @kwame proposed too."
    with writer.expect_response(re.compile(r"/reply/$")) as answer:
        writer.click(f"#post-{level2} form[data-reply-form] button[type=submit]")
    level3 = answer.value.json()["post"]

    # The watcher never reloaded: the reply appears in place, three levels deep.
    nested = f"#post-{level1} ol.replies > #post-{level2} ol.replies > #post-{level3}"
    watcher.wait_for_selector(f"{nested} >> text=Level three")
    mention = watcher.locator(f"#post-{level3} .post-body a.mention")
    assert mention.text_content() == "@kwame"
    assert mention.get_attribute("rel") == "nofollow ugc noopener"
    assert watcher.evaluate("performance.getEntriesByType('navigation').length") == 1

    # Collapse the branch (no JS involved: <details>/<summary>); its summary says what it holds.
    summary = f"#post-{level1} > details > summary"
    watcher.wait_for_function(
        f"document.querySelector('{summary}').textContent.includes('2 replies')"
    )
    watcher.click(summary)
    assert not watcher.is_visible(f"#post-{level3} .post-body")
    assert not watcher.is_visible(f"#post-{level2} .post-body")
    watcher.click(summary)
    assert watcher.is_visible(f"#post-{level3} .post-body")

    # Follow the permalink of the deepest reply: the thread opens at it, with its ancestors.
    watcher.click(f"#post-{level3} >> .post-actions >> a.permalink")
    watcher.wait_for_url(re.compile(rf"/threads/{thread.pk}/posts/{level3}/#post-{level3}$"))
    main = watcher.text_content("main")
    for text in (
        "What did your first corridor teach you?",
        "Level one",
        "Level two",
        "Level three",
    ):
        assert text in main
    assert "An unrelated branch about fares." not in main
    assert watcher.evaluate("document.querySelector(':target').id") == f"post-{level3}"
