"""Errors discussions services raise beyond Django's ValidationError / PermissionDenied."""

from core.refusals import RateLimited


class PostingTooFast(RateLimited):
    """Too many posts in a short time (rate limit or slow mode): views answer HTTP 429
    with the message and a Retry-After header."""

    def __init__(self, message, *, retry_after: int):
        super().__init__(message, retry_after=retry_after)
