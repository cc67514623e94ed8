"""Production settings: everything from the environment, secure by default.

`SECRET_KEY` and `ALLOWED_HOSTS` must be set; `DATABASE_URL` should point at PostgreSQL and
`REDIS_URL` at Redis so that several ASGI workers share one channel layer.
"""

import os

from django.core.exceptions import ImproperlyConfigured

from .base import *  # noqa: F403
from .base import env_bool, env_list

DEBUG = env_bool("DEBUG", False)
if not os.environ.get("SECRET_KEY"):
    raise ImproperlyConfigured("SECRET_KEY must be set in production.")
SECRET_KEY = os.environ["SECRET_KEY"]
ALLOWED_HOSTS = env_list("ALLOWED_HOSTS", "")
# Absolute links in emails and the admin: the public address. Unset, the first allowed host
# over HTTPS — never the development default built from HOST and PORT (a platform's PORT
# variable is the port behind the proxy, not the one members reach).
SITE_URL = os.environ.get("SITE_URL") or (
    f"https://{ALLOWED_HOSTS[0].lstrip('.')}" if ALLOWED_HOSTS else "https://localhost"
)
WAGTAILADMIN_BASE_URL = SITE_URL

SECURE_PROXY_SSL_HEADER = ("HTTP_X_FORWARDED_PROTO", "https")
SECURE_SSL_REDIRECT = env_bool("SECURE_SSL_REDIRECT", True)
SECURE_HSTS_SECONDS = int(os.environ.get("SECURE_HSTS_SECONDS", str(60 * 60 * 24 * 365)))
SECURE_HSTS_INCLUDE_SUBDOMAINS = True
SECURE_HSTS_PRELOAD = True
SECURE_CONTENT_TYPE_NOSNIFF = True
SECURE_REFERRER_POLICY = "same-origin"
SESSION_COOKIE_SECURE = True
CSRF_COOKIE_SECURE = True
LANGUAGE_COOKIE_SECURE = True
X_FRAME_OPTIONS = "DENY"

WHITENOISE_USE_FINDERS = False
WHITENOISE_AUTOREFRESH = False
STORAGES = {
    "default": {"BACKEND": "django.core.files.storage.FileSystemStorage"},
    "staticfiles": {"BACKEND": "whitenoise.storage.CompressedManifestStaticFilesStorage"},
}
ACCOUNT_DEFAULT_HTTP_PROTOCOL = "https"
# Files: Python checks the policy, the web server sends the bytes from an internal location
# mapped to MEDIA_ROOT (DEVELOPERS.md, "Files in production"). Set it to "" to stream from
# Python behind a server that cannot do X-Accel-Redirect.
PLAZA_FILES_ACCEL_REDIRECT = os.environ.get("PLAZA_FILES_ACCEL_REDIRECT", "/_protected_media/")

# Demo content is for development only (its accounts share one known password).
INSTALLED_APPS = [app for app in INSTALLED_APPS if app != "demo"]  # noqa: F405
