"""Reads: the practice facets, the directory, the events list, funding matches.

Every list is a fixed number of queries whatever its size (tests pin them).
"""

from __future__ import annotations

from collections import Counter
from dataclasses import dataclass, fields, replace
from urllib.parse import urlencode

from django.conf import settings
from django.db.models import Exists, OuterRef, Prefetch, Q, QuerySet
from django.utils import timezone
from django_countries import countries
from wagtail.models import Locale

from .choices import SDG, Region, Topic, countries_in_region
from .fields import contains, split
from .models import (
    EventPage,
    ExpertProfile,
    FundingOpportunity,
    GoodPracticePage,
    LanguageSkill,
    ProjectIdea,
)

LANGUAGE_CODES = [code for code, _name in settings.LANGUAGES]


# --- good-practice facets -----------------------------------------------------------------

FACETS = ("topic", "region", "country", "sdg", "language")


@dataclass(frozen=True)
class PracticeFilter:
    """A filtered view of the practice database. Its query string is canonical (fixed
    parameter order, empty ones left out), so equal views share one URL."""

    q: str = ""
    topic: str = ""
    region: str = ""
    country: str = ""
    sdg: str = ""
    language: str = ""
    page: int = 1

    @classmethod
    def from_params(cls, params) -> PracticeFilter:
        """Read GET parameters; unknown values are dropped (a stale link still works)."""

        def get(name):
            return (params.get(name) or "").strip()

        topic = get("topic") if get("topic") in Topic.values else ""
        region = get("region") if get("region") in Region.values else ""
        country = get("country").upper() if get("country").upper() in countries else ""
        sdg = get("sdg") if get("sdg") in {str(v) for v in SDG.values} else ""
        language = get("language") if get("language") in LANGUAGE_CODES else ""
        try:
            page = max(int(get("page") or 1), 1)
        except ValueError:
            page = 1
        return cls(
            q=" ".join(get("q").split())[:100],
            topic=topic,
            region=region,
            country=country,
            sdg=sdg,
            language=language,
            page=page,
        )

    def params(self) -> list[tuple[str, str]]:
        out = []
        for f in fields(self):
            value = getattr(self, f.name)
            if f.name == "page":
                if value > 1:
                    out.append(("page", str(value)))
            elif value:
                out.append((f.name, str(value)))
        return out

    def querystring(self) -> str:
        """'' or '?q=…&topic=…' in canonical order."""
        params = self.params()
        return f"?{urlencode(params)}" if params else ""

    def with_(self, **changes) -> PracticeFilter:
        """The same view with some facets changed (back to page 1)."""
        return replace(self, page=1, **changes)

    @property
    def active(self) -> bool:
        return any(getattr(self, name) for name in ("q", *FACETS))


def _live_practices() -> QuerySet[GoodPracticePage]:
    return GoodPracticePage.objects.live().public()


def practice_representatives(
    language: str, live: QuerySet[GoodPracticePage] | None = None
) -> QuerySet[GoodPracticePage]:
    """One page per practice: in `language` if translated, else the default language's,
    else its first published version."""
    live = live if live is not None else _live_practices()
    current = Locale.objects.filter(language_code=language).values("pk")
    default = Locale.objects.filter(language_code=settings.LANGUAGE_CODE).values("pk")
    same = live.filter(translation_key=OuterRef("translation_key"))
    in_current = Exists(same.filter(locale__in=current))
    in_default = Exists(same.filter(locale__in=default))
    earlier = Exists(same.filter(pk__lt=OuterRef("pk")))
    return live.filter(
        Q(locale__in=current)
        | (~in_current & Q(locale__in=default))
        | (~in_current & ~in_default & ~earlier)
    )


def _search_keys(live: QuerySet[GoodPracticePage], q: str) -> list:
    # Only the keys are needed: building every matching page whole (StreamFields, rich
    # text) cost more than the search itself (500 matches: ~80 → ~30 ms on SQLite).
    return list(
        {p.translation_key for p in live.only("pk", "translation_key").search(q, operator="and")}
    )


@dataclass
class FacetValue:
    value: str
    label: str
    count: int
    selected: bool
    url: str


@dataclass
class PracticeSearch:
    """A filtered view: the matching page ids (newest first), facet counts, languages."""

    filter: PracticeFilter
    ids: list[int]
    total: int
    facets: dict[str, list[FacetValue]]
    languages: dict

    def pages(self, ids=None) -> list[GoodPracticePage]:
        """The pages for `ids` (default: every result), in result order, ready to render."""
        ids = self.ids if ids is None else list(ids)
        found = (
            GoodPracticePage.objects.filter(pk__in=ids)
            .select_related("locale", "image")
            .prefetch_related(Prefetch("image__renditions"))
            .in_bulk()
        )
        return [found[pk] for pk in ids if pk in found]

    @property
    def results(self) -> list[GoodPracticePage]:
        return self.pages()


