from pathlib import Path

from django.core.exceptions import ValidationError
from django.core.files import File
from django.core.management.base import BaseCommand, CommandError
from django.utils.text import slugify

from partners.models import DEFAULT_ACCENT, Region
from partners.services import partner_section_create


class Command(BaseCommand):
    help = (
        "Onboard a partner association: its section pages (in its languages), editors' and "
        "moderators' groups with their permissions, its collection, optionally its own site."
    )

    def add_arguments(self, parser):
        parser.add_argument("name", help="The association's name.")
        parser.add_argument("--slug", help="Section address; derived from the name if omitted.")
        parser.add_argument("--region", required=True, choices=Region.values)
        parser.add_argument(
            "--languages",
            required=True,
            help="Comma-separated language codes; the first is the main language, e.g. es,pt.",
        )
        parser.add_argument("--logo", help="Path to a logo image (PNG, JPEG, GIF or WebP).")
        parser.add_argument(
            "--hostname", help="Own hostname: a Wagtail Site rooted at the section."
        )
        parser.add_argument(
            "--accent-colour", default=DEFAULT_ACCENT, help="Accent colour as #rrggbb."
        )
        parser.add_argument("--intro", default="", help="Introduction shown on the landing page.")
        parser.add_argument(
            "--workflow",
            action="store_true",
            help="Pages are published after review by a second editor of the association.",
        )

    def handle(self, *args, **options):
        logo_file = None
        if options["logo"]:
            path = Path(options["logo"])
            if not path.is_file():
                raise CommandError(f"No such logo file: {path}")
            logo_file = path.open("rb")
        try:
            association = partner_section_create(
                name=options["name"],
                slug=options["slug"] or slugify(options["name"])[:80],
                region=options["region"],
                languages=[code.strip() for code in options["languages"].split(",")],
                logo=File(logo_file, name=path.name) if logo_file else None,
                hostname=options["hostname"],
                accent_colour=options["accent_colour"],
                intro=options["intro"],
                workflow=options["workflow"],
            )
        except ValidationError as error:
            messages = []
            for field, errors in getattr(error, "message_dict", {"": error.messages}).items():
                messages.extend(
                    f"{field}: {m}" if field and field != "__all__" else m for m in errors
                )
            raise CommandError("\n".join(messages)) from error
        finally:
            if logo_file:
                logo_file.close()
        sections = association.section_pages.order_by("pk")
        self.stdout.write(self.style.SUCCESS(f"Onboarded {association.name}."))
        for page in sections.select_related("locale"):
            self.stdout.write(f"  section ({page.locale.language_code}): {page.url_path}")
        self.stdout.write(f"  editors' group:    {association.editors_group.name}")
        self.stdout.write(f"  moderators' group: {association.moderators_group.name}")
        self.stdout.write(f"  collection:        {association.collection.name}")
        if association.site_id:
            self.stdout.write(f"  site:              {association.site.hostname}")
        if association.workflow_id:
            self.stdout.write(f"  workflow:          {association.workflow.name}")
