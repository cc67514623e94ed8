# ruff: noqa: E501  (demo data: whole sentences read better unbroken)
"""Demo content for the network's knowledge (used by `manage.py seed_demo`, after groups).

Twelve good practices (five also translated), fifteen listed experts, six events of every
kind (one full, with a waiting list; one past), five project ideas at different stages with
their history, and five funding calls (one closed). Idempotent: everything is looked up by
slug, title or username before it is created.
"""

from __future__ import annotations

import datetime as dt
import zoneinfo

from django.utils import timezone

from cms.services import page_translation_ensure
from groups.models import Membership, WorkingGroup
from knowledge.choices import region_for_country
from knowledge.models import (
    EventIndexPage,
    EventPage,
    EventRegistration,
    ExpertProfile,
    FundingOpportunity,
    GoodPracticeContact,
    GoodPracticeGroup,
    GoodPracticeIndexPage,
    GoodPracticePage,
    LanguageSkill,
    ProjectIdea,
    ProjectStageChange,
)
from knowledge.services import (
    event_register,
    knowledge_pages_ensure,
    project_idea_create,
    project_idea_record_results,
    project_idea_set_stage,
    project_team_add,
)

# --- experts: username -> (position, expertise, bio, available, languages) ----------------------

EXPERTS = {
    "admin": (
        "Network coordinator",
        "integrated-urban-development,urban-governance",
        "Coordinates the Plaza network and its city partnerships.",
        False,
        [("en", "fluent"), ("de", "native")],
    ),
    "moderator": (
        "Head of urban planning",
        "urban-mobility,integrated-urban-development",
        "Urban planner working on Amman's bus rapid transit corridors and public space.",
        True,
        [("ar", "native"), ("en", "fluent"), ("fr", "conversational")],
    ),
    "member": (
        "Waste management officer",
        "waste-circular-economy,local-economic-development",
        "Runs Kumasi's market waste programme; composting and informal waste pickers.",
        True,
        [("en", "fluent"), ("fr", "basic")],
    ),
    "editor": (
        "Programme manager",
        "urban-governance,local-economic-development",
        "Supports Colombian municipalities in partnerships with cities abroad.",
        False,
        [("es", "native"), ("en", "fluent"), ("pt", "basic")],
    ),
    "amina": (
        "Climate adaptation adviser",
        "climate-adaptation,digitalisation",
        "Built Dakar's SMS flood alerts with neighbourhood committees.",
        True,
        [("fr", "native"), ("en", "conversational")],
    ),
    "joao": (
        "Participation coordinator",
        "urban-governance,digitalisation",
        "Participatory budgeting and open data in Recife.",
        True,
        [("pt", "native"), ("es", "fluent"), ("en", "conversational")],
    ),
    "priya": (
        "Resilience officer",
        "climate-adaptation,energy-efficiency",
        "Heat action planning and cool roofs for informal settlements.",
        True,
        [("en", "fluent"), ("hi", "native"), ("mr", "native")],
    ),
    "nguyen": (
        "Smart city engineer",
        "digitalisation,energy-efficiency",
        "Street lighting retrofits and sensor networks in Da Nang.",
        False,
        [("vi", "native"), ("en", "fluent")],
    ),
    "karim": (
        "Mobility engineer",
        "urban-mobility",
        "Tramway feeder lines and minibus reform in Rabat.",
        True,
        [("ar", "native"), ("fr", "fluent"), ("en", "conversational")],
    ),
    "nino": (
        "Head of e-services",
        "urban-governance,digitalisation",
        "Built Tbilisi's one-stop shop for building permits.",
        True,
        [("ka", "native"), ("en", "fluent"), ("ru", "fluent")],
    ),
    "carmen": (
        "Road safety coordinator",
        "urban-mobility",
        "Safe routes to school and traffic calming in Puebla.",
        True,
        [("es", "native"), ("en", "conversational")],
    ),
    "david": (
        "Transport planner",
        "urban-mobility,local-economic-development",
        "Boda-boda registration and road safety training in Kampala.",
        True,
        [("en", "fluent"), ("sw", "native")],
    ),
    "leila": (
        "Energy officer",
        "energy-efficiency,climate-adaptation",
        "Solar water heating and energy audits for municipal buildings.",
        False,
        [("ar", "native"), ("fr", "fluent"), ("en", "fluent")],
    ),
    "jonas": (
        "Urban regeneration manager",
        "integrated-urban-development,local-economic-development",
        "Guardian houses and the reuse of vacant buildings in Leipzig.",
        True,
        [("de", "native"), ("en", "fluent"), ("es", "basic")],
    ),
    "sofia": (
        "Heritage centre manager",
        "integrated-urban-development,local-economic-development",
        "Revitalising Arequipa's historic centre with local businesses.",
        True,
        [("es", "native"), ("en", "conversational"), ("pt", "basic")],
    ),
}

# --- good practices -----------------------------------------------------------------------

