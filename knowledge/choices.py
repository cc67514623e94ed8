"""Vocabularies of the knowledge app.

Topics and regions are the working groups' own (`groups.models.Topic` / `Region`): one
taxonomy for groups, practices, experts, events, project ideas and funding, so a filter
means the same everywhere.
"""

from __future__ import annotations

from functools import lru_cache

from django.conf.locale import LANG_INFO
from django.db import models
from django.utils.translation import gettext_lazy as _

from groups.models import Region, Topic

__all__ = [
    "Region",
    "Topic",
    "SDG",
    "EventKind",
    "Stage",
    "LanguageLevel",
    "spoken_language_choices",
    "region_for_country",
    "countries_in_region",
]


class SDG(models.IntegerChoices):
    """The 17 UN Sustainable Development Goals (official short names)."""

    NO_POVERTY = 1, _("No poverty")
    ZERO_HUNGER = 2, _("Zero hunger")
    HEALTH = 3, _("Good health and well-being")
    EDUCATION = 4, _("Quality education")
    GENDER = 5, _("Gender equality")
    WATER = 6, _("Clean water and sanitation")
    ENERGY = 7, _("Affordable and clean energy")
    WORK = 8, _("Decent work and economic growth")
    INDUSTRY = 9, _("Industry, innovation and infrastructure")
    INEQUALITIES = 10, _("Reduced inequalities")
    CITIES = 11, _("Sustainable cities and communities")
    CONSUMPTION = 12, _("Responsible consumption and production")
    CLIMATE = 13, _("Climate action")
    LIFE_BELOW_WATER = 14, _("Life below water")
    LIFE_ON_LAND = 15, _("Life on land")
    PEACE = 16, _("Peace, justice and strong institutions")
    PARTNERSHIPS = 17, _("Partnerships for the goals")


def sdg_choices() -> list[tuple[str, str]]:
    return [(str(value), f"{value}. {label}") for value, label in SDG.choices]


class EventKind(models.TextChoices):
    CONFERENCE = "conference", _("Conference")
    TRAINING = "training", _("Training")
    STUDY_TRIP = "study-trip", _("Study trip")
    DIALOGUE = "dialogue", _("Dialogue event")
    WEBINAR = "webinar", _("Webinar")


class Stage(models.TextChoices):
    """A project idea's way to funding, in order; `dropped` can end it at any point."""

    IDEA = "idea", _("Idea")
    CONCEPT = "concept", _("Concept")
    FUNDING_APPLICATION = "funding-application", _("Funding application")
    FUNDED = "funded", _("Funded")
    IMPLEMENTATION = "implementation", _("In implementation")
    EVALUATED = "evaluated", _("Evaluated")
    DROPPED = "dropped", _("Dropped")


STAGE_PATH = [
    Stage.IDEA,
    Stage.CONCEPT,
    Stage.FUNDING_APPLICATION,
    Stage.FUNDED,
    Stage.IMPLEMENTATION,
    Stage.EVALUATED,
]


class LanguageLevel(models.TextChoices):
    BASIC = "basic", _("Basic")
    CONVERSATIONAL = "conversational", _("Conversational")
    FLUENT = "fluent", _("Fluent")
    NATIVE = "native", _("Native")


@lru_cache(maxsize=1)
def _spoken_codes() -> tuple[str, ...]:
    # Django ships every language's name with translations in its own catalogue.
    return tuple(
        sorted(code for code, info in LANG_INFO.items() if len(code) == 2 and "name" in info)
    )


def spoken_language_choices() -> list[tuple[str, str]]:
    """Every language Django knows by a two-letter code, named in the active language."""
    from django.utils.translation import gettext

    names = [(code, gettext(LANG_INFO[code]["name"])) for code in _spoken_codes()]
    return sorted(names, key=lambda item: item[1].casefold())


def language_name(code: str) -> str:
    from django.utils.translation import gettext

    info = LANG_INFO.get(code)
    return gettext(info["name"]) if info and "name" in info else code


# Which world region a country belongs to (the regions of `groups.models.Region`). Countries
# outside them (e.g. most of the EU) have no region; "global" is never derived.
_REGION_COUNTRIES = {
    Region.SUB_SAHARAN_AFRICA: (
        "AO BF BI BJ BW CD CF CG CI CM CV DJ ER ET GA GH GM GN GQ GW KE KM LR LS MG ML MR MU MW "
        "MZ NA NE NG "
        "RW SC SD SL SN SO SS ST SZ TD TG TZ UG ZA ZM ZW"
    ),
    Region.MENA: "AE BH DZ EG IL IQ IR JO KW LB LY MA OM PS QA SA SY TN TR YE",
    Region.LATIN_AMERICA: (
        "AR BO BR BZ CL CO CR CU DO EC GT GY HN HT JM MX NI PA PE PY SR SV TT UY VE"
    ),
    Region.ASIA: (
        "AF BD BN BT CN ID IN JP KH KR KZ KG LA LK MM MN MV MY NP PH PK SG TH TJ TL TM TW UZ VN"
    ),
    Region.SEE_CAUCASUS: "AL AM AZ BA BG GE HR MD ME MK RO RS UA XK",
}
_COUNTRY_REGION = {
    code: region for region, codes in _REGION_COUNTRIES.items() for code in codes.split()
}


def region_for_country(country_code: str | None) -> str:
    """The region a country lies in ("" when none of ours)."""
    return str(_COUNTRY_REGION.get((country_code or "").upper(), ""))


def countries_in_region(region: str) -> list[str]:
    return _REGION_COUNTRIES.get(region, "").split() if region in _REGION_COUNTRIES else []
