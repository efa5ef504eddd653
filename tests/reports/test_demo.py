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


def test_the_demo_has_a_history_for_every_finished_quarter_once(consortium, settings):
    from django.utils import timezone

    from activities.models import Request
    from programmes.models import Project
    from reports.demo import load_demo
    from reports.demo_history import MARK, load_demo_history

    settings.DEBUG = True
    load_demo()
    project = Project.objects.get()
    finished = [q for q in project.quarters() if q[2] < timezone.localdate()]
    history = Request.objects.filter(group_name__startswith=MARK)

    assert {project.quarter_of(r.date)[0] for r in history} == {q[0] for q in finished}
    assert load_demo_history() == 0