PRACTICES = [
    {
        "slug": "sms-flood-early-warning-dakar",
        "city": "Dakar",
        "country": "SN",
        "topics": "climate-adaptation,digitalisation",
        "sdgs": "11,13",
        "groups": ["climate-adaptation", "africa-network"],
        "contacts": [("amina", "Project lead")],
        "en": (
            "SMS flood early warning run with neighbourhood committees",
            "Residents of flood-prone districts get SMS alerts two to six hours before heavy rain, and trained committees organise evacuation.",
            "Every rainy season, low-lying districts of Dakar flooded at night with no warning; families lost belongings and children missed school.",
            "The city linked the national weather service's forecasts to a bulk SMS gateway and trained 40 neighbourhood committees to relay alerts and open shelters.",
            "Households reached within minutes; no flood deaths in the pilot districts in two seasons.",
            "Committees matter more than the technology: alerts only work when someone knocks on doors.",
            [
                ("48,000", "households registered for alerts"),
                ("2–6 h", "warning before heavy rain"),
            ],
        ),
        "fr": (
            "Alerte précoce aux inondations par SMS avec les comités de quartier",
            "Les habitants des quartiers inondables reçoivent des alertes SMS deux à six heures avant les fortes pluies, et des comités formés organisent l’évacuation.",
            "À chaque saison des pluies, les quartiers bas de Dakar étaient inondés la nuit sans avertissement ; les familles perdaient leurs biens et les enfants manquaient l’école.",
            "La ville a relié les prévisions du service météorologique national à une passerelle SMS et formé 40 comités de quartier pour relayer les alertes et ouvrir des abris.",
            "Les ménages sont prévenus en quelques minutes ; aucun décès lié aux inondations dans les quartiers pilotes en deux saisons.",
            "Les comités comptent plus que la technologie : une alerte ne fonctionne que si quelqu’un frappe aux portes.",
        ),
    },
    {
        "slug": "online-participatory-budgeting-recife",
        "city": "Recife",
        "country": "BR",
        "topics": "urban-governance,digitalisation",
        "sdgs": "11,16",
        "groups": ["latam-network", "digital-cities"],
        "contacts": [("joao", "Coordinator")],
        "en": (
            "Participatory budgeting online and on the street",
            "Recife lets residents propose and vote on district investments online and at mobile kiosks, so people without internet take part too.",
            "Assemblies attracted few young people and almost nobody from the poorest districts.",
            "A simple voting site plus tablets carried by city staff to markets and bus stations; every project is tracked publicly until it is built.",
            "Participation grew five-fold in three years; 70 % of the chosen projects were completed on time.",
            "Publish the progress of every chosen project, or trust disappears in the second year.",
            [("5×", "more participants"), ("70 %", "projects completed on time")],
        ),
        "pt": (
            "Orçamento participativo online e na rua",
            "O Recife permite aos moradores propor e votar investimentos nos bairros online e em quiosques móveis, para que quem não tem internet também participe.",
            "As assembleias atraíam poucos jovens e quase ninguém dos bairros mais pobres.",
            "Um site de votação simples e tablets levados por servidores a mercados e terminais de ônibus; cada projeto é acompanhado publicamente até ser concluído.",
            "A participação quintuplicou em três anos; 70 % dos projetos escolhidos foram concluídos no prazo.",
            "Publique o andamento de cada projeto escolhido, ou a confiança desaparece no segundo ano.",
        ),
    },
    {
        "slug": "cool-roofs-pune",
        "city": "Pune",
        "country": "IN",
        "topics": "climate-adaptation,energy-efficiency",
        "sdgs": "3,7,13",
        "groups": ["climate-adaptation", "energy-efficiency"],
        "contacts": [("priya", "Resilience officer")],
        "en": (
            "Cool roofs for informal settlements",
            "Reflective lime-based roof coatings lowered indoor temperatures in tin-roofed homes during heatwaves.",
            "Tin roofs turn homes into ovens in April and May; heat-related hospital admissions were rising.",
            "Women's self-help groups were trained to apply a cheap lime-based reflective coating; the city paid for materials.",
            "Indoor temperatures fell by up to 5 °C; 3,200 roofs coated in two summers.",
            "Pay local groups to do the work: it builds skills and the coatings get maintained.",
            [("−5 °C", "indoor peak temperature"), ("3,200", "roofs coated")],
        ),
    },
    {
        "slug": "market-waste-compost-kumasi",
        "city": "Kumasi",
        "country": "GH",
        "topics": "waste-circular-economy,local-economic-development",
        "sdgs": "11,12",
        "groups": ["circular-cities", "africa-network"],
        "contacts": [("member", "Waste management officer")],
        "en": (
            "Market waste turned into compost for urban farmers",
            "Organic waste from Kejetia market is composted on site and sold to peri-urban farmers, halving the waste trucked to the landfill.",
            "The central market produced 60 tonnes of waste a day and the landfill was nearly full.",
            "Traders separate organic waste; a cooperative runs windrow composting beside the market and sells the compost.",
            "Landfill deliveries from the market fell by half; 45 jobs created in the cooperative.",
            "Start with the traders' association, not with equipment.",
            [("−50 %", "market waste to landfill"), ("45", "jobs in the cooperative")],
        ),
    },
    {
        "slug": "safe-routes-to-school-puebla",
        "city": "Puebla",
        "country": "MX",
        "topics": "urban-mobility",
        "sdgs": "3,11",
        "groups": ["urban-mobility", "latam-network"],
        "contacts": [("carmen", "Road safety coordinator")],
        "en": (
            "Safe routes to school",
            "Painted crossings, lower speed limits and volunteer crossing guards around 30 schools made walking to school safer.",
            "Most pupils walk, but the streets around schools had the city's worst record of child injuries.",
            "Quick, cheap street changes tested with paint and planters, then made permanent where they worked; parents act as crossing guards.",
            "Child pedestrian injuries near the schools fell by 40 % in two years.",
            "Test with paint first: residents accept changes they have already seen working.",
            [("30", "schools"), ("−40 %", "child pedestrian injuries")],
        ),
        "es": (
            "Rutas seguras a la escuela",
            "Cruces pintados, límites de velocidad más bajos y voluntarios en los cruces alrededor de 30 escuelas hicieron más seguro ir a pie a la escuela.",
            "La mayoría de los alumnos camina, pero las calles alrededor de las escuelas tenían el peor registro de lesiones infantiles de la ciudad.",
            "Cambios rápidos y baratos probados con pintura y maceteros, que se hicieron permanentes donde funcionaron; madres y padres ayudan en los cruces.",
            "Las lesiones de niños peatones cerca de las escuelas bajaron un 40 % en dos años.",
            "Pruebe primero con pintura: los vecinos aceptan los cambios que ya han visto funcionar.",
        ),
    },
    {
        "slug": "smart-street-lighting-da-nang",
        "city": "Da Nang",
        "country": "VN",
        "topics": "energy-efficiency,digitalisation",
        "sdgs": "7,11,13",
        "groups": ["energy-efficiency", "digital-cities"],
        "contacts": [("nguyen", "Engineer")],
        "en": (
            "Smart LED street lighting retrofit",
            "Replacing 20,000 sodium lamps with dimmable LEDs on a central control system cut the lighting bill by more than half.",
            "Street lighting was the city's largest electricity bill and failures took weeks to find.",
            "An energy-performance contract paid for LEDs from the savings; a control system reports failures automatically.",
            "Electricity use for street lighting fell by 58 %; repairs now happen within two days.",
            "Write the data format into the contract so you are not locked into one supplier.",
            [("−58 %", "electricity for street lighting"), ("20,000", "lamps replaced")],
        ),
    },
    {
        "slug": "tramway-feeder-minibuses-rabat",
        "city": "Rabat",
        "country": "MA",
        "topics": "urban-mobility",
        "sdgs": "11",
        "groups": ["urban-mobility", "mena-network"],
        "contacts": [("karim", "Mobility engineer")],
        "en": (
            "Feeder minibuses for the tramway",
            "Reorganised minibus routes now feed tram stations with a shared ticket, bringing outer districts within reach of the tram.",
            "The tramway served the centre, but outer districts depended on unregulated minibuses that competed with it.",
            "The city licensed minibus operators for feeder routes, introduced a shared ticket and paid operators per kilometre instead of per passenger.",
            "Tram ridership rose by a quarter; waiting times in the outer districts halved.",
            "Operators accept reform when their income becomes more predictable, not less.",
            [("+25 %", "tram ridership"), ("−50 %", "waiting time in outer districts")],
        ),
        "ar": (
            "حافلات صغيرة مغذّية للترامواي",
            "أعيد تنظيم خطوط الحافلات الصغيرة لتغذية محطات الترامواي بتذكرة موحّدة، فصارت الأحياء البعيدة في متناول الترامواي.",
            "كان الترامواي يخدم وسط المدينة، بينما اعتمدت الأحياء البعيدة على حافلات صغيرة غير منظّمة تنافسه.",
            "منحت المدينة تراخيص لمشغّلي الحافلات الصغيرة على خطوط مغذّية، وأدخلت تذكرة موحّدة، وصارت تدفع للمشغّلين حسب الكيلومتر بدلاً من عدد الركاب.",
            "ارتفع عدد ركاب الترامواي بمقدار الربع، وانخفض وقت الانتظار في الأحياء البعيدة إلى النصف.",
            "يقبل المشغّلون الإصلاح عندما يصبح دخلهم أكثر قابلية للتوقّع، لا أقل.",
        ),
        "fr": (
            "Des minibus de rabattement pour le tramway",
            "Des lignes de minibus réorganisées desservent les stations de tramway avec un billet commun et rapprochent les quartiers périphériques du tram.",
            "Le tramway desservait le centre, mais les quartiers périphériques dépendaient de minibus non réglementés qui lui faisaient concurrence.",
            "La ville a attribué des licences de rabattement aux exploitants, introduit un billet commun et rémunère les exploitants au kilomètre plutôt qu’au passager.",
            "La fréquentation du tram a augmenté d’un quart ; l’attente dans les quartiers périphériques a été divisée par deux.",
            "Les exploitants acceptent la réforme quand leurs revenus deviennent plus prévisibles, pas moins.",
        ),
    },
    {
        "slug": "one-stop-shop-building-permits-tbilisi",
        "city": "Tbilisi",
        "country": "GE",
        "topics": "urban-governance,local-economic-development",
        "sdgs": "8,16",
        "groups": ["digital-cities"],
        "contacts": [("nino", "Head of e-services")],
        "en": (
            "One-stop shop for building permits",
            "One online application replaced visits to seven offices; permits are now decided within a fixed deadline.",
            "A building permit needed stamps from seven offices and took on average five months.",
            "The city mapped the process with applicants, removed duplicate checks and put the whole procedure online with fixed deadlines per step.",
            "Average time to a permit fell from five months to 30 days.",
            "Simplify the procedure before you digitise it.",
            [("30 days", "average time to a permit"), ("7 → 1", "offices to visit")],
        ),
    },
    {
        "slug": "boda-boda-safety-kampala",
        "city": "Kampala",
        "country": "UG",
        "topics": "urban-mobility,local-economic-development",
        "sdgs": "3,8,11",
        "groups": ["urban-mobility", "africa-network"],
        "contacts": [("david", "Transport planner")],
        "en": (
            "Registering and training motorcycle taxi riders",
            "Kampala registered motorcycle taxi (boda-boda) riders in stage associations and offered free safety training and helmets.",
            "Motorcycle taxis carry a third of all trips and account for most road deaths.",
            "Riders register through their stage association; registered riders get training, a helmet and a reflective vest.",
            "62,000 riders registered; helmet use rose from 30 % to 80 %.",
            "Work through the stage associations: they already enforce their own rules.",
            [("62,000", "riders registered"), ("30 → 80 %", "helmet use")],
        ),
    },
    {
        "slug": "solar-water-heaters-tripoli",
        "city": "Tripoli",
        "country": "LB",
        "topics": "energy-efficiency",
        "sdgs": "7,13",
        "groups": ["energy-efficiency", "mena-network"],
        "contacts": [("leila", "Energy officer")],
        "en": (
            "Solar water heaters for municipal buildings",
            "Solar water heaters on schools, clinics and the municipal pool cut diesel use during power cuts.",
            "Daily power cuts forced municipal buildings to run diesel generators to heat water.",
            "An energy audit ranked buildings by savings; solar heaters were installed first where hot water use was highest.",
            "Diesel use in the equipped buildings fell by 35 %; the investment paid back in four years.",
            "Budget for maintenance from the start; one broken valve can empty a system.",
            [("−35 %", "diesel use"), ("4 years", "payback time")],
        ),
    },
    {
        "slug": "historic-centre-arequipa",
        "city": "Arequipa",
        "country": "PE",
        "topics": "integrated-urban-development,local-economic-development",
        "sdgs": "8,11",
        "groups": ["latam-network"],
        "contacts": [("sofia", "Heritage centre manager")],
        "en": (
            "Reviving the historic centre with local businesses",
            "Low-interest loans and simplified permits brought shops and homes back into empty heritage buildings.",
            "Residents had left the UNESCO-listed centre; ground floors stood empty and buildings decayed.",
            "A revolving fund lends to owners who restore buildings for mixed use; a single desk handles heritage permits.",
            "120 buildings restored; 300 new residents in five years.",
            "Keep residents, not only tourists, or the centre empties again at night.",
            [("120", "buildings restored"), ("300", "new residents")],
        ),
    },
    {
        "slug": "guardian-houses-leipzig",
        "city": "Leipzig",
        "country": "DE",
        "topics": "integrated-urban-development",
        "sdgs": "11",
        "groups": [],
        "contacts": [("jonas", "Urban regeneration manager")],
        "en": (
            "Guardian houses for vacant buildings",
            "Users look after empty historic houses in exchange for low rent, which stops decay until owners can invest.",
            "After the 1990s, thousands of historic buildings stood empty and were decaying.",
            "An association brokers contracts: users pay only running costs and protect the building from damage.",
            "Over 20 buildings saved; many were later renovated by their owners.",
            "Temporary use can become the first step of a permanent solution.",
            [("20+", "buildings saved")],
        ),
        "de": (
            "Wächterhäuser für leerstehende Gebäude",
            "Nutzerinnen und Nutzer halten leerstehende Altbauten gegen geringe Kosten instand und bewahren sie vor dem Verfall, bis die Eigentümer investieren können.",
            "Nach den 1990er-Jahren standen Tausende Altbauten leer und verfielen.",
            "Ein Verein vermittelt Verträge: Die Nutzenden zahlen nur die Betriebskosten und schützen das Haus vor Schäden.",
            "Über 20 Gebäude gerettet; viele wurden später von ihren Eigentümern saniert.",
            "Zwischennutzung kann der erste Schritt zu einer dauerhaften Lösung sein.",
        ),
    },
    {
        # Documented by a partner association: lives in its section, its editors edit it.
        "slug": "mangrove-belt-cotonou",
        "section": "lagoon-cities",
        "city": "Cotonou",
        "country": "BJ",
        "topics": "climate-adaptation,local-economic-development",
        "sdgs": "13,14,15",
        "groups": ["climate-adaptation", "africa-network"],
        "contacts": [("amina", "Adviser to the lagoon cities")],
        "en": (
            "A mangrove belt replanted with fishing cooperatives",
            "Fishing cooperatives replant and guard mangroves along the lagoon; the belt slows storm surges and brings the fish back.",
            "Mangroves along the lagoon had been cut for firewood; storm surges reached houses and catches fell year after year.",
            "The city leased the shore to three fishing cooperatives, which run nurseries, replant and patrol in exchange for exclusive fishing rights.",
            "Surges now stop short of the first row of houses, and catches in the replanted areas have risen.",
            "Give the people who live from the lagoon a stake: guarding pays when the fish come back.",
            [("35 ha", "of mangrove replanted"), ("3", "fishing cooperatives involved")],
        ),
        "fr": (
            "Une ceinture de mangrove replantée avec les coopératives de pêche",
            "Les coopératives de pêche replantent et surveillent la mangrove le long de la lagune ; la ceinture freine les ondes de tempête et fait revenir le poisson.",
            "La mangrove de la lagune avait été coupée pour le bois de chauffe ; les ondes de tempête atteignaient les maisons et les prises baissaient d’année en année.",
            "La ville a confié le rivage à trois coopératives de pêche, qui gèrent des pépinières, replantent et surveillent en échange de droits de pêche exclusifs.",
            "Les ondes de tempête s’arrêtent désormais avant la première rangée de maisons, et les prises ont augmenté dans les zones replantées.",
            "Associer ceux qui vivent de la lagune : surveiller est rentable quand le poisson revient.",
        ),
    },
]

