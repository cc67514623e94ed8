"""Writes for member accounts."""

from django.db import transaction

from .models import User

PROFILE_FIELDS = (
    "display_name",
    "preferred_language",
    "time_zone",
    "country",
    "city",
    "organisation",
)


@transaction.atomic
def user_update_profile(*, user: User, **changes: object) -> User:
    """Update the profile fields a member may edit themselves; unknown fields are refused."""
    unknown = set(changes) - set(PROFILE_FIELDS)
    if unknown:
        raise ValueError(f"Not profile fields: {sorted(unknown)}")
    for field, value in changes.items():
        setattr(user, field, value)
    user.full_clean(exclude=["password", "username", "email"])
    user.save(update_fields=list(changes))
    return user
