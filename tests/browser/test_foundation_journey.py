"""A newcomer signs up, verifies their email, logs in and switches to Arabic."""

import re

import pytest

from tests.factories import TEST_PASSWORD

pytestmark = pytest.mark.browser


def test_signup_verify_login_switch_to_arabic(live_asgi, new_context, site_tree):
    from demo.cms import seed

    seed()
    page = new_context().new_page()
    page.goto(f"{live_asgi.url}/en/accounts/signup/")
    page.fill("input[name=email]", "fatou@example.org")
    page.fill("input[name=username]", "fatou")
    page.fill("input[name=display_name]", "Fatou Ndiaye")
    page.fill("input[name=password1]", TEST_PASSWORD)
    page.fill("input[name=password2]", TEST_PASSWORD)
    page.click("form[action$='/accounts/signup/'] button[type=submit]")
    page.wait_for_url(re.compile(r"/accounts/confirm-email/"))

    # Read the verification mail from the test mailbox and follow its link.
    mails = [m for m in live_asgi.mails() if "fatou@example.org" in m]
    assert mails, "no verification email was sent"
    link = re.search(r"https?://\S+/accounts/confirm-email/\S+", mails[-1]).group(0)
    path = re.sub(r"^https?://[^/]+", "", link)
    page.goto(f"{live_asgi.url}{path}")
    page.click("main form button[type=submit]")

    page.goto(f"{live_asgi.url}/en/accounts/login/")
    page.fill("input[name=login]", "fatou@example.org")
    page.fill("input[name=password]", TEST_PASSWORD)
    page.click("form[action$='/accounts/login/'] button[type=submit]")
    page.wait_for_url(re.compile(r"/en/me/$"))
    assert "Fatou Ndiaye" in page.text_content("main")

    # Switch language with the header switcher (a plain form: works without JS too).
    page.click(".language-menu summary")
    page.click(".language-menu button[value=ar]")
    page.wait_for_url(re.compile(r"/ar/me/$"))
    html = page.locator("html")
    assert html.get_attribute("lang") == "ar"
    assert html.get_attribute("dir") == "rtl"
    # The page really is laid out right-to-left.
    assert page.evaluate("getComputedStyle(document.body).direction") == "rtl"