# --- events: slug, kind, title, intro, zone, start (days ahead, hour), hours, place, online, languages, group, audience, capacity

EVENTS = [
    (
        "annual-conference-2027",
        "conference",
        "Plaza annual conference: cities learning from cities",
        "Three days of peer exchange, site visits and project clinics with city staff from four continents.",
        "Africa/Nairobi",
        (75, 9),
        56,
        ("Kenyatta International Convention Centre", "Nairobi", "KE"),
        False,
        "en,fr",
        "",
        "public",
        250,
    ),
    (
        "training-climate-funding-proposals",
        "training",
        "Training: writing a climate adaptation funding proposal",
        "Two half-days on building a fundable project: problem, theory of change, budget and risks.",
        "Europe/Berlin",
        (21, 10),
        4,
        ("", "", ""),
        True,
        "en,fr",
        "climate-adaptation",
        "public",
        25,
    ),
    (
        "study-trip-bus-rapid-transit-colombia",
        "study-trip",
        "Study trip: bus rapid transit in Bogotá and Medellín",
        "Five days with the operators and planners of two of Latin America's best-known BRT systems.",
        "America/Bogota",
        (45, 8),
        104,
        ("TransMilenio headquarters", "Bogotá", "CO"),
        False,
        "es,en",
        "urban-mobility",
        "public",
        3,
    ),
    (
        "dialogue-municipal-finance-mena",
        "dialogue",
        "Dialogue: municipal finance in the MENA region",
        "A closed dialogue between finance directors on own-source revenue and borrowing.",
        "Asia/Amman",
        (33, 10),
        6,
        ("Greater Amman Municipality", "Amman", "JO"),
        False,
        "ar,en,fr",
        "mena-network",
        "group",
        40,
    ),
    (
        "webinar-open-data-small-municipalities",
        "webinar",
        "Webinar: open data for small municipalities",
        "What to publish first, which tools cost nothing, and how to keep it up to date.",
        "UTC",
        (9, 13),
        1.5,
        ("", "", ""),
        True,
        "en,de",
        "digital-cities",
        "public",
        None,
    ),
    (
        "webinar-heat-season-lessons",
        "webinar",
        "Webinar: lessons from the last heat season",
        "Heat action plans in practice: what worked in Pune, Dakar and Seville.",
        "Asia/Kolkata",
        (-20, 15),
        1.5,
        ("", "", ""),
        True,
        "en",
        "climate-adaptation",
        "public",
        None,
    ),
]

