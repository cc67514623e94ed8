"""Plaza settings, read from the environment.

Defaults are the embedded stack (SQLite, in-memory channel layer, console email) so that
`make run` and `make test` work on a fresh machine. Production overrides live in
`config.settings.production`.
"""

import os
from pathlib import Path

import dj_database_url
from django.utils.translation import gettext_lazy as _

BASE_DIR = Path(__file__).resolve().parent.parent.parent


def env_bool(name: str, default: bool) -> bool:
    value = os.environ.get(name)
    if value is None:
        return default
    return value.strip().lower() in {"1", "true", "yes", "on"}


def env_list(name: str, default: str) -> list[str]:
    return [item.strip() for item in os.environ.get(name, default).split(",") if item.strip()]


SECRET_KEY = os.environ.get("SECRET_KEY", "dev-only-insecure-key-change-me-in-production")
DEBUG = env_bool("DEBUG", True)
ALLOWED_HOSTS = env_list("ALLOWED_HOSTS", "127.0.0.1,localhost,testserver")
CSRF_TRUSTED_ORIGINS = env_list("CSRF_TRUSTED_ORIGINS", "")

INSTALLED_APPS = [
    "daphne",
    "core",  # shared plumbing (idempotent creates); below every Plaza app
    "files",  # uploads follow their content's permissions; just above core
    "people",
    "cms",
    "partners",
    "inbox",
    "groups",
    "discussions",
    "knowledge",
    "demo",  # demo content for `make run` (seed_demo); production settings leave it out
    "wagtail_localize",
    "wagtail_localize.locales",
    "wagtail.contrib.forms",
    "wagtail.contrib.redirects",
    "wagtail.contrib.sitemaps",
    "wagtail.contrib.routable_page",
    "wagtail.embeds",
    "wagtail.sites",
    "wagtail.users",
    "wagtail.snippets",
    "wagtail.documents",
    "wagtail.images",
    "wagtail.search",
    "wagtail.admin",
    "wagtail",
    "modelcluster",
    "taggit",
    "django_countries",
    "allauth",
    "allauth.account",
    "channels",
    "notifications",
    "django_tasks",
    "django_tasks_db",
    "django.contrib.admin",
    "django.contrib.auth",
    "django.contrib.contenttypes",
    "django.contrib.sessions",
    "django.contrib.messages",
    "django.contrib.sitemaps",
    "django.contrib.staticfiles",
]

MIDDLEWARE = [
    "django.middleware.security.SecurityMiddleware",
    "core.dbfaults.DatabaseUnavailableMiddleware",
    "whitenoise.middleware.WhiteNoiseMiddleware",
    "django.contrib.sessions.middleware.SessionMiddleware",
    "django.middleware.locale.LocaleMiddleware",
    # Refuses NUL, invalid UTF-8, oversized and unparseable input (a translated 400/413)
    # before any view or middleware below reads it.
    "core.middleware.RequestGuardMiddleware",
    "django.middleware.common.CommonMiddleware",
    "django.middleware.csrf.CsrfViewMiddleware",
    "django.contrib.auth.middleware.AuthenticationMiddleware",
    "django.contrib.messages.middleware.MessageMiddleware",
    "django.middleware.clickjacking.XFrameOptionsMiddleware",
    "allauth.account.middleware.AccountMiddleware",
    "people.middleware.PreferredLanguageMiddleware",
    "wagtail.contrib.redirects.middleware.RedirectMiddleware",
    # Last, so it sees a view's 403/404/400 first: one log line instead of a traceback.
    "core.middleware.RefusalMiddleware",
]

# Request limits (core.middleware answers 413/400 with a translated message): form and
# JSON bodies up to 2.5 MB and 1,000 fields (Django's defaults, stated so they are not
# lost); any body, uploads included, up to 50 MB — the proxy in front should say the same.
DATA_UPLOAD_MAX_MEMORY_SIZE = 2_621_440
DATA_UPLOAD_MAX_NUMBER_FIELDS = 1_000
DATA_UPLOAD_MAX_NUMBER_FILES = 20
PLAZA_MAX_REQUEST_BODY = 50 * 1024 * 1024

