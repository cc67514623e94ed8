"""The Wagtail admin: editors create events (times in the event's zone), practices with
checkbox vocabularies, and funding opportunities as snippets."""

import datetime as dt
import zoneinfo

import pytest
from django.urls import reverse

from knowledge.models import EventIndexPage, EventPage, FundingOpportunity, GoodPracticeIndexPage
from tests.factories import UserFactory

pytestmark = pytest.mark.django_db


@pytest.fixture
def admin_client(client, knowledge_pages):
    client.force_login(UserFactory(is_staff=True, is_superuser=True, time_zone="Europe/Berlin"))
    return client


def test_add_forms_render(admin_client):
    for model, index in (
        ("eventpage", EventIndexPage),
        ("goodpracticepage", GoodPracticeIndexPage),
    ):
        parent = index.objects.get(locale__language_code="en")
        url = reverse("wagtailadmin_pages:add", args=["knowledge", model, parent.pk])
        response = admin_client.get(url)
        assert response.status_code == 200, model
    assert (
        admin_client.get(reverse("wagtailsnippets_knowledge_fundingopportunity:add")).status_code
        == 200
    )


def test_event_times_are_entered_as_wall_clock_time_at_the_event(admin_client):
    parent = EventIndexPage.objects.get(locale__language_code="en")
    url = reverse("wagtailadmin_pages:add", args=["knowledge", "eventpage", parent.pk])
    data = {
        "title": "Nairobi dialogue",
        "slug": "nairobi-dialogue",
        "kind": "dialogue",
        "intro": "",
        "starts_at": "2031-01-15 10:00",
        "ends_at": "2031-01-15 12:00",
        "time_zone": "Africa/Nairobi",
        "venue": "City Hall",
        "city": "Nairobi",
        "country": "KE",
        "languages": ["en", "fr"],
        "audience": "public",
        "registration_enabled": "on",
        "capacity": "30",
        "body": '{"blocks": [], "entityMap": {}}',
        "action-publish": "action-publish",
    }
    response = admin_client.post(url, data)
    assert response.status_code == 302, response.content.decode()[:3000]
    event = EventPage.objects.get(slug="nairobi-dialogue")
    # 10:00 in Nairobi, whatever the editor's own zone (Berlin) is.
    assert event.starts_at == dt.datetime(2031, 1, 15, 7, 0, tzinfo=dt.UTC)
    assert event.starts_at.astimezone(zoneinfo.ZoneInfo("Africa/Nairobi")).hour == 10
    assert event.languages == ",en,fr,"
    # The edit form shows it back as 10:00.
    edit = admin_client.get(reverse("wagtailadmin_pages:edit", args=[event.pk])).content.decode()
    assert "2031-01-15 10:00" in edit


def test_funding_opportunity_snippet_with_vocabularies(admin_client):
    data = {
        "funder": "Cities Fund",
        "programme": "Resilience call",
        "description": "",
        "deadline": "2031-03-01",
        "amount_min": "10000",
        "amount_max": "5000",
        "currency": "EUR",
        "regions": ["asia", "mena"],
        "topics": ["climate-adaptation"],
        "link": "https://fund.example.org",
    }
    url = reverse("wagtailsnippets_knowledge_fundingopportunity:add")
    response = admin_client.post(url, data)
    assert (
        response.status_code == 200
        and "The maximum cannot be below the minimum." in response.content.decode()
    )
    data["amount_max"] = "90000"
    response = admin_client.post(url, data)
    assert response.status_code == 302
    funding = FundingOpportunity.objects.get()
    assert funding.regions == ",mena,asia,"  # stored in vocabulary order
    assert funding.topics == ",climate-adaptation,"


def test_site_editors_manage_funding_opportunities(client, knowledge_pages):
    """Wagtail's Editors group gets the funding snippet (migration 0004); a partner
    association's editor and a plain member do not."""
    from importlib import import_module

    from django.apps import apps
    from django.contrib.auth.models import Group

    from tests.factories import create_partner, partner_editor

    from .test_partner_sections import site_editors

    # A flushed database (after a browser test) has lost the migration's rows: redo them.
    site_editors()
    import_module("knowledge.migrations.0004_site_editors_manage_funding").grant(apps, None)
    editor = UserFactory(is_staff=True)
    editor.groups.add(Group.objects.get(name="Editors"))
    index_url = reverse("wagtailsnippets_knowledge_fundingopportunity:list")
    add_url = reverse("wagtailsnippets_knowledge_fundingopportunity:add")
    client.force_login(editor)
    assert client.get(index_url).status_code == 200
    assert "Funding" in client.get("/admin/").content.decode()
    response = client.post(
        add_url,
        {
            "funder": "Cities Fund",
            "programme": "Heat call",
            "deadline": "2031-03-01",
            "currency": "EUR",
            "topics": ["climate-adaptation"],
            "link": "https://fund.example.org",
        },
    )
    assert response.status_code == 302
    funding = FundingOpportunity.objects.get(programme="Heat call")
    edit_url = reverse("wagtailsnippets_knowledge_fundingopportunity:edit", args=[funding.pk])
    assert client.get(edit_url).status_code == 200

    for outsider in (partner_editor(create_partner(name="Lagoon cities")), UserFactory()):
        client.force_login(outsider)
        assert client.get(index_url).status_code in (302, 403)
        assert client.get(edit_url).status_code in (302, 403)
        assert client.post(add_url, {"programme": "Sneaky"}).status_code in (302, 403)
    assert not FundingOpportunity.objects.filter(programme="Sneaky").exists()
