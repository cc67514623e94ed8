from pathlib import Path

import polib
from django.conf import settings
from django.core.management.base import BaseCommand


class Command(BaseCommand):
    help = "Compile locale/ and <app>/locale/ *.po to .mo in pure Python (no GNU gettext needed)."

    def handle(self, *args, **options):
        from django.apps import apps

        count = 0
        # The project catalogue plus each app's own `<app>/locale/` (apps own their strings).
        bases = [Path(p) for p in settings.LOCALE_PATHS]
        bases += [
            Path(app.path) / "locale"
            for app in apps.get_app_configs()
            if Path(app.path).is_relative_to(settings.BASE_DIR)
            and ".venv" not in Path(app.path).parts
        ]
        for base in bases:
            for po_path in sorted(base.glob("*/LC_MESSAGES/*.po")):
                mo_path = po_path.with_suffix(".mo")
                if mo_path.exists() and mo_path.stat().st_mtime >= po_path.stat().st_mtime:
                    continue
                polib.pofile(str(po_path)).save_as_mofile(str(mo_path))
                count += 1
        self.stdout.write(f"Compiled {count} catalogue(s).")
