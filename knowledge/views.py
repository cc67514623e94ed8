"""Thin views: read through selectors, write through services, ask permissions.

Services' ValidationError / PermissionDenied become a 4xx page that shows the message and
keeps what the member typed.
"""

from __future__ import annotations

import csv
import datetime
import zoneinfo
from dataclasses import replace

from django.conf import settings
from django.contrib import messages
from django.contrib.auth import get_user_model
from django.contrib.auth.decorators import login_required
from django.contrib.auth.views import redirect_to_login
from django.core import signing
from django.core.exceptions import PermissionDenied, ValidationError
from django.core.paginator import Paginator
from django.http import Http404, HttpResponse, HttpResponseRedirect, JsonResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.urls import reverse
from django.utils import timezone, translation
from django.utils.translation import gettext as _
from django.views.decorators.http import require_GET, require_POST

from core import concurrency
from core.http import parse_id
from core.idempotency import key_from
from core.refusals import refusal_message, refusal_status
from groups import permissions as group_perms
from groups.models import WorkingGroup

from . import permissions as perms
from . import selectors, services
from .choices import STAGE_PATH, Stage, language_name
from .forms import (
    ContactForm,
    DirectoryFilterForm,
    ExpertProfileForm,
    LanguageSkillFormSet,
    ProjectIdeaEditForm,
    ProjectIdeaForm,
    ResultsForm,
    StageForm,
    TeamMemberForm,
)
from .ics import calendar
from .models import EventPage, EventRegistration, ExpertProfile, FundingOpportunity, ProjectIdea
from .tasks import ics_event_for

User = get_user_model()
PER_PAGE = 20
CALENDAR_SALT = "knowledge.calendar"


def _language() -> str:
    return translation.get_language() or settings.LANGUAGE_CODE


def _form_post(request, form, write, success: str, *, ready: bool = True):
    """A form page whose POST runs through its service: returns (redirect or None, status).

    `write(cleaned_data)` calls the service and returns where to go next. GET: (None, 200).
    Success: a message and (redirect, 302). Invalid input (or `ready` False): (None, 400).
    The service's ValidationError / PermissionDenied: its message on the form, (None, 4xx)
    — the page is shown again with what the member typed.
    """
    if request.method != "POST":
        return None, 200
    if not (form.is_valid() and ready):
        return None, 400
    try:
        url = write(form.cleaned_data)
    except (ValidationError, PermissionDenied) as exc:
        form.add_error(None, refusal_message(exc))
        if isinstance(exc, concurrency.EditConflict):  # the saved texts beside the member's
            form.conflict = form.take_conflict(exc)
        return None, refusal_status(exc)
    messages.success(request, success)
    return redirect(url), 302


def viewer_zone(request, fallback: zoneinfo.ZoneInfo) -> zoneinfo.ZoneInfo:
    """The member's own time zone; anonymous visitors see the event's."""
    user = request.user
    if user.is_authenticated and user.time_zone:
        try:
            return zoneinfo.ZoneInfo(user.time_zone)
        except (zoneinfo.ZoneInfoNotFoundError, ValueError):
            pass
    return fallback


# --- good practices -----------------------------------------------------------------------


def practice_index(request, index):
    """Faceted, searchable list; the canonical query string is the shareable URL."""
    flt = selectors.PracticeFilter.from_params(request.GET)
    incoming = [(k, v) for k, values in request.GET.lists() for v in values]
    if incoming != flt.params():
        # Same view, one URL: parameters in canonical order, empty and unknown ones dropped.
        return HttpResponseRedirect(index.url + flt.querystring())
    search = selectors.practice_search(flt, _language())
    page = Paginator(search.ids, PER_PAGE).get_page(flt.page)
    practices = search.pages(page.object_list)
    names = dict(settings.LANGUAGES)
    for practice in practices:
        practice.language_names = [
            names[c] for c in search.languages.get(practice.translation_key, [])
        ]
    pager = {
        "previous": replace(flt, page=page.previous_page_number()).querystring()
        if page.has_previous()
        else "",
        "next": replace(flt, page=page.next_page_number()).querystring() if page.has_next() else "",
    }
    context = {
        "page": index,
        "search": search,
        "filter": flt,
        "page_obj": page,
        "practices": practices,
        "pager": pager,
        "clear_url": index.url,
        "canonical_url": request.build_absolute_uri(index.url + flt.querystring()),
        "facet_groups": [
            (name, title, search.facets[name])
            for name, title in (
                ("topic", _("Topic")),
                ("region", _("Region")),
                ("country", _("Country")),
                ("sdg", _("Sustainable Development Goal")),
                ("language", _("Available in")),
            )
        ],
    }
    return render(request, "knowledge/practice_index.html", context)