# Events co-organised by a partner association (event slug: association slug).
EVENT_ASSOCIATIONS = {"dialogue-municipal-finance-mena": "levant-gulf-forum"}

# --- project ideas: group, creator, title, problem, approach, cities, region, topics, expertise, stages, team -----

IDEAS = [
    (
        "urban-mobility",
        "member",
        "E-bike sharing at Kumasi's central market",
        "Porters and traders move goods on foot or by overloaded motorbike through the congested market area.",
        "Pilot 50 cargo e-bikes at three market gates, charged with solar canopies, run by a traders' cooperative.",
        "Kumasi",
        "sub-saharan-africa",
        "urban-mobility,energy-efficiency",
        "urban-mobility,local-economic-development",
        ["concept"],
        [("david", "Transport planner")],
    ),
    (
        "climate-adaptation",
        "amina",
        "Heat action plan for informal settlements",
        "Heatwaves are getting longer and the poorest districts have no shade, no cooling and no warning system.",
        "Adapt Pune's heat action plan to Dakar: early warnings, cooling centres, cool roofs built by local groups.",
        "Dakar, Pune",
        "sub-saharan-africa",
        "climate-adaptation",
        "climate-adaptation,energy-efficiency",
        ["concept", "funding-application"],
        [("priya", "Technical adviser")],
    ),
    (
        "circular-cities",
        "karim",
        "Compost hubs for three market cities",
        "Organic market waste fills landfills in Rabat, Kumasi and Dakar while farmers lack affordable fertiliser.",
        "Replicate Kumasi's market compost cooperative in two more cities, with a shared training programme.",
        "Rabat, Kumasi, Dakar",
        "mena",
        "waste-circular-economy",
        "waste-circular-economy,local-economic-development",
        ["concept", "funding-application", "funded", "implementation"],
        [("member", "Mentor from Kumasi")],
    ),
    (
        "digital-cities",
        "jonas",
        "Open budget portal for district councils",
        "District councils publish budgets as scanned PDFs nobody can search or compare.",
        "Reuse Recife's open budget tools for district councils, with a simple upload template.",
        "Leipzig, Recife",
        "latin-america",
        "digitalisation,urban-governance",
        "digitalisation",
        ["concept", "funding-application", "funded", "implementation", "evaluated"],
        [("nino", "Reviewer")],
    ),
    (
        "energy-efficiency",
        "leila",
        "Joint procurement of LED street lights",
        "Small municipalities pay high prices for LED street lights because they buy in small lots.",
        "Pool the orders of eight municipalities in one tender.",
        "Tripoli, Byblos",
        "mena",
        "energy-efficiency",
        "energy-efficiency,urban-governance",
        ["dropped"],
        [],
    ),
]

