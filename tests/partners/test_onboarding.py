"""Onboarding an association: exactly the expected pages, groups, permissions, collection, site."""

from io import StringIO

import pytest
from django.contrib.auth.models import Group, Permission
from django.core.exceptions import ValidationError
from django.core.files.uploadedfile import SimpleUploadedFile
from django.core.management import CommandError, call_command
from wagtail.images.tests.utils import get_test_image_file
from wagtail.models import (
    Collection,
    GroupCollectionPermission,
    GroupPagePermission,
    Page,
    Site,
    Workflow,
    WorkflowPage,
)

from partners.models import NewsIndexPage, PartnerAssociation, PartnerSectionPage, PartnersIndexPage
from partners.services import partner_section_create
from tests.factories import UserFactory


def snapshot():
    return {
        "pages": set(Page.objects.values_list("pk", flat=True)),
        "groups": set(Group.objects.values_list("pk", flat=True)),
        "collections": set(Collection.objects.values_list("pk", flat=True)),
        "sites": set(Site.objects.values_list("pk", flat=True)),
        "page_perms": GroupPagePermission.objects.count(),
        "collection_perms": GroupCollectionPermission.objects.count(),
        "workflows": Workflow.objects.count(),
    }


def onboard(**overrides):
    kwargs = {
        "name": "Savanna Towns Network",
        "slug": "savanna-towns",
        "region": "africa",
        "languages": ["en", "fr"],
        "hostname": "savanna.example.org",
    }
    kwargs.update(overrides)
    return partner_section_create(**kwargs)


@pytest.mark.django_db
def test_onboarding_creates_exactly_the_expected_objects(site_tree):
    before = snapshot()
    association = onboard()
    after = snapshot()

    new_pages = Page.objects.filter(pk__in=after["pages"] - before["pages"])
    described = sorted(
        (p.specific_class.__name__, p.locale.language_code, p.url_path, p.live) for p in new_pages
    )
    assert described == [
        ("HomePage", "fr", "/home-fr/", True),  # the French home the French section needs
        ("NewsIndexPage", "en", "/home/savanna-towns/news/", True),
        ("NewsIndexPage", "fr", "/home-fr/savanna-towns/news/", True),
        ("PartnerSectionPage", "en", "/home/savanna-towns/", True),
        ("PartnerSectionPage", "fr", "/home-fr/savanna-towns/", True),
        ("PartnersIndexPage", "en", "/home/partners/", True),
        ("PartnersIndexPage", "fr", "/home-fr/partners/", True),
    ]
    sections = PartnerSectionPage.objects.filter(association=association)
    assert association.section.locale.language_code == "en"
    assert sections.count() == 2 and len({s.translation_key for s in sections}) == 1

    # Two groups, nothing else.
    editors, moderators = association.editors_group, association.moderators_group
    assert set(Group.objects.filter(pk__in=after["groups"] - before["groups"])) == {
        editors,
        moderators,
    }
    assert (editors.name, moderators.name) == (
        "Savanna Towns Network: editors",
        "Savanna Towns Network: moderators",
    )
    assert sorted(editors.permissions.values_list("content_type__app_label", "codename")) == [
        ("wagtail_localize", "submit_translation"),
        ("wagtailadmin", "access_admin"),
    ]
    assert not moderators.permissions.exists()
    assert not GroupPagePermission.objects.filter(group=moderators).exists()
    assert not GroupCollectionPermission.objects.filter(group=moderators).exists()

    # Page rights: add/edit/publish on each language's section page, nowhere else.
    assert sorted(
        GroupPagePermission.objects.filter(group=editors).values_list(
            "page__url_path", "permission__codename"
        )
    ) == sorted(
        (path, codename)
        for path in ("/home/savanna-towns/", "/home-fr/savanna-towns/")
        for codename in ("add_page", "change_page", "publish_page")
    )
    assert after["page_perms"] - before["page_perms"] == 6

    # Its own collection, with image and document rights there only.
    collection = association.collection
    assert set(after["collections"] - before["collections"]) == {collection.pk}
    assert (
        collection.name == "Savanna Towns Network"
        and collection.get_parent() == Collection.get_first_root_node()
    )
    assert sorted(
        GroupCollectionPermission.objects.filter(group=editors).values_list(
            "collection_id", "permission__codename"
        )
    ) == sorted(
        (collection.pk, c)
        for c in (
            "add_image",
            "change_image",
            "delete_image",
            "choose_image",
            "add_document",
            "change_document",
            "delete_document",
            "choose_document",
        )
    )
    assert after["collection_perms"] - before["collection_perms"] == 8

    # Its own site, rooted at the section.
    site = association.site
    assert set(after["sites"] - before["sites"]) == {site.pk}
    assert (site.hostname, site.port, site.root_page_id, site.is_default_site) == (
        "savanna.example.org",
        80,
        association.section_id,
        False,
    )
    assert after["workflows"] == before["workflows"]
    assert association.languages == ["en", "fr"] and association.region == "africa"


