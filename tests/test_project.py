"""Project-wide checks: migrations, deploy settings, translation catalogues."""

import gettext
import os
import re
import subprocess
import sys
from pathlib import Path

import polib
import pytest
from django.conf import settings
from django.core.management import call_command

ROOT = Path(__file__).resolve().parent.parent
# Words that are genuinely the same in a language (names, cognates) and may stay as they are.
SAME_IN_TRANSLATION = {
    "*": {"Plaza", "OK", "Online", "Webinar", "Total", "Normal", "Email"},
    "fr": {
        "Image",
        "introduction",
        "organisation",
        "Notifications",
        "Organisation",
        "Message",
        "Messages",
        "Description",
        "Contact",
        "Contacts",
        "Options",
        "Date",
        "Action",
        "Actions",
        "Note",
        "Notes",
        "Discussion",
        "Discussions",
        "Type",
        "Position",
        "Region",
        "Moderation",
        "Article",
        "Public",
        "Secret",
        "Invitation",
        "Invitations",
        "invitation",
        "invitations",
    },
    "de": {
        "Name",
        "Region",
        "Organisation",
        "Status",
        "Thema",
        "Details",
        "Moderation",
        "Start",
        "Link",
        "Regional",
    },
    "es": {"Total", "Error", "Regional", "Asia"},
    "pt": {"Total", "Regional"},
    "ar": set(),
}
NON_ENGLISH = [c for c, _ in settings.LANGUAGES if c != "en"]
# How many plural forms each language has (gettext's Plural-Forms; Spanish follows CLDR and
# Django's own catalogue: one, many for whole millions, other).
NPLURALS = {"de": 2, "fr": 2, "es": 3, "pt": 2, "ar": 6}


def catalogue_dirs() -> list[Path]:
    """The project catalogue plus every app's own catalogue."""
    apps_with_locale = (p.parent for p in ROOT.glob("*/locale") if (p.parent / "apps.py").exists())
    return [ROOT / "locale", *sorted(apps_with_locale)]


@pytest.mark.django_db
def test_no_missing_migrations():
    call_command("makemigrations", "--check", "--dry-run", verbosity=0)


def test_production_settings_pass_check_deploy():
    env = {
        **os.environ,
        "DJANGO_SETTINGS_MODULE": "config.settings.production",
        "SECRET_KEY": "x" * 20 + "production-secret-key-with-enough-entropy-1234567890",
        "ALLOWED_HOSTS": "plaza.example.org",
    }
    result = subprocess.run(
        [sys.executable, "manage.py", "check", "--deploy", "--fail-level", "WARNING"],
        cwd=ROOT,
        env=env,
        capture_output=True,
        text=True,
    )
    assert result.returncode == 0, result.stdout + result.stderr
    assert "System check identified no issues" in result.stdout


@pytest.mark.parametrize("language", NON_ENGLISH)
@pytest.mark.parametrize(
    "base", catalogue_dirs(), ids=lambda p: p.name if p.name != "locale" else "project"
)
def test_catalogue_is_complete_and_really_translated(base, language):
    locale_dir = base if base.name == "locale" else base / "locale"
    po = polib.pofile(str(locale_dir / language / "LC_MESSAGES" / "django.po"))
    assert len(po) > 0
    untranslated = [e.msgid for e in po if not e.obsolete and not e.translated()]
    assert not untranslated, untranslated
    fuzzy = [e.msgid for e in po if "fuzzy" in e.flags]
    assert not fuzzy, fuzzy
    allowed = SAME_IN_TRANSLATION["*"] | SAME_IN_TRANSLATION.get(language, set())
    copied = [
        e.msgid
        for e in po.translated_entries()
        if e.msgstr == e.msgid and e.msgid not in allowed and len(e.msgid) > 3
    ]
    assert not copied, copied
    # Every plural entry has exactly the forms the header demands, none empty: a missing
    # form makes gettext fall back to English for that count ("13 good practices" on /ar/).
    header = po.metadata.get("Plural-Forms", "")
    match = re.fullmatch(r"\s*nplurals\s*=\s*(\d+)\s*;\s*plural\s*=(.+?);?\s*", header)
    assert match, header
    nplurals = int(match.group(1))
    assert nplurals == NPLURALS[language], header
    plural = gettext.c2py(match.group(2))
    used = {plural(n) for n in [*range(1001), 10**6]}
    assert used == set(range(nplurals)), header  # a form no count reaches is a wrong header
    short = [
        (e.msgid, len(e.msgstr_plural))
        for e in po
        if e.msgid_plural
        and not e.obsolete
        and (sorted(e.msgstr_plural) != list(range(nplurals)) or not all(e.msgstr_plural.values()))
    ]
    assert not short, short


def test_every_ui_string_is_in_the_catalogues(tmp_path):
    """makemessages over a copy of the source finds no string the catalogues lack."""
    import shutil

    if shutil.which("xgettext") is None:
        pytest.skip(
            "GNU gettext (xgettext) is not installed; catalogue completeness not re-extracted"
        )
    shutil.copytree(
        ROOT,
        tmp_path / "src",
        ignore=shutil.ignore_patterns(
            ".venv",
            "var",
            ".git",
            "__pycache__",
            "*.mo",
            "node_modules",
            ".venv-*",
            "tests",
            "bench",
        ),
    )
    src = tmp_path / "src"
    env = {**os.environ, "DJANGO_SETTINGS_MODULE": "config.settings.base", "PYTHONPATH": str(src)}
    apps_with_catalogue = [p.name for p in catalogue_dirs() if p.name != "locale"]
    ignores = [f"--ignore={name}/*" for name in apps_with_catalogue] + ["--ignore=scripts/*"]
    runs = [(src, ignores), *((src / name, []) for name in apps_with_catalogue)]
    missing = {}
    for cwd, extra in runs:
        subprocess.run(
            [
                sys.executable,
                str(src / "manage.py"),
                "makemessages",
                "-l",
                "de",
                "--no-obsolete",
                *extra,
            ],
            cwd=cwd,
            env=env,
            check=True,
            capture_output=True,
        )
        locale_dir = cwd / "locale"
        extracted_po = polib.pofile(str(locale_dir / "de" / "LC_MESSAGES" / "django.po"))
        extracted = {e.msgid for e in extracted_po if e.msgid}
        original_dir = ROOT / cwd.relative_to(src) / "locale" if cwd != src else ROOT / "locale"
        known_po = polib.pofile(str(original_dir / "de" / "LC_MESSAGES" / "django.po"))
        known = {e.msgid for e in known_po}
        if extracted - known:
            missing[str(cwd.relative_to(src)) or "project"] = sorted(extracted - known)
    assert not missing, missing


def test_migrations_do_not_follow_the_hosts_default_auto_field(tmp_path):
    """A host site whose DEFAULT_AUTO_FIELD is AutoField sees no changes to Plaza's
    migrations: every app names its own id type (issue 14)."""
    (tmp_path / "autofield_host.py").write_text(
        "from config.settings.test import *  # noqa: F403\n"
        'DEFAULT_AUTO_FIELD = "django.db.models.AutoField"\n'
    )
    env = {
        **os.environ,
        "DJANGO_SETTINGS_MODULE": "autofield_host",
        "PYTHONPATH": f"{tmp_path}{os.pathsep}{ROOT}",
    }
    result = subprocess.run(
        [sys.executable, "manage.py", "makemigrations", "--check", "--dry-run"],
        cwd=ROOT,
        env=env,
        capture_output=True,
        text=True,
    )
    assert result.returncode == 0, result.stdout + result.stderr
    assert "No changes detected" in result.stdout