RESULTS = (
    "The portal went live in four district councils; budget pages were visited 12,000 times in the first year "
    "and two councils now publish their spending monthly."
)
LESSONS = (
    "Start with one council that wants it. Publishing data in a fixed template mattered more than the "
    "visualisations."
)

FUNDING = [
    (
        "Urban Mobility Partnerships Facility",
        "Sustainable urban mobility call",
        "sub-saharan-africa,latin-america",
        "urban-mobility",
        75,
        500_000,
        2_000_000,
        "EUR",
        "Grants for city-to-city projects that improve public transport, walking and cycling.",
    ),
    (
        "Municipal Climate Adaptation Fund",
        "Adaptation planning and pilots",
        "sub-saharan-africa,asia,mena",
        "climate-adaptation",
        40,
        100_000,
        750_000,
        "USD",
        "Co-finances adaptation plans and first pilot measures in cities.",
    ),
    (
        "City Partnerships Small Grants",
        "Small grants for exchange and preparation",
        "",
        "",
        20,
        5_000,
        50_000,
        "EUR",
        "Travel, peer visits and feasibility studies to prepare a larger project.",
    ),
    (
        "Digital Public Services Fund",
        "Open government and e-services",
        "asia,mena,latin-america,global",
        "digitalisation,urban-governance",
        120,
        50_000,
        400_000,
        "EUR",
        "Digital services that make city administrations more open and efficient.",
    ),
    (
        "Public Buildings Energy Programme",
        "Energy efficiency in public buildings",
        "mena,southeast-europe-caucasus",
        "energy-efficiency",
        -10,
        200_000,
        1_500_000,
        "EUR",
        "Retrofits of schools, clinics and town halls. (Closed: shows that past calls drop out.)",
    ),
]


