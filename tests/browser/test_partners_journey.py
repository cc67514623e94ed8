"""An editor of association A logs into the Wagtail admin, edits and publishes A's regional
page, and is refused association B's page."""

import re

import pytest

from tests.factories import TEST_PASSWORD

pytestmark = pytest.mark.browser


def test_partner_editor_publishes_own_page_and_is_refused_the_other(
    live_asgi, new_context, site_tree
):
    from partners.models import PartnerPage
    from tests.factories import create_partner, partner_editor

    a = create_partner(name="Lagoon Cities Alliance", region="africa", languages=["en", "fr"])
    b = create_partner(name="Monsoon Cities Forum", region="asia", languages=["en"])
    page_a = a.section.add_child(
        instance=PartnerPage(title="Coastal programme", slug="coastal-programme")
    )
    page_a.save_revision().publish()
    page_b = b.section.add_child(
        instance=PartnerPage(title="Monsoon programme", slug="monsoon-programme")
    )
    page_b.save_revision().publish()
    editor = partner_editor(a, username="amara", display_name="Amara Diallo")

    page = new_context().new_page()
    response = page.goto(f"{live_asgi.url}/admin/login/")
    assert response.status == 200, page.content()[:3000]
    page.fill("input[name=username]", editor.username)
    page.fill("input[name=password]", TEST_PASSWORD)
    page.click("form button[type=submit]")
    page.wait_for_url(re.compile(r"/admin/$"))

    # Edit A's regional page and publish it from the editor's action menu.
    page.goto(f"{live_asgi.url}/admin/pages/{page_a.pk}/edit/")
    page.fill("#id_title", "Coastal resilience programme")
    page.click("footer [data-w-dropdown-target=toggle]")
    page.click("button[name=action-publish]")
    page.wait_for_url(re.compile(rf"/admin/pages/{a.section_id}/$"))
    assert "Coastal resilience programme" in page.text_content("body")

    public = new_context().new_page()
    public.goto(f"{live_asgi.url}/en/lagoon-cities-alliance/coastal-programme/")
    assert public.text_content("h1") == "Coastal resilience programme"

    # B's page: the editor view refuses, and so does B's section in the explorer.
    for url in (f"/admin/pages/{page_b.pk}/edit/", f"/admin/pages/{b.section_id}/"):
        page.goto(f"{live_asgi.url}{url}")
        page.wait_for_url(re.compile(r"/admin/$"))
        assert "Sorry, you do not have permission to access this area." in page.text_content("body")
        assert "Monsoon programme" not in page.content()
    page_b.refresh_from_db()
    assert page_b.title == "Monsoon programme"
