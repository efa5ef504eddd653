import pytest
from django.core import mail
from django.core.management import CommandError, call_command

from partners.models import Invitation

pytestmark = pytest.mark.django_db


def test_the_first_coordinator_is_invited_from_the_command_line(
    consortium, capsys, django_capture_on_commit_callbacks
):
    with django_capture_on_commit_callbacks(execute=True):
        call_command(
            "invite",
            "Eerste@MboRijnland.nl",
            organisation="mborijnland",
            role="coordinator",
            name="Eerste",
        )

    invitation = Invitation.objects.get()
    assert invitation.email == "eerste@mborijnland.nl"
    assert invitation.invited_by is None
    out = capsys.readouterr().out
    assert "/invitation/" in out
    assert len(mail.outbox) == 1
    assert mail.outbox[0].to == ["eerste@mborijnland.nl"]


def test_the_invite_command_explains_bad_input(consortium):
    with pytest.raises(CommandError, match="No organisation"):
        call_command("invite", "x@example.nl", organisation="nowhere", role="coordinator")
    with pytest.raises(CommandError):
        call_command("invite", "x@example.nl", organisation="baseclear", role="school_staff")
    # Coordinators sit at the lead applicant (mboRijnland), not at a company.
    with pytest.raises(CommandError, match=r"(?i)mborijnland"):
        call_command("invite", "x@example.nl", organisation="baseclear", role="coordinator")
    assert not Invitation.objects.exists()
