"""Every write of the knowledge app.

Each service is keyword-only, runs in one transaction, checks permissions itself (so no
surface can forget) and raises ValidationError / PermissionDenied with a translated message
for bad input, changing nothing. Domain events and emails go out after commit.
"""

from __future__ import annotations

from collections.abc import Iterable
from datetime import timedelta

from django.conf import settings
from django.contrib.auth import get_user_model
from django.core.exceptions import PermissionDenied, ValidationError
from django.db import transaction
from django.utils import timezone, translation
from django.utils.text import slugify
from django.utils.translation import gettext as _
from wagtail.models import Page

from core import refusals as core_refusals
from core.concurrency import check_version
from core.events import emit
from core.idempotency import idempotent
from groups import permissions as group_perms
from groups.models import WorkingGroup

from . import permissions as perms
from . import signals
from .choices import (
    STAGE_PATH,
    LanguageLevel,
    Stage,
    Topic,
    region_for_country,
    spoken_language_choices,
)
from .fields import encode, split
from .models import (
    ContactRequest,
    EventPage,
    EventRegistration,
    ExpertProfile,
    GoodPracticeContact,
    GoodPracticeGroup,
    GoodPracticeIndexPage,
    GoodPracticePage,
    LanguageSkill,
    ProjectIdea,
    ProjectStageChange,
    ProjectTeamMember,
)

# Contact requests a member may send per rolling day (spam brake; replies count too).
CONTACT_LIMIT = getattr(settings, "KNOWLEDGE_CONTACT_LIMIT", 5)
CONTACT_WINDOW = timedelta(days=1)


class RateLimited(core_refusals.RateLimited):
    """Too many contact requests: views answer 429."""


def _emit(signal, sender, **kwargs) -> None:
    emit(signal, sender, **kwargs)


def _enqueue(task, *args) -> None:
    transaction.on_commit(lambda: task.enqueue(*args))


def _require_login(user) -> None:
    if user is None or not user.is_authenticated:
        raise PermissionDenied(_("Please log in first."))


def _render(source: str) -> str:
    from discussions.rendering import render_markdown

    return render_markdown(source).html if source.strip() else ""


# --- expert profile -----------------------------------------------------------------------


@transaction.atomic
def expert_profile_save(
    *,
    user,
    position: str = "",
    expertise: Iterable[str] | str = (),
    bio: str = "",
    available_for_missions: bool = False,
    listed: bool = False,
    languages: Iterable[tuple[str, str]] = (),
    organisation: str | None = None,
    city: str | None = None,
    country: str | None = None,
) -> ExpertProfile:
    """Create or update the member's expert profile and spoken languages (replacing them).

    Organisation, city and country are the member's own (`people.User`) and are updated
    through `people.services.user_update_profile` when given.
    """
    _require_login(user)
    from people.services import user_update_profile

    own = {
        k: v
        for k, v in {"organisation": organisation, "city": city, "country": country}.items()
        if v is not None
    }
    if own:
        user_update_profile(user=user, **own)
    topics = split(expertise) if isinstance(expertise, str) else list(expertise)
    unknown = set(topics) - set(Topic.values)
    if unknown:
        raise ValidationError(
            _("Unknown expertise: %(value)s") % {"value": ", ".join(sorted(unknown))}
        )
    known_languages = {code for code, _name in spoken_language_choices()}
    skills = list(languages)
    for code, level in skills:
        if code not in known_languages or level not in LanguageLevel.values:
            raise ValidationError(
                _("Unknown language or level: %(value)s") % {"value": f"{code}/{level}"}
            )
    if len({code for code, _level in skills}) != len(skills):
        raise ValidationError(_("Each language only once, please."))
    profile, _created = ExpertProfile.objects.get_or_create(user=user)
    profile.position = position.strip()
    profile.expertise = encode(topics, Topic.values)
    profile.bio = bio.strip()
    profile.available_for_missions = bool(available_for_missions)
    profile.listed = bool(listed)
    profile.full_clean(exclude=["user"])
    profile.save()
    LanguageSkill.objects.filter(user=user).exclude(language__in=[c for c, _l in skills]).delete()
    for code, level in skills:
        LanguageSkill.objects.update_or_create(user=user, language=code, defaults={"level": level})
    return profile