@pytest.mark.django_db
def test_onboarding_twice_fails_with_a_clear_message_and_changes_nothing(site_tree):
    onboard()
    before = snapshot()
    with pytest.raises(ValidationError) as caught:
        onboard()
    assert caught.value.messages == [
        "“Savanna Towns Network” is already onboarded: its section is at /savanna-towns/. "
        "Nothing was changed."
    ]
    with pytest.raises(ValidationError):
        onboard(name="savanna towns network", slug="other-slug", hostname="")  # same name, any case
    with pytest.raises(ValidationError):
        onboard(name="Another name", hostname="")  # same slug
    assert snapshot() == before


@pytest.mark.django_db
@pytest.mark.parametrize(
    "overrides,field",
    [
        ({"slug": "Not a slug!"}, "slug"),
        ({"slug": "partners"}, "slug"),  # taken by the partners index page
        ({"languages": []}, "languages"),
        ({"languages": ["en", "xx"]}, "languages"),
        ({"region": "atlantis"}, "region"),
        ({"accent_colour": "red; background: url(x)"}, "accent_colour"),
        ({"hostname": "not a host"}, "hostname"),
        ({"name": "  "}, "name"),
        ({"name": "N" * 121}, "name"),  # "<name>: moderators" must fit a Django group name
        ({"slug": "s" * 81}, "slug"),
    ],
)
def test_bad_input_is_refused_by_field(site_tree, overrides, field):
    onboard(name="First", slug="first", hostname="")  # creates /partners/
    before = snapshot()
    with pytest.raises(ValidationError) as caught:
        onboard(**overrides)
    assert field in caught.value.message_dict
    assert snapshot() == before


@pytest.mark.django_db
def test_a_hostname_already_used_is_refused(site_tree):
    onboard()
    with pytest.raises(ValidationError) as caught:
        onboard(name="Other", slug="other", hostname="savanna.example.org")
    assert "hostname" in caught.value.message_dict


@pytest.mark.django_db
def test_the_review_workflow_option(site_tree):
    association = onboard(workflow=True, hostname="")
    workflow = association.workflow
    tasks = [t.specific for t in workflow.tasks.all()]
    assert [type(t).__name__ for t in tasks] == ["SecondEditorApprovalTask"]
    assert list(tasks[0].groups.all()) == [association.editors_group]
    assert set(
        WorkflowPage.objects.filter(workflow=workflow).values_list("page_id", flat=True)
    ) == set(association.section_pages.values_list("pk", flat=True))
    # Publishing goes through review: editors may add and edit, not publish directly.
    assert set(
        GroupPagePermission.objects.filter(group=association.editors_group).values_list(
            "permission__codename", flat=True
        )
    ) == {"add_page", "change_page"}


@pytest.mark.django_db
def test_a_logo_lands_in_the_associations_collection(site_tree):
    association = onboard(
        logo=SimpleUploadedFile("logo.png", get_test_image_file().file.getvalue()), hostname=""
    )
    assert association.logo.collection == association.collection
    with pytest.raises(ValidationError) as caught:
        onboard(
            name="Other",
            slug="other",
            hostname="",
            logo=SimpleUploadedFile("logo.png", b"not an image"),
        )
    assert "logo" in caught.value.message_dict


