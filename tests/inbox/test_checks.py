"""A host site that forgets a setting is told in one sentence (manage.py check)."""

from django.test import override_settings

from inbox.checks import inbox_settings


def test_plaza_settings_pass():
    assert inbox_settings() == []


def test_each_missing_setting_is_named():
    with override_settings(CHANNEL_LAYERS={}, NOTIFICATIONS_NOTIFICATION_MODEL="x.Y"):
        ids = {e.id for e in inbox_settings()}
    assert ids == {"inbox.E003", "inbox.E004"}


def test_a_missing_app_is_named(monkeypatch):
    # Reloading the app registry without `notifications` breaks Wagtail's admin API
    # (ninja registers its routes once per process), so the registry is asked as if.
    from django.apps import apps

    installed = apps.is_installed
    monkeypatch.setattr(
        apps, "is_installed", lambda name: name != "notifications" and installed(name)
    )
    errors = inbox_settings()
    assert [e.id for e in errors] == ["inbox.E002"]
    assert "'notifications'" in errors[0].msg
