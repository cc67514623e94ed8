"""Every write to discussions, a module per concept: threads and replies (posts), reports,
moderation.

Each service is keyword-only, runs in one transaction, checks permissions itself (so no
surface can forget to) and raises ValidationError / PermissionDenied (PostingTooFast for
rate limits) with a translated message, changing nothing. Domain events (signals.py) and
websocket pushes (realtime.py) go out after commit. Callers import from
`discussions.services`.
"""

from ._common import (
    BODY_MAX_LENGTH,
    PREMODERATION_MAX,
    REASON_MAX_LENGTH,
    REPORT_DETAILS_MAX_LENGTH,
    SLOW_MODE_MAX_SECONDS,
    TITLE_MAX_LENGTH,
    TITLE_MIN_LENGTH,
    _wait_text,
    group_settings_of,
    posts_per_minute,
)
from .moderation import (
    group_discussion_settings_update,
    post_approve,
    post_hide,
    post_reject,
    post_unhide,
    slow_mode_set,
    thread_lock,
    thread_move,
    thread_pin,
)
from .posts import (
    post_delete,
    post_edit,
    post_reply,
    reaction_toggle,
    thread_start,
)
from .reports import (
    report_create,
    report_resolve,
)

__all__ = [
    "BODY_MAX_LENGTH",
    "PREMODERATION_MAX",
    "REASON_MAX_LENGTH",
    "REPORT_DETAILS_MAX_LENGTH",
    "SLOW_MODE_MAX_SECONDS",
    "TITLE_MAX_LENGTH",
    "TITLE_MIN_LENGTH",
    "_wait_text",
    "group_discussion_settings_update",
    "group_settings_of",
    "post_approve",
    "post_delete",
    "post_edit",
    "post_hide",
    "post_reject",
    "post_reply",
    "post_unhide",
    "posts_per_minute",
    "reaction_toggle",
    "report_create",
    "report_resolve",
    "slow_mode_set",
    "thread_lock",
    "thread_move",
    "thread_pin",
    "thread_start",
]
