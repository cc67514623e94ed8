"""Reads: the practice facets, the directory, the events list, funding matches.

Every list is a fixed number of queries whatever its size (tests pin them).
"""

from __future__ import annotations

from dataclasses import dataclass, fields, replace
from urllib.parse import urlencode

from django.conf import settings
from django.db.models import Count, Exists, OuterRef, Prefetch, Q, QuerySet
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


def _facet_q(name: str, value: str) -> Q:
    if name == "topic":
        return Q(topics__contains=contains(value))
    if name == "sdg":
        return Q(sdgs__contains=contains(value))
    if name == "region":
        return Q(region=value)
    if name == "country":
        return Q(country=value)
    if name == "language":
        # "Available in": the practice has a live translation in that language.
        return Q(
            Exists(
                GoodPracticePage.objects.live().filter(
                    translation_key=OuterRef("translation_key"), locale__language_code=value
                )
            )
        )
    raise ValueError(name)


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
    return list({p.translation_key for p in live.search(q, operator="and")})


@dataclass
class FacetValue:
    value: str
    label: str
    count: int
    selected: bool
    url: str


@dataclass
class PracticeSearch:
    filter: PracticeFilter
    results: QuerySet[GoodPracticePage]
    total: int
    facets: dict[str, list[FacetValue]]


def practice_search(flt: PracticeFilter, language: str) -> PracticeSearch:
    """Results and facet counts for a filtered view.

    Facets combine with AND. A facet value's count is the number of results you get by
    choosing it (with every other facet as it is) — so clicking never surprises. Two
    queries: one conditional aggregate for all fixed vocabularies, one GROUP BY country.
    """
    live = _live_practices()  # .public() costs a query each time it is called: once
    base = practice_representatives(language, live)
    if flt.q:
        base = base.filter(translation_key__in=_search_keys(live, flt.q))
    chosen = {name: getattr(flt, name) for name in FACETS if getattr(flt, name)}

    def others(name: str) -> Q:
        q = Q()
        for other, value in chosen.items():
            if other != name:
                q &= _facet_q(other, value)
        return q

    vocab = {
        "topic": [(str(v), str(label)) for v, label in Topic.choices],
        "region": [(str(v), str(label)) for v, label in Region.choices],
        "sdg": [(str(v), f"{v}. {label}") for v, label in SDG.choices],
        "language": [(code, name) for code, name in settings.LANGUAGES],
    }
    aggregates = {}
    for name, values in vocab.items():
        rest = others(name)
        for value, _label in values:
            aggregates[f"{name}__{value}"] = Count("pk", filter=rest & _facet_q(name, value))
    aggregates["total"] = Count("pk", filter=others("__none__"))
    counts = base.aggregate(**aggregates)
    country_rows = (
        base.filter(others("country"))
        .exclude(country="")
        .values("country")
        .annotate(n=Count("pk"))
        .order_by()
    )

    def url_for(name, value):
        return (
            flt.with_(**{name: "" if getattr(flt, name) == value else value}).querystring() or "?"
        )

    facets: dict[str, list[FacetValue]] = {}
    for name, values in vocab.items():
        items = []
        for value, label in values:
            n = counts[f"{name}__{value}"]
            selected = getattr(flt, name) == value
            if n or selected:
                items.append(FacetValue(value, label, n, selected, url_for(name, value)))
        facets[name] = items
    country_counts = {row["country"]: row["n"] for row in country_rows}
    if flt.country and flt.country not in country_counts:
        country_counts[flt.country] = 0
    facets["country"] = sorted(
        (
            FacetValue(
                code, str(countries.name(code)), n, flt.country == code, url_for("country", code)
            )
            for code, n in country_counts.items()
        ),
        key=lambda f: f.label.casefold(),
    )
    results = base.filter(others("__none__")) if chosen else base
    results = (
        results.select_related("locale", "image")
        .prefetch_related(Prefetch("image__renditions"))
        .order_by("-first_published_at", "-pk")
    )
    return PracticeSearch(filter=flt, results=results, total=counts["total"], facets=facets)


def available_languages(translation_keys) -> dict:
    """{translation_key: [language codes with a live page]} in one query."""
    out: dict = {}
    rows = (
        GoodPracticePage.objects.live()
        .filter(translation_key__in=list(translation_keys))
        .values_list("translation_key", "locale__language_code")
    )
    for key, code in rows:
        out.setdefault(key, []).append(code)
    for key in out:
        out[key].sort(key=LANGUAGE_CODES.index)
    return out


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