# --- contact requests ---------------------------------------------------------------------


@idempotent(user="sender")
@transaction.atomic
def contact_request_create(
    *, sender, recipient, subject: str, message: str, share_email: bool = False
) -> ContactRequest:
    """Send a message to a member through Plaza: stored, signalled (the inbox makes the
    notification) and emailed — without revealing either address unless the sender opts in.

    At most CONTACT_LIMIT per sender per rolling day (RateLimited, which views turn into 429).
    """
    perms.check_can_contact(sender, recipient)
    subject, message = subject.strip(), message.strip()
    if not subject or not message:
        raise ValidationError(_("Please write a subject and a message."))
    # Lock the sender's row so two parallel submissions cannot both pass the count.
    get_user_model().objects.select_for_update().filter(pk=sender.pk).first()
    since = timezone.now() - CONTACT_WINDOW
    if ContactRequest.objects.filter(sender=sender, created_at__gte=since).count() >= CONTACT_LIMIT:
        raise RateLimited(
            _(
                "You have sent %(count)s contact requests in the last 24 hours, "
                "the most Plaza allows. Please try again tomorrow."
            )
            % {"count": CONTACT_LIMIT},
            code="rate_limited",
        )
    contact = ContactRequest.objects.create(
        sender=sender,
        recipient=recipient,
        subject=subject[:160],
        message=message[:4000],
        share_email=share_email,
    )
    from .tasks import send_contact_email

    _enqueue(send_contact_email, contact.pk)
    _emit(
        signals.contact_requested,
        ContactRequest,
        contact_request=contact,
        contact_request_id=contact.pk,
        from_user=sender,
        from_user_id=sender.pk,
        to_user=recipient,
        to_user_id=recipient.pk,
    )
    return contact


# --- events -------------------------------------------------------------------------------


def _lock_event(event: EventPage) -> None:
    # One lock for the event in every language: its page rows. Serialises registrations
    # and cancellations so the waiting list never over-fills (no-op on SQLite, whose
    # IMMEDIATE transactions serialise writers anyway).
    list(
        Page.objects.select_for_update()
        .filter(translation_key=event.translation_key)
        .values_list("pk", flat=True)
    )


def _confirmed_count(event: EventPage) -> int:
    return EventRegistration.objects.filter(
        event_key=event.translation_key, status=EventRegistration.Status.CONFIRMED
    ).count()


def _has_room(event: EventPage) -> bool:
    return event.capacity is None or _confirmed_count(event) < event.capacity


def _announce(registration: EventRegistration, event: EventPage, *, promoted: bool = False) -> None:
    from .tasks import send_registration_email

    base = {
        "registration": registration,
        "registration_id": registration.pk,
        "user": registration.user,
        "user_id": registration.user_id,
        "event": event,
        "event_key": str(event.translation_key),
    }
    if registration.status == EventRegistration.Status.CONFIRMED:
        _emit(signals.registration_confirmed, EventRegistration, promoted=promoted, **base)
        _enqueue(send_registration_email, registration.pk, "promoted" if promoted else "confirmed")
    elif registration.status == EventRegistration.Status.WAITING:
        position = EventRegistration.objects.filter(
            event_key=event.translation_key,
            status=EventRegistration.Status.WAITING,
            queued_at__lte=registration.queued_at,
        ).count()
        _emit(signals.registration_waitlisted, EventRegistration, position=position, **base)
        _enqueue(send_registration_email, registration.pk, "waiting")
    else:
        _emit(signals.registration_cancelled, EventRegistration, **base)
        _enqueue(send_registration_email, registration.pk, "cancelled")


