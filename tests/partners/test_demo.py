"""The demo partner associations (`demo.partners.seed`, run by `manage.py seed_demo`)."""

import pytest
from wagtail.models import Page

from partners.models import NewsPage, PartnerAssociation, PartnerSectionPage, PartnersIndexPage


@pytest.fixture
def partners_demo(demo_site):
    from demo.partners import seed
    from demo.people import seed as seed_people

    seed_people()
    return seed()


@pytest.mark.django_db
def test_three_associations_in_three_regions_with_two_languages_each(partners_demo):
    associations = {a.slug: a for a in PartnerAssociation.objects.all()}
    assert {a.region for a in associations.values()} == {"africa", "americas", "asia"}
    for association in associations.values():
        languages = set(
            association.section_pages.live().values_list("locale__language_code", flat=True)
        )
        assert languages == set(association.languages) and len(languages) >= 2
        for language in association.languages:
            assert (
                NewsPage.objects.live()
                .descendant_of(association.section_pages.get(locale__language_code=language))
                .count()
                == 2
            )
        assert association.editors_group.user_set.count() >= 1
        assert association.moderators_group.user_set.count() >= 1


@pytest.mark.django_db
def test_the_demo_editor_edits_the_latin_american_section(partners_demo):
    association = PartnerAssociation.objects.get(region="americas")
    assert association.editors_group.user_set.filter(username="editor").exists()
    assert association.editors_group.user_set.count() == 2
    assert (
        not PartnerAssociation.objects.exclude(pk=association.pk)
        .filter(editors_group__user__username="editor")
        .exists()
    )


@pytest.mark.django_db
def test_regional_groups_live_in_their_sections(partners_demo):
    from groups.models import GroupPage

    for association in PartnerAssociation.objects.all():
        pages = GroupPage.objects.descendant_of(association.section)
        assert pages.count() == 1
        assert pages.get().group.kind == "regional"


@pytest.mark.django_db
def test_translations_are_real(partners_demo, client):
    html = client.get("/pt/ciudades-riberenas/").content.decode()
    assert "Cidades às margens do Paraná" in html
    html = client.get("/ar/levant-gulf-forum/news/").content.decode()
    assert "شوارع أبرد" in html
    html = client.get("/fr/lagoon-cities/news/flood-warning-pilot/").content.decode()
    assert "Alertes inondation par SMS" in html


@pytest.mark.django_db
def test_partners_index_lists_every_section_in_every_language(partners_demo, client):
    for language in ("en", "de", "fr", "es", "pt", "ar"):
        assert PartnersIndexPage.objects.live().filter(locale__language_code=language).exists()
        response = client.get(f"/{language}/partners/")
        assert response.status_code == 200
        html = response.content.decode()
        for association in PartnerAssociation.objects.all():
            assert association.name in html, (language, association)
        # the main navigation links the index
        assert f'href="/{language}/partners/"' in html, language


@pytest.mark.django_db
def test_seed_is_idempotent(partners_demo):
    from demo.partners import seed

    counts = (
        Page.objects.count(),
        PartnerAssociation.objects.count(),
        PartnerSectionPage.objects.count(),
    )
    seed()
    assert (
        Page.objects.count(),
        PartnerAssociation.objects.count(),
        PartnerSectionPage.objects.count(),
    ) == counts
