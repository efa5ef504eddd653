"""The project office plans the programme in civbio: indicators with their targets are added,
edited and retired, and milestones are planned, re-planned and removed when made by mistake."""

import re
from datetime import date, timedelta
from decimal import Decimal

import pytest
from django.core.exceptions import PermissionDenied, ValidationError
from django.urls import reverse
from django.utils import timezone

from programmes import services
from programmes.forms import ValueForm
from programmes.models import (
    Indicator,
    IndicatorTarget,
    IndicatorValue,
    Milestone,
    MilestoneStatus,
    ProgrammeLine,
)
from programmes.selectors import current_project
from reports import kpis
from tests.browser import submit

pytestmark = pytest.mark.django_db


@pytest.fixture
def project(consortium):
    return current_project()


def line(number: int) -> ProgrammeLine:
    return ProgrammeLine.objects.get(number=number)


def plan(**overrides) -> dict:
    fields = {
        "programme_line": line(1),
        "name": "Instroom mbo-biologie",
        "name_en": "Inflow into mbo biology",
        "unit": "studenten",
        "unit_en": "students",
        "direction": "up",
        "source": "reported",
        "measure": "",
        "counts_students": True,
        "target_2y": Decimal(40),
        "target_4y": Decimal(100),
    }
    return {**fields, **overrides}


def add(actor, project, year_targets=None, **overrides) -> Indicator:
    return services.create_indicator(
        actor=actor, project=project, fields=plan(**overrides), year_targets=year_targets
    )


def messages_of(error: ValidationError, field: str) -> list[str]:
    return [str(m) for m in error.value.message_dict[field]]


# Indicators: the services ----------------------------------------------------------------------


def test_a_coordinator_adds_an_indicator_with_its_targets_and_a_year_of_its_own(carla, project):
    first = add(carla, project, name="Doorstroom")
    indicator = add(carla, project, year_targets={3: Decimal(90), 1: None})

    assert indicator.position == first.position + 1
    assert list(indicator.targets.values_list("year", "value")) == [(3, Decimal(90))]
    # Year 3 has its own target; year 4 (now) is the 4-year target, year 1 the straight line.
    assert indicator.target_for_year(1) == Decimal(20)
    row = next(r for r in kpis.kpi_rows(project)["rows"] if r.indicator == indicator)
    assert row.target == Decimal(100)
    assert row.final_target == Decimal(100)


def test_only_coordinators_plan_indicators_and_milestones(carla, dirk, bram, fien, project):
    indicator = add(carla, project)
    milestone = Milestone.objects.filter(system_key="").first() or services.create_milestone(
        actor=carla,
        project=project,
        fields={"title": "Leerlijn klaar", "due_date": date(2025, 6, 1), "kind": "deliverable"},
    )
    for person in (dirk, bram, fien):
        with pytest.raises(PermissionDenied):
            add(person, project)
        with pytest.raises(PermissionDenied):
            services.update_indicator(actor=person, indicator=indicator, fields={"name": "X"})
        with pytest.raises(PermissionDenied):
            services.retire_indicator(actor=person, indicator=indicator)
        with pytest.raises(PermissionDenied):
            services.create_milestone(
                actor=person, project=project, fields={"title": "X", "due_date": date(2025, 1, 1)}
            )
        with pytest.raises(PermissionDenied):
            services.update_milestone_plan(actor=person, milestone=milestone, fields={})
        with pytest.raises(PermissionDenied):
            services.delete_milestone(actor=person, milestone=milestone)
    indicator.refresh_from_db()
    assert indicator.name == "Instroom mbo-biologie"
    assert indicator.retired_on is None
    assert Milestone.objects.filter(pk=milestone.pk).exists()