def practice_detail(request, page, *, error: str = "", status: int = 200):
    contacts = list(page.contacts.select_related("user", "user__expert_profile"))
    for contact in contacts:
        profile = getattr(contact.user, "expert_profile", None)
        contact.profile_url = (
            reverse("knowledge:profile", args=[contact.user.username])
            if perms.can_view_profile(request.user, profile)
            else ""
        )
    groups = perms.visible_groups_of(
        request.user, [link.group for link in page.related_groups.select_related("group")]
    )
    urls = selectors.group_urls(groups, _language(), request)
    for group in groups:
        group.page_url = urls[group.pk]
    translations = page.get_translations(inclusive=False).live().select_related("locale")
    context = {
        "page": page,
        "contacts": contacts,
        "groups": groups,
        "translations": translations,
        "discussions": selectors.practice_discussions(request.user, page),
        "discuss_groups": perms.discussion_groups(request.user, page),
        "index": page.get_parent(),
        "error": error,
    }
    return render(request, "knowledge/good_practice_page.html", context, status=status)


def practice_discuss(request, page):
    """POST: open (or go to) the practice's thread in one of its related groups."""
    if request.method != "POST":
        return HttpResponseRedirect(page.url)
    if not request.user.is_authenticated:
        return redirect(f"{reverse('account_login')}?next={page.url}")
    group = WorkingGroup.objects.filter(pk=parse_id(request.POST.get("group"))).first()
    try:
        thread = services.practice_discuss(
            page=page, group=group, by=request.user, idempotency_key=key_from(request.POST)
        )
    except (ValidationError, PermissionDenied) as exc:
        return practice_detail(
            request, page, error=refusal_message(exc), status=refusal_status(exc)
        )
    return HttpResponseRedirect(thread.get_absolute_url())


@login_required
@require_POST
def thread_propose(request, thread_id):
    """A moderator turns a thread into a draft good practice."""
    from discussions.models import Thread

    thread = get_object_or_404(Thread.objects.select_related("group"), pk=thread_id)
    try:
        page = services.good_practice_propose_from_thread(thread=thread, by=request.user)
    except (ValidationError, PermissionDenied) as exc:
        messages.error(request, refusal_message(exc))
        return HttpResponseRedirect(thread.get_absolute_url())
    messages.success(
        request,
        _(
            "A draft good practice “%(title)s” has been created from this thread. "
            "An editor will complete and publish it."
        )
        % {"title": page.title},
    )
    return HttpResponseRedirect(thread.get_absolute_url())


# --- people directory ---------------------------------------------------------------------


def _directory_filter(request) -> tuple[DirectoryFilterForm, selectors.DirectoryFilter]:
    """The directory's filter form and what it selects (invalid choices select nothing)."""
    form = DirectoryFilterForm(request.GET or None)
    data = form.cleaned_data if form.is_bound and form.is_valid() else {}
    flt = selectors.DirectoryFilter(
        q=data.get("q", "").strip(),
        expertise=data.get("expertise", ""),
        language=data.get("language", ""),
        country=data.get("country", ""),
        region=data.get("region", ""),
        available=bool(data.get("available")),
    )
    return form, flt


def directory(request):
    if not perms.can_view_directory(request.user):
        return redirect_to_login(request.get_full_path())
    form, flt = _directory_filter(request)
    page = Paginator(selectors.directory(flt), PER_PAGE).get_page(request.GET.get("page"))
    return render(
        request,
        "knowledge/directory.html",
        {
            "form": form,
            "page_obj": page,
            "filter": flt,
            "querystring": flt.querystring(),
            "json_url": reverse("knowledge:directory_json")
            + (f"?{flt.querystring()}" if flt.querystring() else ""),
        },
    )