@idempotent(user="user")
@transaction.atomic
def event_register(*, event: EventPage, user, language: str | None = None) -> EventRegistration:
    """Register the member: a confirmed place if one is free (and nobody queues ahead),
    else a place on the waiting list. Refused after the deadline and when already registered.
    """
    _require_login(user)
    perms.check_can_view_event(user, event)
    if not event.registration_enabled:
        raise ValidationError(_("Registration for this event does not happen on Plaza."))
    if timezone.now() >= event.deadline:
        raise ValidationError(_("Registration for this event has closed."), code="closed")
    _lock_event(event)
    existing = EventRegistration.objects.filter(event_key=event.translation_key, user=user).first()
    if existing is not None and existing.status == EventRegistration.Status.CONFIRMED:
        raise ValidationError(_("You are already registered for this event."), code="duplicate")
    if existing is not None and existing.status == EventRegistration.Status.WAITING:
        raise ValidationError(
            _("You are already on the waiting list for this event."), code="duplicate"
        )
    queue = EventRegistration.objects.filter(
        event_key=event.translation_key, status=EventRegistration.Status.WAITING
    )
    confirmed = _has_room(event) and not queue.exists()
    now = timezone.now()
    registration = existing or EventRegistration(event_key=event.translation_key, user=user)
    registration.status = (
        EventRegistration.Status.CONFIRMED if confirmed else EventRegistration.Status.WAITING
    )
    registration.language = (
        language if language in dict(settings.LANGUAGES) else event.locale.language_code
    )
    registration.queued_at = now
    registration.confirmed_at = now if confirmed else None
    registration.cancelled_at = None
    registration.save()
    _announce(registration, event)
    return registration


def _promote(event: EventPage) -> list[EventRegistration]:
    promoted = []
    while _has_room(event):
        nxt = (
            EventRegistration.objects.select_for_update()
            .filter(event_key=event.translation_key, status=EventRegistration.Status.WAITING)
            .order_by("queued_at", "pk")
            .select_related("user")
            .first()
        )
        if nxt is None:
            break
        nxt.status = EventRegistration.Status.CONFIRMED
        nxt.confirmed_at = timezone.now()
        nxt.save(update_fields=["status", "confirmed_at"])
        promoted.append(nxt)
        _announce(nxt, event, promoted=True)
    return promoted


@transaction.atomic
def event_cancel_registration(*, event: EventPage, user) -> EventRegistration:
    """Cancel the member's registration (or waiting-list place); a freed place goes to the
    first person waiting, in the same transaction."""
    _require_login(user)
    _lock_event(event)
    registration = EventRegistration.objects.filter(
        event_key=event.translation_key,
        user=user,
        status__in=[EventRegistration.Status.CONFIRMED, EventRegistration.Status.WAITING],
    ).first()
    if registration is None:
        raise ValidationError(_("You are not registered for this event."))
    if event.ends_at <= timezone.now():
        raise ValidationError(_("This event is over."))
    registration.status = EventRegistration.Status.CANCELLED
    registration.cancelled_at = timezone.now()
    registration.save(update_fields=["status", "cancelled_at"])
    _announce(registration, event)
    if event.starts_at > timezone.now():
        _promote(event)
    return registration


@transaction.atomic
def event_waitlist_fill(*, event: EventPage) -> list[EventRegistration]:
    """Move people up while places are free (after an editor raised the capacity)."""
    if event.starts_at <= timezone.now():
        return []
    _lock_event(event)
    return _promote(event)


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

    from .models import EventIndexPage

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


# --- good practices -----------------------------------------------------------------------


