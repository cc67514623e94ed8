"""Domain events: one way for every Plaza app to say "this happened".

`emit` sends the event INSIDE the write's transaction, not after its commit. Receivers
that keep records about the event (the inbox's notifications and their per-member
sequence, the email queue) write them in that same transaction, so a post and its
notifications commit together or not at all: a crash, a dropped database connection or
a failing receiver between "the post is stored" and "its notifications are stored" can
no longer leave one without the other (issue 11).

The rule for receivers: write rows here; anything that leaves the database (a websocket
push, an SMTP conversation, a federation delivery) goes through `transaction.on_commit`
or a queued task, so nobody outside ever hears of a change that was rolled back.
"""

from __future__ import annotations

from django.db import transaction
from django.dispatch import Signal


def emit(signal: Signal, sender, **payload) -> None:
    """Send `signal` now, inside the caller's transaction (which must be open).

    A receiver's exception propagates: the whole write rolls back and the caller sees
    the error, rather than the write committing without what the receivers owed it.
    """
    if not transaction.get_connection().in_atomic_block:
        # Every service is atomic; an emit outside one is a programming error that would
        # let a receiver's rows commit separately from the change they are about.
        raise RuntimeError(f"emit({signal!r}) outside a transaction")
    signal.send(sender=sender, **payload)
