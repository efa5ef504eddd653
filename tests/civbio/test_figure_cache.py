"""Whole-project figures are kept until the data under them changes (civbio/figure_cache.py)."""

from decimal import Decimal

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse

from activities import progress
from activities.models import (
    Contribution,
    ContributionKind,
    ContributionStatus,
    Enrolment,
    UnitProgress,
)
from civbio import figure_cache
from partners.models import Organisation
from partners.services import log_access
from programmes.models import ProgrammeLine, Project
from reports.figures import finance_overview
from tests.conftest import days
from tests.factories import ModuleFactory, StudentFactory


@pytest.fixture
def project(consortium):
    return Project.objects.get()


def _realised(project, slug: str) -> Decimal:
    overview = finance_overview(project)
    return next(p.in_kind for p in overview["partners"] if p.organisation.slug == slug)


def _log_hours(organisation, line, hours: int) -> Contribution:
    return Contribution.objects.create(
        organisation=organisation,
        programme_line=line,
        kind=ContributionKind.STAFF_HOURS,
        hours=Decimal(hours),
        date=Project.objects.get().start_date,
        description="Lab work",
        status=ContributionStatus.APPROVED,
    )


def test_a_kept_figure_is_served_without_a_query_until_a_save_changes_the_data(project):
    partner = Organisation.objects.get(slug="baseclear")
    before = _realised(project, partner.slug)

    with CaptureQueriesContext(connection) as again:
        assert _realised(project, partner.slug) == before
    _log_hours(partner, ProgrammeLine.objects.get(number=1), 10)
    after = _realised(project, partner.slug)

    assert len(again) == 0
    assert after > before


def test_a_conditional_update_is_told_by_hand_and_then_seen(project):
    partner = Organisation.objects.get(slug="baseclear")
    contribution = _log_hours(partner, ProgrammeLine.objects.get(number=1), 10)
    counted = _realised(project, partner.slug)

    Contribution.objects.filter(pk=contribution.pk).update(status=ContributionStatus.REJECTED)
    stale = _realised(project, partner.slug)
    figure_cache.data_changed()

    # Without a save signal the kept figure stays: that is why services tell the cache.
    assert stale == counted
    assert _realised(project, partner.slug) < counted


def test_rows_the_figures_are_not_about_keep_the_figures(project, carla):
    finance_overview(project)
    # Who looked at what changes no figure.
    log_access(actor=carla, action="view", target_type="student", target_id=1)

    with CaptureQueriesContext(connection) as again:
        finance_overview(project)

    assert len(again) == 0


def test_a_login_keeps_the_figures(project, client, carla):
    finance_overview(project)
    carla.set_password("secret-enough-1")
    carla.save()
    finance_overview(project)  # the password change above is a save like any other

    assert client.login(email=carla.email, password="secret-enough-1")
    carla.refresh_from_db()
    assert carla.last_login is not None
    with CaptureQueriesContext(connection) as again:
        finance_overview(project)

    assert len(again) == 0


def test_within_fresh_every_figure_comes_from_the_database(project):
    finance_overview(project)

    with figure_cache.fresh(), CaptureQueriesContext(connection) as queries:
        finance_overview(project)

    assert len(queries) > 0


def test_figures_are_kept_per_language(project, client, carla):
    rule = "The grant is at most one third of the project&#x27;s financing"
    client.force_login(carla)

    dutch = client.get(reverse("reports:finance"))
    english = client.get("/en" + reverse("reports:finance"))

    # The rule checks' labels are part of the figure: the Dutch one kept first is not served
    # to the English page.
    assert rule not in dutch.text
    assert rule in english.text


def test_a_cache_outage_computes_the_figure(project, settings):
    settings.CACHES = {
        alias: {"BACKEND": "django.core.cache.backends.dummy.DummyCache"}
        for alias in ("default", "kept")
    }

    first = finance_overview(project)
    with CaptureQueriesContext(connection) as queries:
        second = finance_overview(project)

    assert len(queries) > 0
    assert [p.committed_total for p in first["partners"]] == [
        p.committed_total for p in second["partners"]
    ]


