"""Member A watches the header badge go from 0 to 1, live, when member B replies to A's
thread; a toast says so; the notification centre links to the exact post."""

import re

import pytest

from tests.browser.pages import log_in
from tests.factories import (
    GroupFactory,
    MembershipFactory,
    ThreadFactory,
    UserFactory,
)

pytestmark = pytest.mark.browser


def test_badge_goes_live_from_0_to_1_when_someone_replies(live_asgi, new_context, site_tree):
    group = GroupFactory(name="Urban mobility", slug="mobility", with_page=True)
    amina = UserFactory(username="amina", display_name="Amina Diallo")
    kwame = UserFactory(username="kwame", display_name="Kwame Mensah")
    for user in (amina, kwame):
        MembershipFactory(group=group, user=user)
    thread = ThreadFactory(group=group, author=amina, title="Bus rapid transit lessons")

    a = new_context().new_page()
    log_in(a, live_asgi.url, amina.email)
    badge = a.locator("[data-unread-count]")
    a.wait_for_selector("[data-unread-count][data-live='1']", state="attached")  # socket caught up
    assert badge.is_hidden() and badge.text_content() == "0"

    b = new_context().new_page()
    log_in(b, live_asgi.url, kwame.email)
    b.goto(f"{live_asgi.url}{thread.get_absolute_url()}")
    b.locator("form[data-reply-form] textarea").first.fill("Start with the feeder routes.")
    with b.expect_response(re.compile(r"/reply/$")):
        b.locator("form[data-reply-form] button[type=submit]").first.click()

    # A did not reload: the badge and a toast update over the websocket.
    a.wait_for_function("document.querySelector('[data-unread-count]').textContent === '1'")
    assert badge.is_visible()
    toast = a.locator(".toast")
    toast.wait_for()
    assert toast.text_content() == "Kwame Mensah replied to you in “Bus rapid transit lessons”."

    # The centre (reached from the badge, no JS needed) links to the exact post.
    a.click("[data-unread-badge]")
    a.wait_for_url(re.compile(r"/en/notifications/$"))
    entry = a.locator(".inbox-entry.is-unread a").first
    assert entry.text_content() == "Kwame Mensah replied to you in “Bus rapid transit lessons”."
    entry.click()
    a.wait_for_url(re.compile(r"/discussions/threads/\d+/posts/(\d+)/#post-\1$"))
    assert "Start with the feeder routes." in a.text_content("main")
    assert a.locator("[data-unread-count]").text_content() == "0"  # opening it read it
