"""The good-practice database: facets combine, counts match results, URLs are canonical."""

import itertools
import re
from urllib.parse import parse_qsl, urlparse

import pytest
from django.http import QueryDict

from knowledge.selectors import PracticeFilter, practice_search
from knowledge.services import knowledge_pages_ensure
from tests.factories import GoodPracticeFactory

pytestmark = pytest.mark.django_db

# (title, city, country, region, topics, sdgs)
PRACTICES = [
    ("Bus rapid transit", "Kumasi", "GH", "sub-saharan-africa", ",urban-mobility,", ",11,13,"),
    ("Cool roofs", "Pune", "IN", "asia", ",climate-adaptation,energy-efficiency,", ",7,13,"),
    (
        "Market waste compost",
        "Kumasi",
        "GH",
        "sub-saharan-africa",
        ",waste-circular-economy,",
        ",11,12,",
    ),
    (
        "Open budget portal",
        "Recife",
        "BR",
        "latin-america",
        ",digitalisation,urban-governance,",
        ",16,",
    ),
    ("Safe school streets", "Puebla", "MX", "latin-america", ",urban-mobility,", ",3,11,"),
    (
        "Flood early warning",
        "Dakar",
        "SN",
        "sub-saharan-africa",
        ",climate-adaptation,digitalisation,",
        ",11,13,",
    ),
]


@pytest.fixture
def practices(site_tree):
    knowledge_pages_ensure(languages=["en", "fr"])
    pages = [
        GoodPracticeFactory(
            title=t,
            slug=re.sub(r"\W+", "-", t.lower()),
            city=c,
            country=co,
            region=r,
            topics=tp,
            sdgs=s,
        )
        for t, c, co, r, tp, s in PRACTICES
    ]
    # Two of them also exist in French.
    from cms.services import page_translation_ensure

    page_translation_ensure(page=pages[0], language="fr", title="Bus à haut niveau de service")
    page_translation_ensure(page=pages[5], language="fr", title="Alerte précoce aux inondations")
    return pages


def titles(result) -> set[str]:
    return {p.title for p in result.results}


def expected(**facets) -> set[str]:
    out = set()
    for t, _c, co, r, tp, s in PRACTICES:
        ok = True
        if "topic" in facets and f",{facets['topic']}," not in tp:
            ok = False
        if "sdg" in facets and f",{facets['sdg']}," not in s:
            ok = False
        if "region" in facets and r != facets["region"]:
            ok = False
        if "country" in facets and co != facets["country"]:
            ok = False
        if (
            "language" in facets
            and facets["language"] == "fr"
            and t not in ("Bus rapid transit", "Flood early warning")
        ):
            ok = False
        if ok:
            out.add(t)
    return out


def test_facets_combine_with_and(practices):
    result = practice_search(PracticeFilter(topic="climate-adaptation"), "en")
    assert titles(result) == {"Cool roofs", "Flood early warning"}
    result = practice_search(
        PracticeFilter(topic="climate-adaptation", region="sub-saharan-africa"), "en"
    )
    assert titles(result) == {"Flood early warning"}
    result = practice_search(PracticeFilter(sdg="11", country="GH"), "en")
    assert titles(result) == {"Bus rapid transit", "Market waste compost"}
    result = practice_search(PracticeFilter(sdg="11", language="fr"), "en")
    assert titles(result) == {"Bus rapid transit", "Flood early warning"}
    result = practice_search(PracticeFilter(topic="urban-mobility", region="asia"), "en")
    assert titles(result) == set() and result.total == 0


@pytest.mark.parametrize(
    "selection",
    [
        {},
        {"topic": "urban-mobility"},
        {"region": "sub-saharan-africa"},
        {"sdg": "13", "country": "GH"},
        {"language": "fr"},
        {"topic": "digitalisation", "sdg": "11"},
    ],
)
def test_every_facet_count_equals_the_results_of_choosing_it(practices, selection):
    flt = PracticeFilter(**selection)
    result = practice_search(flt, "en")
    assert result.total == len(titles(result)) == len(expected(**selection))
    assert titles(result) == expected(**selection)
    checked = 0
    for name, items in result.facets.items():
        for item in items:
            chosen = practice_search(flt.with_(**{name: item.value}), "en")
            assert item.count == chosen.total == len(titles(chosen)), (name, item.value)
            checked += 1
    assert checked >= 8


