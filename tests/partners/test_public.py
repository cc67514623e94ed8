"""The public side: the partners page, sections, news, regional navigation, own hostnames."""

import datetime

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.db import connection
from django.test import Client
from django.test.utils import CaptureQueriesContext
from wagtail.images.tests.utils import get_test_image_file

from partners.models import NewsIndexPage, NewsPage, PartnerPage
from partners.services import partners_index_ensure
from tests.factories import UserFactory, create_partner


def logo():
    return SimpleUploadedFile(
        "logo.png", get_test_image_file().file.getvalue(), content_type="image/png"
    )


def add_news(association, n, start=0):
    index = NewsIndexPage.objects.child_of(association.section).get()
    for i in range(start, start + n):
        page = index.add_child(
            instance=NewsPage(
                title=f"News item {i}",
                slug=f"news-{i}",
                date=datetime.date(2026, 1, 1) + datetime.timedelta(days=i),
            )
        )
        page.save_revision().publish()


def queries_for(client, url) -> int:
    client.get(url)  # warm up: image renditions are created on first view
    with CaptureQueriesContext(connection) as captured:
        assert client.get(url).status_code == 200
    return len(captured)


@pytest.mark.django_db
def test_partners_index_groups_sections_by_region_and_falls_back_to_the_main_language(
    client, site_tree
):
    partners_index_ensure()
    create_partner(name="Lagoon Alliance", region="africa", languages=["en", "fr"], logo=logo())
    create_partner(
        name="Red Ribereña", region="americas", languages=["es", "pt"], intro="Ciudades del río."
    )
    html = client.get("/fr/partners/").content.decode()
    assert '<h2 id="region-africa">Africa' in html or 'id="region-africa"' in html
    assert 'href="/fr/lagoon-alliance/"' in html  # translated: the French page
    # Not in French: the Spanish page, marked as Spanish.
    assert (
        'href="/es/red-riberena/" hreflang="es"' in html
        and '<p lang="es">Ciudades del río.</p>' in html
    )
    assert html.index('id="region-africa"') < html.index('id="region-americas"')
    assert "partner-logo" in html


@pytest.mark.django_db
def test_partners_index_query_count_does_not_grow_with_sections(
    client, site_tree, django_assert_max_num_queries
):
    partners_index_ensure()
    for i in range(2):
        create_partner(
            name=f"Assoc {i}", region=["africa", "asia"][i % 2], languages=["en"], logo=logo()
        )
    few = queries_for(client, "/en/partners/")
    for i in range(2, 8):
        create_partner(
            name=f"Assoc {i}",
            region=["africa", "asia", "europe"][i % 3],
            languages=["en"],
            logo=logo(),
        )
    client.get("/en/partners/")  # renditions for the new logos
    with django_assert_max_num_queries(few):
        html = client.get("/en/partners/").content.decode()
    assert all(f"Assoc {i}" in html for i in range(8))


@pytest.mark.django_db
def test_news_index_query_count_does_not_grow_with_news(
    client, site_tree, django_assert_max_num_queries
):
    association = create_partner(name="Assoc", languages=["en"], logo=logo())
    add_news(association, 3)
    few = queries_for(client, "/en/assoc/news/")
    add_news(association, 15, start=3)
    with django_assert_max_num_queries(few):
        response = client.get("/en/assoc/news/")
    html = response.content.decode()
    assert "News item 17" in html and "News item 7" not in html  # newest first, ten a page
    assert 'rel="next" href="?page=2"' in html
    assert "News item 7" in client.get("/en/assoc/news/?page=2").content.decode()


@pytest.mark.django_db
def test_section_page_has_its_menu_latest_news_and_regional_navigation(client, site_tree):
    partners_index_ensure()
    a = create_partner(name="Lagoon Alliance", region="africa", languages=["en"], logo=logo())
    create_partner(name="Savanna Network", region="africa", languages=["en"])
    create_partner(name="Monsoon Forum", region="asia", languages=["en"])
    a.section.add_child(
        instance=PartnerPage(title="Who we are", slug="who-we-are")
    ).save_revision().publish()
    add_news(a, 4)
    html = client.get("/en/lagoon-alliance/").content.decode()
    nav = html[html.index('class="partner-nav"') :]
    nav = nav[: nav.index("</nav>")]
    assert (
        'href="/en/lagoon-alliance/news/"' in nav
        and 'href="/en/lagoon-alliance/who-we-are/"' in nav
    )
    assert "News item 3" in html and "News item 0" not in html  # the three latest
    regional = html[html.index('class="card regional-nav"') :]
    assert "Savanna Network" in regional and "Monsoon Forum" not in regional
    assert 'href="/en/partners/"' in regional
    # Inside the section, the menu marks where you are.
    html = client.get("/en/lagoon-alliance/news/news-1/").content.decode()
    assert 'href="/en/lagoon-alliance/news/" aria-current="true"' in html


@pytest.mark.django_db
def test_partner_pages_render_right_to_left_in_arabic(client, site_tree):
    create_partner(name="Levant Forum", region="asia", languages=["en", "ar"])
    for path in ("/ar/levant-forum/", "/ar/levant-forum/news/"):
        response = client.get(path)
        assert response.status_code == 200
        assert '<html lang="ar" dir="rtl">' in response.content.decode()


@pytest.mark.django_db
def test_own_hostname_serves_the_section_with_its_branding(client, site_tree, settings):
    settings.ALLOWED_HOSTS = ["testserver", "lagoon.example.org"]
    association = create_partner(
        name="Lagoon Alliance",
        languages=["en", "fr"],
        hostname="lagoon.example.org",
        accent_colour="#9a3412",
        logo=logo(),
    )
    branded = client.get("/fr/", HTTP_HOST="lagoon.example.org")
    assert branded.status_code == 200
    html = branded.content.decode()
    assert "<style>:root { --brand: #9a3412;" in html and "partner-branded" in html
    assert "Lagoon Alliance" in html and "partner-logo" in html
    assert (
        branded.context["page"].pk
        == association.section.get_translation(
            association.section.locale.__class__.objects.get(language_code="fr")
        ).pk
    )
    news = client.get("/en/news/", HTTP_HOST="lagoon.example.org")
    assert news.status_code == 200 and "--brand: #9a3412" in news.content.decode()
    # On Plaza's own host the section is there too, in Plaza's colours.
    plain = client.get("/en/lagoon-alliance/").content.decode()
    assert (
        "--brand: #9a3412" not in plain
        and "partner-branded" not in plain
        and "Lagoon Alliance" in plain
    )


@pytest.mark.django_db
def test_accounts_stay_shared_on_an_own_hostname(site_tree, settings):
    settings.ALLOWED_HOSTS = ["testserver", "lagoon.example.org"]
    create_partner(name="Lagoon Alliance", languages=["en"], hostname="lagoon.example.org")
    member = UserFactory(display_name="Ama Owusu")
    client = Client(HTTP_HOST="lagoon.example.org")
    assert client.get("/en/accounts/login/").status_code == 200
    response = client.post(
        "/en/accounts/login/", {"login": member.email, "password": "a-Long-test-passw0rd"}
    )
    assert response.status_code == 302
    html = client.get("/en/").content.decode()
    assert "Ama Owusu" in html  # the same Plaza account, logged in on the partner's host
    assert client.get("/en/me/").status_code == 200
