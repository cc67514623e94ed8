import os
import shutil
from functools import partial
from pathlib import Path

import pytest
from django.db import connections

from tests.factories import UserFactory


def pytest_configure(config):
    """Plain `pytest` after `make install-dev` works: the catalogues are compiled first
    (only those whose .po changed; once, by the controller, before xdist's workers)."""
    if hasattr(config, "workerinput"):
        return
    import django
    from django.core.management import call_command

    django.setup()
    with open(os.devnull, "w") as quiet:
        call_command("compile_translations", stdout=quiet)


@pytest.fixture(autouse=True)
def _fresh_local_cache(settings):
    """Each test starts with an empty in-process cache: cached page chrome (the main menu)
    or Wagtail's site root paths built from an earlier test's pages, rolled back since,
    must not leak into it."""
    if "locmem" in settings.CACHES["default"]["BACKEND"].lower():
        from django.core.cache import cache

        cache.clear()


@pytest.fixture
def site_tree(db):
    """Root, English home page and default Site (a flushed database has none)."""
    from cms.services import site_tree_ensure

    return site_tree_ensure()


@pytest.fixture
def demo_site(db):
    """The demo pages in all six languages."""
    from demo.cms import seed

    return seed()


@pytest.fixture
def user(db):
    return UserFactory()


@pytest.fixture
def member_client(client, user):
    client.force_login(user)
    client.user = user
    return client


class LiveServer:
    def __init__(self, process, host, mail_dir):
        self.process = process
        self.host = host
        self.mail_dir = mail_dir

    @property
    def port(self) -> int:
        return self.process.port.value

    @property
    def url(self) -> str:
        return f"http://{self.host}:{self.port}"

    @property
    def ws_url(self) -> str:
        return f"ws://{self.host}:{self.port}"

    def mails(self) -> list[str]:
        """Every message the server has sent so far (file email backend), oldest first."""
        files = sorted(Path(self.mail_dir).glob("*.log"), key=lambda p: p.stat().st_mtime)
        out: list[str] = []
        for f in files:
            out.extend(m for m in f.read_text().split("-" * 79) if m.strip())
        return out


def _make_application():
    # Module-level so the child process can build it; static files served like whitenoise.
    from concurrent.futures import ThreadPoolExecutor

    from asgiref.sync import SyncToAsync
    from channels.routing import get_default_application
    from django.contrib.staticfiles.handlers import ASGIStaticFilesHandler

    # The child is forked: if the parent already used sync_to_async (async tests), the
    # inherited single-thread executor has no thread and every database call would hang.
    SyncToAsync.single_thread_executor = ThreadPoolExecutor(max_workers=1)
    return ASGIStaticFilesHandler(get_default_application())


def _use_database(name):
    from django.conf import settings as django_settings

    django_settings.DATABASES["default"]["NAME"] = name
    for connection in connections.all():
        connection.settings_dict["NAME"] = (
            name if connection.alias == "default" else connection.settings_dict["NAME"]
        )


@pytest.fixture
def live_asgi(transactional_db, settings, tmp_path):
    """daphne serving config.asgi.application in a child process, on the test database.

    Mail goes to files under tmp_path so the test can read what the server sent.
    """
    from daphne.testing import DaphneProcess

    mail_dir = tmp_path / "mail"
    mail_dir.mkdir()
    settings.EMAIL_BACKEND = "django.core.mail.backends.filebased.EmailBackend"
    settings.EMAIL_FILE_PATH = str(mail_dir)
    settings.ALLOWED_HOSTS = ["127.0.0.1", "localhost", "testserver"]
    # The child must not share the parent's open database sockets.
    connections.close_all()
    # The child uses exactly the database this test uses (with xdist/PostgreSQL that is
    # e.g. test_plaza_gw0; channels' own helper would prefix "test_" a second time).
    process = DaphneProcess(
        "127.0.0.1",
        partial(_make_application),
        setup=partial(_use_database, connections["default"].settings_dict["NAME"]),
    )
    process.start()
    if not process.ready.wait(timeout=30):
        process.terminate()
        raise RuntimeError("daphne did not start")
    server = LiveServer(process, "127.0.0.1", mail_dir)
    yield server
    process.terminate()
    process.join(timeout=10)


def find_chromium() -> str | None:
    """Debian's chromium, else one Playwright manages, else None."""
    for candidate in (
        os.environ.get("PLAZA_CHROMIUM"),
        "/usr/bin/chromium",
        shutil.which("chromium"),
        shutil.which("chromium-browser"),
    ):
        if candidate and os.path.exists(candidate):
            return candidate
    try:
        from playwright.sync_api import sync_playwright

        with sync_playwright() as p:
            path = p.chromium.executable_path
        return path if path and os.path.exists(path) else None
    except Exception:
        return None


CHROMIUM_ARGS = [
    "--headless",
    "--no-sandbox",
    "--disable-gpu",
    "--disable-background-networking",
    "--disable-quic",
    "--no-first-run",
    "--disable-component-update",
    "--disable-sync",
]


@pytest.fixture(scope="session")
def chromium_path():
    path = find_chromium()
    if path is None:
        message = (
            "NO CHROMIUM FOUND: browser tests cannot run. Install Debian's `chromium` "
            "(`apt-get install chromium`) or run `make test`, which tries to."
        )
        if os.environ.get("PLAZA_REQUIRE_BROWSER") == "1":
            pytest.fail(message)
        pytest.skip(message)
    return path


@pytest.fixture
def browser(chromium_path, monkeypatch):
    """A headless Chromium for one test.

    Playwright's sync API keeps an event loop running in this thread, which trips Django's
    async-safety check although every ORM call here is synchronous; lift the check for the
    duration of the browser test only.
    """
    from playwright.sync_api import sync_playwright

    monkeypatch.setenv("DJANGO_ALLOW_ASYNC_UNSAFE", "true")
    with sync_playwright() as p:
        instance = p.chromium.launch(
            executable_path=chromium_path, args=CHROMIUM_ARGS, headless=True
        )
        yield instance
        instance.close()


@pytest.fixture
def new_context(browser):
    """Open isolated browser contexts (one per person); closed after the test."""
    contexts = []

    def make(**kwargs):
        context = browser.new_context(**kwargs)
        context.set_default_timeout(15_000)
        contexts.append(context)
        return context

    yield make
    for context in contexts:
        context.close()


def pytest_terminal_summary(terminalreporter):
    skipped = terminalreporter.stats.get("skipped", [])
    if any("NO CHROMIUM FOUND" in str(getattr(r, "longrepr", "")) for r in skipped):
        terminalreporter.write_sep(
            "!", "BROWSER TESTS WERE SKIPPED: no Chromium on this machine", red=True
        )


# groups ---------------------------------------------------------------------------------


@pytest.fixture
def group_page(site_tree):
    """A public, open working group with an English page (and an owner)."""
    from tests.factories import GroupFactory

    owner = UserFactory()
    group = GroupFactory(with_page=True, owner=owner)
    return group.page_in("en")