def practice_index_for(language: str | None = None) -> GoodPracticeIndexPage | None:
    """The practice database page in that language, else the default language's."""
    pages = {
        p.locale.language_code: p for p in GoodPracticeIndexPage.objects.select_related("locale")
    }
    for code in (language, settings.LANGUAGE_CODE):
        if code in pages:
            return pages[code]
    return next(iter(pages.values()), None)


def _unique_slug(parent: Page, title: str) -> str:
    base = slugify(title)[:70] or "practice"
    slug, n = base, 1
    siblings = set(parent.get_children().values_list("slug", flat=True))
    while slug in siblings:
        n += 1
        slug = f"{base}-{n}"
    return slug


def _create_draft_practice(
    *,
    by,
    language: str,
    title: str,
    summary: str,
    fields: dict,
    groups: Iterable[WorkingGroup],
    contacts: Iterable = (),
) -> GoodPracticePage:
    index = practice_index_for(language)
    if index is None:
        raise ValidationError(_("The good-practice database has not been set up yet."))
    page = GoodPracticePage(
        title=title[:255],
        slug=_unique_slug(index, title),
        summary=summary,
        live=False,
        owner=by,
        locale=index.locale,
        city=fields.pop("city", ""),
        country=fields.pop("country", ""),
        **fields,
    )
    if page.country and not page.region:
        page.region = region_for_country(page.country.code)
    for group in groups:
        page.related_groups.add(GoodPracticeGroup(group=group))
    for user in contacts:
        page.contacts.add(GoodPracticeContact(user=user))
    index.add_child(instance=page)
    # A draft may lack what publishing needs (city, country): the editor completes it.
    page.save_revision(user=by, log_action=True, clean=False)
    return page


@transaction.atomic
def good_practice_draft_from_idea(*, idea: ProjectIdea, by) -> GoodPracticePage:
    """Seed a DRAFT good practice from an evaluated project idea (an editor completes and
    publishes it). Idempotent: a second call returns the existing draft."""
    perms.check_can_edit_idea(by, idea)
    if idea.stage != Stage.EVALUATED:
        raise ValidationError(_("Only an evaluated project can seed a good practice."))
    idea.good_practice_key = (
        ProjectIdea.objects.select_for_update()
        .values_list("good_practice_key", flat=True)
        .get(pk=idea.pk)
    )
    if idea.good_practice_key:
        existing = GoodPracticePage.objects.filter(translation_key=idea.good_practice_key).first()
        if existing is not None:
            return existing
    cities = idea.city_list
    page = _create_draft_practice(
        by=by,
        language=translation.get_language() or settings.LANGUAGE_CODE,
        title=idea.title,
        summary=(idea.results or idea.problem)[:1000],
        fields={
            "city": cities[0] if cities else "",
            "region": idea.region,
            "topics": idea.topics,
            "challenge": idea.problem_html,
            "approach": idea.approach_html,
            "results": idea.results_html,
            "lessons_learned": idea.lessons_learned_html,
        },
        groups=[idea.group],
    )
    idea.good_practice_key = page.translation_key
    idea.save(update_fields=["good_practice_key", "updated_at"])
    return page


def _first_paragraphs(html: str, limit: int = 600) -> str:
    """Plain text of the opening post for a summary: whole words, at most `limit` characters."""
    from django.utils.html import strip_tags
    from django.utils.text import Truncator

    text = " ".join(strip_tags(html.replace("</p>", "</p> ")).split())
    return Truncator(text).chars(limit)


