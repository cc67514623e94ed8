"""Demo working groups (used by `manage.py seed_demo`; runs after demo.people and demo.cms).

Ten groups covering both kinds, all three visibilities and all three join policies, with
pages in all six languages, members in every role, a pending request, an open invitation,
an emailed invitation and a ban, so every screen has something to show. Idempotent.
"""

from allauth.account.models import EmailAddress
from django.db import transaction

from cms.services import page_translation_ensure
from demo.people import DEMO_PASSWORD
from demo.people import seed as seed_people
from groups import services
from groups.models import Ban, Invitation, JoinRequest, Membership, WorkingGroup
from people.models import User

K, V, J = WorkingGroup.Kind, WorkingGroup.Visibility, WorkingGroup.JoinPolicy
T, R = WorkingGroup.Topic, WorkingGroup.Region

INDEX = {
    "en": (
        "Working groups",
        (
            "Peers from cities around the world working on the same questions. Find a group by "
            "theme, region or language."
        ),
    ),
    "de": (
        "Arbeitsgruppen",
        (
            "Kolleginnen und Kollegen aus Städten weltweit, die an denselben Fragen arbeiten. "
            "Finden Sie eine Gruppe nach Thema, Region oder Sprache."
        ),
    ),
    "fr": (
        "Groupes de travail",
        (
            "Des pairs de villes du monde entier qui travaillent sur les mêmes questions. Trouvez "
            "un groupe par thème, région ou langue."
        ),
    ),
    "es": (
        "Grupos de trabajo",
        (
            "Colegas de ciudades de todo el mundo que trabajan en las mismas preguntas. Encuentre "
            "un grupo por tema, región o idioma."
        ),
    ),
    "pt": (
        "Grupos de trabalho",
        (
            "Colegas de cidades de todo o mundo que trabalham nas mesmas questões. Encontre um "
            "grupo por tema, região ou língua."
        ),
    ),
    "ar": (
        "مجموعات العمل",
        (
            "زملاء من مدن حول العالم يعملون على الأسئلة نفسها. ابحث عن مجموعة حسب الموضوع أو "
            "المنطقة أو اللغة."
        ),
    ),
}

# ~10 extra demo members: username, display name, country, city, organisation, language
EXTRA_MEMBERS = [
    ("amina", "Amina Diallo", "SN", "Dakar", "Ville de Dakar", "fr"),
    ("joao", "João Silva", "BR", "Recife", "Prefeitura do Recife", "pt"),
    ("priya", "Priya Raman", "IN", "Pune", "Pune Municipal Corporation", "en"),
    ("nguyen", "Nguyễn Thị Lan", "VN", "Da Nang", "Da Nang People's Committee", "en"),
    ("karim", "Karim Benali", "MA", "Rabat", "Commune de Rabat", "ar"),
    ("nino", "Nino Beridze", "GE", "Tbilisi", "Tbilisi City Hall", "en"),
    ("carmen", "Carmen López", "MX", "Puebla", "Gobierno Municipal de Puebla", "es"),
    ("david", "David Okello", "UG", "Kampala", "Kampala Capital City Authority", "en"),
    ("leila", "Leila Nasser", "LB", "Tripoli", "Union of Al-Fayhaa Municipalities", "ar"),
    ("jonas", "Jonas Weber", "DE", "Leipzig", "Stadt Leipzig", "de"),
    ("sofia", "Sofía Herrera", "PE", "Arequipa", "Municipalidad de Arequipa", "es"),
]

