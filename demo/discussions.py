# ruff: noqa: E501 - demo content is prose
"""Demo discussions (used by `manage.py seed_demo`; runs after demo.groups).

A few threads per demo group, with nested replies in the groups' languages, @mentions,
reactions, a pinned thread, a locked one, slow mode, a hidden post, an open report and a
post waiting for approval — so every discussions screen has something to show. Idempotent:
a thread whose title already exists in its group is left as it is.
"""

from __future__ import annotations

from django.db import transaction
from django.test.utils import override_settings

from discussions import services
from discussions.models import Post, Report, Thread
from groups.models import Membership, WorkingGroup

# group slug -> threads: (title, language, opening body, replies)
# a reply is (language, body, [replies to it])
THREADS: dict[str, list[tuple[str, str, str, list]]] = {
    "urban-mobility": [
        (
            "Bus rapid transit: what did your first corridor teach you?",
            "en",
            "We open our first BRT corridor next year. What would you do differently on **your** first one?\n\n"
            "- station design\n- fare integration\n- working with informal operators",
            [
                (
                    "fr",
                    "À Dakar, le plus dur a été l'intégration des cars rapides. Impliquez les opérateurs **dès le début**.",
                    [
                        (
                            "en",
                            "How did you compensate the operators who lost routes?",
                            [
                                (
                                    "fr",
                                    "Une partie est devenue exploitante des lignes de rabattement. Ce n'est pas parfait, mais personne n'a été exclu.",
                                    [
                                        (
                                            "en",
                                            "That is exactly the model we are discussing in Kampala. Thanks @amina!",
                                            [],
                                        ),
                                    ],
                                ),
                            ],
                        ),
                    ],
                ),
                (
                    "es",
                    "En Puebla aprendimos que la integración tarifaria debe estar lista el día uno; si no, la gente no cambia de hábito.",
                    [
                        ("en", "Did you use a single card or account-based ticketing?", []),
                    ],
                ),
                (
                    "en",
                    "Station access matters more than speed. Count the minutes people walk to the station, not only the minutes on the bus.",
                    [],
                ),
            ],
        ),
        (
            "Parking policy that people accept",
            "en",
            "Removing parking is always controversial. Which arguments worked with residents and shop owners?",
            [
                (
                    "de",
                    "In Leipzig haben Zählungen geholfen: Die meisten Kundinnen kamen zu Fuß oder mit dem Rad, nicht mit dem Auto.",
                    [
                        (
                            "es",
                            "¡Muy buen argumento! ¿Hicieron las encuestas ustedes mismos o con la cámara de comercio?",
                            [],
                        ),
                    ],
                ),
                (
                    "en",
                    "Pilot first, with planters and benches that can be moved. Make it reversible and people relax.",
                    [],
                ),
            ],
        ),
    ],
    "climate-adaptation": [
        (
            "Heat action plans: who gets the warning first?",
            "en",
            "Our heat plan has a warning system, but the warnings reach offices, not the people most at risk. How do you reach outdoor workers and older people living alone?",
            [
                (
                    "pt",
                    "No Recife usamos os agentes comunitários de saúde: eles já visitam as casas e conhecem quem mora sozinho.",
                    [
                        (
                            "en",
                            "Community health workers are a great channel. Do they get extra time for it during heatwaves?",
                            [
                                (
                                    "pt",
                                    "Sim, o protocolo de calor libera parte da agenda deles durante o alerta vermelho.",
                                    [],
                                ),
                            ],
                        ),
                    ],
                ),
                (
                    "fr",
                    "Nous passons par les radios communautaires et les imams pour les messages en wolof.",
                    [],
                ),
            ],
        ),
    ],
    "local-economy": [
        (
            "Market management: fees that traders trust",
            "en",
            "How do you set market fees so traders see what they pay for?",
            [
                (
                    "es",
                    "Publicamos cada mes en qué se gastan las tarifas: limpieza, seguridad, luz. La morosidad bajó a la mitad.",
                    [
                        ("pt", "Fizemos o mesmo no Recife, com um painel no próprio mercado.", []),
                    ],
                ),
                ("en", "A traders' committee that co-signs the budget helped us in Kumasi.", []),
            ],
        ),
    ],
    "circular-cities": [
        (
            "Waste pickers in the formal system",
            "fr",
            "Comment intégrer les récupérateurs informels dans la collecte municipale sans les évincer ?",
            [
                (
                    "ar",
                    "في الرباط بدأنا بتعاونيات صغيرة للفرز، مع بطاقات مهنية وتأمين صحي.",
                    [
                        (
                            "fr",
                            "Les cartes professionnelles ont-elles changé leur relation avec la police municipale ?",
                            [
                                ("ar", "نعم، تراجعت المضايقات كثيرًا بعد السنة الأولى.", []),
                            ],
                        ),
                    ],
                ),
                (
                    "en",
                    "Pay per tonne sorted, not per day: it rewards quality and keeps the work flexible.",
                    [],
                ),
            ],
        ),
    ],
    "digital-cities": [
        (
            "Open data portals nobody uses",
            "en",
            "We published 200 datasets. Downloads are close to zero. What made your portal useful?",
            [
                (
                    "de",
                    "Weniger Datensätze, dafür gepflegt und mit einem Ansprechpartner. Und Daten, nach denen Bürger wirklich fragen.",
                    [
                        (
                            "en",
                            "Which dataset got the most use?",
                            [
                                ("de", "Baustellen und Sperrungen – täglich aktualisiert.", []),
                            ],
                        ),
                    ],
                ),
            ],
        ),
    ],
    "energy-efficiency": [
        (
            "Street lighting retrofits: financing models",
            "en",
            "Energy service company, loan, or own budget? What worked for your LED retrofit?",
            [
                (
                    "fr",
                    "Contrat de performance énergétique sur 8 ans : les économies remboursent l'investissement.",
                    [
                        ("ar", "هل كان هناك ضمان لمستوى الإضاءة في العقد؟", []),
                    ],
                ),
                (
                    "en",
                    "A green municipal bond covered ours, and the savings went into a revolving fund.",
                    [],
                ),
            ],
        ),
    ],
    "mena-network": [
        (
            "تبادل الخبرات حول الموازنة التشاركية",
            "ar",
            "ما هي أفضل طريقة لإشراك الشباب في الموازنة التشاركية على مستوى الأحياء؟",
            [
                (
                    "ar",
                    "في طرابلس استخدمنا استمارات عبر الهاتف مع لقاءات في المدارس.",
                    [
                        (
                            "fr",
                            "Combien de projets ont été retenus la première année ?",
                            [
                                ("ar", "اثنا عشر مشروعًا، أغلبها مساحات خضراء وإنارة.", []),
                            ],
                        ),
                    ],
                ),
                (
                    "en",
                    "Schools were our best partner too; the pupils brought their parents to vote.",
                    [],
                ),
            ],
        ),
    ],
    "africa-network": [
        (
            "Own-source revenue: property tax registers",
            "en",
            "Updating the property register is slow and expensive. Has anyone used drones or street-level imagery?",
            [
                (
                    "fr",
                    "Nous avons utilisé des images satellites avec des agents de terrain : le registre a doublé en deux ans.",
                    [
                        ("pt", "Quanto custou por imóvel registado, aproximadamente?", []),
                    ],
                ),
                (
                    "en",
                    "Drones were great in Kampala, but the real work was verifying owners door to door.",
                    [],
                ),
            ],
        ),
    ],
    "latam-network": [
        (
            "Presupuesto participativo después de la pandemia",
            "es",
            "¿Cómo retomaron el presupuesto participativo presencial? ¿Mantuvieron algo digital?",
            [
                (
                    "pt",
                    "Mantivemos a votação online, mas as assembleias voltaram a ser presenciais.",
                    [
                        (
                            "es",
                            "Nosotros igual: la votación en línea duplicó la participación de jóvenes.",
                            [],
                        ),
                    ],
                ),
                (
                    "en",
                    "We kept hybrid meetings; people with care duties joined far more often.",
                    [],
                ),
            ],
        ),
    ],
    "asia-peer-review": [
        (
            "Peer review round: draft report for Da Nang",
            "en",
            "The draft peer-review report is ready for comments from the review team before we share it with the city.",
            [
                (
                    "en",
                    "Section 3 on land value capture needs the numbers from the 2024 budget.",
                    [
                        ("en", "I will ask the finance department this week.", []),
                    ],
                ),
            ],
        ),
    ],
}

