"""Signed tokens for the one-click unsubscribe links (no login needed, no expiry: a link
in an old email must still work)."""

from __future__ import annotations

from django.core import signing
from django.core.exceptions import ValidationError
from django.utils.translation import gettext as _

UNSUBSCRIBE_SALT = "inbox.unsubscribe"


def unsubscribe_token(*, user_id: int, group_ref: int | None = None) -> str:
    """Who (and optionally which group) the link unsubscribes; signed with SECRET_KEY."""
    return signing.dumps({"u": int(user_id), "g": group_ref}, salt=UNSUBSCRIBE_SALT, compress=True)


def unsubscribe_read(token: str) -> tuple[int, int | None]:
    """(user id, group id or None), or ValidationError if the token was tampered with."""
    try:
        payload = signing.loads(token, salt=UNSUBSCRIBE_SALT)
        return int(payload["u"]), (int(payload["g"]) if payload.get("g") else None)
    except (signing.BadSignature, KeyError, TypeError, ValueError):
        raise ValidationError(
            _("This unsubscribe link is not valid. Please change your email settings instead.")
        ) from None