ROOT_URLCONF = "config.urls"

TEMPLATES = [
    {
        "BACKEND": "django.template.backends.django.DjangoTemplates",
        "DIRS": [BASE_DIR / "templates"],
        "APP_DIRS": True,
        "OPTIONS": {
            "context_processors": [
                "django.template.context_processors.debug",
                "django.template.context_processors.request",
                "django.template.context_processors.i18n",
                "django.contrib.auth.context_processors.auth",
                "django.contrib.messages.context_processors.messages",
                "cms.context_processors.site_chrome",
                "inbox.context_processors.unread_notifications",
            ],
        },
    },
]

ASGI_APPLICATION = "config.asgi.application"

DATABASES = {
    "default": dj_database_url.parse(
        os.environ.get("DATABASE_URL", f"sqlite:///{BASE_DIR / 'var' / 'plaza.sqlite3'}"),
        conn_max_age=int(os.environ.get("DB_CONN_MAX_AGE", "0")),
        # A persistent connection the server dropped is replaced before a request uses it.
        conn_health_checks=True,
    )
}
if DATABASES["default"]["ENGINE"] == "django.db.backends.sqlite3":
    # WAL + a busy timeout let the ASGI server and a task worker share the file.
    DATABASES["default"].setdefault("OPTIONS", {}).update(
        {"timeout": 20, "transaction_mode": "IMMEDIATE", "init_command": "PRAGMA journal_mode=WAL;"}
    )

REDIS_URL = os.environ.get("REDIS_URL", "")
if REDIS_URL:
    CHANNEL_LAYERS = {
        "default": {
            "BACKEND": "channels_redis.core.RedisChannelLayer",
            "CONFIG": {
                # redis-py's async pool caps at 100 connections and then raises; a busy
                # worker holds one per concurrent group_send, so raise the cap.
                "hosts": [
                    {
                        "address": REDIS_URL,
                        "max_connections": int(os.environ.get("REDIS_MAX_CONNECTIONS", "1000")),
                        # Above channels-redis's 5 s blocking read (BZPOPMIN): redis-py 8's
                        # default socket timeout is also 5 s, so an idle listener's read
                        # raced it and timed out (a message arriving then could be lost).
                        "socket_timeout": 15,
                    }
                ],
                "capacity": 1500,
                "expiry": 30,
            },
        }
    }
else:
    CHANNEL_LAYERS = {"default": {"BACKEND": "channels.layers.InMemoryChannelLayer"}}

AUTH_USER_MODEL = "people.User"
AUTH_PASSWORD_VALIDATORS = [
    {"NAME": "django.contrib.auth.password_validation.UserAttributeSimilarityValidator"},
    {"NAME": "django.contrib.auth.password_validation.MinimumLengthValidator"},
    {"NAME": "django.contrib.auth.password_validation.CommonPasswordValidator"},
    {"NAME": "django.contrib.auth.password_validation.NumericPasswordValidator"},
]
AUTHENTICATION_BACKENDS = [
    "django.contrib.auth.backends.ModelBackend",
    "allauth.account.auth_backends.AuthenticationBackend",
]

# Accounts (django-allauth): email is the login; a username is the @mention handle.
ACCOUNT_LOGIN_METHODS = {"email"}
ACCOUNT_SIGNUP_FIELDS = ["email*", "username*", "password1*", "password2*"]
ACCOUNT_EMAIL_VERIFICATION = "mandatory"
ACCOUNT_UNIQUE_EMAIL = True
ACCOUNT_LOGOUT_ON_PASSWORD_CHANGE = False
ACCOUNT_ADAPTER = "people.adapter.AccountAdapter"
ACCOUNT_FORMS = {"signup": "people.forms.SignupForm"}
ACCOUNT_RATE_LIMITS = {"login_failed": "10/m/ip,5/5m/key"}
LOGIN_URL = "account_login"
LOGIN_REDIRECT_URL = "people:dashboard"