REACTIONS = ["like", "thanks", "insightful", "agree"]


def _members(group: WorkingGroup) -> list:
    memberships = (
        Membership.objects.filter(group=group).select_related("user").order_by("role", "pk")
    )
    return [m.user for m in memberships]


def _author(members: list, index: int, avoid=None):
    candidates = [m for m in members if m != avoid] or members
    return candidates[index % len(candidates)]


def _replies(
    thread: Thread, parent: Post, replies: list, members: list, counter: list
) -> list[Post]:
    made = []
    for language, body, children in replies:
        counter[0] += 1
        author = _author(members, counter[0], avoid=parent.author)
        post = services.post_reply(
            thread=thread, parent=parent, author=author, body=body, language=language
        )
        made.append(post)
        made.extend(_replies(thread, post, children, members, counter))
    return made


@transaction.atomic
def seed() -> list[Thread]:
    """Threads with nested replies in every demo group that has members. Idempotent."""
    threads = []
    # Seeding writes dozens of posts a second; the per-minute limit is for people.
    with override_settings(DISCUSSIONS_POSTS_PER_MINUTE=10**6):
        for slug, specs in THREADS.items():
            group = WorkingGroup.objects.filter(slug=slug).first()
            if group is None:
                continue
            members = _members(group)
            if len(members) < 2:
                continue
            for n, (title, language, body, replies) in enumerate(specs):
                existing = Thread.objects.filter(group=group, title=title).first()
                if existing is not None:
                    threads.append(existing)
                    continue
                thread = services.thread_start(
                    group=group,
                    author=members[n % len(members)],
                    title=title,
                    body=body,
                    language=language,
                )
                posts = _replies(thread, thread.posts.get(depth=0), replies, members, [n])
                for i, post in enumerate(posts):
                    reactor = _author(members, i + 1, avoid=post.author)
                    if i % 2 == 0 and reactor != post.author:
                        services.reaction_toggle(
                            post=post, user=reactor, kind=REACTIONS[i % len(REACTIONS)]
                        )
                threads.append(thread)
        _moderation_examples()
    return threads


