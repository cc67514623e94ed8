"""The inline reply's lost answer (issue 11): the server stores the reply, the browser
never hears back. The page sends the same request again with the same idempotency key and
shows the one stored reply; the next reply gets a new key and is stored too."""

import re

import pytest

from tests.browser.pages import log_in
from tests.browser.test_discussions_journey import fork_safe_async  # noqa: F401
from tests.factories import GroupFactory, MembershipFactory, ThreadFactory, UserFactory

pytestmark = pytest.mark.browser


def test_a_lost_answer_is_retried_with_the_same_key_and_stores_one_reply(
    fork_safe_async,  # noqa: F811 - the fixture imported above, by name
    live_asgi,
    new_context,
    site_tree,
):
    from discussions.models import Post

    group = GroupFactory(name="Water", slug="water", with_page=True)
    amina = UserFactory(username="amina")
    MembershipFactory(group=group, user=amina)
    thread = ThreadFactory(group=group, author=amina, title="Leak detection", body="Ideas?")
    page = new_context().new_page()
    log_in(page, live_asgi.url, amina.email)
    page.goto(f"{live_asgi.url}/en/discussions/threads/{thread.pk}/")
    sent = []

    def lose_the_first_answer(route):
        sent.append(route.request.post_data)
        if len(sent) == 1:
            route.fetch()  # the server receives and stores the reply...
            route.abort("connectionreset")  # ...and the browser never hears back
        else:
            route.continue_()

    page.route(re.compile(r"/reply/$"), lose_the_first_answer)
    page.fill("form[data-reply-form] textarea", "Acoustic loggers on the mains.")
    with page.expect_response(re.compile(r"/reply/$"), timeout=15_000) as answer:
        page.click("form[data-reply-form] button[type=submit]")
    first = answer.value.json()
    page.wait_for_selector(f"#post-{first['post']}")
    assert len(sent) == 2
    keys = [re.search(r'name="idempotency_key"\r\n\r\n(\w+)', body).group(1) for body in sent]
    assert keys[0] == keys[1]
    assert Post.objects.filter(thread=thread, body="Acoustic loggers on the mains.").count() == 1

    page.fill("form[data-reply-form] textarea", "And pressure sensors.")
    with page.expect_response(re.compile(r"/reply/$")) as answer:
        page.click("form[data-reply-form] button[type=submit]")
    second = answer.value.json()
    assert second["post"] != first["post"]
    assert re.search(r'name="idempotency_key"\r\n\r\n(\w+)', sent[2]).group(1) != keys[0]
    assert Post.objects.filter(thread=thread, depth=1).count() == 2
