"""Channel-layer group names. Built from constants and ids only, never from user text."""

# Every process's inbox listener (consumers.Hub) subscribes to this one group.
EVERYONE = "inbox.all"


def user_group(user_id: int) -> str:
    """A member's personal group name (kept for apps that address one member's sockets)."""
    return f"inbox.user.{int(user_id)}"