@require_GET
def directory_json(request):
    """The directory as JSON (same filters, same privacy: listed members, no email)."""
    if not perms.can_view_directory(request.user):
        return JsonResponse({"error": _("Sign in to see the people directory.")}, status=403)
    _form, flt = _directory_filter(request)
    page = Paginator(selectors.directory(flt), 100).get_page(request.GET.get("page"))
    people = [
        {
            "username": p.user.username,
            "name": p.user.public_name,
            "organisation": p.user.organisation,
            "position": p.position,
            "city": p.user.city,
            "country": p.user.country.code or "",
            "expertise": [t for t in p.expertise.split(",") if t],
            "languages": [
                {"language": s.language, "level": s.level} for s in p.user.language_skills.all()
            ],
            "available_for_missions": p.available_for_missions,
            "url": request.build_absolute_uri(reverse("knowledge:profile", args=[p.user.username])),
        }
        for p in page
    ]
    return JsonResponse(
        {
            "count": page.paginator.count,
            "page": page.number,
            "pages": page.paginator.num_pages,
            "results": people,
        }
    )


def profile_detail(request, username):
    if not perms.can_view_directory(request.user):
        # Before any lookup: a visitor learns nothing about who is a member.
        return redirect_to_login(request.get_full_path())
    user = get_object_or_404(User, username=username, is_active=True)
    profile = ExpertProfile.objects.filter(user=user).first()
    if not perms.can_view_profile(request.user, profile):
        if perms.can_contact(request.user, user):
            # Someone unlisted wrote to the viewer: no profile to show, but they may answer.
            return redirect("knowledge:contact", username=user.username)
        raise Http404(_("No such member in the directory."))
    skills = [
        (language_name(s.language), s.get_level_display()) for s in user.language_skills.all()
    ]
    return render(
        request,
        "knowledge/profile_detail.html",
        {
            "member": user,
            "profile": profile,
            "skills": skills,
            "can_contact": perms.can_contact(request.user, user),
            "is_self": request.user.is_authenticated and request.user.pk == user.pk,
        },
    )


@login_required
def contact(request, username):
    recipient = get_object_or_404(User, username=username, is_active=True)
    perms.check_can_contact(request.user, recipient)
    form = ContactForm(request.POST or None)

    def send(data) -> str:
        services.contact_request_create(
            sender=request.user,
            recipient=recipient,
            idempotency_key=key_from(request.POST),
            **data,
        )
        listed = ExpertProfile.objects.filter(user=recipient, listed=True).exists()
        return (
            reverse("knowledge:profile", args=[username])
            if listed
            else reverse("knowledge:directory")
        )

    done, status = _form_post(
        request,
        form,
        send,
        _("Your message is on its way to %(name)s.") % {"name": recipient.public_name},
    )
    if done:
        return done
    return render(
        request,
        "knowledge/contact_form.html",
        {"form": form, "recipient": recipient},
        status=status,
    )


@login_required
def expertise_edit(request):
    """The member's expert profile and languages (the directory listing is opt-in)."""
    user = request.user
    profile = ExpertProfile.objects.filter(user=user).first()
    initial = {
        "organisation": user.organisation,
        "city": user.city,
        "country": user.country.code or "",
    }
    if profile is not None:
        initial.update(
            position=profile.position,
            expertise=profile.expertise,
            bio=profile.bio,
            available_for_missions=profile.available_for_missions,
            listed=profile.listed,
        )
    skills = [{"language": s.language, "level": s.level} for s in user.language_skills.all()]
    form = ExpertProfileForm(request.POST or None, initial=initial)
    formset = LanguageSkillFormSet(request.POST or None, initial=skills, prefix="languages")

    def save(data) -> str:
        services.expert_profile_save(user=user, languages=formset.skills(), **data)
        return reverse("knowledge:expertise")

    done, status = _form_post(
        request,
        form,
        save,
        _("Your expert profile has been saved."),
        ready=formset.is_valid(),
    )
    if done:
        return done
    return render(
        request,
        "knowledge/expertise_form.html",
        {"form": form, "formset": formset, "profile": profile},
        status=status,
    )


