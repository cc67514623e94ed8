"""Plaza as a plugin: install the wheel into a stock `wagtail start` site and use it.

    python scripts/host_site_check.py [--keep] [--variant core|all ...]

Builds Plaza's wheel, makes a fresh virtualenv (not editable) and installs the wheel into
it, creates a stock Wagtail site with Django's own User, and adds Plaza exactly as the
README's section "Add Plaza to your Wagtail site" says (its python blocks, in order:
settings, optional apps, URLs, asgi). Then, per variant:

- core: groups, discussions, inbox;  all: every app except people and cms;
- `check` with no errors and no warnings from Plaza's apps, `migrate`,
  `makemigrations --check`;
- a smoke run (SMOKE below): a group, a member, a thread and a reply through the
  services; the thread page through the test client in the host's base template; the
  reply's notification over the inbox websocket (WebsocketCommunicator, real ASGI app).

Exits non-zero with the failing step's output. `.ci/run` runs it once per CI run.
"""

from __future__ import annotations

import argparse
import os
import re
import shutil
import subprocess
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
SECTION = "## Add Plaza to your Wagtail site"
PLAZA_APPS = ("core", "files", "groups", "discussions", "inbox", "partners", "knowledge")

PLAZA_BASE = (
    '{% extends "base.html" %}'
    "{% block extra_css %}{% block extra_head %}{% endblock %}{% endblock %}"
    "{% block extra_js %}{% block extra_body %}{% endblock %}{% endblock %}"
)

SMOKE = r"""
import asyncio, os, sys
os.environ.setdefault("DJANGO_SETTINGS_MODULE", "hostsite.settings.dev")
import django
django.setup()
from asgiref.sync import sync_to_async
from channels.testing import WebsocketCommunicator
from django.conf import settings
from django.contrib.auth import get_user_model
from django.test import Client
from wagtail.models import Page

from discussions.services import post_reply, thread_start
from groups.models import GroupIndexPage, WorkingGroup
from groups.services import group_create, membership_add
from hostsite.asgi import application

User = get_user_model()
assert User is django.contrib.auth.models.User, User
alice = User.objects.create_user("alice", "alice@example.org", "pw", first_name="Alice")
bob = User.objects.create_user("bob", "bob@example.org", "pw")
home = Page.objects.get(depth=2)
index = home.add_child(instance=GroupIndexPage(title="Groups", slug="groups"))
index.save_revision().publish()
group = group_create(
    name="Water utilities", slug="water", kind=WorkingGroup.Kind.THEMATIC,
    visibility=WorkingGroup.Visibility.PUBLIC, join_policy=WorkingGroup.JoinPolicy.OPEN,
    owner=alice, parent_page=index,
)
membership_add(group=group, user=bob)
thread = thread_start(
    group=group, author=bob, title="Leak detection", body="Who uses **acoustic** loggers?"
)

client = Client()
client.force_login(bob)
page = client.get(thread.get_absolute_url())
html = page.content.decode()
assert page.status_code == 200, page.status_code
assert "Leak detection" in html and "<strong>acoustic</strong>" in html
assert "hostsite.css" in html, "not the host's base template"
assert "discussions/discussions.js" in html, "Plaza's scripts did not reach the host's extra_js"
group_page = client.get(group.page_in("en").url)
assert group_page.status_code == 200 and "Water utilities" in group_page.content.decode()
cookie = f"{settings.SESSION_COOKIE_NAME}={client.cookies[settings.SESSION_COOKIE_NAME].value}"


async def live():
    ws = WebsocketCommunicator(
        application, "/ws/inbox/",
        headers=[(b"origin", b"http://localhost"), (b"cookie", cookie.encode())],
    )
    connected, _ = await ws.connect(timeout=10)
    assert connected, "the inbox websocket refused a signed-in member"
    hello = await ws.receive_json_from(timeout=10)
    assert hello["type"] == "hello", hello
    await ws.send_json_to({"type": "replay", "after": 0})
    while (await ws.receive_json_from(timeout=5))["type"] != "unread":
        pass
    reply = sync_to_async(post_reply)
    await reply(thread=thread, parent=None, author=alice, body="We do, since 2021.")
    message = await ws.receive_json_from(timeout=10)
    assert message["type"] == "notification", message
    assert "Alice" in message["text"] and "Leak detection" in message["text"], message
    await ws.disconnect()
    return message["text"]


text = asyncio.run(live())

# The bell a host puts in its own header: the unread count, and the live client.
from django.template import engines
from django.test import RequestFactory

request = RequestFactory().get("/")
request.user = bob
badge = engines["django"].from_string(
    "{% load inbox_tags %}{% notification_badge %}{% notification_script %}"
).render({}, request)
assert ">1</span>" in badge and "inbox/inbox.js" in badge, badge
print("smoke ok:", text)
"""