@transaction.atomic
def good_practice_propose_from_thread(*, thread, by) -> GoodPracticePage:
    """A moderator turns a thread into a DRAFT good practice: title and summary from the
    thread's opening post, the group as related group, the thread's author as contact and
    their city and country as the practice's place (the editor corrects what is wrong),
    linked back to the thread. An editor completes and publishes it. Proposing the same
    thread twice returns the same draft."""
    _require_login(by)
    from discussions import permissions as discussion_perms
    from discussions.models import ContentStatus

    from .models import PracticeThreadLink

    discussion_perms.check_can_read_thread(by, thread)
    if not perms.can_propose_practice(by, thread.group):
        raise PermissionDenied(
            _("Only the group's moderators can propose a thread as a good practice.")
        )
    if thread.status != ContentStatus.PUBLISHED:
        raise ValidationError(_("Only a published thread can be proposed as a good practice."))
    link = PracticeThreadLink.objects.filter(
        thread=thread, kind=PracticeThreadLink.Kind.SOURCE
    ).first()
    if link is not None:
        existing = link.practice_in(thread.language, live_only=False)
        if existing is not None:
            return existing
        link.delete()  # the draft was deleted meanwhile: propose afresh
    opening = thread.posts.filter(parent__isnull=True).first()
    summary = _first_paragraphs(opening.body_html) if opening is not None else ""
    author = thread.author if thread.author is not None and thread.author.is_active else None
    page = _create_draft_practice(
        by=by,
        language=thread.language,
        title=thread.title,
        summary=summary,
        # Whoever described it is the first person to ask about it, usually in their city.
        fields={"city": author.city, "country": author.country.code or ""} if author else {},
        groups=[thread.group],
        contacts=[author] if author else [],
    )
    PracticeThreadLink.objects.create(
        practice_key=page.translation_key,
        thread=thread,
        kind=PracticeThreadLink.Kind.SOURCE,
        created_by=by,
    )
    _emit(
        signals.practice_proposed,
        GoodPracticePage,
        page=page,
        page_id=page.pk,
        group=thread.group,
        group_id=thread.group_id,
        by=by,
        by_id=by.pk,
        thread_id=thread.pk,
    )
    return page


@idempotent(user="by")
@transaction.atomic
def practice_discuss(*, page: GoodPracticePage, group: WorkingGroup | None, by):
    """Open the practice's thread in one of its related groups (or return the one already
    there), linked both ways."""
    _require_login(by)
    from discussions import services as discussion_services
    from discussions.models import Thread

    from .models import PracticeThreadLink

    if not page.live:
        raise ValidationError(_("Only a published good practice can be discussed."))
    related = {link.group_id for link in page.related_groups.all()}
    # A group the member may not know of reads as not one of the practice's groups.
    if group is None or group.pk not in related or not group_perms.can_view_group(by, group):
        raise ValidationError(_("Choose one of the practice's working groups."))
    existing = (
        PracticeThreadLink.objects.filter(
            practice_key=page.translation_key,
            thread__group=group,
            kind=PracticeThreadLink.Kind.DISCUSSION,
        )
        .select_related("thread")
        .first()
    )
    if existing is not None:
        group_perms.check_can_read_content(by, group)
        return existing.thread
    language = page.locale.language_code
    with translation.override(language):
        title = _("Discussion: %(title)s") % {"title": page.title}
        body = _("Let us discuss the good practice [%(title)s](%(url)s) from %(city)s.") % {
            "title": page.title.replace("]", ")").replace("[", "("),
            "url": page.url or "",
            "city": page.city,
        }
        body += "\n\n> " + " ".join(page.summary.split())
    thread: Thread = discussion_services.thread_start(
        group=group, author=by, title=title[:200], body=body, language=language
    )
    PracticeThreadLink.objects.create(
        practice_key=page.translation_key,
        thread=thread,
        kind=PracticeThreadLink.Kind.DISCUSSION,
        created_by=by,
    )
    _emit(
        signals.practice_discussed,
        GoodPracticePage,
        page=page,
        page_id=page.pk,
        group=group,
        group_id=group.pk,
        thread_id=thread.pk,
        by=by,
        by_id=by.pk,
    )
    return thread


# --- project ideas ------------------------------------------------------------------------

IDEA_TEXT_FIELDS = (
    "title",
    "problem",
    "approach",
    "cities",
    "region",
    "topics",
    "expertise_needed",
    "expertise_note",
)


