"""Domain events of the knowledge app (the inbox listens; nobody calls them).

Services send them with `transaction.on_commit`, so a receiver never sees a rolled-back
change. Every signal carries plain ids plus the objects:

- contact_requested(contact_request, contact_request_id, from_user, from_user_id, to_user,
      to_user_id)
- registration_confirmed(registration, registration_id, user, user_id, event, event_key, promoted)
      promoted=True when the member moved up from the waiting list
- registration_waitlisted(registration, registration_id, user, user_id, event, event_key, position)
- registration_cancelled(registration, registration_id, user, user_id, event, event_key)
- practice_proposed(page, page_id, group, group_id, by, by_id, thread_id)   a draft awaits an editor
- practice_discussed(page, page_id, group, group_id, thread_id, by, by_id)
- project_stage_changed(idea, idea_id, group, group_id, from_stage, to_stage, by, by_id)
"""

from django.dispatch import Signal

contact_requested = Signal()
registration_confirmed = Signal()
registration_waitlisted = Signal()
registration_cancelled = Signal()
practice_proposed = Signal()
practice_discussed = Signal()
project_stage_changed = Signal()
