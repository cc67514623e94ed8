# ruff: noqa: E501  (demo texts are long sentences)
"""Demo partner associations (used by `manage.py seed_demo`, after demo.cms). Idempotent.

Three invented associations — West African (en+fr), South American (es+pt), West Asian
(en+ar) — each with its section, a regional page, news, two editors or one editor and one
moderator, and a regional working group living in its section.
"""

from __future__ import annotations

import datetime

from allauth.account.models import EmailAddress
from django.db import transaction

from partners.models import NewsIndexPage, NewsPage, PartnerAssociation, PartnerPage
from partners.services import (
    page_translation_create,
    partner_editor_add,
    partner_moderator_add,
    partner_section_create,
    partners_index_ensure,
)
from people.models import User

# (username, display name, country, city, organisation, language)
PEOPLE = {
    "editor-lagoon": ("Amara Diallo", "SN", "Dakar", "Lagoon Cities Alliance", "fr"),
    "moderator-lagoon": ("Kofi Boateng", "GH", "Accra", "Lagoon Cities Alliance", "en"),
    "editor-riberenas": ("João Pereira", "BR", "Manaus", "Red de Ciudades Ribereñas", "pt"),
    "moderator-riberenas": ("Valentina Gómez", "AR", "Rosario", "Red de Ciudades Ribereñas", "es"),
    "editor-levant": ("Rania Khoury", "LB", "Beirut", "Levant and Gulf Cities Forum", "ar"),
}

ASSOCIATIONS = [
    {
        "name": "Lagoon Cities Alliance",
        "slug": "lagoon-cities",
        "region": "africa",
        "languages": ["en", "fr"],
        "accent_colour": "#9a3412",
        "intro": {
            "en": "Coastal and lagoon cities of West Africa working together on flooding, sanitation and fair access to the waterfront.",
            "fr": "Les villes côtières et lagunaires d’Afrique de l’Ouest travaillent ensemble sur les inondations, l’assainissement et l’accès équitable au littoral.",
        },
        "editors": ["editor-lagoon"],
        "moderators": ["moderator-lagoon"],
        "page": {
            "en": (
                "Who we are",
                "Twenty-three municipalities from Nouakchott to Lagos share engineers, data and budgets for coastal protection.",
            ),
            "fr": (
                "Qui sommes-nous",
                "Vingt-trois municipalités, de Nouakchott à Lagos, partagent ingénieurs, données et budgets pour protéger le littoral.",
            ),
        },
        "news": [
            (
                "flood-warning-pilot",
                datetime.date(2026, 3, 2),
                {
                    "en": (
                        "Flood warnings by text message in four cities",
                        "A shared early-warning service now reaches residents of informal settlements before the tide comes in.",
                    ),
                    "fr": (
                        "Alertes inondation par SMS dans quatre villes",
                        "Un service commun d’alerte précoce prévient désormais les habitants des quartiers informels avant la marée.",
                    ),
                },
            ),
            (
                "sanitation-exchange",
                datetime.date(2026, 1, 20),
                {
                    "en": (
                        "Peer exchange on faecal sludge management",
                        "Technicians from Cotonou hosted colleagues from Abidjan and Lomé for a week of site visits.",
                    ),
                    "fr": (
                        "Échange entre pairs sur la gestion des boues de vidange",
                        "Les techniciens de Cotonou ont accueilli leurs collègues d’Abidjan et de Lomé pour une semaine de visites.",
                    ),
                },
            ),
        ],
        "group": (
            "lagoon-coastal-resilience",
            "Coastal resilience in West Africa",
            "sub-saharan-africa",
            "Share what works against coastal erosion and flooding in lagoon cities.",
        ),
    },
    {
        "name": "Red de Ciudades Ribereñas",
        "slug": "ciudades-riberenas",
        "region": "americas",
        "languages": ["es", "pt"],
        "accent_colour": "#1d4ed8",
        "intro": {
            "es": "Ciudades a orillas del Paraná, el Uruguay y el Amazonas que comparten experiencias sobre ríos, puertos y barrios inundables.",
            "pt": "Cidades às margens do Paraná, do Uruguai e do Amazonas que partilham experiências sobre rios, portos e bairros inundáveis.",
        },
        "editors": ["editor", "editor-riberenas"],
        "moderators": ["moderator-riberenas"],
        "page": {
            "es": (
                "Quiénes somos",
                "Una red de gobiernos locales de cuatro países que aprende en conjunto a convivir con el río.",
            ),
            "pt": (
                "Quem somos",
                "Uma rede de governos locais de quatro países que aprende em conjunto a conviver com o rio.",
            ),
        },
        "news": [
            (
                "mapa-riesgo-hidrico",
                datetime.date(2026, 2, 14),
                {
                    "es": (
                        "Un mapa común de riesgo hídrico",
                        "Doce municipios publicaron sus datos de crecidas en un visor abierto para planificar juntos.",
                    ),
                    "pt": (
                        "Um mapa comum de risco hídrico",
                        "Doze municípios publicaram os seus dados de cheias num visualizador aberto para planear em conjunto.",
                    ),
                },
            ),
            (
                "encuentro-rosario",
                datetime.date(2025, 11, 5),
                {
                    "es": (
                        "Encuentro anual en Rosario",
                        "Más de doscientas personas de equipos técnicos municipales debatieron sobre costaneras y espacio público.",
                    ),
                    "pt": (
                        "Encontro anual em Rosário",
                        "Mais de duzentas pessoas de equipas técnicas municipais debateram sobre orlas fluviais e espaço público.",
                    ),
                },
            ),
        ],
        "group": (
            "riberenas-frentes-fluviales",
            "Frentes fluviales y barrios inundables",
            "latin-america",
            "Compartir proyectos de costaneras, relocalización y drenaje urbano.",
        ),
    },
    {
        "name": "Levant and Gulf Cities Forum",
        "slug": "levant-gulf-forum",
        "region": "asia",
        "languages": ["en", "ar"],
        "accent_colour": "#0f766e",
        "intro": {
            "en": "Municipalities of the Levant and the Gulf exchanging practice on water scarcity, heat and public transport.",
            "ar": "بلديات المشرق والخليج تتبادل الخبرات حول شحّ المياه والحرّ الشديد والنقل العام.",
        },
        "editors": ["editor-levant"],
        "moderators": ["moderator"],
        "page": {
            "en": (
                "About the forum",
                "Founded by eleven cities, the forum pairs municipal departments facing the same climate and growth pressures.",
            ),
            "ar": (
                "عن المنتدى",
                "أسّست المنتدى إحدى عشرة مدينة، ويجمع بين الإدارات البلدية التي تواجه ضغوط المناخ والنمو نفسها.",
            ),
        },
        "news": [
            (
                "cool-streets",
                datetime.date(2026, 3, 10),
                {
                    "en": (
                        "Cool streets: shade and trees against summer heat",
                        "Amman, Irbid and Muscat compare street-tree programmes and the water they need.",
                    ),
                    "ar": (
                        "شوارع أبرد: الظل والأشجار في مواجهة حرّ الصيف",
                        "تقارن عمّان وإربد ومسقط برامج تشجير الشوارع وكميات المياه التي تحتاجها.",
                    ),
                },
            ),
            (
                "bus-network-redesign",
                datetime.date(2026, 1, 8),
                {
                    "en": (
                        "Redesigning bus networks together",
                        "Transport planners from five cities met to share data on ridership and route reforms.",
                    ),
                    "ar": (
                        "إعادة تصميم شبكات الحافلات معاً",
                        "التقى مخططو النقل من خمس مدن لتبادل بيانات الركاب وإصلاحات الخطوط.",
                    ),
                },
            ),
        ],
        "group": (
            "levant-water-scarcity",
            "Water scarcity in Levant and Gulf cities",
            "mena",
            "Exchange on non-revenue water, reuse and demand management.",
        ),
    },
]