def test_an_indicator_must_say_what_it_counts_and_keep_its_targets_in_order(carla, project):
    with pytest.raises(ValidationError) as error:
        add(carla, project, source="derived", measure="")
    assert messages_of(error, "measure") == ["Geef aan wat een afgeleide indicator telt."]

    with pytest.raises(ValidationError) as error:
        add(carla, project, target_2y=Decimal(50), target_4y=Decimal(30))
    assert messages_of(error, "target_4y") == [
        "Het doel na 4 jaar kan niet lager zijn dan het doel na 2 jaar: doelen tellen alles "
        "vanaf de start van het project."
    ]

    with pytest.raises(ValidationError) as error:
        add(carla, project, target_2y=Decimal(-1), year_targets={2: Decimal(-3)})
    assert messages_of(error, "target_2y") == ["Een doel kan niet negatief zijn."]
    assert messages_of(error, "year_2") == ["Een doel kan niet negatief zijn."]

    # Lower is better: the 4-year target may be the lower one.
    assert add(carla, project, direction="down", target_2y=Decimal(20), target_4y=Decimal(10))
    # A derived indicator counts one of civbio's measures; a reported one has none.
    derived = add(carla, project, source="derived", measure="guest_lessons", counts_students=False)
    assert derived.measure == "guest_lessons"
    assert add(carla, project, measure="guest_lessons").measure == ""
    assert Indicator.objects.count() == 3


def test_an_indicator_with_figures_keeps_what_it_counts(carla, dirk, project):
    indicator = add(carla, project)
    IndicatorValue.objects.create(
        indicator=indicator, period_start=project.quarters()[0][1], value=5, submitted_by=dirk
    )
    with pytest.raises(ValidationError) as error:
        services.update_indicator(
            actor=carla,
            indicator=indicator,
            fields={"source": "derived", "measure": "students_reached"},
        )
    assert messages_of(error, "source") == [
        "Deze indicator heeft al cijfers, dus wat hij telt kan niet meer veranderen. Zet hem "
        "buiten gebruik en voeg een nieuwe indicator toe."
    ]
    # Names, unit and targets still change.
    changed = services.update_indicator(
        actor=carla,
        indicator=indicator,
        fields={"name": "Instroom", "target_4y": Decimal(120)},
        year_targets={2: Decimal(45)},
    )
    assert (changed.name, changed.source, changed.target_4y) == ("Instroom", "reported", 120)
    assert IndicatorTarget.objects.get(indicator=indicator).value == Decimal(45)
    # An empty year goes back to the straight line.
    services.update_indicator(actor=carla, indicator=indicator, fields={}, year_targets={2: None})
    assert not IndicatorTarget.objects.filter(indicator=indicator).exists()

    # A derived indicator's count stands once a quarter is closed.
    derived = add(carla, project, source="derived", measure="guest_lessons")
    project.closed_until = project.quarters()[0][2]
    project.save()
    with pytest.raises(ValidationError):
        services.update_indicator(
            actor=carla, indicator=derived, fields={"measure": "editions_run"}
        )


def test_a_save_over_someone_elses_change_is_refused(carla, project):
    indicator = add(carla, project)
    seen = indicator.updated_at.isoformat()
    services.update_indicator(actor=carla, indicator=indicator, fields={"unit": "leerlingen"})

    with pytest.raises(ValidationError) as error:
        services.update_indicator(
            actor=carla, indicator=indicator, fields={"name": "Oud"}, version=seen
        )
    assert error.value.messages == [
        "Iemand anders heeft deze indicator in de tussentijd gewijzigd. Bekijk hem opnieuw en "
        "sla je wijziging nog eens op."
    ]
    indicator.refresh_from_db()
    assert (indicator.name, indicator.unit) == ("Instroom mbo-biologie", "leerlingen")


def test_a_retired_indicator_is_left_out_from_its_retirement_on_and_keeps_its_figures(
    carla, dirk, project
):
    indicator = add(carla, project)
    value = IndicatorValue.objects.create(
        indicator=indicator,
        period_start=project.quarters()[0][1],
        value=5,
        status="approved",
        submitted_by=dirk,
    )
    today = timezone.localdate()
    services.retire_indicator(actor=carla, indicator=indicator)

    indicator.refresh_from_db()
    assert indicator.retired_on == today
    assert indicator not in [r.indicator for r in kpis.kpi_rows(project)["rows"]]
    # A period before the retirement (a report on last year) still shows it, with its figure.
    earlier = kpis.kpi_rows(project, today=today - timedelta(days=1))["rows"]
    row = next(r for r in earlier if r.indicator == indicator)
    assert row.per_quarter == {1: Decimal(5)}
    assert IndicatorValue.objects.filter(pk=value.pk).exists()
    # No more figures for it.
    form = ValueForm(project=project, line=line(1))
    assert indicator not in form.fields["indicator"].queryset
    with pytest.raises(ValidationError):
        services.submit_indicator_value(
            actor=dirk,
            indicator=indicator,
            period_start=project.quarter_of(today)[1],
            value=Decimal(3),
        )
    with pytest.raises(ValidationError):
        services.retire_indicator(actor=carla, indicator=indicator)
    with pytest.raises(ValidationError):
        services.update_indicator(actor=carla, indicator=indicator, fields={"name": "X"})


