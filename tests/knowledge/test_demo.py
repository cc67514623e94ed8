"""The demo content: enough of everything, in several languages, and idempotent."""

import pytest

from knowledge.models import (
    EventIndexPage,
    EventPage,
    ExpertProfile,
    FundingOpportunity,
    GoodPracticeIndexPage,
    GoodPracticePage,
    ProjectIdea,
)

pytestmark = pytest.mark.django_db


def test_demo_has_every_part_and_is_idempotent(client):
    from cms.demo import seed as seed_cms
    from knowledge.demo import seed

    seed_cms()
    seed()
    seed()
    english = GoodPracticePage.objects.filter(locale__language_code="en", live=True)
    assert english.count() >= 10
    translated = {
        p.translation_key for p in GoodPracticePage.objects.exclude(locale__language_code="en")
    }
    assert len(translated) >= 4
    assert ExpertProfile.objects.filter(listed=True).count() >= 15
    events = EventPage.objects.filter(locale__language_code="en")
    assert len(set(events.values_list("kind", flat=True))) == 5
    assert len(set(ProjectIdea.objects.values_list("stage", flat=True))) >= 4
    assert FundingOpportunity.objects.count() >= 4
    for model in (GoodPracticeIndexPage, EventIndexPage):
        assert set(model.objects.values_list("locale__language_code", flat=True)) == {
            "en",
            "de",
            "fr",
            "es",
            "pt",
            "ar",
        }
    for path in (
        "/en/practices/",
        "/ar/practices/",
        "/fr/practices/?language=fr",
        "/en/events/",
        "/en/people/",
        "/en/projects/",
        "/en/funding/",
        "/de/practices/guardian-houses-leipzig/",
    ):
        assert client.get(path).status_code == 200, path
