"""Errors discussions services raise beyond Django's ValidationError / PermissionDenied."""

from django.core.exceptions import ValidationError


class PostingTooFast(ValidationError):
    """Too many posts in a short time (rate limit or slow mode): views answer HTTP 429
    with the message and a Retry-After header."""

    def __init__(self, message, *, retry_after: int):
        super().__init__(message, code="too_fast")
        self.retry_after = max(1, int(retry_after))