# --- events -------------------------------------------------------------------------------


def _decorate_events(request, events):
    for event in events:
        event.display_zone = viewer_zone(request, event.zone)
    return events


def event_index(request, index):
    past = request.GET.get("when") == "past"
    kind = request.GET.get("kind", "")
    qs = perms.visible_events(request.user)
    if kind in dict(EventPage._meta.get_field("kind").choices):
        qs = qs.filter(kind=kind)
    else:
        kind = ""
    qs = selectors.upcoming(selectors.events_in(_language(), qs), past=past).select_related(
        "locale", "group"
    )
    page = Paginator(qs, PER_PAGE).get_page(request.GET.get("page"))
    _decorate_events(request, page.object_list)
    personal_feed = ""
    if request.user.is_authenticated:
        key = signing.dumps(request.user.pk, salt=CALENDAR_SALT)
        personal_feed = request.build_absolute_uri(
            index.url + index.reverse_subpage("feed") + f"?key={key}"
        )
    return render(
        request,
        "knowledge/event_index.html",
        {
            "page": index,
            "page_obj": page,
            "past": past,
            "kind": kind,
            "kinds": EventPage._meta.get_field("kind").choices,
            "feed_url": request.build_absolute_uri(index.url + index.reverse_subpage("feed")),
            "personal_feed": personal_feed,
        },
    )


def _registration_of(user, event):
    if not user.is_authenticated:
        return None
    return EventRegistration.objects.filter(event_key=event.translation_key, user=user).first()


def _organisers(request, event) -> list[tuple[str, str]]:
    """(name, url) of the organising group (if the viewer may know it), association, other."""
    out = []
    if event.group_id and group_perms.can_view_group(request.user, event.group):
        out.append((event.group.name, event.group.get_absolute_url(_language())))
    if event.association_id:
        section = event.association.section
        local = section.localized if section is not None else None
        out.append((event.association.name, local.url if local is not None and local.live else ""))
    if event.organiser_name:
        out.append((event.organiser_name, ""))
    return out


def event_detail(request, event, *, error: str = "", status: int = 200):
    if not getattr(request, "is_preview", False):  # editors preview drafts in the admin
        perms.check_can_view_event(request.user, event)
    registration = _registration_of(request.user, event)
    waiting_position = None
    if registration is not None and registration.status == EventRegistration.Status.WAITING:
        waiting_position = EventRegistration.objects.filter(
            event_key=event.translation_key,
            status=EventRegistration.Status.WAITING,
            queued_at__lte=registration.queued_at,
        ).count()
    zone = viewer_zone(request, event.zone)
    return render(
        request,
        "knowledge/event_page.html",
        {
            "page": event,
            "event": event,
            "registration": registration,
            "zone": zone,
            "waiting_position": waiting_position,
            "organisers": _organisers(request, event),
            "error": error,
            "can_register": perms.can_register(request.user, event)
            or not request.user.is_authenticated,
            "can_manage": perms.can_manage_event(request.user, event),
            "show_online_link": perms.can_see_online_link(request.user, event, registration),
            "languages": event.language_labels,
        },
        status=status,
    )


def _event_write(request, event, write, success):
    if request.method != "POST":
        return HttpResponseRedirect(event.url)
    if not request.user.is_authenticated:
        return redirect(f"{reverse('account_login')}?next={event.url}")
    try:
        registration = write()
    except (ValidationError, PermissionDenied) as exc:
        return event_detail(request, event, error=refusal_message(exc), status=refusal_status(exc))
    messages.success(request, success(registration))
    return HttpResponseRedirect(event.url)


