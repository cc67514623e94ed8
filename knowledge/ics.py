"""iCalendar (RFC 5545) text for events: one event (email attachment) or a feed.

Written by hand — the format is small: CRLF line ends, lines folded at 75 octets (never
inside a UTF-8 character), TEXT values escaped, every time in UTC ("Z" form) so no
VTIMEZONE block is needed and every client converts to its own zone correctly.
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass
from datetime import UTC, datetime

CRLF = "\r\n"
PRODID = "-//Plaza//Network events//EN"


@dataclass(frozen=True)
class IcsEvent:
    uid: str
    starts_at: datetime
    ends_at: datetime
    summary: str
    description: str = ""
    location: str = ""
    url: str = ""
    updated_at: datetime | None = None
    cancelled: bool = False


def escape_text(value: str) -> str:
    """TEXT escaping (RFC 5545 3.3.11): backslash, semicolon, comma, newline."""
    return (
        (value or "")
        .replace("\\", "\\\\")
        .replace(";", "\\;")
        .replace(",", "\\,")
        .replace("\r\n", "\\n")
        .replace("\n", "\\n")
        .replace("\r", "\\n")
    )


def utc_stamp(value: datetime) -> str:
    """20260112T070000Z"""
    if value.tzinfo is None:
        raise ValueError("iCalendar times must be aware")
    return value.astimezone(UTC).strftime("%Y%m%dT%H%M%SZ")


def fold(line: str, limit: int = 75) -> str:
    """Fold a content line into chunks of at most `limit` octets (continuations start with a
    space, which counts towards the limit), splitting only between characters."""
    out: list[str] = []
    current = ""
    size = 0
    budget = limit
    for char in line:
        width = len(char.encode("utf-8"))
        if size + width > budget:
            out.append(current)
            current, size, budget = "", 0, limit - 1
        current += char
        size += width
    out.append(current)
    return (CRLF + " ").join(out)


def _lines(event: IcsEvent, now: datetime) -> list[str]:
    lines = [
        "BEGIN:VEVENT",
        f"UID:{event.uid}",
        f"DTSTAMP:{utc_stamp(now)}",
        f"DTSTART:{utc_stamp(event.starts_at)}",
        f"DTEND:{utc_stamp(event.ends_at)}",
        f"SUMMARY:{escape_text(event.summary)}",
    ]
    if event.updated_at is not None:
        lines.append(f"LAST-MODIFIED:{utc_stamp(event.updated_at)}")
    if event.description:
        lines.append(f"DESCRIPTION:{escape_text(event.description)}")
    if event.location:
        lines.append(f"LOCATION:{escape_text(event.location)}")
    if event.url:
        lines.append(f"URL:{event.url}")
    lines.append("STATUS:CANCELLED" if event.cancelled else "STATUS:CONFIRMED")
    lines.append("END:VEVENT")
    return lines


def calendar(events: Iterable[IcsEvent], *, name: str = "", now: datetime | None = None) -> str:
    """A VCALENDAR (METHOD:PUBLISH) with the given events, as CRLF-terminated text."""
    now = now or datetime.now(UTC)
    lines = [
        "BEGIN:VCALENDAR",
        "VERSION:2.0",
        f"PRODID:{PRODID}",
        "CALSCALE:GREGORIAN",
        "METHOD:PUBLISH",
    ]
    if name:
        lines.append(f"X-WR-CALNAME:{escape_text(name)}")
    for event in events:
        lines.extend(_lines(event, now))
    lines.append("END:VCALENDAR")
    return "".join(fold(line) + CRLF for line in lines)
