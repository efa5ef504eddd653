from django.conf import settings
from django.core.management.base import BaseCommand, CommandError

from demo.reports import load_demo_reports
from demo.services import DEMO_LOGINS, DEMO_PASSWORD, load_demo
from partners.models import Organisation


class Command(BaseCommand):
    help = (
        "Load demo people and data for a local demonstration, with the published reports of the "
        "last finished quarters. Refuses unless DEBUG is on."
    )

    def add_arguments(self, parser) -> None:
        parser.add_argument(
            "--no-reports",
            action="store_true",
            help="Skip making the demo reports (they take a few seconds each).",
        )

    def handle(self, *args, **options) -> None:
        if not settings.DEBUG:
            raise CommandError("Demo data is for development only: refusing with DEBUG off.")
        self.stdout.write("Loading demo data:")
        created = load_demo(progress=self.stdout.write)
        self.stdout.write(self.style.SUCCESS(f"Demo data loaded ({created} new people)."))
        if not options["no_reports"]:
            self.stdout.write("Making the demo reports:")
            published = load_demo_reports(progress=self.stdout.write)
            self.stdout.write(
                self.style.SUCCESS(f"Demo reports ready ({published} newly published).")
            )
        self.stdout.write(f"Demo logins (password: {DEMO_PASSWORD}):")
        names = dict(Organisation.objects.values_list("slug", "name"))
        for person in DEMO_LOGINS:
            self.stdout.write(
                f"  {person.email:<28} {person.role.label} — {names[person.organisation_slug]}"
            )