# Milestones: the services ----------------------------------------------------------------------


def milestone_plan(school, dirk, **overrides) -> dict:
    return {
        "kind": "deliverable",
        "title": "Leerlijn bio-informatica klaar",
        "title_en": "",
        "description": "Vier modules, getest in twee klassen.",
        "programme_line": line(2),
        "owner_organisation": school,
        "owner": dirk,
        "due_date": date(2026, 6, 30),
        **overrides,
    }


def test_a_coordinator_plans_a_milestone_for_an_organisation_and_its_person(
    carla, dirk, eva, school, project
):
    milestone = services.create_milestone(
        actor=carla, project=project, fields=milestone_plan(school, dirk)
    )
    assert (milestone.owner_organisation, milestone.owner) == (school, dirk)
    assert milestone.status == MilestoneStatus.PLANNED
    assert milestone.system_key == ""

    with pytest.raises(ValidationError) as error:
        services.create_milestone(
            actor=carla,
            project=project,
            fields=milestone_plan(school, eva, due_date=date(2027, 6, 1), kind="fund_report"),
        )
    assert messages_of(error, "owner") == [
        "De persoon moet werken bij de organisatie die eigenaar is van de mijlpaal."
    ]
    assert messages_of(error, "due_date") == [
        "De deadline moet binnen het project vallen: van 1 jan 2023 tot 31 dec 2026."
    ]
    assert messages_of(error, "kind") == [
        "Rapportages aan het fonds en de tussentijdse evaluatie plant civbio zelf."
    ]


def test_a_milestones_plan_changes_but_the_funds_moments_keep_their_dates(
    carla, dirk, school, project
):
    milestone = services.create_milestone(
        actor=carla, project=project, fields=milestone_plan(school, dirk)
    )
    seen = milestone.updated_at.isoformat()
    services.update_milestone_plan(
        actor=carla, milestone=milestone, fields={"due_date": date(2026, 9, 1)}, version=seen
    )
    with pytest.raises(ValidationError) as error:
        services.update_milestone_plan(
            actor=carla, milestone=milestone, fields={"title": "Oud"}, version=seen
        )
    assert "in de tussentijd" in error.value.messages[0]
    milestone.refresh_from_db()
    assert (milestone.title, milestone.due_date) == (
        "Leerlijn bio-informatica klaar",
        date(2026, 9, 1),
    )

    report = Milestone.objects.get(project=project, system_key="report_13")
    with pytest.raises(ValidationError) as error:
        services.update_milestone_plan(
            actor=carla, milestone=report, fields={"due_date": date(2024, 3, 1)}
        )
    assert "het fonds" in messages_of(error, "due_date")[0]
    changed = services.update_milestone_plan(
        actor=carla,
        milestone=report,
        fields={"due_date": report.due_date, "description": "Met de financiële verantwoording."},
    )
    assert changed.description == "Met de financiële verantwoording."


def test_only_a_milestone_without_progress_is_removed_and_never_one_of_the_funds(
    carla, dirk, school, project
):
    mistake = services.create_milestone(
        actor=carla, project=project, fields=milestone_plan(school, dirk)
    )
    services.delete_milestone(actor=carla, milestone=mistake)
    assert not Milestone.objects.filter(pk=mistake.pk).exists()

    # Reached and set back to planned: the audit trail remembers, so it stays.
    kept = services.create_milestone(
        actor=carla, project=project, fields=milestone_plan(school, dirk)
    )
    services.update_milestone(actor=carla, milestone=kept, fields={"status": "reached"})
    services.update_milestone(
        actor=carla, milestone=kept, fields={"status": "planned", "reached_on": None}
    )
    kept.refresh_from_db()
    assert kept.status == MilestoneStatus.PLANNED
    with pytest.raises(ValidationError) as error:
        services.delete_milestone(actor=carla, milestone=kept)
    assert "voortgang" in error.value.messages[0]

    fund = Milestone.objects.get(project=project, system_key="final_report")
    with pytest.raises(ValidationError):
        services.delete_milestone(actor=carla, milestone=fund)
    assert Milestone.objects.filter(pk__in=[kept.pk, fund.pk]).count() == 2