def event_register(request, event):
    def success(registration):
        if registration.status == EventRegistration.Status.CONFIRMED:
            return _(
                "You are registered. A confirmation with a calendar file is on its way by email."
            )
        return _(
            "The event is full: you are on the waiting list and will "
            "move up automatically if a place frees up."
        )

    return _event_write(
        request,
        event,
        lambda: services.event_register(
            event=event,
            user=request.user,
            language=_language(),
            idempotency_key=key_from(request.POST),
        ),
        success,
    )


def event_cancel(request, event):
    return _event_write(
        request,
        event,
        lambda: services.event_cancel_registration(event=event, user=request.user),
        lambda _r: _("Your registration has been cancelled."),
    )


def _participants(event):
    return (
        EventRegistration.objects.filter(event_key=event.translation_key)
        .exclude(status=EventRegistration.Status.CANCELLED)
        .select_related("user")
        .order_by("status", "queued_at", "pk")
    )


def event_participants(request, event):
    perms.check_can_manage_event(request.user, event)
    rows = list(_participants(event))
    return render(
        request,
        "knowledge/event_participants.html",
        {
            "page": event,
            "event": event,
            "zone": viewer_zone(request, event.zone),
            "confirmed": [r for r in rows if r.status == EventRegistration.Status.CONFIRMED],
            "waiting": [r for r in rows if r.status == EventRegistration.Status.WAITING],
        },
    )


def event_participants_csv(request, event):
    """The participant list for the organisers (no email addresses: contact goes via Plaza)."""
    perms.check_can_manage_event(request.user, event)
    response = HttpResponse(content_type="text/csv; charset=utf-8")
    response["Content-Disposition"] = f'attachment; filename="{event.slug}-participants.csv"'
    response.write("\ufeff")  # so spreadsheet programs read UTF-8 names correctly
    writer = csv.writer(response)
    writer.writerow(
        [
            _("Name"),
            _("Username"),
            _("Organisation"),
            _("City"),
            _("Country"),
            _("Status"),
            _("Registered (UTC)"),
            _("Language"),
        ]
    )
    for r in _participants(event):
        u = r.user
        writer.writerow(
            _csv_cell(value)
            for value in [
                u.public_name,
                u.username,
                u.organisation,
                u.city,
                u.country.name if u.country else "",
                r.get_status_display(),
                r.queued_at.astimezone(zoneinfo.ZoneInfo("UTC")).strftime("%Y-%m-%d %H:%M"),
                r.language,
            ]
        )
    return response


# What makes a spreadsheet read a cell as a formula (OWASP's list, plus the full-width forms
# some spreadsheet programs normalise); leading blanks do not stop them.
FORMULA_STARTS = ("=", "+", "-", "@", "\uff1d", "\uff0b", "\uff0d", "\uff20")


def _csv_cell(value: str) -> str:
    """Members type their own names: keep a spreadsheet from running one as a formula."""
    value = str(value)
    if value[:1] in ("\t", "\r", "\n") or value.lstrip()[:1] in FORMULA_STARTS:
        return f"'{value}"
    return value


def event_ics(request, event):
    perms.check_can_view_event(request.user, event)
    body = calendar(
        [ics_event_for(event, request_url=request.build_absolute_uri(event.url))], name=event.title
    )
    response = HttpResponse(body, content_type="text/calendar; charset=utf-8")
    response["Content-Disposition"] = f'attachment; filename="{event.slug}.ics"'
    return response


def _feed_user(request):
    """The session's member, or the one named by a personal calendar key (calendar apps
    send no cookies)."""
    key = request.GET.get("key")
    if key:
        try:
            pk = signing.loads(key, salt=CALENDAR_SALT)
        except signing.BadSignature:
            raise Http404(_("This calendar link is not valid.")) from None
        user = User.objects.filter(pk=pk, is_active=True).first()
        if user is None:
            raise Http404(_("This calendar link is not valid."))
        return user
    return request.user


