from importlib import import_module
from importlib.util import find_spec

from django.apps import apps
from django.core.management.base import BaseCommand
from django.db import transaction
from django.test.utils import override_settings

# Each app that has demo content offers `<app>.demo.seed()` (order matters: people first),
# and may offer `hints()`: lines telling a newcomer what to try with the printed logins.
DEMO_MODULES = [
    "demo.people",
    "demo.cms",
    "demo.partners",
    "demo.groups",
    "demo.discussions",
    "demo.inbox",
    "demo.knowledge",
]

# Everything the seed causes runs before the command returns: Wagtail queues each search- and
# reference-index update as a task (about 1,500 for the demo), and a fresh site must be
# searchable before any worker has started. The immediate backend is what the tests use, so
# the seed takes the tested path; the few demo emails it causes are printed here, too.
IMMEDIATE_TASKS = {"default": {"BACKEND": "django_tasks.backends.immediate.ImmediateBackend"}}


class Command(BaseCommand):
    help = "Load demo content: pages in six languages, demo members of each role. Idempotent."

    def handle(self, *args, **options):
        with override_settings(TASKS=IMMEDIATE_TASKS), transaction.atomic():
            for name in DEMO_MODULES:
                if not apps.is_installed(name.split(".")[0]) or find_spec(name) is None:
                    continue
                import_module(name).seed()
        from demo.people import logins

        self.stdout.write(self.style.SUCCESS("Demo content is ready. Demo logins:"))
        for email, password, role in logins():
            self.stdout.write(f"  {role:<28} {email:<26} password: {password}")
        for name in DEMO_MODULES:  # what each app wants a newcomer to try first
            if apps.is_installed(name.split(".")[0]) and find_spec(name) is not None:
                for line in getattr(import_module(name), "hints", lambda: [])():
                    self.stdout.write(line)
