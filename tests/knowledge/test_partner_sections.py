"""Good practices in a partner association's section: its editors edit them, the
database lists them; events can name an organising association."""

import pytest

from knowledge.selectors import PracticeFilter, practice_search
from knowledge.services import knowledge_pages_ensure
from tests.factories import EventFactory, UserFactory

pytestmark = pytest.mark.django_db


def onboard(name, slug, languages=("en",)):
    from partners.services import partner_editor_add, partner_section_create

    association = partner_section_create(
        name=name, slug=slug, region="africa", languages=list(languages)
    )
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


def site_editors():
    """Wagtail's own "Editors" group (its data migration makes it; a flushed database may not
    have it): admin access and add/change rights from the root page down."""
    from django.contrib.auth.models import Group, Permission
    from wagtail.models import GroupPagePermission, Page

    group, created = Group.objects.get_or_create(name="Editors")
    if created:
        group.permissions.add(
            Permission.objects.get(content_type__app_label="wagtailadmin", codename="access_admin")
        )
        for codename in ("add_page", "change_page"):
            GroupPagePermission.objects.get_or_create(
                group=group,
                page=Page.get_first_root_node(),
                permission=Permission.objects.get(
                    content_type__app_label="wagtailcore", codename=codename
                ),
            )
    return group


def practice_form(**fields):
    """The admin's add/edit form for a practice, as the browser posts it."""
    from wagtail.test.utils.form_data import (
        inline_formset,
        nested_form_data,
        rich_text,
        streamfield,
    )

    empty = rich_text("")
    data = {
        "title": "Floating schools",
        "slug": "floating-schools",
        "summary": "Schools on pontoons keep classes going through the floods.",
        "city": "Cotonou",
        "country": "BJ",
        "region": "",
        "challenge": empty,
        "approach": empty,
        "results": empty,
        "key_figures": streamfield([("figure", {"value": "1,200", "label": "pupils"})]),
        "lessons_learned": empty,
        "attachments": streamfield([]),
        "contacts": inline_formset([]),
        "related_groups": inline_formset([]),
        **fields,
    }
    # Checkbox lists stay lists (nested_form_data would number them like a formset).
    return {"topics": ["climate-adaptation"], "sdgs": ["4", "13"], **nested_form_data(data)}


def test_partner_editors_add_translate_and_publish_practices_in_their_section(client, site_tree):
    """Through the Wagtail admin: an association's editors create and publish a practice in
    their section, and translate it; another association's editors cannot touch it; the
    site's editors can."""
    from wagtail.models import Locale

    from knowledge.models import GoodPracticePage

    knowledge_pages_ensure(languages=["en", "fr"])
    ours, our_editor = onboard("Association of Ghanaian Cities", "agc", ["en", "fr"])
    _theirs, their_editor = onboard("Union of Andean Municipalities", "uam", ["en", "fr"])
    section = ours.section

    client.force_login(our_editor)
    add_url = f"/admin/pages/add/knowledge/goodpracticepage/{section.pk}/"
    assert client.get(add_url).status_code == 200
    response = client.post(add_url, practice_form(**{"action-publish": "action-publish"}))
    assert response.status_code == 302, response.content.decode()[:3000]
    page = GoodPracticePage.objects.get(slug="floating-schools")
    assert page.live and page.get_parent().pk == section.pk
    assert page.region == "sub-saharan-africa"  # derived from the country
    assert [block.value["value"] for block in page.key_figures] == ["1,200"]
    # The database lists it.
    html = client.get("/en/practices/?topic=climate-adaptation&sdg=4").content.decode()
    assert "Floating schools" in html and 'data-total="1"' in html

    # Translatable: the association's editors translate it into French (wagtail-localize).
    french = Locale.objects.get(language_code="fr")
    response = client.post(f"/admin/localize/submit/page/{page.pk}/", {"locales": [french.pk]})
    assert response.status_code == 302 and response["Location"] != "/admin/"
    translated = page.get_translation(french)
    assert translated.city == "Cotonou" and translated.topics == page.topics  # synchronised

    edit_url = f"/admin/pages/{page.pk}/edit/"
    assert client.get(edit_url).status_code == 200
    client.force_login(their_editor)
    assert client.get(edit_url).status_code == 302  # sent back to the dashboard
    response = client.post(edit_url, practice_form(title="Hijacked"))
    page.refresh_from_db()
    assert page.title == "Floating schools"
    # Nor may they put practices into another association's section.
    assert client.get(add_url).status_code == 302

    site_editor = UserFactory(is_staff=True)
    site_editor.groups.add(site_editors())
    client.force_login(site_editor)
    assert client.get(edit_url).status_code == 200
    response = client.post(edit_url, practice_form(title="Floating schools of Cotonou"))
    assert response.status_code == 302, response.content.decode()[:3000]
    page.refresh_from_db()
    assert page.get_latest_revision().as_object().title == "Floating schools of Cotonou"
    # ... and those in the network's own database too.
    central = GoodPracticePage(
        title="Cool roofs", slug="cool-roofs", city="Pune", country="IN", summary="Roofs."
    )
    knowledge_pages_ensure(languages=["en"])["practices"].add_child(instance=central)
    assert client.get(f"/admin/pages/{central.pk}/edit/").status_code == 200
    client.force_login(our_editor)
    assert client.get(f"/admin/pages/{central.pk}/edit/").status_code == 302