def _csv(value: str) -> str:
    return f",{value}," if value else ""


def _users() -> dict:
    from demo.groups import seed as seed_groups  # people and groups first (both idempotent)

    seed_groups()
    from people.models import User

    return {u.username: u for u in User.objects.filter(username__in=list(EXPERTS))}


def _ensure_member(group: WorkingGroup, user) -> None:
    from groups.services import membership_add

    if not Membership.objects.filter(group=group, user=user).exists():
        membership_add(group=group, user=user)


def _experts(users) -> None:
    for username, (position, expertise, bio, available, languages) in EXPERTS.items():
        user = users.get(username)
        if user is None or ExpertProfile.objects.filter(user=user).exists():
            continue
        ExpertProfile.objects.create(
            user=user,
            position=position,
            expertise=_csv(expertise),
            bio=bio,
            available_for_missions=available,
            listed=True,
        )
        for code, level in languages:
            LanguageSkill.objects.get_or_create(user=user, language=code, defaults={"level": level})


def _section(slug: str | None, locale):
    """A partner association's section page in that locale (None: the practice database)."""
    if not slug:
        return None
    try:
        from partners.models import PartnerSectionPage
    except ImportError:  # partners not installed: the practice goes into the database
        return None
    return PartnerSectionPage.objects.filter(association__slug=slug, locale=locale).first()


def _association(slug: str | None):
    if not slug:
        return None
    try:
        from partners.models import PartnerAssociation
    except ImportError:
        return None
    return PartnerAssociation.objects.filter(slug=slug).first()


