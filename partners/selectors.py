"""Reads for partner sections: public listings, navigation, and moderation via partners."""

from __future__ import annotations

from dataclasses import dataclass

from django.apps import apps
from django.contrib.auth import get_user_model
from django.db.models import Exists, F, OuterRef, Prefetch, Q, QuerySet
from django.db.models.lookups import StartsWith
from wagtail.images import get_image_model
from wagtail.models import Page, Site

from .models import NewsIndexPage, NewsPage, PartnerAssociation, PartnerSectionPage, Region

LOGO_FILTER = "fill-160x160"


@dataclass(frozen=True)
class SectionCard:
    """One association as listed publicly: its page in the reader's language if it has one."""

    association: PartnerAssociation
    page: PartnerSectionPage
    translated: bool  # False: the page is in the section's main language (fallback)


def section_cards(
    *, locale_id: int, region: str | None = None, exclude_id: int | None = None
) -> list[SectionCard]:
    """Every association with a live section, its page in that locale else its main-language page.

    Three queries whatever the number of associations (associations, logos with their
    renditions, pages).
    """
    associations = PartnerAssociation.objects.filter(section__isnull=False).prefetch_related(
        Prefetch("logo", queryset=get_image_model().objects.prefetch_renditions(LOGO_FILTER))
    )
    if region:
        associations = associations.filter(region=region)
    if exclude_id:
        associations = associations.exclude(pk=exclude_id)
    associations = list(associations)
    if not associations:
        return []
    pages = (
        PartnerSectionPage.objects.live()
        .public()
        .filter(association__in=associations)
        .filter(Q(locale_id=locale_id) | Q(pk__in=[a.section_id for a in associations]))
        .defer_streamfields()
    )
    section_ids = {a.section_id for a in associations}
    in_locale: dict[int, PartnerSectionPage] = {}
    main: dict[int, PartnerSectionPage] = {}
    for page in pages:
        if page.locale_id == locale_id:
            in_locale[page.association_id] = page
        if page.pk in section_ids:
            main[page.association_id] = page
    cards = []
    for association in associations:
        page = in_locale.get(association.pk) or main.get(association.pk)
        if page is not None:
            cards.append(SectionCard(association, page, translated=page.locale_id == locale_id))
    return cards


def sections_by_region(*, locale_id: int) -> list[tuple[str, str, list[SectionCard]]]:
    """(region code, region label, cards) for every region that has a section, in Region order."""
    cards = section_cards(locale_id=locale_id)
    return [
        (code, label, [c for c in cards if c.association.region == code])
        for code, label in Region.choices
        if any(c.association.region == code for c in cards)
    ]


def section_for_page(page: Page) -> PartnerSectionPage | None:
    """The section a page belongs to (the page itself if it is a section page), if any."""
    return (
        PartnerSectionPage.objects.ancestor_of(page, inclusive=True)
        .select_related("association", "association__logo")
        .defer_streamfields()
        .first()
    )


@dataclass(frozen=True)
class SectionContext:
    """What every page of a section shows around its content."""

    section: PartnerSectionPage
    association: PartnerAssociation
    branded: bool  # served on the association's own hostname
    menu: list[Page]
    active_id: int | None  # the menu entry the current page is (or lies under)
    neighbours: list[SectionCard]  # other sections of the same region
    index: Page | None  # the partners index page in the section's language


def section_context(*, page: Page, request) -> SectionContext | None:
    """The section chrome for a page of a partner section (None outside sections)."""
    section = page if isinstance(page, PartnerSectionPage) else section_for_page(page)
    if section is None:
        return None
    association = section.association
    menu = list(section_menu(section=section))
    active = next((item.pk for item in menu if page.path.startswith(item.path)), None)
    return SectionContext(
        section=section,
        association=association,
        branded=is_branded_request(request, association),
        menu=menu,
        active_id=active,
        neighbours=section_cards(
            locale_id=section.locale_id, region=association.region, exclude_id=association.pk
        ),
        index=partners_index_for(locale_id=section.locale_id),
    )


def partners_index_for(*, locale_id: int) -> Page | None:
    """The live partners index page in a locale, else in the default locale."""
    from .models import PartnersIndexPage

    pages = PartnersIndexPage.objects.live().only("id", "title", "url_path", "locale_id", "path")
    return pages.filter(locale_id=locale_id).first() or pages.order_by("pk").first()


def section_menu(*, section: PartnerSectionPage) -> QuerySet[Page]:
    """The section's own navigation: its live regional pages and news, in tree order.

    Only partner page types: other pages living in a section (working groups) decide
    their own visibility, and a secret group must not show up in a menu.
    """
    from .models import NewsIndexPage, PartnerPage

    return (
        section.get_children()
        .live()
        .public()
        .in_menu()
        .type(PartnerPage, NewsIndexPage)
        .only("id", "title", "url_path", "locale_id", "path")
    )


def latest_news(*, section: PartnerSectionPage, limit: int = 3) -> list[NewsPage]:
    """The newest live news items of a section (in the section page's language)."""
    return list(
        NewsPage.objects.live()
        .public()
        .descendant_of(section)
        .order_by("-date", "-pk")
        .defer_streamfields()[:limit]
    )


def news_items(*, index: NewsIndexPage) -> QuerySet[NewsPage]:
    """A news index's live items, newest first (for pagination)."""
    return (
        NewsPage.objects.live()
        .public()
        .child_of(index)
        .order_by("-date", "-pk")
        .defer_streamfields()
    )


def is_branded_request(request, association: PartnerAssociation) -> bool:
    """True when the request came in on the association's own hostname (its Wagtail Site)."""
    if request is None or not association.site_id:
        return False
    site = Site.find_for_request(request)
    return site is not None and site.pk == association.site_id


def associations_edited_by(user) -> QuerySet[PartnerAssociation]:
    """The associations whose editors' group `user` belongs to."""
    if not user.is_authenticated:
        return PartnerAssociation.objects.none()
    return PartnerAssociation.objects.filter(editors_group__user=user)


class PartnerModerationGrant:
    """An association's moderators moderate the working groups whose page lives in its
    section (any language's section page, any depth). Registered with groups'
    `plaza_group_grants` hook (wagtail_hooks.py); both answers are subqueries, so the
    group policy folds them into its lists without another round trip."""

    power = "moderate"

    def group_ids(self, user) -> QuerySet:
        GroupPage = _group_page_model()
        if GroupPage is None:
            return PartnerSectionPage.objects.none().values("pk")
        sections = PartnerSectionPage.objects.filter(
            StartsWith(OuterRef("path"), F("path")),
            association__moderators_group__user=user,
        )
        return GroupPage.objects.filter(Exists(sections)).values("group_id")

    def user_ids(self, group) -> QuerySet:
        GroupPage = _group_page_model()
        User = get_user_model()
        if GroupPage is None:
            return User.objects.none().values("pk")
        pages = GroupPage.objects.filter(group_id=group.pk, path__startswith=OuterRef("path"))
        sections = PartnerSectionPage.objects.filter(Exists(pages))
        moderators = PartnerAssociation.objects.filter(section_pages__in=sections).values(
            "moderators_group"
        )
        return User.objects.filter(groups__in=moderators).values("pk")


def _group_page_model():
    try:
        return apps.get_model("groups", "GroupPage")
    except LookupError:  # groups not installed: the grant is never asked
        return None
