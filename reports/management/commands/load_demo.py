from django.conf import settings
from django.core.management.base import BaseCommand, CommandError

from partners.models import Organisation
from reports.demo import DEMO_LOGINS, DEMO_PASSWORD, load_demo


class Command(BaseCommand):
    help = "Load demo people and data for a local demonstration. Refuses unless DEBUG is on."

    def handle(self, *args, **options) -> None:
        if not settings.DEBUG:
            raise CommandError("Demo data is for development only: refusing with DEBUG off.")
        created = load_demo()
        self.stdout.write(self.style.SUCCESS(f"Demo data loaded ({created} new people)."))
        self.stdout.write(f"Demo logins (password: {DEMO_PASSWORD}):")
        names = dict(Organisation.objects.values_list("slug", "name"))
        for person in DEMO_LOGINS:
            self.stdout.write(
                f"  {person.email:<28} {person.role.label} — {names[person.organisation_slug]}"
            )
