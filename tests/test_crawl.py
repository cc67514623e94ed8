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


# --- the leak crawl ------------------------------------------------------------------------
#
# A unique marker is planted in every field of a secret group (name, page, note, thread,
# post, image, document, event) and of a members-only group's content, including an event
# that was public and then became members-only. Each persona that may see none of it walks
# every link from the public pages (feeds and sitemaps included), searches for the planted
# companion word, and asks for the files and pages directly. The marker never appears.

MARKER = "zebrafinch7"
BAIT = "Okapi"  # planted next to the marker: searching for it must not bring the marker
LEAK_PERSONAS = ["anonymous", "outsider", "banned", "elsewhere"]
LEAK_SKIP = re.compile(r"^/(admin|django-admin|i18n|static)/|/accounts/(logout|confirm-email)")
MAX_LEAK_REQUESTS = 160


@pytest.fixture
def planted(site_tree):
    from django.core.files.base import ContentFile
    from wagtail.documents import get_document_model
    from wagtail.images import get_image_model
    from wagtail.images.tests.utils import get_test_image_file

    from groups.services import ban_create, group_collection_ensure
    from knowledge.services import knowledge_pages_ensure
    from tests.factories import (
        EventFactory,
        GroupFactory,
        MembershipFactory,
        PostFactory,
        ThreadFactory,
        UserFactory,
    )

    knowledge_pages_ensure(languages=["en"])
    people = {name: UserFactory(username=name) for name in LEAK_PERSONAS[1:]}
    people["anonymous"] = None
    owner = UserFactory()
    MembershipFactory(group=GroupFactory(), user=people["elsewhere"])
    planted = f"{BAIT} {MARKER}"
    doors = []
    for visibility in ("secret", "members"):
        # A members-only group's name and page are public by design; its content is not.
        name = f"Secret {planted}" if visibility == "secret" else "Members-only group"
        group = GroupFactory(visibility=visibility, owner=owner, with_page=True, name=name)
        MembershipFactory(group=group, user=people["banned"])
        ban_create(group=group, user=people["banned"], by=owner, reason="Spam")
        collection = group_collection_ensure(group=group)
        page = group.page_in("en")
        if visibility == "secret":
            page.title = f"{planted} page"
            page.purpose = f"Purpose {planted}"
        page.members_note = f"<p>Minutes {planted}</p>"
        page.save_revision().publish()
        thread = ThreadFactory(group=group, author=owner, title=f"{planted} thread", body=planted)
        PostFactory(thread=thread, author=owner, body=f"Reply {planted}")
        image = get_image_model().objects.create(
            title=f"{planted} image",
            file=get_test_image_file(filename=f"{MARKER}-{visibility}.png"),
            collection=collection,
        )
        document = get_document_model().objects.create(
            title=f"{planted} document",
            file=ContentFile(f"{planted} minutes".encode(), name=f"{MARKER}-{visibility}.txt"),
            collection=collection,
        )
        event = EventFactory(title=f"{planted} {visibility} workshop", group=group)
        event.audience = "group"
        event.intro = planted
        event.save_revision().publish()
        doors += [
            page.url,
            thread.get_absolute_url(),
            image.file.url,
            image.get_rendition("fill-40x40").url,
            document.url,
            f"/media/{document.file.name}",
            event.url,
            f"/en/events/feed/groups/{group.slug}/",
        ]
    doors += [
        f"/en/search/?q={BAIT}",
        f"/en/discussions/search/?q={BAIT}",
        "/sitemap.xml",
        "/en/events/feed/",
        "/en/groups/",
        "/en/events/",
    ]
    return people, doors


def leak_crawl(client, doors):
    """Every door, then every same-site link reached from them; (path, status, leaked)."""
    queue, seen, found = deque(["/en/", *doors]), set(), []
    while queue and len(found) < MAX_LEAK_REQUESTS:
        path = queue.popleft()
        if path in seen:
            continue
        seen.add(path)
        response = client.get(path)
        body = b"".join(response.streaming_content) if response.streaming else response.content
        text = body.decode("utf-8", "replace")
        # Headers too: a download name or a redirect can carry the marker.
        leaked = MARKER.lower() in (str(response.headers) + text).lower()
        found.append((path, response.status_code, leaked))
        assert response.status_code < 500, path
        for href in re.findall(r'(?:href|src)="([^"]+)"|<loc>([^<]+)</loc>', text):
            href = urldefrag((href[0] or href[1]).replace("&amp;", "&"))[0]
            parsed = urlparse(href)
            if parsed.netloc not in ("", "testserver", "localhost") or LEAK_SKIP.search(
                parsed.path
            ):
                continue
            queue.append(parsed.path + (f"?{parsed.query}" if parsed.query else ""))
    return found


