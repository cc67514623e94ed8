"""Good practices in a partner association's section: its editors edit them, the
database lists them; events can name an organising association."""

import pytest

from knowledge.selectors import PracticeFilter, practice_search
from knowledge.services import knowledge_pages_ensure
from tests.factories import EventFactory, UserFactory

pytestmark = pytest.mark.django_db


def onboard(name, slug):
    from partners.services import partner_editor_add, partner_section_create

    association = partner_section_create(name=name, slug=slug, region="africa", languages=["en"])
    editor = UserFactory(is_staff=True)
    partner_editor_add(association=association, user=editor)
    return association, editor


def test_practice_in_a_partner_section_is_edited_by_that_association_only(client, site_tree):
    from knowledge.models import GoodPracticePage

    knowledge_pages_ensure(languages=["en"])
    ours, our_editor = onboard("Association of Ghanaian Cities", "agc")
    _theirs, their_editor = onboard("Union of Andean Municipalities", "uam")
    section = ours.section
    page = GoodPracticePage(
        title="Kumasi market compost",
        slug="kumasi-compost",
        city="Kumasi",
        country="GH",
        topics=",waste-circular-economy,",
        summary="Compost from market waste.",
    )
    section.add_child(instance=page)
    page.save_revision().publish()
    page.refresh_from_db()

    assert page.permissions_for_user(our_editor).can_edit()
    assert not page.permissions_for_user(their_editor).can_edit()
    editors = UserFactory(is_staff=True)
    assert not page.permissions_for_user(editors).can_edit()
    # The database lists it wherever it lives, and its page is served in the section.
    result = practice_search(PracticeFilter(topic="waste-circular-economy"), "en")
    assert [p.title for p in result.results] == ["Kumasi market compost"]
    assert client.get(page.url).status_code == 200
    assert page.url.startswith(section.url)


def test_event_names_its_organising_association(client, site_tree):
    knowledge_pages_ensure(languages=["en"])
    association, _editor = onboard("Association of Ghanaian Cities", "agc")
    event = EventFactory(association=association, organiser_name="Ministry of Local Government")
    html = client.get(event.url).content.decode()
    assert "Association of Ghanaian Cities" in html and "Ministry of Local Government" in html
    assert f'href="{association.section.url}"' in html
