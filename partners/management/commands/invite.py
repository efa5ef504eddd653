from django.core.exceptions import ValidationError
from django.core.management.base import BaseCommand, CommandError
from django.db import transaction

from partners.emails import invitation_url
from partners.models import Organisation, Role
from partners.services import issue_invitation


class Command(BaseCommand):
    help = (
        "Invite a person by e-mail from the command line, e.g. the first coordinator of a new "
        "installation. Sends the e-mail and prints the link."
    )

    def add_arguments(self, parser) -> None:
        parser.add_argument("email")
        parser.add_argument("--organisation", required=True, help="the organisation's slug")
        parser.add_argument("--role", required=True, choices=Role.values)
        parser.add_argument("--name", default="")
        parser.add_argument("--language", default="nl", choices=["nl", "en"])

    def handle(self, *args, **options) -> None:
        organisation = Organisation.objects.filter(slug=options["organisation"]).first()
        if organisation is None:
            raise CommandError(f"No organisation with slug {options['organisation']!r}.")
        try:
            with transaction.atomic():
                invitation = issue_invitation(
                    email=options["email"],
                    organisation=organisation,
                    role=options["role"],
                    name=options["name"],
                    language=options["language"],
                )
        except ValidationError as error:
            raise CommandError("; ".join(error.messages)) from error
        self.stdout.write(self.style.SUCCESS(f"Invited {invitation.email} to {organisation}."))
        self.stdout.write(f"Link (valid until {invitation.expires_at:%Y-%m-%d %H:%M}):")
        self.stdout.write(invitation_url(invitation))
