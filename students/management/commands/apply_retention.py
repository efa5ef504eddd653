from django.conf import settings
from django.core.management.base import BaseCommand

from students.privacy import apply_retention


class Command(BaseCommand):
    help = (
        "Anonymise students who left school longer ago than STUDENT_RETENTION_MONTHS. Safe to run "
        "daily; the background schedule runs it once background work is set up."
    )

    def add_arguments(self, parser) -> None:
        parser.add_argument("--months", type=int, default=settings.STUDENT_RETENTION_MONTHS)

    def handle(self, *args, **options) -> None:
        count = apply_retention(months=options["months"])
        self.stdout.write(
            f"Anonymised {count} student(s) who left over {options['months']} months ago."
        )