# Internationalisation
LANGUAGE_CODE = "en"
LANGUAGES = [
    ("en", "English"),
    ("de", "Deutsch"),
    ("fr", "Français"),
    ("es", "Español"),
    ("pt", "Português"),
    ("ar", "العربية"),
]
RTL_LANGUAGES = {"ar"}
LOCALE_PATHS = [BASE_DIR / "locale"]
TIME_ZONE = "UTC"
USE_I18N = True
USE_TZ = True
WAGTAIL_I18N_ENABLED = True
WAGTAIL_CONTENT_LANGUAGES = LANGUAGES
WAGTAILLOCALIZE_MACHINE_TRANSLATOR = None

STATIC_URL = "/static/"
STATIC_ROOT = BASE_DIR / "var" / "static"
STATICFILES_DIRS = [BASE_DIR / "static"]
MEDIA_URL = "/media/"
MEDIA_ROOT = Path(os.environ.get("MEDIA_ROOT", BASE_DIR / "var" / "media"))
# Every /media/ request goes through files.views.media, which asks the policy of what the
# file belongs to; the web server never serves MEDIA_ROOT itself. With this set (production)
# Python only decides and the web server sends the bytes from this internal location.
PLAZA_FILES_ACCEL_REDIRECT = os.environ.get("PLAZA_FILES_ACCEL_REDIRECT", "")
# Folders under MEDIA_ROOT that are public by nature (Wagtail's admin avatars).
PLAZA_FILES_PUBLIC_FOLDERS = ["avatar_images/"]
STORAGES = {
    "default": {"BACKEND": "django.core.files.storage.FileSystemStorage"},
    "staticfiles": {"BACKEND": "django.contrib.staticfiles.storage.StaticFilesStorage"},
}
# In development whitenoise serves straight from the apps' static folders.
WHITENOISE_USE_FINDERS = DEBUG
WHITENOISE_AUTOREFRESH = DEBUG

DEFAULT_AUTO_FIELD = "django.db.models.BigAutoField"

# Email: console in development, SMTP when EMAIL_HOST is set.
EMAIL_HOST = os.environ.get("EMAIL_HOST", "")
EMAIL_PORT = int(os.environ.get("EMAIL_PORT", "587"))
EMAIL_HOST_USER = os.environ.get("EMAIL_HOST_USER", "")
EMAIL_HOST_PASSWORD = os.environ.get("EMAIL_HOST_PASSWORD", "")
EMAIL_USE_TLS = env_bool("EMAIL_USE_TLS", True)
EMAIL_BACKEND = os.environ.get(
    "EMAIL_BACKEND",
    "django.core.mail.backends.smtp.EmailBackend"
    if EMAIL_HOST
    else "django.core.mail.backends.console.EmailBackend",
)
EMAIL_FILE_PATH = os.environ.get("EMAIL_FILE_PATH", str(BASE_DIR / "var" / "mail"))
DEFAULT_FROM_EMAIL = os.environ.get("DEFAULT_FROM_EMAIL", "Plaza <noreply@plaza.localhost>")
SERVER_EMAIL = DEFAULT_FROM_EMAIL

# Background work (django-tasks with the database backend; `manage.py db_worker` runs it).
TASKS = {"default": {"BACKEND": "django_tasks_db.DatabaseBackend"}}

# Notifications: django-notifications-community with Plaza's own model (inbox.Notification).
NOTIFICATIONS_NOTIFICATION_MODEL = "inbox.Notification"
# Digests go out on the first `send_digests` run at or after this hour, recipient's local time.
INBOX_DIGEST_HOUR = int(os.environ.get("INBOX_DIGEST_HOUR", "7"))
# The live inbox beats this often (re-subscribing, and telling each socket its member's
# latest notification number from the database): the longest a client stays behind.
INBOX_HEARTBEAT_SECONDS = float(os.environ.get("INBOX_HEARTBEAT_SECONDS", "15"))
# Posts (threads + replies) a member may write per minute (discussions.services
# .posts_per_minute); the fault runs start plain daphne with it lifted.
DISCUSSIONS_POSTS_PER_MINUTE = int(os.environ.get("DISCUSSIONS_POSTS_PER_MINUTE", "6"))