def _picture(title: str, subtitle: str, colour: tuple[int, int, int]):
    """A simple illustrative picture (the demo ships no photos): waves under a caption."""
    import io

    from django.core.files.base import ContentFile
    from PIL import Image, ImageDraw, ImageFont

    image = Image.new("RGB", (1200, 675), colour)
    draw = ImageDraw.Draw(image)
    for row in range(6):  # water: lighter bands towards the bottom
        shade = tuple(min(255, c + 25 * row) for c in colour)
        y = 380 + row * 50
        for x in range(0, 1200, 120):
            draw.ellipse((x - 20, y, x + 140, y + 90), fill=shade)
    draw.text((60, 80), title, fill="white", font=ImageFont.load_default(size=64))
    draw.text((60, 170), subtitle, fill="white", font=ImageFont.load_default(size=36))
    buffer = io.BytesIO()
    image.save(buffer, "PNG")
    return ContentFile(buffer.getvalue(), name="demo-picture.png")


def _pdf(lines: list[str]):
    """A one-page PDF with a few lines of text (what a practice's evaluation report is)."""
    from django.core.files.base import ContentFile

    text = "BT /F1 14 Tf 72 770 Td 18 TL " + " ".join(
        "({}) '".format(line.replace("\\", "").replace("(", "[").replace(")", "]"))
        for line in lines
    )
    objects = [
        "<< /Type /Catalog /Pages 2 0 R >>",
        "<< /Type /Pages /Kids [3 0 R] /Count 1 >>",
        "<< /Type /Page /Parent 2 0 R /MediaBox [0 0 595 842] "
        "/Resources << /Font << /F1 4 0 R >> >> /Contents 5 0 R >>",
        "<< /Type /Font /Subtype /Type1 /BaseFont /Helvetica >>",
        f"<< /Length {len(text) + 3} >>\nstream\n{text} ET\nendstream",
    ]
    out, offsets = "%PDF-1.4\n", []
    for number, body in enumerate(objects, start=1):
        offsets.append(len(out.encode("latin-1")))
        out += f"{number} 0 obj\n{body}\nendobj\n"
    xref = len(out.encode("latin-1"))
    out += f"xref\n0 {len(objects) + 1}\n0000000000 65535 f \n"
    out += "".join(f"{offset:010d} 00000 n \n" for offset in offsets)
    out += f"trailer\n<< /Size {len(objects) + 1} /Root 1 0 R >>\nstartxref\n{xref}\n%EOF\n"
    return ContentFile(out.encode("latin-1"), name="evaluation-report.pdf")


def _media(page: GoodPracticePage) -> None:
    """The Dakar practice shows what a full entry looks like: a main image, a captioned
    picture and an evaluation report (idempotent: only while it has no image)."""
    from wagtail.documents.models import Document
    from wagtail.images.models import Image

    if page.slug != "sms-flood-early-warning-dakar" or page.image_id:
        return
    hero = Image.objects.create(
        title="Flood-prone district of Dakar in the rainy season",
        file=_picture("Dakar", "SMS flood early warning", (21, 94, 117)),
    )
    committee = Image.objects.create(
        title="A neighbourhood committee relays an alert",
        file=_picture("Neighbourhood committees", "40 trained, 48,000 households", (30, 110, 80)),
    )
    report = Document.objects.create(
        title="SMS flood early warning: evaluation of two rainy seasons",
        file=_pdf(
            [
                "SMS flood early warning, Dakar: evaluation of two rainy seasons",
                "48,000 households registered; alerts 2 to 6 hours before heavy rain.",
                "No flood deaths in the pilot districts in two seasons.",
            ]
        ),
    )
    page.image = hero
    page.attachments = [
        (
            "image",
            {"image": committee, "caption": "Committees knock on doors when an alert comes."},
        ),
        ("document", {"document": report, "label": "Evaluation of two rainy seasons"}),
    ]
    page.save_revision().publish()


def _practices(users, groups) -> None:
    index = GoodPracticeIndexPage.objects.get(locale__language_code="en")
    for spec in PRACTICES:
        title, summary, challenge, approach, results, lessons, figures = spec["en"]
        parent = _section(spec.get("section"), index.locale) or index
        page = GoodPracticePage.objects.filter(slug=spec["slug"], locale=index.locale).first()
        if page is None:
            page = GoodPracticePage(
                title=title,
                slug=spec["slug"],
                city=spec["city"],
                country=spec["country"],
                topics=_csv(spec["topics"]),
                sdgs=_csv(spec["sdgs"]),
                summary=summary,
                challenge=f"<p>{challenge}</p>",
                approach=f"<p>{approach}</p>",
                results=f"<p>{results}</p>",
                lessons_learned=f"<p>{lessons}</p>",
                key_figures=[("figure", {"value": v, "label": label}) for v, label in figures],
            )
            page.region = region_for_country(spec["country"])
            for slug in spec["groups"]:
                if slug in groups:
                    page.related_groups.add(GoodPracticeGroup(group=groups[slug]))
            for username, role in spec["contacts"]:
                if username in users:
                    page.contacts.add(GoodPracticeContact(user=users[username], role=role))
            parent.add_child(instance=page)
            page.save_revision().publish()
            page.refresh_from_db()
        _media(page)
        for language in ("de", "fr", "es", "pt", "ar"):
            if language in spec:
                t_title, t_summary, t_challenge, t_approach, t_results, t_lessons = spec[language]
                page_translation_ensure(
                    page=page,
                    language=language,
                    title=t_title,
                    summary=t_summary,
                    challenge=f"<p>{t_challenge}</p>",
                    approach=f"<p>{t_approach}</p>",
                    results=f"<p>{t_results}</p>",
                    lessons_learned=f"<p>{t_lessons}</p>",
                )