def _live_languages() -> dict:
    """{translation_key: [language codes with a live page]} for every practice, one query."""
    out: dict = {}
    rows = GoodPracticePage.objects.live().values_list("translation_key", "locale__language_code")
    for key, code in rows:
        out.setdefault(key, []).append(code)
    for codes in out.values():
        codes.sort(key=lambda c: LANGUAGE_CODES.index(c) if c in LANGUAGE_CODES else 99)
    return out


def practice_search(flt: PracticeFilter, language: str) -> PracticeSearch:
    """Results and facet counts for a filtered view.

    Facets combine with AND. A facet value's count is the number of results you get by
    choosing it (with every other facet as it is) — so clicking never surprises. The
    facet columns of the candidate practices (one row each, a few short strings) come in
    one query and are counted here: one pass instead of ~40 conditional aggregates whose
    SQL alone cost more than the counting. Three queries whatever the size (plus search).
    """
    live = _live_practices()  # .public() costs a query each time it is called: once
    base = practice_representatives(language, live)
    if flt.q:
        base = base.filter(translation_key__in=_search_keys(live, flt.q))
    rows = list(
        base.order_by("-first_published_at", "-pk").values_list(
            "pk", "translation_key", "topics", "sdgs", "region", "country"
        )
    )
    languages = _live_languages()
    chosen = {name: getattr(flt, name) for name in FACETS if getattr(flt, name)}
    candidates = [
        (
            pk,
            {
                "topic": set(split(topics)),
                "sdg": set(split(sdgs)),
                "region": {region} if region else set(),
                "country": {country} if country else set(),
                "language": set(languages.get(key, ())),
            },
        )
        for pk, key, topics, sdgs, region, country in rows
    ]

    def passes(values: dict, skip: str = "") -> bool:
        return all(value in values[name] for name, value in chosen.items() if name != skip)

    counts = {name: Counter() for name in FACETS}
    for _pk, values in candidates:
        for name in FACETS:
            if passes(values, skip=name):
                counts[name].update(values[name])
    ids = [pk for pk, values in candidates if passes(values)]

    def url_for(name, value):
        return (
            flt.with_(**{name: "" if getattr(flt, name) == value else value}).querystring() or "?"
        )

    vocab = {
        "topic": [(str(v), str(label)) for v, label in Topic.choices],
        "region": [(str(v), str(label)) for v, label in Region.choices],
        "country": sorted(
            (
                (code, str(countries.name(code)))
                for code in {*counts["country"], flt.country}
                if code
            ),
            key=lambda item: item[1].casefold(),
        ),
        "sdg": [(str(v), f"{v}. {label}") for v, label in SDG.choices],
        "language": [(code, name) for code, name in settings.LANGUAGES],
    }
    facets: dict[str, list[FacetValue]] = {}
    for name in FACETS:
        facets[name] = [
            FacetValue(
                value, label, counts[name][value], getattr(flt, name) == value, url_for(name, value)
            )
            for value, label in vocab[name]
            if counts[name][value] or getattr(flt, name) == value
        ]
    return PracticeSearch(filter=flt, ids=ids, total=len(ids), facets=facets, languages=languages)


# --- people directory ---------------------------------------------------------------------


@dataclass(frozen=True)
class DirectoryFilter:
    q: str = ""
    expertise: str = ""
    language: str = ""
    country: str = ""
    region: str = ""
    available: bool = False

    def querystring(self) -> str:
        params = [
            (k, v)
            for k, v in (
                ("q", self.q),
                ("expertise", self.expertise),
                ("language", self.language),
                ("country", self.country),
                ("region", self.region),
            )
            if v
        ]
        if self.available:
            params.append(("available", "1"))
        return urlencode(params)


def directory(flt: DirectoryFilter) -> QuerySet[ExpertProfile]:
    """Listed members matching the filters (never anybody else)."""
    from .permissions import listed_profiles

    qs = listed_profiles()
    if flt.expertise:
        qs = qs.filter(expertise__contains=contains(flt.expertise))
    if flt.language:
        qs = qs.filter(
            Exists(LanguageSkill.objects.filter(user=OuterRef("user"), language=flt.language))
        )
    if flt.country:
        qs = qs.filter(user__country=flt.country)
    if flt.region:
        qs = qs.filter(user__country__in=countries_in_region(flt.region))
    if flt.available:
        qs = qs.filter(available_for_missions=True)
    if flt.q:
        for word in flt.q.split()[:6]:
            qs = qs.filter(
                Q(user__display_name__icontains=word)
                | Q(user__username__icontains=word)
                | Q(user__organisation__icontains=word)
                | Q(user__city__icontains=word)
                | Q(position__icontains=word)
                | Q(bio__icontains=word)
            )
    return (
        qs.select_related("user")
        .prefetch_related(
            Prefetch("user__language_skills", queryset=LanguageSkill.objects.order_by("language"))
        )
        .order_by("user__display_name", "user__username")
    )


def experts_for(topics: str, *, exclude_users=(), limit: int = 6) -> list[ExpertProfile]:
    """Listed experts available for missions whose expertise overlaps these topics."""
    from .permissions import listed_profiles

    wanted = split(topics)
    if not wanted:
        return []
    match = Q()
    for topic in wanted:
        match |= Q(expertise__contains=contains(topic))
    return list(
        listed_profiles()
        .filter(match, available_for_missions=True)
        .exclude(user__in=list(exclude_users))
        .select_related("user")
        .order_by("user__display_name")[:limit]
    )


