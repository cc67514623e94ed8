"""The knowledge page tree: the practices and events index pages."""

from __future__ import annotations

from collections.abc import Iterable

from django.conf import settings
from django.db import transaction
from wagtail.models import Page

from ..models import (
    GoodPracticeIndexPage,
)

# Contact requests a member may send per rolling day (spam brake; replies count too).

# --- page tree ----------------------------------------------------------------------------

INDEX_TEXTS = {
    # slug: {language: (title, intro)} — the demo and tests set these up; editors own them after.
    "practices": {
        "en": (
            "Good practices",
            "Proven solutions from cities of the network: what the "
            "challenge was, what they did, what came of it.",
        ),
        "de": (
            "Gute Praxis",
            "Erprobte Lösungen aus Städten des Netzwerks: die "
            "Herausforderung, das Vorgehen, die Ergebnisse.",
        ),
        "fr": (
            "Bonnes pratiques",
            "Des solutions éprouvées par les villes du réseau : "
            "le défi, la démarche, les résultats.",
        ),
        "es": (
            "Buenas prácticas",
            "Soluciones probadas en ciudades de la red: el reto, el enfoque y los resultados.",
        ),
        "pt": (
            "Boas práticas",
            "Soluções comprovadas em cidades da rede: o desafio, a abordagem e os resultados.",
        ),
        "ar": ("الممارسات الجيدة", "حلول مجرّبة من مدن الشبكة: التحدي، والنهج المتّبع، والنتائج."),
    },
    "events": {
        "en": (
            "Events",
            "Conferences, trainings, study trips, dialogue events and webinars of the network.",
        ),
        "de": (
            "Veranstaltungen",
            "Konferenzen, Trainings, Studienreisen, "
            "Dialogveranstaltungen und Webinare des Netzwerks.",
        ),
        "fr": (
            "Événements",
            "Conférences, formations, voyages d’étude, rencontres "
            "de dialogue et webinaires du réseau.",
        ),
        "es": (
            "Eventos",
            "Conferencias, formaciones, viajes de estudio, encuentros "
            "de diálogo y seminarios web de la red.",
        ),
        "pt": (
            "Eventos",
            "Conferências, formações, visitas de estudo, encontros de diálogo e webinars da rede.",
        ),
        "ar": (
            "الفعاليات",
            "مؤتمرات ودورات تدريبية وزيارات دراسية ولقاءات حوار وندوات عبر الإنترنت تنظمها الشبكة.",
        ),
    },
}


@transaction.atomic
def knowledge_pages_ensure(*, languages: Iterable[str] | None = None) -> dict[str, Page]:
    """Make sure the practice database and the events calendar exist under the home page,
    published in the given languages (all by default). Idempotent; returns the English pages."""
    from core.pages import home_page, page_translation_ensure

    from ..models import EventIndexPage

    home = home_page()
    wanted = list(languages or [code for code, _name in settings.LANGUAGES])
    for code in wanted:
        if code != home.locale.language_code:
            page_translation_ensure(page=home, language=code, title=home.title)  # parents first
    out: dict[str, Page] = {}
    for slug, model in (("practices", GoodPracticeIndexPage), ("events", EventIndexPage)):
        texts = INDEX_TEXTS[slug]
        page = model.objects.filter(locale=home.locale).first()
        if page is None:
            title, intro = texts["en"]
            page = home.add_child(
                instance=model(title=title, slug=slug, intro=intro, show_in_menus=True)
            )
            page.save_revision().publish()
        for code in wanted:
            if code != home.locale.language_code:
                title, intro = texts[code]
                page_translation_ensure(page=page, language=code, title=title, intro=intro)
        out[slug] = page
    return out
