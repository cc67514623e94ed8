"""Steps the browser journeys share."""

import re

from tests.factories import TEST_PASSWORD


def log_in(page, base_url: str, email: str) -> None:
    """Sign in through the real login form and wait for the member's dashboard."""
    page.goto(f"{base_url}/en/accounts/login/")
    page.fill("input[name=login]", email)
    page.fill("input[name=password]", TEST_PASSWORD)
    page.click("form[action$='/accounts/login/'] button[type=submit]")
    page.wait_for_url(re.compile(r"/me/$"))
