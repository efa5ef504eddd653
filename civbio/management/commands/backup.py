from pathlib import Path

from django.core.management.base import BaseCommand

from civbio.backups import backup


class Command(BaseCommand):
    help = "Back up the database and the uploads into a new folder under --to (default backups/)."

    def add_arguments(self, parser):
        parser.add_argument("--to", default="backups")

    def handle(self, *args, to, **options):
        target = backup(Path(to))
        self.stdout.write(f"Backup written to {target}")
