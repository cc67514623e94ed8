"""What Plaza needs from a user, for any AUTH_USER_MODEL: a handle, a display name, a
language and a time zone. Plaza's own `people.User` has them all as fields; Django's
User or a host's own model falls back as documented (DEVELOPERS.md, "Plugins"):

- handle (the @mention name): the field `PLAZA_USER_HANDLE_FIELD`, default the model's
  `username` field if it has one, else its USERNAME_FIELD;
- display name: the field `PLAZA_USER_NAME_FIELD` (default `display_name` when the model
  has it), then `get_full_name()`, then the handle;
- preferred language: `preferred_language` if the model has it, else LANGUAGE_CODE (as
  one of LANGUAGES);
- time zone: `time_zone` if the model has it, else TIME_ZONE.
"""

from __future__ import annotations

from functools import cache

from django.conf import settings
from django.contrib.auth import get_user_model


def _has_field(name: str) -> bool:
    return any(f.name == name for f in get_user_model()._meta.get_fields())


@cache
def handle_field() -> str:
    chosen = getattr(settings, "PLAZA_USER_HANDLE_FIELD", None)
    if chosen:
        return chosen
    return "username" if _has_field("username") else get_user_model().USERNAME_FIELD


@cache
def name_field() -> str | None:
    chosen = getattr(settings, "PLAZA_USER_NAME_FIELD", None)
    if chosen:
        return chosen
    return "display_name" if _has_field("display_name") else None


def handle(user) -> str:
    return str(getattr(user, handle_field(), "") or "") if user is not None else ""


def display_name(user) -> str:
    """The name shown for `user` ('' for no user: templates then use their default)."""
    if user is None:
        return ""
    public = getattr(user, "public_name", None)  # people.User (and thread-page rows) say it
    if public:
        return str(public)
    field = name_field()
    name = getattr(user, field, "") if field else ""
    if not name and hasattr(user, "get_full_name"):
        name = user.get_full_name()
    return str(name or handle(user))


@cache
def language_field() -> str | None:
    """The user model's preferred-language field, if it has one (for values() reads)."""
    return "preferred_language" if _has_field("preferred_language") else None


@cache
def time_zone_field() -> str | None:
    return "time_zone" if _has_field("time_zone") else None


def preferred_language(user) -> str:
    from .languages import default_language

    return getattr(user, "preferred_language", "") or default_language()


def time_zone(user) -> str:
    return getattr(user, "time_zone", "") or settings.TIME_ZONE


def author_fields(prefix: str) -> tuple[str, str]:
    """The lookups of the handle and the display name through a foreign key (`prefix`),
    for values() reads that build no user objects (the name repeats the handle when the
    model has no name field)."""
    field = name_field() or handle_field()
    return f"{prefix}__{handle_field()}", f"{prefix}__{field}"


def name_ordering(prefix: str) -> list[str]:
    """Order by display name, then handle, through a foreign key (`prefix`)."""
    field = name_field()
    handle = f"{prefix}__{handle_field()}"
    return [f"{prefix}__{field}", handle] if field else [handle]
