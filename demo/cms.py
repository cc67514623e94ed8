"""Demo pages in all six languages (used by `manage.py seed_demo`)."""

from wagtail.models import Locale

from cms.models import HomePage, StandardPage
from cms.services import page_translation_ensure, site_tree_ensure

HOME = {
    "en": (
        "Plaza",
        (
            "Cities learning from cities: working groups, discussions and proven practices from "
            "Africa, Asia, Latin America and Europe."
        ),
    ),
    "de": (
        "Plaza",
        (
            "Städte lernen von Städten: Arbeitsgruppen, Diskussionen und erprobte Lösungen aus "
            "Afrika, Asien, Lateinamerika und Europa."
        ),
    ),
    "fr": (
        "Plaza",
        (
            "Des villes qui apprennent des villes : groupes de travail, discussions et bonnes "
            "pratiques d’Afrique, d’Asie, d’Amérique latine et d’Europe."
        ),
    ),
    "es": (
        "Plaza",
        (
            "Ciudades que aprenden de ciudades: grupos de trabajo, debates y prácticas probadas de "
            "África, Asia, América Latina y Europa."
        ),
    ),
    "pt": (
        "Plaza",
        (
            "Cidades que aprendem com cidades: grupos de trabalho, discussões e práticas "
            "comprovadas da África, Ásia, América Latina e Europa."
        ),
    ),
    "ar": (
        "بلازا",
        (
            "مدن تتعلم من مدن: مجموعات عمل ونقاشات وممارسات مجرّبة من أفريقيا وآسيا وأمريكا "
            "اللاتينية وأوروبا."
        ),
    ),
}

PAGES = [
    (
        "about",
        {
            "en": (
                "About Plaza",
                (
                    "Plaza connects the staff of city administrations, planners and utility "
                    "engineers who want to learn from peers abroad."
                ),
            ),
            "de": (
                "Über Plaza",
                (
                    "Plaza verbindet Beschäftigte von Stadtverwaltungen, Planerinnen und "
                    "Versorgungsingenieure, die von Kolleginnen und Kollegen im Ausland lernen "
                    "wollen."
                ),
            ),
            "fr": (
                "À propos de Plaza",
                (
                    "Plaza relie le personnel des administrations municipales, les urbanistes et "
                    "les ingénieurs des services publics qui veulent apprendre de leurs pairs à "
                    "l’étranger."
                ),
            ),
            "es": (
                "Acerca de Plaza",
                (
                    "Plaza conecta al personal de las administraciones municipales, urbanistas e "
                    "ingenieros de servicios públicos que quieren aprender de colegas de otros "
                    "países."
                ),
            ),
            "pt": (
                "Sobre a Plaza",
                (
                    "A Plaza liga funcionários de administrações municipais, urbanistas e "
                    "engenheiros de serviços públicos que querem aprender com colegas de outros "
                    "países."
                ),
            ),
            "ar": (
                "عن بلازا",
                (
                    "تربط بلازا موظفي الإدارات البلدية والمخططين ومهندسي المرافق الذين يرغبون في "
                    "التعلم من نظرائهم في الخارج."
                ),
            ),
        },
    ),
    (
        "how-it-works",
        {
            "en": (
                "How it works",
                (
                    "Join a working group, ask a question, share what worked in your city, and "
                    "meet the people behind good practices."
                ),
            ),
            "de": (
                "So funktioniert es",
                (
                    "Treten Sie einer Arbeitsgruppe bei, stellen Sie Fragen, teilen Sie, was in "
                    "Ihrer Stadt funktioniert hat, und lernen Sie die Menschen hinter guten "
                    "Praktiken kennen."
                ),
            ),
            "fr": (
                "Comment ça marche",
                (
                    "Rejoignez un groupe de travail, posez une question, partagez ce qui a "
                    "fonctionné dans votre ville et rencontrez les personnes derrière les bonnes "
                    "pratiques."
                ),
            ),
            "es": (
                "Cómo funciona",
                (
                    "Únase a un grupo de trabajo, haga una pregunta, comparta lo que funcionó en "
                    "su ciudad y conozca a las personas detrás de las buenas prácticas."
                ),
            ),
            "pt": (
                "Como funciona",
                (
                    "Entre num grupo de trabalho, faça uma pergunta, partilhe o que funcionou na "
                    "sua cidade e conheça as pessoas por trás das boas práticas."
                ),
            ),
            "ar": (
                "كيف تعمل المنصة",
                (
                    "انضم إلى مجموعة عمل، واطرح سؤالاً، وشارك ما نجح في مدينتك، وتعرّف على الأشخاص "
                    "الذين يقفون وراء الممارسات الجيدة."
                ),
            ),
        },
    ),
]


def seed() -> HomePage:
    """Home page and standard pages, published in every language. Idempotent."""
    home = site_tree_ensure()
    title, intro = HOME["en"]
    if not home.intro:
        home.intro = intro
        home.save_revision().publish()
    for language, (title, intro) in HOME.items():
        if language != "en":
            page_translation_ensure(page=home, language=language, title=title, intro=intro)
    english = Locale.objects.get(language_code="en")
    for slug, texts in PAGES:
        page = StandardPage.objects.filter(slug=slug, locale=english).first()
        if page is None:
            title, intro = texts["en"]
            page = home.add_child(
                instance=StandardPage(title=title, slug=slug, intro=intro, show_in_menus=True)
            )
            page.save_revision().publish()
        for language, (title, intro) in texts.items():
            if language != "en":
                page_translation_ensure(page=page, language=language, title=title, intro=intro)
    return home
