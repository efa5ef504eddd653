import pytest
from django.core.management import CommandError, call_command

from partners.models import User
from reports.demo import DEMO_LOGINS

pytestmark = pytest.mark.django_db


def test_demo_data_is_refused_without_debug(consortium, settings):
    settings.DEBUG = False

    with pytest.raises(CommandError, match="development only"):
        call_command("load_demo")
    assert not User.objects.exists()


def test_demo_data_loads_the_four_logins_and_is_safe_to_load_twice(consortium, settings, capsys):
    settings.DEBUG = True

    call_command("load_demo")
    call_command("load_demo")

    out = capsys.readouterr().out
    for person in DEMO_LOGINS:
        assert person.email in out
        user = User.objects.get(email=person.email)
        assert user.role == person.role
        assert user.organisation.slug == person.organisation_slug
        assert user.emailaddress_set.get().verified
    assert User.objects.filter(email__endswith="@demo.civbio.nl").count() == User.objects.count()
    assert User.objects.get(email="financier@demo.civbio.nl").organisation.name == "Gemeente Leiden"
