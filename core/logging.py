"""Logging filter: a refused request is one line, a real error keeps its traceback.

Django logs a 403 (PermissionDenied) and every SuspiciousOperation (too many fields, a
disallowed host, a body over the limit) with the exception's full traceback, the second
at ERROR — ordinary refusals that look like crashes in the log. core.middleware answers
most of them before Django does; this filter, on the `django.request` and
`django.security.*` loggers (config/settings/base.py LOGGING), covers the rest: a record
about a response under 500 loses its traceback, keeps the reason on its one line, and is
at most a WARNING. Records about 5xx responses pass untouched.
"""

from __future__ import annotations

import logging


class RefusalFilter(logging.Filter):
    def filter(self, record: logging.LogRecord) -> bool:
        status = getattr(record, "status_code", None)
        security = record.name.startswith("django.security")
        if not (security or (isinstance(status, int) and status < 500)):
            return True
        if isinstance(status, int) and status >= 500:
            return True
        if record.exc_info:
            exc = record.exc_info[1]
            reason = f"{type(exc).__name__}: {exc}" if exc is not None else ""
            record.msg = f"{record.getMessage()} ({reason})" if reason else record.getMessage()
            record.args = None
            record.exc_info = None
            record.exc_text = None
        if record.levelno > logging.WARNING:
            record.levelno = logging.WARNING
            record.levelname = logging.getLevelName(logging.WARNING)
        return True