@pytest.mark.django_db
@pytest.mark.parametrize("persona", LEAK_PERSONAS)
def test_the_marker_leaks_through_no_door(client, planted, persona):
    people, doors = planted
    if people[persona] is not None:
        client.force_login(people[persona])
    found = leak_crawl(client, doors)
    assert len(found) >= 30
    assert [path for path, _status, leaked in found if leaked] == [], persona
    # Every private file door was tried and refused without a word.
    for path, status, _leaked in found:
        if path in doors and path.startswith(("/media/", "/documents/")):
            assert status == 404, (persona, path)


@pytest.mark.django_db
def test_a_member_sees_the_marker_the_crawl_looks_for(client, planted):
    """The crawl can fail: a member of the secret group finds the marker behind its doors."""
    from groups.models import Membership, WorkingGroup

    people, doors = planted
    insider = people["outsider"]
    for group in WorkingGroup.objects.exclude(visibility="public"):
        Membership.objects.create(group=group, user=insider)
    client.force_login(insider)
    found = leak_crawl(client, doors)
    leaked = {path for path, _status, leaked in found if leaked}
    files = {d for d in doors if d.startswith(("/media/original_images/", "/media/images/"))}
    files |= {d for d in doors if d.startswith("/documents/")}
    assert len(files) == 6 and files <= leaked  # by download name (images) or content


@pytest.mark.django_db(transaction=True)
@pytest.mark.parametrize("persona", ["anonymous", "outsider"])
async def test_websockets_refuse_private_threads_and_unknown_routes(persona):
    from asgiref.sync import sync_to_async
    from channels.testing import WebsocketCommunicator
    from django.test import Client

    from config.asgi import application
    from tests.factories import GroupFactory, ThreadFactory, UserFactory

    @sync_to_async
    def world():
        thread = ThreadFactory(group=GroupFactory(visibility="secret"), title=f"{MARKER} t")
        headers = [(b"origin", b"http://testserver")]
        if persona != "anonymous":
            browser = Client()
            browser.force_login(UserFactory())
            name = settings.SESSION_COOKIE_NAME
            headers.append((b"cookie", f"{name}={browser.cookies[name].value}".encode()))
        return thread, headers

    thread, headers = await world()
    for path in (f"/ws/threads/{thread.pk}/", "/ws/no-such-route/", f"/ws/{MARKER}/"):
        socket = WebsocketCommunicator(application, path, headers=headers)
        connected, code = await socket.connect()
        if connected:  # accepted only to say why: it must close at once, saying nothing
            message = await socket.receive_output(timeout=2)
            assert message["type"] == "websocket.close", (path, message)
        else:
            assert code in (4403, 4404, 1000, None), (path, code)
        await socket.disconnect()


@pytest.mark.django_db
@pytest.mark.parametrize("persona", ["partner_moderator", "partner_editor"])
def test_what_the_policy_shows_a_partner_moderator_every_list_shows(client, site_tree, persona):
    """Lists, searches and files answer as the pages do: an association's moderators read
    the secret groups in its section everywhere (the lists once left them out); its
    editors, who edit pages but do not moderate, find the marker nowhere."""
    from django.core.files.base import ContentFile
    from wagtail.documents import get_document_model

    from groups.models import WorkingGroup
    from groups.services import group_collection_ensure, group_create, group_index_ensure
    from tests.factories import (
        PostFactory,
        ThreadFactory,
        UserFactory,
        create_partner,
        partner_editor,
        partner_moderator,
    )

    group_index_ensure()
    association = create_partner(name="Coastal Cities", languages=["en"])
    owner = UserFactory()
    group = group_create(
        name=f"Lagoon {MARKER}",
        slug="lagoon",
        kind=WorkingGroup.Kind.REGIONAL,
        visibility=WorkingGroup.Visibility.SECRET,
        join_policy=WorkingGroup.JoinPolicy.INVITE,
        owner=owner,
        parent_page=association.section,
    )
    thread = ThreadFactory(group=group, author=owner, title=f"{BAIT} {MARKER} thread")
    PostFactory(thread=thread, author=owner, body=f"{BAIT} reply {MARKER}")
    document = get_document_model().objects.create(
        title=f"{MARKER} minutes",
        file=ContentFile(f"{MARKER} minutes".encode(), name="minutes.txt"),
        collection=group_collection_ensure(group=group),
    )
    user = (partner_moderator if persona == "partner_moderator" else partner_editor)(association)
    client.force_login(user)
    doors = [
        "/en/groups/",
        thread.get_absolute_url(),
        f"/en/discussions/search/?q={BAIT}",
        document.url,
    ]
    seen = {}
    for door in doors:
        response = client.get(door)
        body = b"".join(response.streaming_content) if response.streaming else response.content
        seen[door] = (response.status_code, MARKER in body.decode("utf-8", "replace"))
    if persona == "partner_moderator":
        assert all(found for _status, found in seen.values()), seen
    else:
        assert not any(found for _status, found in seen.values()), seen
        assert seen[thread.get_absolute_url()][0] == 404 and seen[document.url][0] == 404
