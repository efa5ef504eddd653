"""Two people editing one offer: the second is told, keeps what they typed, and can save again."""

from django.urls import reverse

from activities import services
from activities.models import Posting
from tests.browser import submit


def test_after_an_edit_conflict_saving_again_is_accepted(client, posting, bram, bea):
    url = reverse("activities:activity_edit", args=[posting.pk])
    client.force_login(bram)
    seen = client.get(url)
    # Bea saves first, while Bram still has the page open.
    services.update_activity(actor=bea, activity=posting, fields={"location": "Oegstgeest"})

    refused = submit(client, url, {"places": 3}, button="Opslaan", page=seen)
    assert refused.status_code == 200
    assert "Iemand anders heeft deze activiteit gewijzigd" in refused.content.decode()
    assert Posting.objects.get(pk=posting.pk).places == 2

    # Bram checks the form against the page, and saves again from the form he was given back.
    saved = submit(
        client, url, {"places": 3, "location": "Oegstgeest"}, button="Opslaan", page=refused
    )
    assert saved.status_code == 302
    stored = Posting.objects.get(pk=posting.pk)
    assert (stored.places, stored.location) == (3, "Oegstgeest")


def test_an_edit_sent_without_its_version_is_refused_not_saved_blind(client, posting, bram, bea):
    """An old page or a script that leaves the hidden version out cannot overwrite a colleague's
    change: the check applies whether or not the version is sent."""
    from tests.browser import fill, parse_forms

    url = reverse("activities:activity_edit", args=[posting.pk])
    client.force_login(bram)
    page = client.get(url)
    services.update_activity(actor=bea, activity=posting, fields={"location": "Oegstgeest"})
    [form] = [f for f in parse_forms(page.content.decode())[0] if "version" in f.field_names()]
    data = fill(form, {"places": 3})
    del data["version"]

    refused = client.post(url, data)

    assert refused.status_code == 200
    assert "Iemand anders heeft deze activiteit gewijzigd" in refused.content.decode()
    stored = Posting.objects.get(pk=posting.pk)
    assert (stored.places, stored.location) == (2, "Oegstgeest")


def test_an_edit_keeps_a_retired_qualification_and_a_partner_that_left(
    client, posting, bram, consortium
):
    """Retiring a qualification, or a partner leaving, takes it out of the choices for new
    offers; an offer that already names it keeps it through an edit of something else."""
    from datetime import timedelta

    from django.utils import timezone

    from partners.models import Organisation
    from students.models import Qualification
    from tests.factories import QualificationFactory

    qualification = QualificationFactory()
    partner = Organisation.objects.partners().exclude(pk=posting.host_id).order_by("pk").first()
    posting.qualifications.add(qualification)
    posting.partner_organisations.add(partner)
    Qualification.objects.filter(pk=qualification.pk).update(is_active=False)
    Organisation.objects.filter(pk=partner.pk).update(
        active_until=timezone.localdate() - timedelta(days=1)
    )

    url = reverse("activities:activity_edit", args=[posting.pk])
    client.force_login(bram)
    saved = submit(client, url, {"location": "Oegstgeest"}, button="Opslaan")

    assert saved.status_code == 302
    stored = Posting.objects.get(pk=posting.pk)
    assert stored.location == "Oegstgeest"
    assert list(stored.qualifications.all()) == [qualification]
    assert list(stored.partner_organisations.all()) == [partner]
