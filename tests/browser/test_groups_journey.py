"""A member asks to join an on-request group; a moderator approves in another browser;
the member then sees the group's member-only content."""

import re

import pytest

from tests.browser.pages import log_in
from tests.factories import GroupFactory, MembershipFactory, UserFactory

pytestmark = pytest.mark.browser


def test_request_to_join_approved_by_moderator_in_another_browser(
    live_asgi, new_context, site_tree
):
    from groups.models import Membership

    owner = UserFactory(username="olga")
    group = GroupFactory(
        name="Climate adaptation",
        slug="climate",
        visibility="members",
        join_policy="request",
        with_page=True,
        owner=owner,
    )
    page_model = group.page_in("en")
    page_model.members_note = "<p>Monthly call: first Tuesday at 14:00 UTC.</p>"
    page_model.save_revision().publish()
    moderator = UserFactory(username="mariam", display_name="Mariam Haddad")
    MembershipFactory(group=group, user=moderator, role=Membership.Role.MODERATOR)
    member = UserFactory(username="kwame", display_name="Kwame Mensah")

    # The member finds the group in the directory and asks to join, with a message.
    applicant = new_context().new_page()
    log_in(applicant, live_asgi.url, member.email)
    applicant.goto(f"{live_asgi.url}/en/groups/")
    applicant.click('.group-card a:has-text("Climate adaptation")')
    applicant.wait_for_url(re.compile(r"/en/groups/climate/$"))
    assert "Monthly call" not in applicant.text_content("main")
    applicant.click("text=Ask to join")
    applicant.fill("textarea[name=message]", "Kumasi is drafting its first heat action plan.")
    applicant.click("main form button[type=submit]")
    applicant.wait_for_url(re.compile(r"/en/groups/climate/request/$"))
    assert "waiting for a moderator" in applicant.text_content("main")

    # The moderator, in another browser context, approves from the group's own pages.
    mod = new_context().new_page()
    log_in(mod, live_asgi.url, moderator.email)
    mod.goto(f"{live_asgi.url}/en/groups/climate/")
    mod.click(".group-nav >> text=Requests")
    mod.wait_for_url(re.compile(r"/en/groups/climate/requests/$"))
    request_card = mod.locator("article.request", has_text="Kwame Mensah")
    assert "Kumasi is drafting" in request_card.text_content()
    request_card.locator("textarea[name=reason]").fill("Welcome aboard!")
    request_card.locator("button[value=approve]").click()
    mod.wait_for_url(re.compile(r"/en/groups/climate/requests/$"))
    assert "Kwame Mensah is now a member." in mod.text_content(".messages")

    # The member reloads: the member-only content and the member list are there.
    applicant.goto(f"{live_asgi.url}/en/groups/climate/")
    main = applicant.text_content("main")
    assert "Monthly call: first Tuesday at 14:00 UTC." in main
    assert "Leave the group" in main
    applicant.click(".group-nav >> text=Members")
    applicant.wait_for_url(re.compile(r"/en/groups/climate/members/$"))
    assert "Mariam Haddad" in applicant.text_content("main")
    applicant.goto(f"{live_asgi.url}/en/me/")
    assert "Climate adaptation" in applicant.text_content("main")

    # The moderator's membership log records who approved, and why.
    mod.click(".group-nav >> text=Membership log")
    log = mod.text_content("main")
    assert "approved the request" in log and "Welcome aboard!" in log
