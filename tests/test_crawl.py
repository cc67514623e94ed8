"""Walk the demo site in every language, as a visitor and as a member, following links.

Every page reached answers 200 (or redirects to login), carries the right lang/dir, and
no page is a 500. This covers pages that later apps add without listing them here.
"""

import re
from collections import deque
from urllib.parse import urldefrag, urlparse

import pytest
from django.conf import settings
from django.core.management import call_command

from people.models import User

LANGS = [code for code, _ in settings.LANGUAGES]
SKIP = re.compile(
    r"^/(admin|django-admin|documents|static|media|i18n)/|/accounts/(logout|confirm-email)|\.(ics|csv|xml|rss|json)$|/feed"
)
MAX_PAGES_PER_LANGUAGE = 40


def crawl(client, language):
    start = f"/{language}/"
    seen, queue, visited = {start}, deque([start]), []
    while queue and len(visited) < MAX_PAGES_PER_LANGUAGE:
        path = queue.popleft()
        response = client.get(path)
        visited.append((path, response.status_code))
        assert response.status_code in (200, 302), (path, response.status_code)
        if response.status_code != 200 or "text/html" not in response.get("Content-Type", ""):
            continue
        html = response.content.decode()
        page_language = path.split("/")[1]
        direction = "rtl" if page_language == "ar" else "ltr"
        assert f'<html lang="{page_language}" dir="{direction}">' in html, path
        for href in re.findall(r'href="([^"]+)"', html):
            href = urldefrag(href.replace("&amp;", "&"))[0]
            parsed = urlparse(href)
            if (
                parsed.scheme
                or parsed.netloc
                or not href.startswith(f"/{language}/")
                or SKIP.search(parsed.path)
            ):
                continue
            if href not in seen:
                seen.add(href)
                queue.append(href)
    return visited


@pytest.fixture
def demo(db):
    call_command("seed_demo", verbosity=0)


@pytest.mark.django_db
def test_visitor_can_walk_the_site_in_every_language(client, demo):
    for language in LANGS:
        assert len(crawl(client, language)) >= 3, language


@pytest.mark.django_db
def test_member_can_walk_the_site(client, demo):
    client.force_login(User.objects.get(username="member"))
    for language in ("en", "ar"):
        assert len(crawl(client, language)) >= 3, language