def event_feed(request, index, group_slug):
    """iCal feed: all events the requester may see, or one group's (group visibility rules)."""
    user = _feed_user(request)
    qs = perms.visible_events(user)
    name = _("Plaza events")
    if group_slug is not None:
        group = get_object_or_404(WorkingGroup, slug=group_slug)
        group_perms.check_can_view_group(user, group)
        qs = qs.filter(group=group)
        name = _("Plaza events: %(group)s") % {"group": group.name}
    since = timezone.now() - datetime.timedelta(days=90)  # recent past events stay in calendars
    qs = (
        selectors.events_in(_language(), qs)
        .filter(ends_at__gte=since)
        .select_related("locale")
        .order_by("starts_at", "pk")
    )
    events = [ics_event_for(e, request_url=request.build_absolute_uri(e.url)) for e in qs[:500]]
    response = HttpResponse(
        calendar(events, name=name), content_type="text/calendar; charset=utf-8"
    )
    response["Content-Disposition"] = f'inline; filename="plaza-{group_slug or "events"}.ics"'
    return response


# --- project ideas ------------------------------------------------------------------------


def idea_list(request):
    qs = perms.viewable_ideas(request.user).select_related("group")
    stage = request.GET.get("stage", "")
    if stage in Stage.values:
        qs = qs.filter(stage=stage)
    else:
        stage = ""
    group_slug = request.GET.get("group", "")
    if group_slug:
        qs = qs.filter(group__slug=group_slug)
    page = Paginator(qs.order_by("-updated_at", "-pk"), PER_PAGE).get_page(request.GET.get("page"))
    creatable = []
    if request.user.is_authenticated:
        creatable = list(group_perms.postable_groups(request.user).order_by("name"))
    return render(
        request,
        "knowledge/idea_list.html",
        {
            "page_obj": page,
            "stage": stage,
            "stages": Stage.choices,
            "group_slug": group_slug,
            "creatable": creatable,
        },
    )


def _idea(request, pk) -> ProjectIdea:
    idea = get_object_or_404(ProjectIdea.objects.select_related("group", "created_by"), pk=pk)
    perms.check_can_view_idea(request.user, idea)
    return idea


def idea_detail(
    request, pk, *, error: str = "", status: int = 200, stage_form=None, team_form=None
):
    idea = _idea(request, pk)
    can_edit = perms.can_edit_idea(request.user, idea)
    team = list(idea.team.select_related("user"))
    practice = None
    if idea.good_practice_key:
        from .models import GoodPracticePage

        practice = (
            GoodPracticePage.objects.filter(translation_key=idea.good_practice_key)
            .select_related("locale")
            .first()
        )
    return render(
        request,
        "knowledge/idea_detail.html",
        {
            "idea": idea,
            "can_edit": can_edit,
            "error": error,
            "team": team,
            "history": idea.stage_changes.select_related("by"),
            "stage_path": [(s.value, s.label) for s in STAGE_PATH],
            "allowed_stages": [(s, Stage(s).label) for s in services.allowed_stages(idea)]
            if can_edit
            else [],
            "stage_form": stage_form or StageForm(),
            "team_form": team_form or TeamMemberForm(),
            "opportunities": selectors.matching_opportunities(idea),
            "experts": selectors.experts_for(
                idea.expertise_needed, exclude_users=[m.user_id for m in team]
            ),
            "practice": practice,
            "group_url": idea.group.get_absolute_url(_language()),
        },
        status=status,
    )


@login_required
def idea_create(request):
    groups = group_perms.postable_groups(request.user).order_by("name")
    group = groups.filter(slug=request.GET.get("group") or request.POST.get("group") or "").first()
    # Bound on every POST, even one whose body is no form (JSON, raw): add_error needs it.
    data = request.POST if request.method == "POST" else None
    form = ProjectIdeaForm(data, initial={"region": group.region if group else ""})
    if request.method == "POST" and group is None:
        form.add_error(None, _("Choose one of your groups."))
    done, status = _form_post(
        request,
        form,
        lambda data: services.project_idea_create(
            group=group, by=request.user, idempotency_key=key_from(request.POST), **data
        ).get_absolute_url(),
        _("Your project idea has been created."),
        ready=group is not None,
    )
    if done:
        return done
    return render(
        request,
        "knowledge/idea_form.html",
        {"form": form, "groups": groups, "group": group},
        status=status,
    )