# slug, kind, visibility, join policy, topic, region, languages,
# titles {lang: (title, purpose)}, owner, moderators, members
GROUPS = [
    (
        "urban-mobility",
        K.THEMATIC,
        V.PUBLIC,
        J.OPEN,
        T.URBAN_MOBILITY,
        R.GLOBAL,
        ["en", "fr", "es"],
        {
            "en": (
                "Urban mobility",
                (
                    "Bus rapid transit, safe streets for walking and cycling, informal transport "
                    "and parking policy."
                ),
            ),
            "de": (
                "Urbane Mobilität",
                (
                    "Schnellbussysteme, sichere Straßen für Fuß- und Radverkehr, informeller "
                    "Verkehr und Parkraumpolitik."
                ),
            ),
            "fr": (
                "Mobilité urbaine",
                (
                    "Bus à haut niveau de service, rues sûres pour la marche et le vélo, transport "
                    "informel et politique de stationnement."
                ),
            ),
            "es": (
                "Movilidad urbana",
                (
                    "Autobuses de tránsito rápido, calles seguras para caminar e ir en bicicleta, "
                    "transporte informal y política de estacionamiento."
                ),
            ),
            "pt": (
                "Mobilidade urbana",
                (
                    "Corredores de ônibus rápidos, ruas seguras para caminhar e pedalar, "
                    "transporte informal e política de estacionamento."
                ),
            ),
            "ar": (
                "التنقل الحضري",
                (
                    "الحافلات السريعة، وشوارع آمنة للمشي وركوب الدراجات، والنقل غير الرسمي، "
                    "وسياسات مواقف السيارات."
                ),
            ),
        },
        "moderator",
        ["editor"],
        ["member", "amina", "carmen", "david", "jonas"],
    ),
    (
        "climate-adaptation",
        K.THEMATIC,
        V.PUBLIC,
        J.REQUEST,
        T.CLIMATE_ADAPTATION,
        R.GLOBAL,
        ["en", "fr", "pt"],
        {
            "en": (
                "Climate adaptation",
                (
                    "Heat action plans, flood-resilient neighbourhoods and nature-based solutions, "
                    "from plan to budget."
                ),
            ),
            "de": (
                "Klimaanpassung",
                (
                    "Hitzeaktionspläne, hochwasserresiliente Quartiere und naturbasierte Lösungen "
                    "– vom Plan bis zum Haushalt."
                ),
            ),
            "fr": (
                "Adaptation au climat",
                (
                    "Plans canicule, quartiers résilients aux inondations et solutions fondées sur "
                    "la nature, du plan au budget."
                ),
            ),
            "es": (
                "Adaptación climática",
                (
                    "Planes contra el calor, barrios resilientes a inundaciones y soluciones "
                    "basadas en la naturaleza, del plan al presupuesto."
                ),
            ),
            "pt": (
                "Adaptação climática",
                (
                    "Planos contra o calor, bairros resilientes a cheias e soluções baseadas na "
                    "natureza, do plano ao orçamento."
                ),
            ),
            "ar": (
                "التكيف مع المناخ",
                (
                    "خطط مواجهة موجات الحر، وأحياء قادرة على الصمود أمام الفيضانات، وحلول قائمة "
                    "على الطبيعة، من الخطة إلى الميزانية."
                ),
            ),
        },
        "amina",
        ["joao"],
        ["moderator", "priya", "nguyen", "leila"],
    ),
    (
        "local-economy",
        K.THEMATIC,
        V.MEMBERS,
        J.REQUEST,
        T.LOCAL_ECONOMY,
        R.GLOBAL,
        ["en", "es", "pt"],
        {
            "en": (
                "Local economic development",
                (
                    "Markets, small enterprises and the informal economy: what municipalities can "
                    "do for local jobs."
                ),
            ),
            "de": (
                "Lokale Wirtschaftsentwicklung",
                (
                    "Märkte, Kleinbetriebe und informelle Wirtschaft: Was Kommunen für lokale "
                    "Arbeitsplätze tun können."
                ),
            ),
            "fr": (
                "Développement économique local",
                (
                    "Marchés, petites entreprises et économie informelle : ce que les communes "
                    "peuvent faire pour l’emploi local."
                ),
            ),
            "es": (
                "Desarrollo económico local",
                (
                    "Mercados, pequeñas empresas y economía informal: lo que los municipios pueden "
                    "hacer por el empleo local."
                ),
            ),
            "pt": (
                "Desenvolvimento económico local",
                (
                    "Mercados, pequenas empresas e economia informal: o que os municípios podem "
                    "fazer pelo emprego local."
                ),
            ),
            "ar": (
                "التنمية الاقتصادية المحلية",
                (
                    "الأسواق والمشاريع الصغيرة والاقتصاد غير الرسمي: ما يمكن للبلديات فعله من أجل "
                    "فرص العمل المحلية."
                ),
            ),
        },
        "editor",
        ["carmen"],
        ["sofia", "joao"],
    ),
    (
        "circular-cities",
        K.THEMATIC,
        V.MEMBERS,
        J.OPEN,
        T.CIRCULAR_ECONOMY,
        R.GLOBAL,
        ["en", "fr", "ar"],
        {
            "en": (
                "Waste and circular economy",
                (
                    "Collection, recycling with informal waste pickers, landfill closure and "
                    "circular procurement."
                ),
            ),
            "de": (
                "Abfall und Kreislaufwirtschaft",
                (
                    "Sammlung, Recycling mit informellen Müllsammlern, Deponieschließung und "
                    "zirkuläre Beschaffung."
                ),
            ),
            "fr": (
                "Déchets et économie circulaire",
                (
                    "Collecte, recyclage avec les récupérateurs informels, fermeture des décharges "
                    "et achats circulaires."
                ),
            ),
            "es": (
                "Residuos y economía circular",
                (
                    "Recolección, reciclaje con recicladores informales, cierre de vertederos y "
                    "compras circulares."
                ),
            ),
            "pt": (
                "Resíduos e economia circular",
                (
                    "Recolha, reciclagem com catadores informais, encerramento de lixeiras e "
                    "compras circulares."
                ),
            ),
            "ar": (
                "النفايات والاقتصاد الدائري",
                (
                    "الجمع، وإعادة التدوير مع جامعي النفايات غير الرسميين، وإغلاق المكبات، "
                    "والمشتريات الدائرية."
                ),
            ),
        },
        "karim",
        ["leila"],
        ["member", "amina", "david"],
    ),
    (
        "digital-cities",
        K.THEMATIC,
        V.PUBLIC,
        J.INVITE,
        T.DIGITALISATION,
        R.GLOBAL,
        ["en", "de"],
        {
            "en": (
                "Digitalisation",
                (
                    "Open data, digital public services and GIS in city administrations, with the "
                    "people who run them."
                ),
            ),
            "de": (
                "Digitalisierung",
                (
                    "Offene Daten, digitale Bürgerdienste und GIS in Stadtverwaltungen, mit den "
                    "Menschen, die sie betreiben."
                ),
            ),
            "fr": (
                "Numérique",
                (
                    "Données ouvertes, services publics numériques et SIG dans les administrations "
                    "municipales, avec celles et ceux qui les font vivre."
                ),
            ),
            "es": (
                "Digitalización",
                (
                    "Datos abiertos, servicios públicos digitales y SIG en las administraciones "
                    "municipales, con quienes los gestionan."
                ),
            ),
            "pt": (
                "Digitalização",
                (
                    "Dados abertos, serviços públicos digitais e SIG nas administrações "
                    "municipais, com quem os gere."
                ),
            ),
            "ar": (
                "التحول الرقمي",
                (
                    "البيانات المفتوحة والخدمات العامة الرقمية ونظم المعلومات الجغرافية في "
                    "الإدارات البلدية، مع القائمين عليها."
                ),
            ),
        },
        "jonas",
        ["priya"],
        ["nino", "nguyen"],
    ),
    (
        "energy-efficiency",
        K.THEMATIC,
        V.PUBLIC,
        J.OPEN,
        T.ENERGY,
        R.GLOBAL,
        ["en", "fr", "ar"],
        {
            "en": (
                "Energy efficiency",
                (
                    "Street lighting, public buildings and municipal utilities: saving energy and "
                    "money."
                ),
            ),
            "de": (
                "Energieeffizienz",
                "Straßenbeleuchtung, öffentliche Gebäude und Stadtwerke: Energie und Geld sparen.",
            ),
            "fr": (
                "Efficacité énergétique",
                (
                    "Éclairage public, bâtiments publics et régies municipales : économiser "
                    "l’énergie et l’argent."
                ),
            ),
            "es": (
                "Eficiencia energética",
                (
                    "Alumbrado público, edificios públicos y empresas municipales: ahorrar energía "
                    "y dinero."
                ),
            ),
            "pt": (
                "Eficiência energética",
                (
                    "Iluminação pública, edifícios públicos e serviços municipais: poupar energia "
                    "e dinheiro."
                ),
            ),
            "ar": (
                "كفاءة الطاقة",
                "إنارة الشوارع والمباني العامة والمرافق البلدية: توفير الطاقة والمال.",
            ),
        },
        "nino",
        ["karim"],
        ["jonas", "leila"],
    ),
    (
        "mena-network",
        K.REGIONAL,
        V.MEMBERS,
        J.INVITE,
        "",
        R.MENA,
        ["ar", "en", "fr"],
        {
            "en": (
                "MENA city network",
                (
                    "Municipal practitioners from the Middle East and North Africa exchange on "
                    "services, finance and refugees in cities."
                ),
            ),
            "de": (
                "Städtenetzwerk MENA",
                (
                    "Fachleute aus Kommunen im Nahen Osten und in Nordafrika tauschen sich über "
                    "Dienstleistungen, Finanzen und Geflüchtete in Städten aus."
                ),
            ),
            "fr": (
                "Réseau des villes MENA",
                (
                    "Des praticiens municipaux du Moyen-Orient et d’Afrique du Nord échangent sur "
                    "les services, les finances et l’accueil des réfugiés."
                ),
            ),
            "es": (
                "Red de ciudades MENA",
                (
                    "Profesionales municipales de Oriente Medio y el Norte de África intercambian "
                    "sobre servicios, finanzas y personas refugiadas en las ciudades."
                ),
            ),
            "pt": (
                "Rede de cidades MENA",
                (
                    "Profissionais municipais do Médio Oriente e Norte de África trocam "
                    "experiências sobre serviços, finanças e refugiados nas cidades."
                ),
            ),
            "ar": (
                "شبكة مدن الشرق الأوسط وشمال أفريقيا",
                (
                    "يتبادل العاملون في البلديات من الشرق الأوسط وشمال أفريقيا الخبرات حول الخدمات "
                    "والتمويل واللاجئين في المدن."
                ),
            ),
        },
        "moderator",
        ["karim"],
        ["leila", "admin"],
    ),
    (
        "africa-network",
        K.REGIONAL,
        V.PUBLIC,
        J.OPEN,
        "",
        R.SUB_SAHARAN_AFRICA,
        ["en", "fr", "pt"],
        {
            "en": (
                "Sub-Saharan Africa city network",
                "Cities from Dakar to Maputo: urban growth, basic services and municipal finance.",
            ),
            "de": (
                "Städtenetzwerk Subsahara-Afrika",
                "Städte von Dakar bis Maputo: Stadtwachstum, Grundversorgung und Kommunalfinanzen.",
            ),
            "fr": (
                "Réseau des villes d’Afrique subsaharienne",
                (
                    "Des villes de Dakar à Maputo : croissance urbaine, services de base et "
                    "finances locales."
                ),
            ),
            "es": (
                "Red de ciudades de África subsahariana",
                (
                    "Ciudades de Dakar a Maputo: crecimiento urbano, servicios básicos y finanzas "
                    "municipales."
                ),
            ),
            "pt": (
                "Rede de cidades da África Subsariana",
                (
                    "Cidades de Dakar a Maputo: crescimento urbano, serviços básicos e finanças "
                    "municipais."
                ),
            ),
            "ar": (
                "شبكة مدن أفريقيا جنوب الصحراء",
                "مدن من داكار إلى مابوتو: النمو الحضري والخدمات الأساسية والمالية البلدية.",
            ),
        },
        "member",
        ["david"],
        ["amina", "joao"],
    ),
    (
        "latam-network",
        K.REGIONAL,
        V.PUBLIC,
        J.REQUEST,
        "",
        R.LATIN_AMERICA,
        ["es", "pt", "en"],
        {
            "en": (
                "Latin America city network",
                (
                    "Participatory budgeting, informal settlements and metropolitan governance "
                    "across Latin America."
                ),
            ),
            "de": (
                "Städtenetzwerk Lateinamerika",
                (
                    "Bürgerhaushalte, informelle Siedlungen und metropolitane Steuerung in ganz "
                    "Lateinamerika."
                ),
            ),
            "fr": (
                "Réseau des villes d’Amérique latine",
                (
                    "Budget participatif, quartiers informels et gouvernance métropolitaine en "
                    "Amérique latine."
                ),
            ),
            "es": (
                "Red de ciudades de América Latina",
                (
                    "Presupuesto participativo, asentamientos informales y gobernanza "
                    "metropolitana en América Latina."
                ),
            ),
            "pt": (
                "Rede de cidades da América Latina",
                (
                    "Orçamento participativo, assentamentos informais e governança metropolitana "
                    "na América Latina."
                ),
            ),
            "ar": (
                "شبكة مدن أمريكا اللاتينية",
                (
                    "الموازنة التشاركية والمستوطنات غير الرسمية والحوكمة الحضرية الكبرى في أمريكا "
                    "اللاتينية."
                ),
            ),
        },
        "sofia",
        ["carmen", "moderator"],
        ["editor", "joao"],
    ),
    (
        "asia-peer-review",
        K.REGIONAL,
        V.SECRET,
        J.INVITE,
        T.GOVERNANCE,
        R.ASIA,
        ["en"],
        {
            "en": (
                "Asia peer review circle",
                (
                    "A closed circle of city managers reviewing each other's reform plans in "
                    "confidence."
                ),
            ),
            "de": (
                "Peer-Review-Kreis Asien",
                (
                    "Ein geschlossener Kreis von Stadtverwaltungsleitungen, die ihre Reformpläne "
                    "vertraulich gegenseitig prüfen."
                ),
            ),
            "fr": (
                "Cercle d’évaluation par les pairs – Asie",
                (
                    "Un cercle fermé de directeurs municipaux qui examinent en confiance leurs "
                    "plans de réforme."
                ),
            ),
            "es": (
                "Círculo de revisión entre pares – Asia",
                (
                    "Un círculo cerrado de gerentes municipales que revisan en confianza sus "
                    "planes de reforma."
                ),
            ),
            "pt": (
                "Círculo de revisão por pares – Ásia",
                (
                    "Um círculo fechado de gestores municipais que analisam em confiança os seus "
                    "planos de reforma."
                ),
            ),
            "ar": (
                "حلقة مراجعة الأقران – آسيا",
                "حلقة مغلقة من مديري المدن يراجعون خطط الإصلاح لبعضهم بعضاً بسرية.",
            ),
        },
        "priya",
        ["nguyen"],
        ["admin"],
    ),
    (
        "caucasus-integrated",
        K.REGIONAL,
        V.SECRET,
        J.REQUEST,
        T.INTEGRATED,
        R.SEE_CAUCASUS,
        ["en", "de"],
        {
            "en": (
                "Southeast Europe and Caucasus: integrated urban development",
                (
                    "Integrated development plans for historic centres, prepared together before "
                    "publication."
                ),
            ),
            "de": (
                "Südosteuropa und Kaukasus: integrierte Stadtentwicklung",
                (
                    "Integrierte Entwicklungskonzepte für historische Zentren, gemeinsam vor der "
                    "Veröffentlichung erarbeitet."
                ),
            ),
            "fr": (
                "Europe du Sud-Est et Caucase : développement urbain intégré",
                (
                    "Des plans de développement intégré pour les centres historiques, préparés "
                    "ensemble avant leur publication."
                ),
            ),
            "es": (
                "Europa sudoriental y Cáucaso: desarrollo urbano integrado",
                (
                    "Planes de desarrollo integrado para centros históricos, preparados en común "
                    "antes de su publicación."
                ),
            ),
            "pt": (
                "Sudeste da Europa e Cáucaso: desenvolvimento urbano integrado",
                (
                    "Planos de desenvolvimento integrado para centros históricos, preparados em "
                    "conjunto antes da publicação."
                ),
            ),
            "ar": (
                "جنوب شرق أوروبا والقوقاز: التنمية الحضرية المتكاملة",
                "خطط تنمية متكاملة للمراكز التاريخية تُعدّ معاً قبل نشرها.",
            ),
        },
        "nino",
        ["jonas"],
        ["editor"],
    ),
]