# Wagtail
WAGTAIL_SITE_NAME = "Plaza"
# Plaza's own tree: the index pages stand under the home page (a host site may choose).
GROUPS_INDEX_PARENT_PAGE_TYPES = ["cms.HomePage"]
KNOWLEDGE_INDEX_PARENT_PAGE_TYPES = ["cms.HomePage"]
PARTNERS_INDEX_PARENT_PAGE_TYPES = ["cms.HomePage"]
# Absolute links in emails and the admin. Unset, it follows the address `make run` serves on
# (HOST and PORT, which the Makefile passes on), so `make run PORT=8101` links to 8101.
_site_host = os.environ.get("HOST") or "127.0.0.1"
if _site_host in ("0.0.0.0", "::"):  # bound to every interface: link to this machine
    _site_host = "127.0.0.1"
elif ":" in _site_host:  # an IPv6 address goes in brackets
    _site_host = f"[{_site_host.strip('[]')}]"
SITE_URL = os.environ.get("SITE_URL") or f"http://{_site_host}:{os.environ.get('PORT') or '8000'}"
WAGTAILADMIN_BASE_URL = SITE_URL
WAGTAILSEARCH_BACKENDS = {"default": {"BACKEND": "wagtail.search.backends.database"}}
WAGTAILDOCS_EXTENSIONS = ["csv", "docx", "key", "odt", "pdf", "pptx", "rtf", "txt", "xlsx", "zip"]
# Uploaded documents are served through Wagtail's view (never straight from storage) and
# always as attachments: the type comes from the file name, which nobody verified — a
# ".pdf" that is really HTML was shown inline as application/pdf.
WAGTAILDOCS_SERVE_METHOD = "serve_view"
WAGTAILDOCS_INLINE_CONTENT_TYPES: list[str] = []
# Partner editors are not trusted: no raw HTML anywhere in the editor.
WAGTAILADMIN_RICH_TEXT_EDITORS = {
    "default": {
        "WIDGET": "wagtail.admin.rich_text.DraftailRichTextArea",
        "OPTIONS": {
            "features": ["h2", "h3", "bold", "italic", "ol", "ul", "link", "document-link"]
        },
    }
}

SESSION_COOKIE_HTTPONLY = True
LANGUAGE_COOKIE_SAMESITE = "Lax"

LOGGING = {
    "version": 1,
    "disable_existing_loggers": False,
    # A refused request is one line (core.logging); a real 500 keeps its traceback.
    "filters": {"refusals": {"()": "core.logging.RefusalFilter"}},
    "handlers": {"console": {"class": "logging.StreamHandler"}},
    "root": {"handlers": ["console"], "level": os.environ.get("LOG_LEVEL", "INFO")},
    "loggers": {
        "django.channels.server": {"level": "WARNING"},
        "daphne": {"level": "WARNING"},
        "wagtail": {"level": "WARNING"},
        "django.request": {"filters": ["refusals"]},
        # Logger filters do not reach child loggers: each django.security one is named.
        **{
            f"django.security.{name}": {"filters": ["refusals"]}
            for name in (
                "DisallowedHost",
                "DisallowedRedirect",
                "DisallowedModelAdminLookup",
                "DisallowedModelAdminToField",
                "InvalidSessionKey",
                "RequestDataTooBig",
                "SuspiciousFileOperation",
                "SuspiciousMultipartForm",
                "SuspiciousOperation",
                "SuspiciousSession",
                "TooManyFieldsSent",
                "TooManyFilesSent",
                "csrf",
            )
        },
        "django.security": {"filters": ["refusals"]},
    },
}

PLAZA_SITE_NAME = _("Plaza")