@login_required
def idea_edit(request, pk):
    idea = _idea(request, pk)
    perms.check_can_edit_idea(request.user, idea)
    form = ProjectIdeaEditForm(request.POST or None, initial=ProjectIdeaEditForm.initial_from(idea))
    done, status = _form_post(
        request,
        form,
        lambda data: services.project_idea_update(
            idea=idea, by=request.user, expected_version=form.expected_version(), **form.changes()
        ).get_absolute_url(),
        _("The project idea has been saved."),
    )
    if done:
        return done
    return render(
        request,
        "knowledge/idea_form.html",
        {"form": form, "idea": idea, "group": idea.group},
        status=status,
    )


@login_required
@require_POST
def idea_stage(request, pk):
    idea = _idea(request, pk)
    form = StageForm(request.POST)
    if not form.is_valid():
        return idea_detail(request, pk, error=_("Choose a stage."), status=400, stage_form=form)
    try:
        services.project_idea_set_stage(idea=idea, by=request.user, **form.cleaned_data)
    except (ValidationError, PermissionDenied) as exc:
        return idea_detail(
            request, pk, error=refusal_message(exc), status=refusal_status(exc), stage_form=form
        )
    messages.success(request, _("The stage has been changed."))
    return redirect(idea.get_absolute_url())


@login_required
@require_POST
def idea_team_add(request, pk):
    idea = _idea(request, pk)
    form = TeamMemberForm(request.POST)
    if not form.is_valid():
        return idea_detail(
            request, pk, error=_("Please give a username and a role."), status=400, team_form=form
        )
    user = User.objects.filter(
        username__iexact=form.cleaned_data["username"].lstrip("@"), is_active=True
    ).first()
    try:
        services.project_team_add(
            idea=idea, by=request.user, user=user, role=form.cleaned_data["role"]
        )
    except (ValidationError, PermissionDenied) as exc:
        return idea_detail(
            request, pk, error=refusal_message(exc), status=refusal_status(exc), team_form=form
        )
    messages.success(request, _("The team has been updated."))
    return redirect(idea.get_absolute_url())


@login_required
@require_POST
def idea_team_remove(request, pk, user_id):
    idea = _idea(request, pk)
    user = get_object_or_404(User, pk=user_id)
    try:
        services.project_team_remove(idea=idea, by=request.user, user=user)
    except (ValidationError, PermissionDenied) as exc:
        return idea_detail(request, pk, error=refusal_message(exc), status=refusal_status(exc))
    messages.success(request, _("The team has been updated."))
    return redirect(idea.get_absolute_url())


@login_required
def idea_results(request, pk):
    idea = _idea(request, pk)
    perms.check_can_edit_idea(request.user, idea)
    form = ResultsForm(
        request.POST or None,
        initial={
            "results": idea.results,
            "lessons_learned": idea.lessons_learned,
            "version": idea.version,
        },
    )
    done, status = _form_post(
        request,
        form,
        lambda data: services.project_idea_record_results(
            idea=idea, by=request.user, expected_version=form.expected_version(), **form.changes()
        ).get_absolute_url(),
        _("Results and lessons learned have been saved."),
    )
    if done:
        return done
    return render(
        request, "knowledge/idea_results_form.html", {"form": form, "idea": idea}, status=status
    )


@login_required
@require_POST
def idea_seed_practice(request, pk):
    idea = _idea(request, pk)
    try:
        services.good_practice_draft_from_idea(idea=idea, by=request.user)
    except (ValidationError, PermissionDenied) as exc:
        return idea_detail(request, pk, error=refusal_message(exc), status=refusal_status(exc))
    messages.success(
        request,
        _(
            "A draft good practice has been created from this project. "
            "An editor will complete and publish it."
        ),
    )
    return redirect(idea.get_absolute_url())


def funding_list(request):
    """Open funding opportunities, soonest deadline first."""
    qs = FundingOpportunity.objects.filter(deadline__gte=timezone.localdate()).order_by(
        "deadline", "pk"
    )
    page = Paginator(qs, PER_PAGE).get_page(request.GET.get("page"))
    return render(request, "knowledge/funding_list.html", {"page_obj": page})
