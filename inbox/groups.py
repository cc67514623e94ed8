"""Channel-layer group names. Built from ids only, never from user text."""


def user_group(user_id: int) -> str:
    """A member's personal channel group (all their open sockets)."""
    return f"inbox.user.{int(user_id)}"


def group_channel(group_id: int) -> str:
    """A working group's channel group: the sockets of its members (one message per event)."""
    return f"inbox.wg.{int(group_id)}"
