"""Every write to working groups, a module per concept: groups, membership, join
requests, invitations, bans.

Each service is keyword-only, runs in one transaction, checks permissions itself (so no
surface can forget to) and raises ValidationError / PermissionDenied with a translated
message for bad input, changing nothing. Domain events go out after commit (signals.py).
Callers import from `groups.services`; the modules are how the code is kept, not an API.
"""

from ._common import SETTINGS_FIELDS
from .bans import ban_create, ban_lift
from .groups import (
    GROUP_COLLECTIONS,
    group_collection_ensure,
    group_create,
    group_index_ensure,
    group_touch_activity,
    group_update_settings,
)
from .invitations import (
    invitation_accept,
    invitation_create,
    invitation_decline,
    invitation_revoke,
    invitation_url,
    invitations_claim,
)
from .join_requests import (
    join_request_approve,
    join_request_create,
    join_request_decide,
    join_request_decline,
    join_request_withdraw,
)
from .membership import (
    group_join,
    membership_add,
    membership_leave,
    membership_remove,
    membership_set_role,
)

__all__ = [
    "GROUP_COLLECTIONS",
    "SETTINGS_FIELDS",
    "ban_create",
    "ban_lift",
    "group_collection_ensure",
    "group_create",
    "group_index_ensure",
    "group_join",
    "group_touch_activity",
    "group_update_settings",
    "invitation_accept",
    "invitation_create",
    "invitation_decline",
    "invitation_revoke",
    "invitation_url",
    "invitations_claim",
    "join_request_approve",
    "join_request_create",
    "join_request_decide",
    "join_request_decline",
    "join_request_withdraw",
    "membership_add",
    "membership_leave",
    "membership_remove",
    "membership_set_role",
]