def _new_member(group: WorkingGroup):
    """A demo person who joins an open group now (through the groups service)."""
    from django.contrib.auth import get_user_model

    from groups.services import group_join

    if group.join_policy != WorkingGroup.JoinPolicy.OPEN:
        return None
    candidate = (
        get_user_model()
        .objects.filter(is_active=True, is_superuser=False)
        .exclude(group_memberships__group=group)
        .exclude(group_bans__group=group)
        .order_by("pk")
        .first()
    )
    if candidate is None:
        return None
    group_join(group=group, user=candidate)
    return candidate


def _moderation_examples() -> None:
    """A pinned thread, a locked one, slow mode, a hidden post, an open report and a held
    post, each made once, by the group's own moderators."""
    mobility = WorkingGroup.objects.filter(slug="urban-mobility").first()
    if mobility is None:
        return
    moderator = (
        Membership.objects.filter(group=mobility, role__in=["owner", "moderator"])
        .select_related("user")
        .order_by("role")
        .first()
    )
    if moderator is None:
        return
    moderator = moderator.user
    brt = Thread.objects.filter(group=mobility, title__startswith="Bus rapid transit").first()
    parking = Thread.objects.filter(group=mobility, title__startswith="Parking policy").first()
    if brt is not None and not brt.pinned:
        services.thread_pin(thread=brt, by=moderator, pinned=True)
    if parking is not None and not parking.slow_mode_seconds:
        services.slow_mode_set(
            by=moderator,
            group=mobility,
            thread=parking,
            seconds=300,
            reason="A lively debate: let's give everyone time to read.",
        )
    if brt is not None and not Report.objects.filter(group=mobility).exists():
        members = [m for m in _members(mobility) if m != moderator]
        if len(members) >= 2:
            spam = services.post_reply(
                thread=brt,
                parent=None,
                author=members[0],
                body="Great deals on bus tyres, write to me privately!",
                language="en",
            )
            services.report_create(
                post=spam,
                reporter=members[1],
                reason="spam",
                details="Advertising, not part of the discussion.",
            )
            off_topic = services.post_reply(
                thread=brt,
                parent=None,
                author=members[1],
                body="Does anyone know a good hotel near the conference venue?",
                language="en",
            )
            services.post_hide(
                post=off_topic,
                by=moderator,
                reason="Off topic here; please ask in the network's general thread.",
            )
    energy = WorkingGroup.objects.filter(slug="energy-efficiency").first()
    if energy is not None and not Post.objects.filter(group=energy, status="pending").exists():
        owner = Membership.objects.filter(group=energy, role="owner").select_related("user").first()
        thread = Thread.objects.filter(group=energy).first()
        if owner is not None and thread is not None:
            services.group_discussion_settings_update(
                group=energy, by=owner.user, premoderate_first_posts=1
            )
            writers = set(Post.objects.filter(group=energy).values_list("author_id", flat=True))
            newcomer = (
                Membership.objects.filter(group=energy, role="member")
                .exclude(user_id__in=writers)
                .select_related("user")
                .first()
            )
            newcomer = newcomer.user if newcomer else _new_member(energy)
            if newcomer is not None:
                services.post_reply(
                    thread=thread,
                    parent=None,
                    author=newcomer,
                    language="en",
                    body="Hello from a new member! We are tendering a retrofit of 12,000 lamps.",
                )
    africa = WorkingGroup.objects.filter(slug="africa-network").first()
    if africa is not None:
        thread = Thread.objects.filter(group=africa).first()
        owner = (
            Membership.objects.filter(group=africa, role__in=["owner", "moderator"])
            .select_related("user")
            .first()
        )
        if thread is not None and owner is not None and not thread.locked:
            services.thread_lock(
                thread=thread,
                by=owner.user,
                locked=True,
                reason="Summarised in the April newsletter; please continue in a new thread.",
            )