@pytest.mark.django_db
def test_the_management_command(site_tree):
    out = StringIO()
    call_command(
        "create_partner_section",
        "Monsoon Cities Forum",
        "--region",
        "asia",
        "--languages",
        "en,ar",
        "--hostname",
        "monsoon.example.org",
        stdout=out,
    )
    association = PartnerAssociation.objects.get(slug="monsoon-cities-forum")
    assert (
        association.languages == ["en", "ar"] and association.site.hostname == "monsoon.example.org"
    )
    assert "Onboarded Monsoon Cities Forum." in out.getvalue()
    assert "monsoon.example.org" in out.getvalue()
    with pytest.raises(CommandError, match="already onboarded"):
        call_command(
            "create_partner_section",
            "Monsoon Cities Forum",
            "--region",
            "asia",
            "--languages",
            "en,ar",
        )
    with pytest.raises(CommandError, match="Unknown language"):
        call_command(
            "create_partner_section", "Other Forum", "--region", "asia", "--languages", "en,xx"
        )


@pytest.mark.django_db
def test_admin_onboarding_view(client, site_tree):
    admin = UserFactory(is_superuser=True)
    client.force_login(admin)
    assert client.get("/admin/partners/new/").status_code == 200
    data = {
        "name": "Pampas Municipal Network",
        "slug": "",
        "region": "americas",
        "main_language": "es",
        "other_languages": ["pt", "es"],
        "accent_colour": "#123456",
        "hostname": "",
        "logo": SimpleUploadedFile(
            "logo.png", get_test_image_file().file.getvalue(), content_type="image/png"
        ),
    }
    response = client.post("/admin/partners/new/", data)
    association = PartnerAssociation.objects.get(slug="pampas-municipal-network")
    assert (
        response.status_code == 302
        and response["Location"] == f"/admin/pages/{association.section_id}/"
    )
    assert association.languages == ["es", "pt"] and association.logo is not None
    assert association.section.locale.language_code == "es"
    assert (
        NewsIndexPage.objects.filter(locale__language_code="pt")
        .descendant_of(association.section_pages.get(locale__language_code="pt"))
        .exists()
    )
    assert PartnersIndexPage.objects.filter(locale__language_code="pt").exists()

    # Twice: a 400 with the message, and the form keeps what was typed.
    data["logo"] = SimpleUploadedFile(
        "logo.png", get_test_image_file().file.getvalue(), content_type="image/png"
    )
    response = client.post("/admin/partners/new/", data)
    assert response.status_code == 400
    html = response.content.decode()
    assert "is already onboarded" in html
    assert 'value="Pampas Municipal Network"' in html
    assert PartnerAssociation.objects.count() == 1


@pytest.mark.django_db
def test_association_list_is_for_site_admins(client, site_tree):
    onboard()
    admin = UserFactory(is_superuser=True)
    client.force_login(admin)
    response = client.get("/admin/partners/")
    assert response.status_code == 200 and "Savanna Towns Network" in response.content.decode()
    # No delete view: pages, groups, the collection and the site hang off an association.
    association = PartnerAssociation.objects.get()
    assert client.get(f"/admin/partners/delete/{association.pk}/").status_code in (302, 403)
    assert PartnerAssociation.objects.exists()


@pytest.mark.django_db
def test_branding_edit_goes_through_the_service(client, site_tree):
    association = onboard(hostname="")
    admin = UserFactory(is_superuser=True)
    client.force_login(admin)
    response = client.post(
        f"/admin/partners/edit/{association.pk}/",
        {"region": "europe", "accent_colour": "#aa0000", "logo": ""},
    )
    assert response.status_code == 302
    association.refresh_from_db()
    assert (association.region, association.accent_colour) == ("europe", "#aa0000")
    response = client.post(
        f"/admin/partners/edit/{association.pk}/",
        {"region": "europe", "accent_colour": "red;}", "logo": ""},
    )
    assert response.status_code == 200  # form re-shown with the error
    association.refresh_from_db()
    assert association.accent_colour == "#aa0000"
    assert Permission.objects.filter(codename="change_partnerassociation").exists()