def test_admin_group_choices_never_name_a_secret_group_to_an_outsider(client, site_tree):
    """The related-groups select lists what the editor may know about (plus the group
    already chosen, so saving keeps it)."""
    import re

    from groups.models import Membership
    from knowledge.models import GoodPracticeIndexPage, GoodPracticePage
    from tests.factories import GroupFactory, MembershipFactory

    knowledge_pages_ensure(languages=["en"])
    GroupFactory(name="Open streets network", visibility="public")
    secret = GroupFactory(name="Mayors' secret circle", visibility="secret")
    insider = UserFactory(is_staff=True)
    MembershipFactory(group=secret, user=insider, role=Membership.Role.MEMBER)
    outsider = UserFactory(is_staff=True)
    for editor in (insider, outsider):
        editor.groups.add(site_editors())
    index = GoodPracticeIndexPage.objects.get(locale__language_code="en")
    add_url = f"/admin/pages/add/knowledge/goodpracticepage/{index.pk}/"

    def options(html):
        return set(re.findall(r"<option value=\"\d+\"[^>]*>([^<]+)</option>", html))

    client.force_login(outsider)
    html = client.get(add_url).content.decode()
    assert "Open streets network" in options(html)
    assert "Mayors" not in html
    # The same for an event's organising group.
    from knowledge.models import EventIndexPage

    events = EventIndexPage.objects.get(locale__language_code="en")
    html = client.get(f"/admin/pages/add/knowledge/eventpage/{events.pk}/").content.decode()
    assert "Open streets network" in options(html) and "Mayors" not in html
    client.force_login(insider)
    assert "Mayors&#x27; secret circle" in options(client.get(add_url).content.decode())

    # A practice the insider related to the secret group: the outsider's edit form keeps it
    # (selected), and still offers no other secret group.
    page = GoodPracticePage(
        title="Quiet pilot", slug="quiet-pilot", city="Pune", country="IN", summary="Pilot."
    )
    index.add_child(instance=page)
    page.related_groups.create(group=secret)
    page.save_revision()
    client.force_login(outsider)
    html = client.get(f"/admin/pages/{page.pk}/edit/").content.decode()
    assert re.search(rf'<option value="{secret.pk}" selected>', html)


def test_contacts_are_chosen_by_searching_members_not_from_a_list_of_everyone(client, site_tree):
    from django.urls import reverse
    from wagtail.test.utils.form_data import inline_formset, nested_form_data

    from knowledge.models import GoodPracticePage

    from .conftest import EMAIL_RE

    knowledge_pages_ensure(languages=["en"])
    ours, our_editor = onboard("Association of Ghanaian Cities", "agc")
    kwame = UserFactory(display_name="Kwame Mensah", organisation="Kumasi Metropolitan")
    UserFactory(display_name="Kwame Gone", is_active=False)
    UserFactory(display_name="Efua Sarpong")
    client.force_login(our_editor)
    add_url = f"/admin/pages/add/knowledge/goodpracticepage/{ours.section.pk}/"
    html = client.get(add_url).content.decode()
    assert "Efua Sarpong" not in html and "Kwame Mensah" not in html  # no select of everyone
    assert reverse("knowledge_member_chooser:choose") in html

    chooser = reverse("knowledge_member_chooser:choose_results")
    body = client.get(chooser, {"q": "kwame"}).content.decode()
    assert "Kwame Mensah" in body and "Kwame Gone" not in body and "Efua" not in body
    assert not EMAIL_RE.findall(body)
    assert "Kwame Mensah" in client.get(chooser, {"q": "kumasi metro"}).content.decode()

    data = practice_form(**{"action-publish": "action-publish"})
    data.update(
        nested_form_data({"contacts": inline_formset([{"user": kwame.pk, "role": "Lead"}])})
    )
    response = client.post(add_url, data)
    assert response.status_code == 302, response.content.decode()[:2000]
    page = GoodPracticePage.objects.get(slug="floating-schools")
    assert [(c.user, c.role) for c in page.contacts.all()] == [(kwame, "Lead")]
    # A member outside the admin cannot use the chooser.
    client.force_login(UserFactory())
    assert client.get(chooser, {"q": "kwame"}).status_code == 302


def test_a_secret_group_sent_by_hand_is_refused(client, site_tree):
    """The select hides secret groups; the form refuses them too (a crafted POST)."""
    from wagtail.test.utils.form_data import inline_formset

    from knowledge.models import GoodPracticeIndexPage, GoodPracticePage
    from tests.factories import GroupFactory

    knowledge_pages_ensure(languages=["en"])
    open_group = GroupFactory(name="Open streets network", visibility="public")
    secret = GroupFactory(name="Mayors' secret circle", visibility="secret")
    outsider = UserFactory(is_staff=True)
    outsider.groups.add(site_editors())
    index = GoodPracticeIndexPage.objects.get(locale__language_code="en")
    add_url = f"/admin/pages/add/knowledge/goodpracticepage/{index.pk}/"
    client.force_login(outsider)
    for group, saved in ((secret, False), (open_group, True)):
        data = practice_form(
            related_groups=inline_formset([{"group": group.pk}]),
            **{"action-publish": "action-publish"},
        )
        response = client.post(add_url, data)
        assert (response.status_code == 302) is saved, group
    page = GoodPracticePage.objects.get(slug="floating-schools")
    assert [link.group for link in page.related_groups.all()] == [open_group]