# --- events -------------------------------------------------------------------------------


def events_in(language: str, queryset: QuerySet[EventPage]) -> QuerySet[EventPage]:
    """One page per event, in `language` where translated (same rule as practices)."""
    current = Locale.objects.filter(language_code=language).values("pk")
    default = Locale.objects.filter(language_code=settings.LANGUAGE_CODE).values("pk")
    same = EventPage.objects.live().filter(translation_key=OuterRef("translation_key"))
    in_current = Exists(same.filter(locale__in=current))
    in_default = Exists(same.filter(locale__in=default))
    earlier = Exists(same.filter(pk__lt=OuterRef("pk")))
    return queryset.filter(
        Q(locale__in=current)
        | (~in_current & Q(locale__in=default))
        | (~in_current & ~in_default & ~earlier)
    )


def upcoming(queryset: QuerySet[EventPage], *, past: bool = False) -> QuerySet[EventPage]:
    now = timezone.now()
    if past:
        return queryset.filter(ends_at__lt=now).order_by("-starts_at", "pk")
    return queryset.filter(ends_at__gte=now).order_by("starts_at", "pk")


# --- project ideas and funding ------------------------------------------------------------


def matching_opportunities(idea: ProjectIdea, *, today=None) -> QuerySet[FundingOpportunity]:
    """Open calls (deadline today or later) whose regions and topics fit the idea, soonest
    deadline first. An opportunity with no region (or no topic) ticked is open to all;
    "global" covers every region."""
    today = today or timezone.localdate()
    qs = FundingOpportunity.objects.filter(deadline__gte=today)
    region_ok = Q(regions="") | Q(regions__contains=contains(Region.GLOBAL))
    if idea.region:
        region_ok |= Q(regions__contains=contains(idea.region))
    topic_ok = Q(topics="")
    for topic in split(idea.topics):
        topic_ok |= Q(topics__contains=contains(topic))
    return qs.filter(region_ok, topic_ok).order_by("deadline", "pk")


# --- practices and threads ----------------------------------------------------------------


def group_urls(groups, language: str, request=None) -> dict[int, str]:
    """{group id: its page URL in `language`} for many groups in one query (the same
    fallback as WorkingGroup.get_absolute_url: that language, the default one, any)."""
    from groups.models import GroupPage

    pages: dict[int, dict] = {}
    for page in (
        GroupPage.objects.live()
        .filter(group__in=[g.pk for g in groups])
        .select_related("locale")
        .order_by("pk")
    ):
        pages.setdefault(page.group_id, {})[page.locale.language_code] = page
    out = {}
    for group in groups:
        found = pages.get(group.pk, {})
        page = found.get(language) or found.get(settings.LANGUAGE_CODE)
        page = page or next(iter(found.values()), None)
        out[group.pk] = (page.get_url(request) or "") if page is not None else ""
    return out


def practice_discussions(user, page: GoodPracticePage) -> list[dict]:
    """The practice's threads the user may read (both kinds), newest activity first."""
    from discussions.permissions import readable_threads

    from .models import PracticeThreadLink

    links = (
        PracticeThreadLink.objects.filter(
            practice_key=page.translation_key, thread__in=readable_threads(user).values("pk")
        )
        .select_related("thread", "thread__group")
        .order_by("-thread__last_post_at")
    )
    return [
        {
            "url": link.thread.get_absolute_url(),
            "title": link.thread.title,
            "group_name": link.thread.group.name,
            "kind": link.kind,
        }
        for link in links
    ]


def practice_drafts_for(user, *, limit: int = 10) -> list[GoodPracticePage]:
    """Good practices never yet published that the user may edit — proposed from a thread
    or seeded from a project, waiting for an editor — oldest first."""
    from .permissions import editable_pages

    drafts = GoodPracticePage.objects.filter(live=False, first_published_at__isnull=True)
    return list(
        editable_pages(user, drafts).select_related("owner", "locale").order_by("pk")[:limit]
    )


def thread_practices(user, thread, language: str) -> list[dict]:
    """Practices linked to a thread, for the thread page: published ones for everybody,
    drafts only for people who may edit them (with the admin link)."""
    from .models import PracticeThreadLink
    from .permissions import can_edit_page

    out = []
    for link in PracticeThreadLink.objects.filter(thread=thread):
        page = link.practice_in(language, live_only=False)
        if page is None:
            continue
        if page.live:
            out.append({"title": page.title, "url": page.url, "live": True, "kind": link.kind})
        elif can_edit_page(user, page) or (
            link.created_by_id and link.created_by_id == getattr(user, "pk", None)
        ):
            from django.urls import reverse

            out.append(
                {
                    "title": page.title,
                    "live": False,
                    "kind": link.kind,
                    "url": reverse("wagtailadmin_pages:edit", args=[page.pk])
                    if can_edit_page(user, page)
                    else "",
                }
            )
    return out