def _person(username: str) -> User:
    """The demo account `username` (demo.people's, or one of PEOPLE, created once)."""
    from demo.people import DEMO_PASSWORD

    user = User.objects.filter(username=username).first()
    if user is None:
        name, country, city, organisation, language = PEOPLE[username]
        user = User(
            username=username,
            email=f"{username}@plaza.example",
            display_name=name,
            country=country,
            city=city,
            organisation=organisation,
            preferred_language=language,
            is_staff=username.startswith("editor"),
        )
        user.set_password(DEMO_PASSWORD)
        user.save()
    EmailAddress.objects.get_or_create(
        user=user, email=user.email, defaults={"verified": True, "primary": True}
    )
    return user


def _translated_child(parent, model, slug: str, texts: dict, languages: list[str], **fields):
    """A published child page in the main language, translated into the others."""
    main = languages[0]
    page = model.objects.child_of(parent).filter(slug=slug).first()
    if page is None:
        title, intro = texts[main]
        page = parent.add_child(
            instance=model(title=title, slug=slug, intro=intro, locale=parent.locale, **fields)
        )
        page.save_revision().publish()
    for language in languages[1:]:
        title, intro = texts[language]
        page_translation_create(
            page=page, language=language, strings={texts[main][0]: title, texts[main][1]: intro}
        )
    return page


def _regional_group(association: PartnerAssociation, spec, owner: User) -> None:
    try:
        from groups.models import WorkingGroup
        from groups.services import group_create
    except ImportError:  # groups not installed: sections without regional groups
        return
    slug, name, region, purpose = spec
    if WorkingGroup.objects.filter(slug=slug).exists():
        return
    group_create(
        name=name,
        slug=slug,
        kind=WorkingGroup.Kind.REGIONAL,
        visibility=WorkingGroup.Visibility.PUBLIC,
        join_policy=WorkingGroup.JoinPolicy.OPEN,
        owner=owner,
        parent_page=association.section,
        region=region,
        languages=association.languages,
        purpose=purpose,
    )


@transaction.atomic
def seed() -> list[PartnerAssociation]:
    """Three associations with sections in two languages each, news, people and regional groups."""
    partners_index_ensure()
    associations = []
    for spec in ASSOCIATIONS:
        association = PartnerAssociation.objects.filter(slug=spec["slug"]).first()
        languages = spec["languages"]
        if association is None:
            association = partner_section_create(
                name=spec["name"],
                slug=spec["slug"],
                region=spec["region"],
                languages=languages,
                accent_colour=spec["accent_colour"],
                intro=spec["intro"],
            )
        section = association.section
        for username in spec["editors"]:
            partner_editor_add(association=association, user=_person(username))
        for username in spec["moderators"]:
            partner_moderator_add(association=association, user=_person(username))
        _translated_child(section, PartnerPage, "about", spec["page"], languages)
        news_index = NewsIndexPage.objects.child_of(section).get()
        for slug, date, texts in spec["news"]:
            _translated_child(news_index, NewsPage, slug, texts, languages, date=date)
        _regional_group(association, spec["group"], owner=_person(spec["editors"][-1]))
        associations.append(association)
    return associations
