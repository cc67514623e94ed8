"""Issue 11 for knowledge: stale project-idea edits get 409 with both texts; doubled
creates (idea, contact request, event registration) store one."""

import re

import pytest

from knowledge.models import ContactRequest, EventRegistration, ProjectIdea
from knowledge.services import project_idea_set_stage
from tests.factories import (
    EventFactory,
    ExpertProfileFactory,
    GroupFactory,
    MembershipFactory,
    ProjectIdeaFactory,
    UserFactory,
)

pytestmark = pytest.mark.django_db
KEY = "c" * 32


def _version_in(html: str) -> str:
    return re.search(r'<input type="hidden" name="version" value="(\d+)"', html).group(1)


def test_a_stale_idea_edit_gets_409_with_both_texts_then_a_merge_saves(client, knowledge_pages):
    idea = ProjectIdeaFactory(title="Solar schools", problem="Schools lose power.")
    client.force_login(idea.created_by)
    url = f"/en/projects/{idea.pk}/edit/"
    assert _version_in(client.get(url).content.decode()) == "0"
    data = {"title": "Solar schools", "problem": "Schools lose power.", "region": "asia"}
    newer = {**data, "problem": "Tab A: <i>blackouts</i>", "version": "0"}
    assert client.post(url, newer).status_code == 302
    response = client.post(url, {**data, "problem": "Tab B: my own words", "version": "0"})
    html = response.content.decode()
    assert response.status_code == 409
    assert "Someone saved a newer version while you were editing." in html
    assert "Tab A: &lt;i&gt;blackouts&lt;/i&gt;" in html and "Tab B: my own words" in html
    assert _version_in(html) == "1"
    idea.refresh_from_db()
    assert idea.problem == "Tab A: <i>blackouts</i>" and idea.version == 1
    assert client.post(url, {**data, "problem": "A and B", "version": "1"}).status_code == 302
    idea.refresh_from_db()
    assert idea.problem == "A and B" and idea.version == 2


def test_stale_results_get_409_and_nothing_is_overwritten(client, knowledge_pages):
    idea = ProjectIdeaFactory()
    lead = idea.created_by
    for stage in ["concept", "funding-application", "funded", "implementation", "evaluated"]:
        project_idea_set_stage(idea=idea, stage=stage, by=lead)
    client.force_login(lead)
    url = f"/en/projects/{idea.pk}/results/"
    version = _version_in(client.get(url).content.decode())
    first = {"results": "Bills halved.", "lessons_learned": "Ask early.", "version": version}
    assert client.post(url, first).status_code == 302
    assert client.post(url, first).status_code == 302  # the same save twice: no conflict
    stale = {"results": "Bills down a third.", "lessons_learned": "Ask.", "version": version}
    response = client.post(url, stale)
    assert response.status_code == 409 and "Bills halved." in response.content.decode()
    idea.refresh_from_db()
    assert idea.results == "Bills halved."


def test_doubled_creates_store_one(client, knowledge_pages):
    group = GroupFactory()
    member = UserFactory()
    MembershipFactory(group=group, user=member)
    client.force_login(member)
    page = client.get(f"/en/projects/new/?group={group.slug}").content.decode()
    assert 'name="idempotency_key"' in page
    data = {
        "group": group.slug,
        "title": "Bike lanes",
        "problem": "Too many cars.",
        "idempotency_key": KEY,
    }
    first, second = client.post("/en/projects/new/", data), client.post("/en/projects/new/", data)
    assert first.status_code == second.status_code == 302
    assert first["Location"] == second["Location"]
    assert ProjectIdea.objects.filter(title="Bike lanes").count() == 1

    recipient = ExpertProfileFactory().user
    url = f"/en/people/{recipient.username}/contact/"
    assert 'name="idempotency_key"' in client.get(url).content.decode()
    for _ in range(2):
        response = client.post(url, {"subject": "Hi", "message": "Once", "idempotency_key": KEY})
        assert response.status_code == 302
    assert ContactRequest.objects.filter(sender=member, subject="Hi").count() == 1

    event = EventFactory(title="Bike summit", slug="bike-summit")
    assert 'name="idempotency_key"' in client.get(event.url).content.decode()
    for _ in range(2):  # without the key the second is "already registered" (400)
        assert client.post(f"{event.url}register/", {"idempotency_key": KEY}).status_code == 302
    assert EventRegistration.objects.filter(user=member).count() == 1