def run(cmd, *, cwd=None, env=None, what: str) -> str:
    started = time.perf_counter()
    result = subprocess.run(cmd, cwd=cwd, env=env, capture_output=True, text=True)
    took = time.perf_counter() - started
    if result.returncode != 0:
        print(f"FAILED: {what} ({took:.0f} s)\n{result.stdout[-4000:]}\n{result.stderr[-4000:]}")
        sys.exit(1)
    print(f"ok: {what} ({took:.0f} s)")
    return result.stdout + result.stderr


def readme_blocks() -> list[str]:
    text = (ROOT / "README.md").read_text()
    section = text.split(SECTION, 1)[1].split("\n## ", 1)[0]
    return re.findall(r"```python\n(.*?)```", section, flags=re.S)


def build(tmp: Path) -> Path:
    """The wheel, and a fresh virtualenv with it installed (not editable)."""
    dist = tmp / "dist"
    leftover = not (ROOT / "build").exists()  # pip's in-tree build leaves build/ behind
    run(
        [
            sys.executable,
            "-m",
            "pip",
            "wheel",
            "--quiet",
            "--no-deps",
            "-w",
            str(dist),
            str(ROOT),
        ],
        what="build the wheel",
    )
    if leftover:
        shutil.rmtree(ROOT / "build", ignore_errors=True)
    wheel = next(dist.glob("plaza-*.whl"))
    venv = tmp / "venv"
    run([sys.executable, "-m", "venv", str(venv)], what="make a virtualenv")
    run(
        [str(venv / "bin" / "python"), "-m", "pip", "install", "--quiet", str(wheel)],
        what=f"install {wheel.name} into it",
    )
    return venv


def host_site(tmp: Path, venv: Path, variant: str) -> tuple[Path, dict]:
    site = tmp / f"host-{variant}"
    site.mkdir()
    run(
        [str(venv / "bin" / "wagtail"), "start", "hostsite", str(site)],
        what=f"wagtail start ({variant})",
    )
    settings_block, optional_block, urls_block, asgi_block = readme_blocks()[:4]
    settings_file = site / "hostsite" / "settings" / "base.py"
    extra = settings_block + (optional_block if variant == "all" else "")
    settings_file.write_text(settings_file.read_text() + "\n" + extra)
    urls = site / "hostsite" / "urls.py"
    urls.write_text(urls.read_text() + "\n" + urls_block)
    # The host maps Plaza's blocks onto its own base template's (README).
    (site / "hostsite" / "templates" / "plaza").mkdir(parents=True)
    (site / "hostsite" / "templates" / "plaza" / "base.html").write_text(PLAZA_BASE)
    (site / "hostsite" / "asgi.py").write_text(
        'import os\n\nos.environ.setdefault("DJANGO_SETTINGS_MODULE", "hostsite.settings.dev")\n\n'
        + asgi_block
    )
    env = {k: v for k, v in os.environ.items() if k not in ("DJANGO_SETTINGS_MODULE", "PYTHONPATH")}
    env.update(DJANGO_SETTINGS_MODULE="hostsite.settings.dev", DATABASE_URL="")
    return site, env


def check_variant(tmp: Path, venv: Path, variant: str) -> None:
    site, env = host_site(tmp, venv, variant)
    python = str(venv / "bin" / "python")
    out = run([python, "manage.py", "check"], cwd=site, env=env, what=f"check ({variant})")
    apps = "|".join(PLAZA_APPS)
    # A finding names its object ("groups.GroupPage: (models.W042) ...") or its check id.
    ours = [
        line
        for line in out.splitlines()
        if re.search(rf"\b({apps})\.\w+: \(|\(({apps})\.[EW]\d+\)", line)
    ]
    if ours:
        print("FAILED: Plaza's apps warn in the host:\n" + "\n".join(ours))
        sys.exit(1)
    run(
        [python, "manage.py", "migrate", "--no-input"],
        cwd=site,
        env=env,
        what=f"migrate ({variant})",
    )
    run(
        [python, "manage.py", "makemigrations", "--check", "--dry-run"],
        cwd=site,
        env=env,
        what=f"makemigrations --check ({variant})",
    )
    (site / "plaza_smoke.py").write_text(SMOKE)
    out = run([python, "plaza_smoke.py"], cwd=site, env=env, what=f"smoke ({variant})")
    print("   " + out.strip().splitlines()[-1])


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--variant", action="append", choices=["core", "all"])
    parser.add_argument("--keep", action="store_true", help="keep the temporary folder")
    args = parser.parse_args()
    tmp = Path(tempfile.mkdtemp(prefix="plaza-host-"))
    try:
        venv = build(tmp)
        for variant in args.variant or ["core", "all"]:
            check_variant(tmp, venv, variant)
    finally:
        if args.keep:
            print(f"kept {tmp}")
        else:
            shutil.rmtree(tmp, ignore_errors=True)


if __name__ == "__main__":
    main()