# The request-only group the demo moderator decides on, so the join-request flow can be tried
# with the printed logins: member@ asks to join, moderator@ approves or declines.
REQUEST_ONLY_GROUP = "latam-network"

MEMBERS_NOTE = (
    "<p>Monthly call: first Tuesday, 14:00 UTC. Shared folder and minutes are linked in the pinned "
    "thread.</p>"
)
CHARTER = (
    "<p>We share what worked and what did not, with numbers where we have them. We answer "
    "questions from peers within a week. What is said in the group stays in the group unless "
    "the author agrees.</p>"
)


def _extra_members() -> dict[str, User]:
    users = {}
    for username, name, country, city, org, language in EXTRA_MEMBERS:
        email = f"{username}@plaza.example"
        user = User.objects.filter(username=username).first()
        if user is None:
            user = User(
                username=username,
                email=email,
                display_name=name,
                country=country,
                city=city,
                organisation=org,
                preferred_language=language,
            )
            user.set_password(DEMO_PASSWORD)
            user.save()
        EmailAddress.objects.get_or_create(
            user=user, email=email, defaults={"verified": True, "primary": True}
        )
        users[username] = user
    return users


def _ensure_member(group, user, role) -> None:
    if (
        not Membership.objects.filter(group=group, user=user).exists()
        and not Ban.objects.filter(group=group, user=user).exists()
    ):
        services.membership_add(group=group, user=user, role=role)


