"""The demo content: enough of everything, in several languages, and idempotent."""

import pytest
from wagtail.models import Locale

from knowledge.models import (
    EventIndexPage,
    EventPage,
    ExpertProfile,
    FundingOpportunity,
    GoodPracticeIndexPage,
    GoodPracticePage,
    ProjectIdea,
)
from people.models import User

pytestmark = pytest.mark.django_db


def test_demo_has_every_part_and_is_idempotent(client):
    from demo.cms import seed as seed_cms
    from demo.knowledge import seed
    from demo.partners import seed as seed_partners
    from demo.people import seed as seed_people
    from partners.models import PartnerSectionPage

    seed_people()
    seed_cms()
    seed_partners()
    seed()
    seed()
    english = GoodPracticePage.objects.filter(locale__language_code="en", live=True)
    assert english.count() >= 10
    # One lives in a partner association's section, where that association's editors edit it.
    in_section = [p for p in english if isinstance(p.get_parent().specific, PartnerSectionPage)]
    assert len(in_section) == 1
    (practice,) = in_section
    association = practice.get_parent().specific.association
    editor = association.editors_group.user_set.first()
    assert editor is not None and practice.permissions_for_user(editor).can_edit()
    assert EventPage.objects.filter(association__isnull=False).exists()
    # One practice shows a full entry: main image, captioned picture, evaluation report.
    dakar = english.get(slug="sms-flood-early-warning-dakar")
    assert dakar.image is not None
    assert [block.block_type for block in dakar.attachments] == ["image", "document"]
    html = client.get(dakar.url).content.decode()
    assert html.count("<img") >= 2 and "Evaluation of two rainy seasons" in html
    report = dakar.attachments[1].value["document"]
    assert report.file.read().startswith(b"%PDF-1.4")
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
        "/en/projects/",
        "/en/funding/",
        "/de/practices/guardian-houses-leipzig/",
        practice.url,
        practice.get_translation(Locale.objects.get(language_code="fr")).url,
        "/en/practices/?region=sub-saharan-africa&sdg=14",
    ):
        assert client.get(path).status_code == 200, path
    client.force_login(User.objects.get(email="member@plaza.example"))
    assert client.get("/en/people/").content.decode().count("person-card") >= 15
