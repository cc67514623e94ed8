"""Domain events of working groups (the inbox and others listen; nobody calls them).

Services send them with `transaction.on_commit`, so a receiver never sees a change that
was rolled back. Every signal carries plain ids plus the objects:

- member_joined(group, group_id, user, user_id, membership, role, via)
    via: open | request | invitation | added
- member_left(group, group_id, user, user_id, by, by_id, reason, removed)
    removed=True when a moderator removed them
- join_requested(group, group_id, user, user_id, join_request, join_request_id)
- join_request_decided(group, group_id, user, user_id, join_request, join_request_id,
    approved, by, by_id, reason)
- member_invited(group, group_id, invitation, invitation_id, user, user_id, email, by, by_id)
- member_banned(group, group_id, user, user_id, by, by_id, reason, lifted)
    lifted=True when a ban ends
- role_changed(group, group_id, user, user_id, old_role, new_role, by, by_id)
- group_settings_changed(group, group_id, changed, by, by_id)   changed: the settings' field names
"""

from django.dispatch import Signal

member_joined = Signal()
member_left = Signal()
join_requested = Signal()
join_request_decided = Signal()
member_invited = Signal()
member_banned = Signal()
role_changed = Signal()
group_settings_changed = Signal()