def test_a_list_count_is_kept_until_its_rows_change(guest_lesson, bram):
    from activities.models import Activity

    hosted = Activity.objects.filter(host=bram.organisation)
    first = figure_cache.kept_count(hosted)
    with CaptureQueriesContext(connection) as again:
        assert figure_cache.kept_count(hosted) == first
    guest_lesson.delete()

    assert len(again) == 0
    assert figure_cache.kept_count(hosted) == first - 1
    assert figure_cache.kept_count(hosted.none()) == 0


def test_a_figure_kept_by_the_code_before_a_deploy_is_not_read_after_it(db, monkeypatch):
    made = []

    def compute():
        made.append(1)
        return len(made)

    assert figure_cache.kept(["deploy test"], compute) == 1
    assert figure_cache.kept(["deploy test"], compute) == 1
    monkeypatch.setattr(figure_cache, "_code_version", lambda: "the next release")
    assert figure_cache.kept(["deploy test"], compute) == 2


def _class_of_three(dirk, school):
    module = ModuleFactory()
    edition = progress.create_edition(
        actor=dirk, module=module, name="LAB3A", start_date=days(-30), end_date=days(60)
    )
    students = StudentFactory.create_batch(3, school=school)
    progress.enrol_students(actor=dirk, edition=edition, students=students)
    return edition, students


def test_recording_progress_keeps_the_figures_that_read_none_and_renews_those_that_do(
    project, dirk, school
):
    edition, students = _class_of_three(dirk, school)
    unit = edition.module.units.first()
    organisations = figure_cache.kept_count(Organisation.objects.all())
    figure_cache.kept_count(UnitProgress.objects.all())

    def both_after(record, name: str):
        figure_cache.kept([f"{name}: free"], lambda: "kept", progress=False)
        figure_cache.kept([f"{name}: reading"], lambda: "kept")
        record()
        return (
            figure_cache.kept([f"{name}: free"], lambda: "renewed", progress=False),
            figure_cache.kept([f"{name}: reading"], lambda: "renewed"),
        )

    # One student's unit (a save), then the whole class's (a bulk write, told by hand).
    one = both_after(
        lambda: progress.record_progress(
            actor=dirk, enrolment=edition.enrolments.first(), unit=unit, status="completed"
        ),
        "one",
    )
    everyone = both_after(
        lambda: progress.bulk_record_progress(
            actor=dirk,
            edition=edition,
            unit=unit,
            student_ids=[s.pk for s in students],
            status="completed",
        ),
        "everyone",
    )

    assert one == everyone == ("kept", "renewed")
    # Counts are kept by what their SQL reads.
    with CaptureQueriesContext(connection) as organisations_again:
        assert figure_cache.kept_count(Organisation.objects.all()) == organisations
    assert len(organisations_again) == 0
    assert figure_cache.kept_count(UnitProgress.objects.all()) == 3


def test_any_other_change_renews_every_figure(project, dirk, school):
    figure_cache.kept(["progress free"], lambda: "before", progress=False)
    figure_cache.kept(["reading progress"], lambda: "before")

    _log_hours(Organisation.objects.get(slug="baseclear"), ProgrammeLine.objects.get(number=1), 3)

    assert figure_cache.kept(["progress free"], lambda: "after", progress=False) == "after"
    assert figure_cache.kept(["reading progress"], lambda: "after") == "after"


def test_a_figure_kept_as_reading_no_progress_that_reads_some_is_stopped(project, dirk, school):
    _class_of_three(dirk, school)

    @figure_cache.cached_figure(progress=False)
    def students_in_classes() -> int:
        return Enrolment.objects.count()

    with pytest.raises(AssertionError, match="reading no progress"):
        students_in_classes()


def test_a_figure_kept_as_reading_no_progress_that_uses_one_that_does_is_stopped(project):
    @figure_cache.cached_figure
    def units_done() -> int:
        return UnitProgress.objects.count()

    @figure_cache.cached_figure(progress=False)
    def summary() -> int:
        return units_done() + 1

    units_done()  # kept: read again it runs no SQL for the check to see
    with pytest.raises(AssertionError, match="reading no progress"):
        summary()
