"""A visibility change followed at once by a search: nothing shows, before and after the
index task has run.

The change is made with its after-commit work held back (`execute=False`), so the index is
stale exactly as it is between a change and the task that follows it on a busy worker. The
raw index is checked to really be stale then (so the filtered search is what protects), and
clean once the held work has run.
"""

from __future__ import annotations

import pytest
from wagtail.models import Page

from discussions.services import thread_move
from groups.services import ban_create, group_update_settings
from tests.factories import (
    EventFactory,
    GoodPracticeFactory,
    GroupFactory,
    MembershipFactory,
    ThreadFactory,
    UserFactory,
)

pytestmark = pytest.mark.django_db

MARK = "Quokkamarker"
# Anonymous, signed-in outsider, banned ex-member, member of another group.
BLIND = ["anonymous", "outsider", "banned", "elsewhere"]


@pytest.fixture
def people(site_tree):
    from knowledge.services import knowledge_pages_ensure

    knowledge_pages_ensure(languages=["en"])
    found = {name: UserFactory(username=name) for name in BLIND if name != "anonymous"}
    found["anonymous"] = None
    found["owner"] = UserFactory(username="owner")
    MembershipFactory(group=GroupFactory(), user=found["elsewhere"])
    return found


def _group(people, visibility):
    group = GroupFactory(visibility=visibility, owner=people["owner"], with_page=True)
    MembershipFactory(group=group, user=people["banned"])
    ban_create(group=group, user=people["banned"], by=people["owner"], reason="Spam")
    return group


def _seen_by(client, people, persona, url, needle) -> bool:
    client.logout()
    if people[persona] is not None:
        client.force_login(people[persona])
    html = client.get(url, {"q": MARK}).content.decode()
    return needle in html


def _raw_index_has(page) -> bool:
    """What the index itself holds (no permission filter): is the entry still there?"""
    return page.pk in [p.pk for p in Page.objects.search(MARK)]


def _hold_and_check(client, people, captured, url, needle, *, stale_page=None):
    callbacks = list(captured)
    assert callbacks, "the change queued its index update after commit"
    if stale_page is not None:
        assert _raw_index_has(stale_page)  # stale: only the query-time filter protects
    for persona in BLIND:
        assert not _seen_by(client, people, persona, url, needle), (persona, "before the task")
    for callback in callbacks:
        callback()
    if stale_page is not None:
        assert not _raw_index_has(stale_page)
    for persona in BLIND:
        assert not _seen_by(client, people, persona, url, needle), (persona, "after the task")


def test_an_event_turning_members_only(client, people, django_capture_on_commit_callbacks):
    group = _group(people, "members")
    event = EventFactory(title=f"{MARK} retreat", group=group)
    assert _seen_by(client, people, "anonymous", "/en/search/", event.url)
    with django_capture_on_commit_callbacks(execute=False) as captured:
        event.audience = "group"
        event.save_revision().publish()
    _hold_and_check(client, people, captured, "/en/search/", event.url, stale_page=event)


def test_a_group_turning_secret(client, people, django_capture_on_commit_callbacks):
    group = _group(people, "public")
    GroupFactory._meta.model.objects.filter(pk=group.pk).update(name=f"{MARK} taskforce")
    page = group.page_in("en")
    page.title = f"{MARK} taskforce"
    page.save_revision().publish()
    event = EventFactory(title=f"{MARK} field visit", group=group)
    assert _seen_by(client, people, "anonymous", "/en/search/", page.url)
    assert _seen_by(client, people, "anonymous", "/en/search/", event.url)
    with django_capture_on_commit_callbacks(execute=False) as captured:
        group_update_settings(group=group, by=people["owner"], visibility="secret")
    callbacks = list(captured)
    _hold_and_check(client, people, callbacks, "/en/search/", page.url, stale_page=page)
    for persona in BLIND:
        assert not _seen_by(client, people, persona, "/en/search/", event.url), persona
    assert not _raw_index_has(Page.objects.get(pk=event.pk))


def test_a_thread_moved_into_a_private_group(client, people, django_capture_on_commit_callbacks):
    source = _group(people, "public")
    target = _group(people, "members")
    thread = ThreadFactory(group=source, title=f"{MARK} budget thread", body=f"{MARK} figures")
    url = "/en/discussions/search/"
    assert _seen_by(client, people, "anonymous", url, f"{MARK} budget thread")
    with django_capture_on_commit_callbacks(execute=False) as captured:
        thread_move(thread=thread, by=people["owner"], target=target, reason="Internal")
    _hold_and_check(client, people, captured, url, f"{MARK} budget thread")
    for persona in BLIND:
        assert not _seen_by(client, people, persona, url, f"{MARK} figures"), persona


def test_a_practice_unpublished(client, people, django_capture_on_commit_callbacks):
    practice = GoodPracticeFactory(title=f"{MARK} composting scheme")
    url = practice.url
    assert _seen_by(client, people, "anonymous", "/en/search/", url)
    with django_capture_on_commit_callbacks(execute=False):
        practice.unpublish()
    for persona in BLIND:
        assert not _seen_by(client, people, persona, "/en/search/", url), persona