def test_counts_cover_every_combination_of_two_facets(practices):
    """Brute force over pairs of facet values: the count shown is what you get."""
    base = practice_search(PracticeFilter(), "en")
    values = [(name, item.value) for name, items in base.facets.items() for item in items]
    for (n1, v1), (n2, v2) in itertools.combinations(values, 2):
        if n1 == n2:
            continue
        result = practice_search(PracticeFilter(**{n1: v1, n2: v2}), "en")
        assert titles(result) == expected(**{n1: v1, n2: v2}), (n1, v1, n2, v2)


def test_french_index_shows_french_titles_and_falls_back_to_english(practices):
    result = practice_search(PracticeFilter(), "fr")
    names = titles(result)
    assert "Bus à haut niveau de service" in names and "Bus rapid transit" not in names
    assert "Cool roofs" in names  # not translated: the English page stands in
    assert result.total == len(PRACTICES)


def test_search_combines_with_facets(practices):
    result = practice_search(PracticeFilter(q="roofs"), "en")
    assert titles(result) == {"Cool roofs"}
    result = practice_search(PracticeFilter(q="Kumasi", topic="urban-mobility"), "en")
    assert titles(result) == {"Bus rapid transit"}


@pytest.mark.parametrize(
    "filter_kwargs",
    [
        {},
        {"q": "flood warning"},
        {"topic": "urban-mobility", "sdg": "11"},
        {"q": "ä ö & = ?", "region": "asia", "country": "IN", "language": "fr", "page": 3},
    ],
)
def test_filter_urls_round_trip(filter_kwargs):
    flt = PracticeFilter(**filter_kwargs)
    qs = flt.querystring()
    again = PracticeFilter.from_params(QueryDict(qs.lstrip("?")))
    assert again == flt
    assert again.querystring() == qs


def test_query_string_is_in_canonical_order():
    flt = PracticeFilter.from_params(
        QueryDict("sdg=11&topic=urban-mobility&q=bus&language=fr&region=asia&country=in")
    )
    assert [k for k, _v in parse_qsl(flt.querystring().lstrip("?"))] == [
        "q",
        "topic",
        "region",
        "country",
        "sdg",
        "language",
    ]
    # Unknown values are dropped rather than breaking the page.
    assert (
        PracticeFilter.from_params(QueryDict("topic=nonsense&sdg=99&country=XX"))
        == PracticeFilter()
    )


def test_index_redirects_to_the_canonical_url_and_shows_counts(client, practices):
    response = client.get("/en/practices/?sdg=11&topic=urban-mobility&region=&q=")
    assert response.status_code == 302
    assert response["Location"] == "/en/practices/?topic=urban-mobility&sdg=11"
    response = client.get(response["Location"])
    assert response.status_code == 200
    html = response.content.decode()
    assert 'data-total="2"' in html
    assert (
        "Bus rapid transit" in html and "Safe school streets" in html and "Cool roofs" not in html
    )
    # Every facet link on the page is itself canonical and its count is what it delivers.
    links = re.findall(
        r'<a href="(\?[^"]*)" data-facet="(\w+)" data-value="([^"]+)"([^>]*)>.*?</a> '
        r'<span class="count" data-count>(\d+)</span>',
        html,
    )
    assert len(links) > 5
    for href, _name, _value, attrs, count in links:
        href = href.replace("&amp;", "&")
        if "aria-current" in attrs:
            # A chosen value shows the current total; its link removes it.
            assert count == "2"
            continue
        target = client.get("/en/practices/" + (href if href != "?" else ""))
        assert target.status_code == 200, href
        assert f'data-total="{count}"' in target.content.decode(), href
    canonical = re.search(r'<link rel="canonical" href="([^"]+)">', html).group(1)
    assert urlparse(canonical.replace("&amp;", "&")).query == "topic=urban-mobility&sdg=11"


def test_drafts_are_not_listed(client, practices):
    GoodPracticeFactory(title="Unpublished idea", live=False)
    assert "Unpublished idea" not in client.get("/en/practices/").content.decode()


@pytest.mark.parametrize("n", [3, 12])
def test_index_query_count_does_not_grow(client, site_tree, django_assert_max_num_queries, n):
    knowledge_pages_ensure(languages=["en"])
    for i in range(n):
        GoodPracticeFactory(
            title=f"Practice number {i}", topics=",urban-mobility,digitalisation,", sdgs=",11,"
        )
    client.get("/en/practices/?topic=urban-mobility")  # warm per-process caches (site root paths)
    # 4 queries are ours; the rest is Wagtail serving the index page and the menu.
    with django_assert_max_num_queries(13):
        response = client.get("/en/practices/?topic=urban-mobility")
    assert response.status_code == 200
    assert response.content.decode().count("practice-card") == n
