import re

import pytest

# Anything that looks like an email address (the directory must never show one).
EMAIL_RE = re.compile(r"[A-Za-z0-9._%+-]+@[A-Za-z0-9.-]+\.[A-Za-z]{2,}")


@pytest.fixture
def knowledge_pages(site_tree):
    """The practice database and the events calendar in English and French."""
    from knowledge.services import knowledge_pages_ensure

    return knowledge_pages_ensure(languages=["en", "fr"])


@pytest.fixture(autouse=True)
def english():
    """Services' messages in English: a previous test's request may leave another language
    active in this thread (LocaleMiddleware does not reset it)."""
    from django.utils import translation

    with translation.override("en"):
        yield
