"""Project-wide checks: migrations, deploy settings, translation catalogues."""

import os
import subprocess
import sys
from pathlib import Path

import polib
import pytest
from django.conf import settings
from django.core.management import call_command

ROOT = Path(__file__).resolve().parent.parent
# Words that are the same in a language (names, loan words) and may stay untranslated.
SAME_IN_TRANSLATION = {"Plaza", "Email", "E-mail", "Online", "Webinar", "Twitter", "OK", "Total", "Normal"}


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
        cwd=ROOT, env=env, capture_output=True, text=True,
    )
    assert result.returncode == 0, result.stdout + result.stderr
    assert "System check identified no issues" in result.stdout


@pytest.mark.parametrize("language", [c for c, _ in settings.LANGUAGES if c != "en"])
def test_catalogue_is_complete_and_really_translated(language):
    po = polib.pofile(str(ROOT / "locale" / language / "LC_MESSAGES" / "django.po"))
    assert len(po) > 50
    untranslated = [e.msgid for e in po if not e.obsolete and not e.translated()]
    assert not untranslated, untranslated
    copied = [e.msgid for e in po.translated_entries()
              if e.msgstr == e.msgid and e.msgid not in SAME_IN_TRANSLATION and len(e.msgid) > 3]
    assert not copied, copied


def test_every_ui_string_is_in_the_catalogue(tmp_path):
    """makemessages over a copy of the source finds no string the catalogues lack."""
    import shutil

    if shutil.which("xgettext") is None:
        pytest.skip("GNU gettext is not installed; catalogue completeness not re-extracted")
    for name in ("manage.py", "config", "cms", "people", "groups", "discussions", "inbox", "knowledge",
                 "partners", "templates", "locale"):
        source = ROOT / name
        if source.is_dir():
            shutil.copytree(source, tmp_path / name, ignore=shutil.ignore_patterns("__pycache__", "*.mo"))
        elif source.exists():
            shutil.copy(source, tmp_path / name)
    known = {e.msgid for e in polib.pofile(str(ROOT / "locale" / "de" / "LC_MESSAGES" / "django.po"))}
    subprocess.run(
        [sys.executable, "manage.py", "makemessages", "-l", "de", "--no-obsolete", "--ignore=.venv/*",
         "--ignore=var/*", "--ignore=tests/*"],
        cwd=tmp_path, check=True, capture_output=True, env={**os.environ, "DJANGO_SETTINGS_MODULE": "config.settings.base",
                                                            "PYTHONPATH": str(tmp_path)},
    )
    extracted = {e.msgid for e in polib.pofile(str(tmp_path / "locale" / "de" / "LC_MESSAGES" / "django.po")) if e.msgid}
    missing = sorted(extracted - known)
    assert not missing, missing
