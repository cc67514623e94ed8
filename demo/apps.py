from django.apps import AppConfig


class DemoConfig(AppConfig):
    """Plaza's demo content (`manage.py seed_demo`, which `make run` calls): development
    only. A host site never installs it, the wheel does not ship it, and production
    settings leave it out, so the demo password is not importable there."""

    default_auto_field = "django.db.models.BigAutoField"
    name = "demo"
    verbose_name = "Plaza demo content"
