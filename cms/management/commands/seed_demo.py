from importlib import import_module
from importlib.util import find_spec

from django.apps import apps
from django.conf import settings
from django.core.management.base import BaseCommand
from django.db import transaction
from django.test.utils import override_settings

# Each app that has demo content offers `<app>.demo.seed()`; order matters (people first).
DEMO_MODULES = [
    "people.demo", "cms.demo", "partners.demo", "groups.demo", "discussions.demo", "inbox.demo",
    "knowledge.demo",
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
        from people.demo import logins

        self.stdout.write(self.style.SUCCESS("Demo content is ready. Demo logins:"))
        for email, password, role in logins():
            self.stdout.write(f"  {role:<28} {email:<26} password: {password}")
        if apps.is_installed("groups"):
            self._write_join_request_hint()

    def _write_join_request_hint(self) -> None:
        """Which group lets the printed logins try the join-request flow, and where it is."""
        from groups.demo import REQUEST_ONLY_GROUP
        from groups.models import WorkingGroup

        group = WorkingGroup.objects.filter(slug=REQUEST_ONLY_GROUP).first()
        page = group.page_in("en") if group else None
        if page is None:
            return
        url = settings.WAGTAILADMIN_BASE_URL.rstrip("/") + page.url
        self.stdout.write(
            f"Join requests: \"{page.title}\" takes members on request and is moderated by "
            f"moderator@plaza.example.\n  Ask to join as member@plaza.example at {url}, "
            "then approve or decline as the moderator."
        )
