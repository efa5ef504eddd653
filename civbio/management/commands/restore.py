from pathlib import Path

from django.core.management.base import BaseCommand, CommandError

from civbio.backups import BackupError, restore


class Command(BaseCommand):
    help = "Restore a backup folder made by `backup`: replaces the database and the uploads."

    def add_arguments(self, parser):
        parser.add_argument("folder")
        parser.add_argument("--yes", action="store_true", help="do not ask for confirmation")

    def handle(self, *args, folder, yes, **options):
        source = Path(folder)
        if not (source / "database.dump").exists() and not (source / "database.sqlite3").exists():
            raise CommandError(f"{source} holds no civbio backup")
        if not yes and input("This replaces the database and the uploads. Type yes: ") != "yes":
            raise CommandError("Nothing restored.")
        try:
            restore(source)
        except BackupError as exc:
            raise CommandError(str(exc)) from exc
        self.stdout.write(f"Restored {source}")
