"""What tests that start real processes (daphne workers, task workers, servers) share."""

from __future__ import annotations

import socket
import time
from collections.abc import Callable


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def wait_for_port(
    port: int,
    alive: Callable[[], bool] = lambda: True,
    timeout: float = 90,
    what: Callable[[], str] | str = "",
) -> None:
    """Wait until something listens on `port`; fail early when `alive()` turns false.
    `what` (text, or a callable giving it, e.g. the process's log) names it in the error."""
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        if not alive():
            raise RuntimeError(f"{_text(what) or port} exited before listening")
        try:
            with socket.create_connection(("127.0.0.1", port), timeout=0.5):
                return
        except OSError:
            time.sleep(0.1)
    raise RuntimeError(f"{_text(what) or port} did not listen within {timeout:.0f} s")


def _text(what: Callable[[], str] | str) -> str:
    return what() if callable(what) else what


def test_database_url() -> str:
    """The database this pytest worker uses, as a URL a child process can open."""
    from django.db import connection

    db = connection.settings_dict
    if connection.vendor == "sqlite":
        return f"sqlite:///{db['NAME']}"
    auth = db["USER"] + (f":{db['PASSWORD']}" if db["PASSWORD"] else "")
    return f"postgres://{auth}@{db['HOST'] or '127.0.0.1'}:{db['PORT'] or 5432}/{db['NAME']}"


test_database_url.__test__ = False  # a helper, not a test
