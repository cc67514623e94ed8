"""The header's unread badge, counted on the server so it is right before any JavaScript."""

from django.utils.functional import SimpleLazyObject


def unread_notifications(request):
    """`inbox_unread`: the signed-in member's unread count (one COUNT on a partial index),
    evaluated only if a template actually shows it."""
    user = getattr(request, "user", None)
    if user is None or not user.is_authenticated:
        return {}

    def count() -> int:
        from .selectors import unread_count

        return unread_count(user)

    return {"inbox_unread": SimpleLazyObject(count)}
