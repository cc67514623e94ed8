"""Counts read right in every language: the catalogues carry every plural form their
`Plural-Forms` header demands (tests/test_project.py checks that), the compiled .mo picks
the right one, and the pages show the count in the visitor's language, not in English."""

import gettext
import re
from pathlib import Path

import polib
import pytest
from django.core.management import call_command

from knowledge.models import GoodPracticeIndexPage
from tests.factories import GoodPracticeFactory, knowledge_index

ROOT = Path(__file__).resolve().parent.parent
KNOWLEDGE_LOCALE = ROOT / "knowledge" / "locale"
PRACTICE = ("%(n)s good practice", "%(n)s good practices")


def _mo(language: str, tmp_path: Path) -> gettext.GNUTranslations:
    """The knowledge catalogue as compile_translations writes it (into a scratch copy)."""
    po = KNOWLEDGE_LOCALE / language / "LC_MESSAGES" / "django.po"
    mo = tmp_path / f"{language}.mo"
    polib.pofile(str(po)).save_as_mofile(str(mo))  # exactly what the command does per file
    with mo.open("rb") as f:
        return gettext.GNUTranslations(f)


def test_compile_translations_writes_every_arabic_plural_form(tmp_path):
    """Arabic has six forms: zero, one, two, few (3-10), many (11-99), other (100-102...)."""
    catalogue = _mo("ar", tmp_path)
    assert "nplurals=6" in catalogue.info()["plural-forms"]
    expected = {
        0: "لا توجد ممارسات جيدة",
        1: "ممارسة جيدة واحدة",
        2: "ممارستان جيدتان",
        3: "3 ممارسات جيدة",
        11: "11 ممارسة جيدة",
        100: "100 ممارسة جيدة",
    }
    for n, text in expected.items():
        assert catalogue.ngettext(*PRACTICE, n) % {"n": n} == text, n


def test_compile_translations_writes_every_spanish_plural_form(tmp_path):
    catalogue = _mo("es", tmp_path)
    assert "nplurals=3" in catalogue.info()["plural-forms"]
    for n, text in {
        1: "1 buena práctica",
        13: "13 buenas prácticas",
        1000000: "1000000 de buenas prácticas",
    }.items():
        assert catalogue.ngettext(*PRACTICE, n) % {"n": n} == text, n


def test_the_command_compiles_what_django_then_serves(tmp_path, settings):
    """compile_translations' .mo is the one Django's ngettext reads (no stale copy)."""
    from django.utils import translation
    from django.utils.translation import ngettext, trans_real

    call_command("compile_translations", verbosity=0)
    trans_real._translations = {}  # forget catalogues loaded before the compile
    trans_real._default = None
    with translation.override("ar"):
        got = [ngettext(*PRACTICE, n) % {"n": n} for n in (0, 1, 2, 3, 11, 100)]
    assert got == [
        "لا توجد ممارسات جيدة",
        "ممارسة جيدة واحدة",
        "ممارستان جيدتان",
        "3 ممارسات جيدة",
        "11 ممارسة جيدة",
        "100 ممارسة جيدة",
    ]


@pytest.fixture
def thirteen_practices(site_tree):
    """Like the demo: thirteen published practices; the database in Spanish and Arabic."""
    for language in ("es", "ar"):
        knowledge_index(GoodPracticeIndexPage, language)
    return [GoodPracticeFactory() for _ in range(13)]


@pytest.mark.django_db
@pytest.mark.parametrize(
    ("language", "count", "english"),
    [
        ("es", "13 buenas prácticas", "13 good practices"),
        ("ar", "13 ممارسة جيدة", "13 good practices"),
    ],
)
def test_the_practice_database_counts_in_the_visitors_language(
    client, thirteen_practices, language, count, english
):
    response = client.get(f"/{language}/practices/")
    assert response.status_code == 200
    html = response.content.decode()
    heading = re.search(r'<h2 id="results-title"[^>]*>(.*?)</h2>', html, re.S)
    assert heading is not None
    assert heading.group(1).strip() == count
    assert english not in html
