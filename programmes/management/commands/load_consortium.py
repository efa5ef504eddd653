from django.core.management.base import BaseCommand

from programmes.services import load_consortium


class Command(BaseCommand):
    help = "Load the CIV Bio Sciences consortium (partners, project, programme lines). Idempotent."

    def handle(self, *args, **options) -> None:
        result = load_consortium()
        self.stdout.write(
            self.style.SUCCESS(
                f"Consortium loaded: {result.organisations_created} organisations, "
                f"{result.lines_created} programme lines and "
                f"{int(result.project_created)} project created; existing rows left as they were."
            )
        )