def _apply_idea_fields(idea: ProjectIdea, changes: dict) -> None:
    for name, value in changes.items():
        if name in ("topics", "expertise_needed"):
            value = encode(split(value) if isinstance(value, str) else value, Topic.values)
        setattr(
            idea,
            name,
            value.strip()
            if isinstance(value, str) and name not in ("topics", "expertise_needed")
            else value,
        )
    if not idea.title:
        raise ValidationError(_("Please give the project idea a title."))
    if not idea.problem.strip():
        raise ValidationError(_("Please describe the problem the project addresses."))
    idea.problem_html = _render(idea.problem)
    idea.approach_html = _render(idea.approach)
    idea.full_clean(exclude=["group", "created_by"])


@idempotent(user="by")
@transaction.atomic
def project_idea_create(*, group: WorkingGroup, by, role: str = "", **fields) -> ProjectIdea:
    """Start a project idea in a group (members may); its author joins the team."""
    _require_login(by)
    perms.check_can_create_idea(by, group)
    unknown = set(fields) - set(IDEA_TEXT_FIELDS)
    if unknown:
        raise ValueError(f"Not project idea fields: {sorted(unknown)}")
    idea = ProjectIdea(group=group, created_by=by)
    _apply_idea_fields(idea, {"region": group.region, **fields})
    idea.save()
    ProjectTeamMember.objects.create(idea=idea, user=by, role=role or _("Initiator"))
    ProjectStageChange.objects.create(idea=idea, from_stage="", to_stage=Stage.IDEA, by=by)
    from groups.services import group_touch_activity

    group_touch_activity(group=group)
    return idea


def _lock_idea_version(
    idea: ProjectIdea, *, expected_version: int | None, names, edited: dict
) -> bool:
    """Lock the idea's row; False when `edited` (the submitted values of `names`) is what is
    saved already (a doubled submit: nothing to do), EditConflict when the form was loaded
    from an older version. Then bumps `idea.version` for the save."""
    saved = ProjectIdea.objects.select_for_update().get(pk=idea.pk)
    current = {name: getattr(saved, name) for name in names}
    if all(edited.get(name) == value for name, value in current.items() if name in edited):
        return False
    check_version(expected=expected_version, current=saved.version, saved=current)
    idea.version = saved.version + 1
    return True


@transaction.atomic
def project_idea_update(
    *, idea: ProjectIdea, by, expected_version: int | None = None, **fields
) -> ProjectIdea:
    """Edit a project idea's description (team and group moderators).

    `expected_version` is the idea's version when the edit form was loaded: if it was saved
    since, EditConflict carries the saved texts and nothing changes (None skips the check).
    """
    perms.check_can_edit_idea(by, idea)
    unknown = set(fields) - set(IDEA_TEXT_FIELDS)
    if unknown:
        raise ValueError(f"Not project idea fields: {sorted(unknown)}")
    _apply_idea_fields(idea, fields)
    edited = {name: getattr(idea, name) for name in fields}
    if _lock_idea_version(
        idea, expected_version=expected_version, names=IDEA_TEXT_FIELDS, edited=edited
    ):
        idea.save()
    return idea


def allowed_stages(idea: ProjectIdea) -> list[str]:
    """Next step, one step back (a correction), or dropped; a dropped idea can be revived
    at the stage it was dropped from."""
    if idea.stage == Stage.DROPPED:
        last = (
            idea.stage_changes.filter(to_stage=Stage.DROPPED).order_by("-created_at", "-pk").first()
        )
        return [last.from_stage] if last and last.from_stage else [Stage.IDEA]
    position = STAGE_PATH.index(idea.stage)
    options = []
    if position + 1 < len(STAGE_PATH):
        options.append(STAGE_PATH[position + 1])
    if position > 0:
        options.append(STAGE_PATH[position - 1])
    if idea.stage != Stage.EVALUATED:
        options.append(Stage.DROPPED)
    return [str(s) for s in options]


