"""Domain events of discussions (the inbox listens; nobody calls it).

Services send them with `transaction.on_commit`, so a receiver never sees a rolled-back
change. Each carries plain ids plus the objects (sender is `Post` or `Thread`):

- thread_created(thread, thread_id, group_id, post, post_id, author_id, mentioned_user_ids)
- post_created(post, post_id, thread_id, group_id, parent_id, parent_author_id, author_id,
  mentioned_user_ids)   — a reply became visible (at once, or when approved); mentions are
  already limited to people who can read the thread
- post_held(post, post_id, thread_id, group_id, author_id)   — waiting for approval
- post_approved(post, post_id, thread_id, group_id, author_id, by_id)
- post_rejected(post, post_id, thread_id, group_id, author_id, by_id, reason)
- post_edited(post, post_id, thread_id, group_id, author_id, mentioned_user_ids)
  (only newly mentioned people)
- post_deleted(post, post_id, thread_id, group_id, author_id)
- post_hidden(post, post_id, thread_id, group_id, author_id, by_id, reason)
- post_unhidden(post, post_id, thread_id, group_id, author_id, by_id, reason)
- reaction_added(post, post_id, thread_id, group_id, author_id, user_id, kind)
- report_created(report, report_id, post_id, thread_id, group_id, reporter_id)
- report_resolved(report, report_id, post_id, thread_id, group_id, reporter_id, by_id,
  status, note)
- thread_locked(thread, thread_id, group_id, by_id, locked, reason)
- thread_pinned(thread, thread_id, group_id, by_id, pinned)
- thread_moved(thread, thread_id, from_group_id, group_id, by_id, reason)
- slow_mode_changed(thread_id (None for group-wide), group_id, by_id, seconds, reason)
"""

from django.dispatch import Signal

thread_created = Signal()
post_created = Signal()
post_held = Signal()
post_approved = Signal()
post_rejected = Signal()
post_edited = Signal()
post_deleted = Signal()
post_hidden = Signal()
post_unhidden = Signal()
reaction_added = Signal()
report_created = Signal()
report_resolved = Signal()
thread_locked = Signal()
thread_pinned = Signal()
thread_moved = Signal()
slow_mode_changed = Signal()
