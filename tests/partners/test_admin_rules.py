"""Admin rules beyond the matrix: section page, review workflow, wagtail-localize, the API."""

import pytest
from django.test import Client
from django.urls import NoReverseMatch, reverse
from wagtail.models import Locale, Page, WorkflowState

from partners.models import PartnerPage, PartnerSectionPage
from tests.factories import create_partner, partner_editor
from tests.partners.test_isolation import page_form


@pytest.mark.django_db
def test_editors_edit_and_publish_their_section_page_but_cannot_remove_or_move_it(client, world):
    client.force_login(world.a.editor)
    section = world.a.section
    response = client.post(
        f"/admin/pages/{section.pk}/edit/",
        page_form(section, intro="New intro", **{"action-publish": "action-publish"}),
    )
    assert response.status_code == 302
    assert PartnerSectionPage.objects.get(pk=section.pk).intro == "New intro"
    for url in (
        f"/admin/pages/{section.pk}/delete/",
        f"/admin/pages/{section.pk}/move/",
        f"/admin/pages/{section.pk}/copy/",
        f"/admin/pages/{section.pk}/unpublish/",
    ):
        assert client.get(url)["Location"] == "/admin/", url
        assert client.post(url)["Location"] == "/admin/", url
    assert PartnerSectionPage.objects.get(pk=section.pk).live
    # Nobody creates a section page by hand: onboarding does (with its groups and rights).
    client.force_login(world.admin)
    assert (
        client.get(
            f"/admin/pages/add/partners/partnersectionpage/{section.get_parent().pk}/"
        ).status_code
        == 302
    )
    assert client.get(f"/admin/pages/{section.pk}/delete/").status_code == 200  # a site admin may


@pytest.mark.django_db
def test_page_chooser_by_type_does_not_start_in_another_section(client, site_tree):
    # Only B has regional pages: Wagtail would open the chooser at B's section.
    a = create_partner(name="Assoc A", languages=["en"])
    b = create_partner(name="Assoc B", languages=["en"])
    b.section.add_child(
        instance=PartnerPage(title="B only page", slug="b-only")
    ).save_revision().publish()
    client.force_login(partner_editor(a))
    response = client.get("/admin/choose-page/?page_type=partners.partnerpage")
    assert response.status_code == 302 and response["Location"] == "/admin/"
    client.force_login(partner_editor(b))
    assert client.get("/admin/choose-page/?page_type=partners.partnerpage").status_code == 200


@pytest.mark.django_db
def test_an_editor_with_one_language_is_kept_in_their_section(client, site_tree):
    # With a single-language section, Wagtail's explorable root is the section itself.
    a = create_partner(name="Assoc A", languages=["en"])
    b = create_partner(name="Assoc B", languages=["en"])
    client.force_login(partner_editor(a))
    response = client.get(f"/admin/pages/{b.section_id}/")
    assert response.status_code == 302 and response["Location"] == f"/admin/pages/{a.section_id}/"


@pytest.mark.django_db
def test_second_editor_review_workflow(client, site_tree):
    association = create_partner(name="Reviewed Association", languages=["en"], workflow=True)
    author, reviewer = partner_editor(association), partner_editor(association)
    page = association.section.add_child(
        instance=PartnerPage(title="Draft", slug="draft", live=False)
    )
    page.save_revision()

    client.force_login(author)
    # No direct publishing: the author's "publish" is ignored; submitting starts the review.
    client.post(
        f"/admin/pages/{page.pk}/edit/", page_form(page, **{"action-publish": "action-publish"})
    )
    assert not Page.objects.get(pk=page.pk).live
    client.post(
        f"/admin/pages/{page.pk}/edit/",
        page_form(page, title="For review", **{"action-submit": "1"}),
    )
    state = WorkflowState.objects.get(base_content_type__model="page", object_id=str(page.pk))
    task_state = state.current_task_state
    assert state.requested_by == author and task_state.status == "in_progress"

    # The author cannot approve their own page...
    approve = f"/admin/pages/workflow/action/{page.pk}/approve/{task_state.pk}/"
    client.post(approve, {})
    assert not Page.objects.get(pk=page.pk).live
    # ...a second editor of the same association can.
    client.force_login(reviewer)
    client.post(approve, {})
    page = Page.objects.get(pk=page.pk)
    assert page.live and page.title == "For review"


@pytest.mark.django_db
def test_an_editor_of_another_association_cannot_review(client, site_tree):
    a = create_partner(name="Assoc A", languages=["en"], workflow=True)
    b = create_partner(name="Assoc B", languages=["en"], workflow=True)
    author = partner_editor(a)
    page = a.section.add_child(instance=PartnerPage(title="Draft", slug="draft", live=False))
    page.save_revision()
    client.force_login(author)
    client.post(f"/admin/pages/{page.pk}/edit/", page_form(page, **{"action-submit": "1"}))
    task_state = WorkflowState.objects.get(object_id=str(page.pk)).current_task_state
    other = Client()  # a fresh session: no leftover messages from the author's
    other.force_login(partner_editor(b))
    response = other.post(f"/admin/pages/workflow/action/{page.pk}/approve/{task_state.pk}/", {})
    assert response.status_code == 302 and response["Location"] == "/admin/"
    assert not Page.objects.get(pk=page.pk).live
    assert "Draft" not in other.get("/admin/").content.decode()  # not in B's "awaiting review"


@pytest.mark.django_db
def test_translating_own_page_works_and_into_another_section_does_not(client, world):
    client.force_login(world.a.editor)
    fr, ar = Locale.objects.get(language_code="fr"), Locale.objects.get(language_code="ar")
    regional = world.a.regional
    # Arabic: the parent (A's section) has no Arabic translation A's editors may add to.
    response = client.post(f"/admin/localize/submit/page/{regional.pk}/", {"locales": [ar.pk]})
    assert response["Location"] == "/admin/"
    assert regional.get_translation_or_none(ar) is None
    # French: A's French section is theirs.
    response = client.post(f"/admin/localize/submit/page/{regional.pk}/", {"locales": [fr.pk]})
    assert response.status_code == 302 and response["Location"] != "/admin/"
    translated = regional.get_translation(fr)
    assert translated.get_parent().pk == world.a.section.get_translation(fr).pk
    # B's page cannot be sent for translation at all.
    response = client.post(
        f"/admin/localize/submit/page/{world.b.regional.pk}/", {"locales": [fr.pk]}
    )
    assert response["Location"] == "/admin/"
    assert world.b.regional.get_translation_or_none(fr) is None


@pytest.mark.django_db
def test_wagtail_api_v2_is_not_routed(client, world):
    with pytest.raises(NoReverseMatch):
        reverse("wagtailapi_v2:pages:listing")
    for path in ("/api/v2/pages/", "/en/api/v2/pages/", f"/api/v2/pages/{world.b.draft_news.pk}/"):
        response = client.get(path, follow=True)
        assert response.status_code == 404
        assert world.b.marker not in response.content.decode()


@pytest.mark.django_db
def test_drafts_are_not_served_publicly(client, world):
    client.force_login(world.a.editor)
    url = "/en" + world.b.draft_news.url_path.removeprefix("/home")
    assert client.get(url).status_code == 404
    # (the query itself is echoed back; titles would follow it with a space)
    assert (
        f"{world.b.marker} " not in client.get("/en/search/?q=" + world.b.marker).content.decode()
    )
