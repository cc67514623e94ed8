"""The time zones members choose from (IANA names, "Region/City" ones, UTC first)."""

import zoneinfo
from functools import lru_cache


@lru_cache(maxsize=1)
def time_zone_choices() -> list[tuple[str, str]]:
    zones = sorted(
        z for z in zoneinfo.available_timezones() if "/" in z and not z.startswith("Etc/")
    )
    return [("UTC", "UTC"), *((z, z.replace("_", " ")) for z in zones)]
