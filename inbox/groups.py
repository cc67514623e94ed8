"""Channel-layer group names. Built from ids only, never from user text."""


def user_group(user_id: int) -> str:
    return f"inbox.user.{int(user_id)}"