@transaction.atomic
def seed() -> list[WorkingGroup]:
    """Directory pages in six languages, ten groups with pages and members. Idempotent."""
    users = {**seed_people(), **_extra_members()}
    english_index = services.group_index_ensure(title=INDEX["en"][0], intro=INDEX["en"][1])
    for language, (title, intro) in INDEX.items():
        if language != "en":
            page_translation_ensure(page=english_index, language=language, title=title, intro=intro)

    groups = []
    for (
        slug,
        kind,
        visibility,
        policy,
        topic,
        region,
        languages,
        texts,
        owner,
        moderators,
        members,
    ) in GROUPS:
        group = WorkingGroup.objects.filter(slug=slug).first()
        if group is None:
            title, purpose = texts["en"]
            group = services.group_create(
                name=title,
                slug=slug,
                kind=kind,
                visibility=visibility,
                join_policy=policy,
                topic=topic,
                region=region,
                languages=languages,
                owner=users[owner],
                parent_page=english_index,
                purpose=purpose,
                charter=CHARTER,
                members_note=MEMBERS_NOTE,
            )
        english_page = group.page_in("en")
        for language, (title, purpose) in texts.items():
            if language != "en" and english_page is not None:
                page_translation_ensure(
                    page=english_page, language=language, title=title, purpose=purpose
                )
        for username in moderators:
            _ensure_member(group, users[username], Membership.Role.MODERATOR)
        for username in members:
            _ensure_member(group, users[username], Membership.Role.MEMBER)
        groups.append(group)

    by_slug = {g.slug: g for g in groups}
    # Something waiting in every moderation queue the demo users can see.
    local = by_slug["local-economy"]
    if not JoinRequest.objects.filter(group=local, user=users["member"]).exists():
        services.join_request_create(
            group=local,
            user=users["member"],
            message=(
                "I run the market management unit in Kumasi and would like to learn from Recife "
                "and Puebla."
            ),
        )
    climate = by_slug["climate-adaptation"]
    if not JoinRequest.objects.filter(group=climate, user=users["karim"]).exists():
        services.join_request_create(
            group=climate,
            user=users["karim"],
            message="Rabat is preparing its first heat action plan.",
        )
    digital = by_slug["digital-cities"]
    if not Invitation.objects.filter(group=digital, user=users["member"]).exists():
        services.invitation_create(
            group=digital,
            by=users["jonas"],
            user=users["member"],
            message="Kumasi's market app would be a great case for us.",
        )
    if not Invitation.objects.filter(group=digital, email="newcomer@plaza.example").exists():
        services.invitation_create(group=digital, by=users["jonas"], email="newcomer@plaza.example")
    mobility = by_slug["urban-mobility"]
    if (
        not Ban.objects.filter(group=mobility, user=users["sofia"]).exists()
        and not Membership.objects.filter(group=mobility, user=users["sofia"]).exists()
    ):
        services.ban_create(
            group=mobility,
            user=users["sofia"],
            by=users["moderator"],
            reason="Demo: repeated off-topic advertising.",
        )
    return groups


def hints() -> list[str]:
    """For seed_demo's summary: which group lets the printed logins try join requests."""
    from django.conf import settings

    group = WorkingGroup.objects.filter(slug=REQUEST_ONLY_GROUP).first()
    page = group.page_in("en") if group else None
    if page is None:
        return []
    url = settings.WAGTAILADMIN_BASE_URL.rstrip("/") + page.url
    return [
        f'Join requests: "{page.title}" takes members on request and is moderated by '
        f"moderator@plaza.example.\n  Ask to join as member@plaza.example at {url}, "
        "then approve or decline as the moderator."
    ]
