from importlib import import_module
from importlib.util import find_spec

from django.apps import apps
from django.core.management.base import BaseCommand
from django.db import transaction

# Each app that has demo content offers `<app>.demo.seed()`; order matters (people first).
DEMO_MODULES = ["people.demo", "cms.demo", "partners.demo", "groups.demo", "discussions.demo", "inbox.demo", "knowledge.demo"]


class Command(BaseCommand):
    help = "Load demo content: pages in six languages, demo members of each role. Idempotent."

    def handle(self, *args, **options):
        with transaction.atomic():
            for name in DEMO_MODULES:
                if not apps.is_installed(name.split(".")[0]) or find_spec(name) is None:
                    continue
                import_module(name).seed()
        from people.demo import logins

        self.stdout.write(self.style.SUCCESS("Demo content is ready. Demo logins:"))
        for email, password, role in logins():
            self.stdout.write(f"  {role:<28} {email:<26} password: {password}")