# The pages -------------------------------------------------------------------------------------


def test_the_coordinator_adds_an_indicator_on_the_page_and_sees_it_on_the_kpi_page(
    client, carla, project
):
    client.force_login(carla)
    url = reverse("programmes:indicator_create") + "?line=2"

    response = submit(
        client,
        url,
        {
            "name": "Diploma's biologie",
            "unit": "diploma's",
            "source": "reported",
            "target_2y": "12,5",
            "target_4y": "40",
            "year_3": "30",
        },
        button="Indicator toevoegen",
        follow=True,
    )

    indicator = Indicator.objects.get(name="Diploma's biologie")
    assert indicator.programme_line.number == 2
    assert indicator.target_2y == Decimal("12.5")
    assert IndicatorTarget.objects.get(indicator=indicator).year == 3
    assert "De indicator Diploma&#x27;s biologie is toegevoegd." in response.text
    kpi_page = client.get(reverse("reports:kpis_line", args=[2])).text
    assert "Diploma&#x27;s biologie" in kpi_page
    assert f'data-figure="kpi.{indicator.pk}.target_4y">40<' in kpi_page


def test_the_edit_page_says_what_is_wrong_in_dutch_and_keeps_what_was_typed(client, carla, project):
    indicator = add(carla, project)
    client.force_login(carla)

    response = submit(
        client,
        reverse("programmes:indicator_edit", args=[indicator.pk]),
        {"name": "Instroom (nieuw)", "target_2y": "80", "target_4y": "60"},
        button="Opslaan",
    )

    assert response.status_code == 200
    assert "Het doel na 4 jaar kan niet lager zijn" in response.text
    assert 'value="Instroom (nieuw)"' in response.text
    assert 'for="id_unit">Eenheid' in response.text
    indicator.refresh_from_db()
    assert indicator.name == "Instroom mbo-biologie"

    submit(
        client,
        reverse("programmes:indicator_edit", args=[indicator.pk]),
        {"name": "Instroom (nieuw)", "target_2y": "50"},
        button="Opslaan",
    )
    indicator.refresh_from_db()
    assert (indicator.name, indicator.target_2y) == ("Instroom (nieuw)", Decimal(50))
    # The change is in the indicator's history, in words.
    history = client.get(reverse("programmes:indicator_edit", args=[indicator.pk])).text
    history = history.split("Wijzigingsgeschiedenis", 1)[1]
    assert "<strong>Doel na 2 jaar</strong>: 40,0 → 50" in history


def test_retiring_asks_first_and_then_leaves_the_indicator_out_of_the_kpi_page(
    client, carla, project
):
    indicator = add(carla, project)
    client.force_login(carla)
    retire = reverse("programmes:indicator_retire", args=[indicator.pk])

    page = client.get(retire)
    assert "Indicator Instroom mbo-biologie buiten gebruik stellen?" in page.text
    indicator.refresh_from_db()
    assert indicator.retired_on is None

    done = submit(client, retire, button="Ja, buiten gebruik stellen", page=page, follow=True)

    assert "De indicator Instroom mbo-biologie is buiten gebruik gesteld." in done.text
    indicator.refresh_from_db()
    assert indicator.retired_on == timezone.localdate()
    assert "Instroom mbo-biologie" not in client.get(reverse("reports:kpis_line", args=[1])).text
    listing = client.get(reverse("programmes:indicators")).text
    assert "buiten gebruik sinds" in listing
    assert reverse("programmes:indicator_edit", args=[indicator.pk]) not in listing


