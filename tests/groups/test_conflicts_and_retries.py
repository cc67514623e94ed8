"""Issue 11 for groups: a stale settings form gets 409 with the saved settings and
changes nothing; a doubled join request or invitation stores one."""

import re

import pytest

from groups.models import Invitation, JoinRequest, MembershipLogEntry, WorkingGroup
from tests.factories import GroupFactory, UserFactory

KEY = "b" * 32


@pytest.fixture
def group(site_tree):
    owner = UserFactory(username="owner")
    g = GroupFactory(
        name="Climate adaptation",
        slug="climate",
        join_policy="request",
        with_page=True,
        owner=owner,
    )
    g.owner = owner
    return g


def _settings(**overrides):
    data = {
        "name": "Climate adaptation",
        "kind": "thematic",
        "visibility": "public",
        "join_policy": "request",
        "topic": "",
        "region": "",
        "languages": ["en"],
    }
    return {**data, **overrides}


@pytest.mark.django_db
def test_a_stale_settings_form_gets_409_with_the_saved_settings_then_saves(client, group):
    client.force_login(group.owner)
    url = "/en/groups/climate/settings/"
    html = client.get(url).content.decode()
    assert re.search(r'<input type="hidden" name="version" value="0"', html)
    assert 'for="id_version"' not in html  # hidden, no stray label

    assert client.post(url, _settings(visibility="members", version="0")).status_code == 302
    response = client.post(url, _settings(name="Climate and water", version="0"))
    html = response.content.decode()
    assert response.status_code == 409
    assert "Someone saved a newer version while you were editing." in html
    assert "Members only" in html  # the saved visibility, by its label
    assert 'value="Climate and water"' in html  # the owner's own input stays
    assert re.search(r'name="version" value="1"', html)
    group.refresh_from_db()
    assert (group.name, group.visibility, group.version) == ("Climate adaptation", "members", 1)
    assert MembershipLogEntry.objects.filter(group=group, action="settings_changed").count() == 1

    merged = _settings(name="Climate and water", visibility="members", version="1")
    assert client.post(url, merged).status_code == 302
    group.refresh_from_db()
    assert (group.name, group.visibility, group.version) == ("Climate and water", "members", 2)
    # A form without a version (opened before versions existed) saves as before.
    assert client.post(url, _settings(name="Old tab", visibility="members")).status_code == 302
    assert WorkingGroup.objects.get(pk=group.pk).name == "Old tab"
    response = client.post(url, _settings(name="Tampered", version="-1"))
    assert response.status_code == 400 and "This form is out of date." in response.content.decode()


@pytest.mark.django_db
def test_a_doubled_join_request_and_invitation_store_one(client, group):
    applicant = UserFactory()
    client.force_login(applicant)
    url = "/en/groups/climate/request/"
    page = client.get(url).content.decode()
    assert 'name="idempotency_key"' in page
    for _ in range(2):  # without the key the second is "you have already asked" (400)
        response = client.post(url, {"message": "Hello", "idempotency_key": KEY})
        assert response.status_code == 302
    assert JoinRequest.objects.filter(group=group, user=applicant).count() == 1

    client.force_login(group.owner)
    url = "/en/groups/climate/invitations/"
    assert 'name="idempotency_key"' in client.get(url).content.decode()
    for _ in range(2):
        response = client.post(url, {"invitee": "new@example.org", "idempotency_key": KEY})
        assert response.status_code == 302
    assert Invitation.objects.filter(group=group, email="new@example.org").count() == 1
