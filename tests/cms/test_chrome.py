"""The header chrome: the Administration link follows Wagtail's access_admin permission
(directly, through a group, or as a superuser) and costs one query, asked only when shown."""

import pytest
from django.contrib.auth.models import Group, Permission

from tests.factories import UserFactory

ADMIN_LINK = '<a href="/admin/">'


@pytest.fixture
def access_admin(db):
    return Permission.objects.get(content_type__app_label="wagtailadmin", codename="access_admin")


@pytest.mark.django_db
def test_admin_link_only_for_people_who_may_open_the_admin(client, site_tree, access_admin):
    plain = UserFactory()
    direct = UserFactory()
    direct.user_permissions.add(access_admin)
    editors = Group.objects.create(name="Test editors")
    editors.permissions.add(access_admin)
    via_group = UserFactory()
    via_group.groups.add(editors)
    superuser = UserFactory(is_superuser=True)
    other_permission_only = UserFactory()
    other_permission_only.user_permissions.add(
        Permission.objects.exclude(pk=access_admin.pk).first()
    )
    for user, expected in (
        (plain, False),
        (direct, True),
        (via_group, True),
        (superuser, True),
        (other_permission_only, False),
    ):
        client.force_login(user)
        html = client.get("/en/me/").content.decode()
        assert (ADMIN_LINK in html) == expected, user
    client.logout()
    assert ADMIN_LINK not in client.get("/en/").content.decode()


def test_the_admin_question_is_one_query(rf, access_admin, django_assert_num_queries):
    from cms.context_processors import may_open_admin

    user = UserFactory()
    with django_assert_num_queries(1):
        assert may_open_admin(user) is False


def _nav(html: str) -> str:
    return html[html.index('<nav class="main-nav"') : html.index("</nav>")]


@pytest.mark.django_db
def test_main_menu_is_cached_per_language_and_follows_page_changes(client, site_tree):
    from django.db import connection
    from django.test.utils import CaptureQueriesContext

    from cms.models import StandardPage

    about = site_tree.add_child(
        instance=StandardPage(title="About us", slug="about-us", show_in_menus=True)
    )
    assert "About us" in _nav(client.get("/en/").content.decode())
    # The next page costs no menu queries (site, locale, home, its children).
    with CaptureQueriesContext(connection) as ctx:
        client.get("/en/discussions/")
    menu_tables = ("wagtailcore_site", "wagtailcore_locale")
    assert not [q for q in ctx.captured_queries if any(t in q["sql"] for t in menu_tables)]
    # An edit, a new menu page or a removal shows at once.
    about.title = "Who we are"
    about.save_revision().publish()
    assert "Who we are" in _nav(client.get("/en/discussions/").content.decode())
    site_tree.add_child(instance=StandardPage(title="Contact", slug="contact", show_in_menus=True))
    assert "Contact" in _nav(client.get("/en/discussions/").content.decode())
    about.unpublish()
    nav = _nav(client.get("/en/discussions/").content.decode())
    assert "Who we are" not in nav and "Contact" in nav
    # The current page is still marked on a cached menu.
    html = client.get("/en/contact/").content.decode()
    assert 'href="/en/contact/" aria-current="page">Contact' in _nav(html)


@pytest.mark.django_db
def test_pages_below_the_menu_keep_the_cached_menu(client, site_tree):
    from cms.chrome_cache import chrome_version
    from cms.models import StandardPage

    about = site_tree.add_child(
        instance=StandardPage(title="About", slug="about-x", show_in_menus=True)
    )
    client.get("/en/")
    version = chrome_version()
    about.add_child(instance=StandardPage(title="Deep", slug="deep", show_in_menus=True))
    assert chrome_version() == version  # not in the menu: nothing to forget
    about.title = "About Plaza"
    about.save_revision().publish()
    assert chrome_version() > version