def _events(users, groups) -> None:
    index = EventIndexPage.objects.get(locale__language_code="en")
    today = timezone.localdate()
    for slug, kind, title, intro, zone, (days, hour), hours, (
        venue,
        city,
        country,
    ), online, langs, group, audience, capacity in EVENTS:
        page = EventPage.objects.filter(slug=slug, locale=index.locale).first()
        if page is None:
            tz = zoneinfo.ZoneInfo(zone)
            day = today + dt.timedelta(days=days)
            start = dt.datetime(day.year, day.month, day.day, hour, 0, tzinfo=tz)
            page = EventPage(
                title=title,
                slug=slug,
                kind=kind,
                intro=intro,
                time_zone=zone,
                starts_at=start,
                ends_at=start + dt.timedelta(hours=hours),
                venue=venue,
                city=city,
                country=country,
                online=online,
                online_url="https://meet.plaza.example/" + slug if online else "",
                languages=_csv(langs),
                group=groups.get(group),
                audience=audience,
                capacity=capacity,
                registration_deadline=start - dt.timedelta(days=2) if days > 3 else None,
                body=f"<p>{intro}</p>",
                association=_association(EVENT_ASSOCIATIONS.get(slug)),
            )
            index.add_child(instance=page)
            page.save_revision().publish()
            page.refresh_from_db()
    # The study trip is full, with a waiting list; the conference has some participants.
    trip = EventPage.objects.get(slug="study-trip-bus-rapid-transit-colombia", locale=index.locale)
    conference = EventPage.objects.get(slug="annual-conference-2027", locale=index.locale)
    for event, usernames in (
        (trip, ["carmen", "karim", "david", "moderator"]),
        (conference, ["amina", "joao", "priya", "member"]),
    ):
        for username in usernames:
            user = users.get(username)
            if (
                user
                and not EventRegistration.objects.filter(
                    event_key=event.translation_key, user=user
                ).exists()
            ):
                event_register(event=event, user=user)
    page_translation_ensure(
        page=conference,
        language="fr",
        title="Conférence annuelle de Plaza : des villes qui apprennent des villes",
        intro="Trois jours d’échanges entre pairs, de visites de terrain et d’ateliers projets avec des agents municipaux de quatre continents.",
        body="<p>Trois jours d’échanges entre pairs, de visites de terrain et d’ateliers projets.</p>",
    )


def _ideas(users, groups) -> None:
    for (
        group_slug,
        creator,
        title,
        problem,
        approach,
        cities,
        region,
        topics,
        expertise,
        stages,
        team,
    ) in IDEAS:
        group = groups.get(group_slug)
        author = users.get(creator)
        if group is None or author is None or ProjectIdea.objects.filter(title=title).exists():
            continue
        _ensure_member(group, author)
        idea = project_idea_create(
            group=group,
            by=author,
            role="Project lead",
            title=title,
            problem=problem,
            approach=approach,
            cities=cities,
            region=region,
            topics=topics,
            expertise_needed=expertise,
        )
        for username, role in team:
            if username in users:
                _ensure_member(group, users[username])
                project_team_add(idea=idea, by=author, user=users[username], role=role)
        for stage in stages:
            project_idea_set_stage(
                idea=idea,
                stage=stage,
                by=author,
                note="No city could co-finance the tender." if stage == "dropped" else "",
            )
        if stages and stages[-1] == "evaluated":
            project_idea_record_results(
                idea=idea, by=author, results=RESULTS, lessons_learned=LESSONS
            )
        # Demo only: spread the history over the past months so it reads like a real one.
        changes = list(idea.stage_changes.order_by("pk"))
        for age, change in zip(range(len(changes) * 60, 0, -60), changes, strict=False):
            ProjectStageChange.objects.filter(pk=change.pk).update(
                created_at=timezone.now() - dt.timedelta(days=age)
            )


def _funding() -> None:
    today = timezone.localdate()
    for funder, programme, regions, topics, days, low, high, currency, description in FUNDING:
        FundingOpportunity.objects.get_or_create(
            funder=funder,
            programme=programme,
            defaults={
                "regions": _csv(regions),
                "topics": _csv(topics),
                "deadline": today + dt.timedelta(days=days),
                "amount_min": low,
                "amount_max": high,
                "currency": currency,
                "description": description,
                "link": "https://funding.plaza.example/" + programme.lower().replace(" ", "-"),
            },
        )


def seed() -> None:
    """All knowledge demo content. Idempotent."""
    users = _users()
    knowledge_pages_ensure()
    groups = {g.slug: g for g in WorkingGroup.objects.all()}
    _experts(users)
    _practices(users, groups)
    _events(users, groups)
    _ideas(users, groups)
    _funding()
