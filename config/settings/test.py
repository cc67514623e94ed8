"""Test settings: the embedded stack by default; DATABASE_URL / REDIS_URL switch legs."""

import os
import tempfile

from .base import *  # noqa: F403
from .base import DATABASES

DEBUG = False
PASSWORD_HASHERS = ["django.contrib.auth.hashers.MD5PasswordHasher"]
EMAIL_BACKEND = "django.core.mail.backends.locmem.EmailBackend"
TASKS = {"default": {"BACKEND": "django_tasks.backends.immediate.ImmediateBackend"}}
WHITENOISE_USE_FINDERS = True
WHITENOISE_AUTOREFRESH = True
MEDIA_ROOT = tempfile.mkdtemp(prefix="plaza-test-media-")
ALLOWED_HOSTS = ["testserver", "127.0.0.1", "localhost"]
ACCOUNT_RATE_LIMITS = False

if DATABASES["default"]["ENGINE"] == "django.db.backends.sqlite3":
    # A file, not :memory:, so a live ASGI server in a child process sees the same data.
    DATABASES["default"]["TEST"] = {
        "NAME": os.path.join(tempfile.gettempdir(), f"plaza-test-{os.getpid()}.sqlite3")
    }

# Parallel test workers (pytest-xdist) each get their own Redis database, so one worker's
# FLUSHDB or channel groups never touch another's. Written back to the environment so tests
# and the daphne workers they start see the same URL.
_xdist_worker = os.environ.get("PYTEST_XDIST_WORKER", "")
if _xdist_worker and os.environ.get("REDIS_URL"):
    from urllib.parse import urlparse, urlunparse

    _redis_url = urlunparse(
        urlparse(os.environ["REDIS_URL"])._replace(
            path=f"/{int(_xdist_worker.removeprefix('gw')) + 1}"
        )
    )
    os.environ["REDIS_URL"] = _redis_url
    REDIS_URL = _redis_url
    CHANNEL_LAYERS["default"]["CONFIG"]["hosts"][0]["address"] = _redis_url  # noqa: F405