@transaction.atomic
def project_idea_set_stage(
    *, idea: ProjectIdea, stage: str, by, note: str = ""
) -> ProjectStageChange:
    """Move the idea to another stage and record who did it, when (the only writer of
    ProjectStageChange)."""
    perms.check_can_edit_idea(by, idea)
    # Lock the row and read the stage afresh: two team members clicking at once make one move.
    idea.stage = (
        ProjectIdea.objects.select_for_update().values_list("stage", flat=True).get(pk=idea.pk)
    )
    if stage not in allowed_stages(idea):
        raise ValidationError(
            _("A project at stage “%(current)s” cannot move to “%(stage)s”.")
            % {
                "current": Stage(idea.stage).label,
                "stage": Stage(stage).label if stage in Stage.values else stage,
            }
        )
    change = ProjectStageChange.objects.create(
        idea=idea, from_stage=idea.stage, to_stage=stage, by=by, note=note.strip()[:500]
    )
    idea.stage = stage
    idea.stage_changed_at = change.created_at
    idea.save(update_fields=["stage", "stage_changed_at", "updated_at"])
    _emit(
        signals.project_stage_changed,
        ProjectIdea,
        idea=idea,
        idea_id=idea.pk,
        group=idea.group,
        group_id=idea.group_id,
        from_stage=change.from_stage,
        to_stage=stage,
        by=by,
        by_id=by.pk,
    )
    return change


@transaction.atomic
def project_idea_record_results(
    *,
    idea: ProjectIdea,
    by,
    results: str,
    lessons_learned: str,
    expected_version: int | None = None,
) -> ProjectIdea:
    """At "evaluated", the team records what came out of it and what they learned.

    `expected_version` as for `project_idea_update` (a stale form gets EditConflict)."""
    perms.check_can_edit_idea(by, idea)
    if idea.stage != Stage.EVALUATED:
        raise ValidationError(_("Results are recorded once the project has been evaluated."))
    if not results.strip():
        raise ValidationError(_("Please describe the results."))
    edited = {"results": results.strip(), "lessons_learned": lessons_learned.strip()}
    if not _lock_idea_version(
        idea, expected_version=expected_version, names=tuple(edited), edited=edited
    ):
        return idea
    idea.results, idea.lessons_learned = edited["results"], edited["lessons_learned"]
    idea.results_html, idea.lessons_learned_html = (
        _render(idea.results),
        _render(idea.lessons_learned),
    )
    idea.save(
        update_fields=[
            "results",
            "lessons_learned",
            "results_html",
            "lessons_learned_html",
            "updated_at",
            "version",
        ]
    )
    return idea


@transaction.atomic
def project_team_add(*, idea: ProjectIdea, by, user, role: str) -> ProjectTeamMember:
    """Add a member of the group to the team (or change their role)."""
    perms.check_can_edit_idea(by, idea)
    if user is None or not user.is_active:
        raise ValidationError(_("No such member."))
    if not group_perms.is_member(user, idea.group):
        raise ValidationError(_("Only members of the group can join the project team."))
    role = role.strip()
    if not role:
        raise ValidationError(_("Please give the team member's role."))
    member, _created = ProjectTeamMember.objects.update_or_create(
        idea=idea, user=user, defaults={"role": role[:120]}
    )
    idea.__dict__.pop("_team_ids", None)
    return member


@transaction.atomic
def project_team_remove(*, idea: ProjectIdea, by, user) -> None:
    """Remove someone from the team; the team is never left empty."""
    perms.check_can_edit_idea(by, idea)
    team = idea.team.all()
    if not team.filter(user=user).exists():
        raise ValidationError(_("This person is not on the team."))
    if team.count() == 1:
        raise ValidationError(_("A project needs at least one team member."))
    team.filter(user=user).delete()
    idea.__dict__.pop("_team_ids", None)
