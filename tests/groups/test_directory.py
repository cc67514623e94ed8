"""The group directory: filters, search, paging, secret groups, constant query count."""

import pytest
from django.core.exceptions import PermissionDenied
from django.db import connection
from django.test.utils import CaptureQueriesContext

from groups.models import GroupPage, WorkingGroup
from groups.services import group_index_ensure
from tests.factories import GroupFactory, MembershipFactory, UserFactory


def make_groups(n, **fields):
    """n groups with a live English page each (fast path: no revisions)."""
    index = group_index_ensure()
    start = WorkingGroup.objects.count()
    groups = WorkingGroup.objects.bulk_create(
        [
            WorkingGroup(
                name=f"Bulk group {start + i}",
                slug=f"bulk-{start + i}",
                member_count=i % 7,
                **fields,
            )
            for i in range(n)
        ]
    )
    for group in groups:
        index.add_child(
            instance=GroupPage(
                title=group.name,
                slug=group.slug,
                group=group,
                live=True,
                purpose="A group made in bulk.",
            )
        )
        index.refresh_from_db()
    return groups


def directory_queries(client, path="/en/groups/"):
    with CaptureQueriesContext(connection) as ctx:
        response = client.get(path)
    assert response.status_code == 200
    return len(ctx.captured_queries), response


@pytest.mark.django_db
@pytest.mark.parametrize("signed_in", [False, True], ids=["anonymous", "member"])
def test_directory_query_count_does_not_grow_with_groups(
    client, site_tree, django_assert_num_queries, signed_in
):
    user = UserFactory()
    first = make_groups(1)
    MembershipFactory(group=first[0], user=user)
    secret = GroupFactory(visibility="secret", with_page=True, owner=UserFactory())
    if signed_in:
        MembershipFactory(group=secret, user=user)
        client.force_login(user)
    client.get("/en/groups/")  # warm per-process caches (site root paths, content types)
    at_one, _response = directory_queries(client)
    assert at_one <= 20  # routing, session, nav, inbox badge + 4 for the directory itself

    groups = make_groups(499)
    for group in groups[:30]:
        MembershipFactory(group=group, user=user)
    with django_assert_num_queries(at_one):
        response = client.get("/en/groups/")
    assert response.context["page_obj"].paginator.count == 500 + (1 if signed_in else 0)
    with django_assert_num_queries(at_one):
        client.get("/en/groups/?page=3&sort=members&language=en")


@pytest.fixture
def catalogue(site_tree):
    owner = UserFactory()
    mobility = GroupFactory(
        name="Urban mobility",
        slug="mobility",
        kind="thematic",
        topic="urban-mobility",
        languages=",en,fr,",
        with_page=True,
        owner=owner,
    )
    mena = GroupFactory(
        name="MENA network",
        slug="mena",
        kind="regional",
        topic="",
        region="mena",
        languages=",ar,en,",
        with_page=True,
        owner=owner,
        visibility="members",
    )
    latam = GroupFactory(
        name="Latin America network",
        slug="latam",
        kind="regional",
        topic="",
        region="latin-america",
        languages=",es,pt,",
        with_page=True,
        owner=owner,
    )
    hidden = GroupFactory(
        name="Hidden circle", slug="hidden", visibility="secret", with_page=True, owner=owner
    )
    # A German title for the mobility group, to search by a translated name.
    from cms.services import page_translation_ensure

    group_index_ensure(language="de", title="Arbeitsgruppen")
    page_translation_ensure(page=mobility.page_in("en"), language="de", title="Urbane Mobilität")
    return {"mobility": mobility, "mena": mena, "latam": latam, "hidden": hidden, "owner": owner}


def titles(response):
    return [g.title for g in response.context["groups"]]


@pytest.mark.django_db
@pytest.mark.parametrize(
    "query,expected",
    [
        ("", {"Urban mobility", "MENA network", "Latin America network"}),
        ("kind=regional", {"MENA network", "Latin America network"}),
        ("kind=thematic&topic=urban-mobility", {"Urban mobility"}),
        ("region=mena", {"MENA network"}),
        ("language=pt", {"Latin America network"}),
        ("language=en", {"Urban mobility", "MENA network"}),
        ("q=network", {"MENA network", "Latin America network"}),
        ("q=urbane", {"Urban mobility"}),  # matches the German title
        ("q=hidden", set()),  # secret groups are not found by name either
        ("kind=regional&language=ar&q=mena", {"MENA network"}),
    ],
)
def test_directory_filters(client, catalogue, query, expected):
    response = client.get(f"/en/groups/?{query}")
    assert response.status_code == 200
    assert set(titles(response)) == expected
    assert "Hidden circle" not in response.content.decode()


@pytest.mark.django_db
def test_directory_shows_localised_titles_and_counts(client, catalogue):
    response = client.get("/de/groups/")
    html = response.content.decode()
    assert "Urbane Mobilität" in html and 'href="/de/groups/mobility/"' in html
    # Untranslated groups fall back to the English page.
    assert "MENA network" in html and 'href="/en/groups/mena/"' in html
    assert "3 Gruppen" in html
    group_index_ensure(language="ar", title="مجموعات العمل")
    html = client.get("/ar/groups/").content.decode()
    assert "3 مجموعات" in html and 'dir="rtl"' in html  # Arabic plural forms, right to left


@pytest.mark.django_db
def test_directory_paginates_and_keeps_filters(client, site_tree):
    make_groups(30, kind="regional")
    make_groups(5, kind="thematic")
    response = client.get("/en/groups/?kind=regional&sort=name")
    assert len(response.context["groups"]) == 24
    html = response.content.decode()
    assert 'href="?kind=regional&amp;sort=name&amp;page=2"' in html
    response = client.get("/en/groups/?kind=regional&sort=name&page=2")
    assert len(response.context["groups"]) == 6


@pytest.mark.django_db
def test_secret_groups_stay_out_of_sitemap_feed_and_search(client, catalogue):
    sitemap = client.get("/sitemap.xml").content.decode()
    assert "/groups/mobility/" in sitemap and "/groups/hidden/" not in sitemap
    feed = client.get("/en/groups/feed/")
    assert feed.status_code == 200 and feed["Content-Type"].startswith("application/atom+xml")
    assert (
        "Urban mobility" in feed.content.decode() and "Hidden circle" not in feed.content.decode()
    )
    assert "Urban mobility" in client.get("/en/search/?q=mobility").content.decode()
    assert "Hidden circle" not in client.get("/en/search/?q=hidden").content.decode()


@pytest.mark.django_db
def test_a_group_turned_secret_leaves_the_search_index(client, catalogue):
    from groups.services import group_update_settings

    assert "Urban mobility" in client.get("/en/search/?q=mobility").content.decode()
    with pytest.raises(PermissionDenied):
        # only owners change settings
        group_update_settings(group=catalogue["mobility"], by=UserFactory(), visibility="secret")
    from django.test import TestCase

    with TestCase.captureOnCommitCallbacks(execute=True):
        group_update_settings(
            group=catalogue["mobility"], by=catalogue["owner"], visibility="secret"
        )
    assert "Urban mobility" not in client.get("/en/search/?q=mobility").content.decode()
    assert "/groups/mobility/" not in client.get("/sitemap.xml").content.decode()
    with TestCase.captureOnCommitCallbacks(execute=True):
        group_update_settings(
            group=catalogue["mobility"], by=catalogue["owner"], visibility="public"
        )
    assert "Urban mobility" in client.get("/en/search/?q=mobility").content.decode()