def test_a_milestone_is_added_edited_and_removed_on_the_pages(client, carla, dirk, school, project):
    client.force_login(carla)
    milestones = reverse("programmes:milestones")
    assert reverse("programmes:milestone_create") in client.get(milestones).text

    submit(
        client,
        reverse("programmes:milestone_create"),
        {
            "title": "Practoraatsdag georganiseerd",
            "programme_line": line(3).pk,
            "due_date": "2026-10-01",
            "owner_organisation": school.pk,
            "owner": dirk.pk,
            "description": "Met het werkveld.",
        },
        button="Mijlpaal toevoegen",
    )
    milestone = Milestone.objects.get(title="Practoraatsdag georganiseerd")
    assert (milestone.owner, milestone.kind) == (dirk, "milestone")
    assert "Met het werkveld." in client.get(milestones).text

    edit = reverse("programmes:milestone_edit", args=[milestone.pk])
    submit(client, edit, {"due_date": "2026-11-15"}, button="Opslaan")
    milestone.refresh_from_db()
    assert milestone.due_date == date(2026, 11, 15)

    remove = reverse("programmes:milestone_delete", args=[milestone.pk])
    assert remove in client.get(edit).text
    submit(client, remove, button="Ja, verwijderen")
    assert not Milestone.objects.filter(pk=milestone.pk).exists()


def test_the_funds_moments_show_their_dates_but_do_not_send_them(client, carla, project):
    report = Milestone.objects.get(project=project, system_key="report_25")
    client.force_login(carla)
    edit = reverse("programmes:milestone_edit", args=[report.pk])
    page = client.get(edit)
    assert "Vastgesteld volgens de regels van het fonds" in page.text
    assert reverse("programmes:milestone_delete", args=[report.pk]) not in page.text

    submit(client, edit, {"description": "Samen met de begroting."}, button="Opslaan", page=page)
    report.refresh_from_db()
    assert report.description == "Samen met de begroting."
    assert report.title == "Voortgangsrapportage aan het fonds (maand 25)"


def test_the_planning_pages_are_the_project_offices_alone(client, carla, dirk, bram, project):
    indicator = add(carla, project)
    for person in (dirk, bram):
        client.force_login(person)
        assert client.get(reverse("programmes:indicators")).status_code == 403
        assert client.get(reverse("programmes:milestone_create")).status_code == 403
        assert "Indicatoren beheren" not in client.get(reverse("reports:kpis_line", args=[1])).text
        assert (
            reverse("programmes:milestone_create")
            not in client.get(reverse("programmes:milestones")).text
        )
    client.force_login(carla)
    assert "Indicatoren beheren" in client.get(reverse("reports:kpis_line", args=[1])).text
    assert (
        reverse("programmes:indicator_edit", args=[indicator.pk])
        in client.get(reverse("programmes:indicators")).text
    )


def test_the_indicators_page_renders_in_constant_queries(
    client, carla, project, django_assert_num_queries
):
    for n in range(30):
        add(
            carla,
            project,
            programme_line=line(n % 3 + 1),
            name=f"Indicator {n}",
            year_targets={2: Decimal(n)},
        )
    client.force_login(carla)

    # session, user, unread notifications, project, lines, indicators, their year targets
    with django_assert_num_queries(7):
        response = client.get(reverse("programmes:indicators"))
    assert response.status_code == 200
    assert response.text.count(">Bewerken<") == 30


def test_the_planning_pages_speak_english_too(client, carla, project):
    indicator = add(carla, project)
    client.force_login(carla)

    listing = client.get("/en/indicators/").text
    edit = client.get(f"/en/indicators/{indicator.pk}/").text
    retire = client.get(f"/en/indicators/{indicator.pk}/retire/").text
    milestone = client.get("/en/milestones/new/").text

    assert "<h1>Manage indicators</h1>" in listing and "Inflow into mbo biology" in listing
    assert "Target for project year 3" in edit and "What it counts" in edit
    assert "Retire the indicator Inflow into mbo biology?" in retire
    assert "<h1>Add a milestone</h1>" in milestone


def test_the_edit_page_of_an_indicator_with_figures_does_not_offer_another_count(
    client, carla, dirk, project
):
    indicator = add(carla, project)
    IndicatorValue.objects.create(
        indicator=indicator, period_start=project.quarters()[0][1], value=5, submitted_by=dirk
    )
    client.force_login(carla)
    edit = reverse("programmes:indicator_edit", args=[indicator.pk])

    page = client.get(edit)
    assert re.search(r'<select name="source"[^>]*\bdisabled', page.text)
    assert re.search(r'<select name="measure"[^>]*\bdisabled', page.text)
    assert "Hij heeft al cijfers" in page.text
    submit(client, edit, {"name": "Instroom"}, button="Opslaan", page=page)
    indicator.refresh_from_db()
    assert (indicator.name, indicator.source) == ("Instroom", "reported")
