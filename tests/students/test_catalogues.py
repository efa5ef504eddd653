"""The project office keeps the catalogues in civbio: qualifications (added, corrected, retired,
never deleted), custom modules with their co-developing partners, and the modules' units in their
order (a unit with progress is retired, not deleted, and the past's figures stay as they were)."""

import pytest
from auditlog.models import LogEntry as AuditEntry
from django.core.exceptions import PermissionDenied, ValidationError
from django.urls import reverse
from django.utils import timezone

from activities.models import CreboList
from programmes.models import ProgrammeLine
from students import progress, services
from students.models import Edition, Enrolment, Module, ModuleUnit, Qualification
from tests.browser import submit
from tests.conftest import days, draft_lesson
from tests.factories import ModuleFactory, QualificationFactory, StudentFactory

pytestmark = pytest.mark.django_db


def qualification_fields(**overrides):
    return {
        "crebo": "25123",
        "name": "Biologisch laborant",
        "level": 4,
        "offers_bol": True,
        "offers_bbl": False,
        **overrides,
    }


# Qualifications: the services ------------------------------------------------------------------


def test_a_coordinator_adds_and_corrects_a_qualification(carla):
    added = services.save_qualification(actor=carla, fields=qualification_fields())
    services.save_qualification(
        actor=carla, fields={"name": "Biologisch-medisch laborant"}, qualification=added
    )

    added.refresh_from_db()
    assert (added.crebo, added.name, added.level, added.offers_bbl) == (
        "25123",
        "Biologisch-medisch laborant",
        4,
        False,
    )
    # Audited: the addition and the correction.
    assert AuditEntry.objects.get_for_object(added).count() == 2


@pytest.mark.parametrize("person", ["dirk", "bram", "fien"])
def test_only_the_project_office_keeps_qualifications(person, request, carla):
    actor = request.getfixturevalue(person)
    existing = QualificationFactory()

    with pytest.raises(PermissionDenied):
        services.save_qualification(actor=actor, fields=qualification_fields())
    with pytest.raises(PermissionDenied):
        services.set_qualification_active(actor=actor, qualification=existing, active=False)
    assert Qualification.objects.filter(crebo="25123").count() == 0
    assert Qualification.objects.get(pk=existing.pk).is_active


@pytest.mark.parametrize(
    ("fields", "field", "message"),
    [
        ({"crebo": "2512"}, "crebo", "Een crebocode bestaat uit precies vijf cijfers."),
        ({"crebo": "25a23"}, "crebo", "Een crebocode bestaat uit precies vijf cijfers."),
        ({"level": 5}, "level", "hoogstens 4"),
        ({"level": 0}, "level", "minstens 1"),
        ({"offers_bol": False}, "__all__", "BOL, BBL of beide"),
    ],
)
def test_a_qualification_is_refused_with_a_clear_dutch_message(carla, fields, field, message):
    with pytest.raises(ValidationError) as refused:
        services.save_qualification(actor=carla, fields=qualification_fields(**fields))

    assert message in " ".join(refused.value.message_dict[field])
    assert not Qualification.objects.filter(name="Biologisch laborant").exists()


def test_a_crebo_code_is_unique(carla):
    QualificationFactory(crebo="25123")

    with pytest.raises(ValidationError) as refused:
        services.save_qualification(actor=carla, fields=qualification_fields())

    assert "crebo" in refused.value.message_dict


def test_a_retired_qualification_is_kept_for_whoever_names_it(carla, school, dirk):
    qualification = QualificationFactory()
    student = StudentFactory(school=school, qualification=qualification)

    services.set_qualification_active(actor=carla, qualification=qualification, active=False)

    student.refresh_from_db()
    assert student.qualification == qualification
    assert not Qualification.objects.get(pk=qualification.pk).is_active


def test_a_corrected_crebo_code_reaches_the_activities_export_view(carla, bram, lines):
    """CreboList (a database view) reads the qualifications live: a correction shows at once."""
    qualification = QualificationFactory(crebo="25001")
    lesson = draft_lesson(bram)
    lesson.qualifications.add(qualification)

    services.save_qualification(actor=carla, fields={"crebo": "25999"}, qualification=qualification)

    assert CreboList.objects.get(activity=lesson).crebos == "25999"


# Qualifications: the pages ---------------------------------------------------------------------


def test_the_qualification_list_is_one_query_whatever_its_length(
    client, carla, django_assert_num_queries
):
    QualificationFactory.create_batch(30)
    client.force_login(carla)

    # session, user, qualifications, unread notifications
    with django_assert_num_queries(4):
        page = client.get(reverse("students:qualification_list"))

    assert page.status_code == 200
    assert page.text.count("/retire/") == Qualification.objects.count()


def page_fields(**overrides):
    """What a person types and ticks: BOL ticked, BBL unticked."""
    return {**qualification_fields(offers_bol="on", offers_bbl=[]), **overrides}


def test_a_coordinator_adds_a_qualification_through_the_page(client, carla):
    client.force_login(carla)
    url = reverse("students:qualification_create")

    refused = submit(client, url, page_fields(crebo="123"))
    assert refused.status_code == 200
    assert "Een crebocode bestaat uit precies vijf cijfers." in refused.text
    assert 'value="Biologisch laborant"' in refused.text  # what was typed is kept

    response = submit(client, url, page_fields(), follow=True)

    assert "Biologisch laborant" in response.text and "25123" in response.text
    added = Qualification.objects.get(crebo="25123")
    assert (added.level, added.offers_bol, added.offers_bbl) == (4, True, False)
    # The audit trail names who added it.
    assert AuditEntry.objects.get_for_object(added).get().actor == carla


def test_a_coordinator_retires_a_qualification_and_offers_it_again(client, carla):
    qualification = QualificationFactory(name="Analist")
    client.force_login(carla)
    url = reverse("students:qualification_list")

    submit(client, url, button="Buiten gebruik stellen Analist", follow=True)
    assert not Qualification.objects.get(pk=qualification.pk).is_active

    submit(client, url, button="Weer aanbieden Analist", follow=True)
    assert Qualification.objects.get(pk=qualification.pk).is_active


# Modules and units: the services ---------------------------------------------------------------


def test_a_coordinator_adds_a_module_with_its_partners(carla, bram, lines, company, other_company):
    qualification = QualificationFactory()

    module = services.save_module(
        actor=carla,
        fields={
            "code": "MM-LAB",
            "title": "Labautomatisering",
            "programme_line": ProgrammeLine.objects.get(number=1),
            "level": 4,
            "study_load_hours": 80,
        },
        qualifications=[qualification],
        partner_organisations=[company, other_company],
    )

    assert set(module.partner_organisations.all()) == {company, other_company}
    assert list(module.qualifications.all()) == [qualification]
    with pytest.raises(PermissionDenied):
        services.save_module(
            actor=bram,
            fields={"title": "Anders"},
            qualifications=[],
            partner_organisations=[],
            module=module,
        )
    assert Module.objects.get(pk=module.pk).title == "Labautomatisering"


def titles(module: Module) -> list[str]:
    return list(module.units.order_by("position").values_list("title", flat=True))


def test_units_are_added_at_the_end_and_move_up_and_down(carla, lines):
    module = ModuleFactory(units=(10, 20))
    first, second = module.units.order_by("position")
    first.title, second.title = "Pipetteren", "Steriel werken"
    first.save()
    second.save()

    added = services.add_unit(actor=carla, module=module, title="Validatie", hours=6)
    assert titles(module) == ["Pipetteren", "Steriel werken", "Validatie"]

    assert services.move_unit(actor=carla, unit=added, up=True)
    assert titles(module) == ["Pipetteren", "Validatie", "Steriel werken"]
    assert services.move_unit(actor=carla, unit=added, up=True)
    assert not services.move_unit(actor=carla, unit=added, up=True)  # already first
    assert titles(module) == ["Validatie", "Pipetteren", "Steriel werken"]
    assert services.move_unit(actor=carla, unit=added, up=False)
    assert titles(module) == ["Pipetteren", "Validatie", "Steriel werken"]
    assert sorted(module.units.values_list("position", flat=True)) == [1, 2, 3]


def test_a_unit_needs_a_title_and_at_least_one_hour(carla, lines):
    module = ModuleFactory()

    with pytest.raises(ValidationError) as refused:
        services.add_unit(actor=carla, module=module, title="  ", hours=0)

    assert set(refused.value.message_dict) == {"title", "hours"}
    assert module.units.count() == 3


def test_the_school_staff_do_not_change_modules(dirk, lines):
    module = ModuleFactory()
    unit = module.units.first()

    for act in (
        lambda: services.add_unit(actor=dirk, module=module, title="X", hours=2),
        lambda: services.move_unit(actor=dirk, unit=unit, up=False),
        lambda: services.save_unit(actor=dirk, unit=unit, title="X", hours=2),
        lambda: services.remove_unit(actor=dirk, unit=unit),
    ):
        with pytest.raises(PermissionDenied):
            act()
    assert module.units.count() == 3


def edition_with_progress(module, school, dirk, start):
    edition = Edition.objects.create(
        module=module, school=school, name="LAB1", start_date=start, end_date=days(90)
    )
    edition.teachers.add(dirk)
    enrolment = Enrolment.objects.create(edition=edition, student=StudentFactory(school=school))
    return edition, enrolment


def test_a_unit_without_progress_is_deleted_one_with_progress_retired(carla, dirk, school, lines):
    module = ModuleFactory(units=(10, 20, 10))
    first, _second, third = module.units.order_by("position")
    _edition, enrolment = edition_with_progress(module, school, dirk, days(-30))
    progress.record_progress(actor=dirk, enrolment=enrolment, unit=first, status="completed")

    assert services.remove_unit(actor=carla, unit=third) is False
    assert services.remove_unit(actor=carla, unit=first) is True

    assert not ModuleUnit.objects.filter(pk=third.pk).exists()
    first.refresh_from_db()
    assert first.retired_on == timezone.localdate()
    with pytest.raises(ValidationError):
        services.remove_unit(actor=carla, unit=first)


def test_a_retired_unit_stays_in_the_editions_that_had_started_and_leaves_later_ones(
    carla, dirk, school, lines
):
    """No figure of the past changes: the running class still counts the unit, with its
    progress; a class that starts after the retirement does not have it."""
    module = ModuleFactory(units=(10, 30))
    first, second = module.units.order_by("position")
    running, enrolment = edition_with_progress(module, school, dirk, days(-30))
    progress.record_progress(actor=dirk, enrolment=enrolment, unit=first, status="completed")
    before = progress.edition_grid(running)

    services.remove_unit(actor=carla, unit=first)
    later, _enrolment = edition_with_progress(module, school, dirk, days(1))

    after = progress.edition_grid(Edition.objects.get(pk=running.pk))
    assert [u.pk for u in after["units"]] == [first.pk, second.pk]
    assert [r.percent for r in after["rows"]] == [r.percent for r in before["rows"]] == [25]
    assert [u.pk for u in progress.edition_grid(later)["units"]] == [second.pk]
    with pytest.raises(ValidationError):
        progress.record_progress(actor=dirk, enrolment=_enrolment, unit=first, status="completed")


# Modules and units: the pages ------------------------------------------------------------------


def test_a_coordinator_adds_a_unit_and_moves_it_up_on_the_module_page(client, carla, lines):
    module = ModuleFactory(units=(10, 20))
    client.force_login(carla)
    url = reverse("students:module_edit", args=[module.pk])

    refused = submit(
        client, url, {"unit-title": "Validatie", "unit-hours": "0"}, button="Onderdeel toevoegen"
    )
    assert refused.status_code == 400 and 'value="Validatie"' in refused.text
    submit(
        client, url, {"unit-title": "Validatie", "unit-hours": "6"}, button="Onderdeel toevoegen"
    )
    submit(client, url, button="Omhoog Validatie")

    assert titles(module)[1] == "Validatie"


def test_a_coordinator_edits_a_module_on_its_page(client, carla, lines, company):
    module = ModuleFactory(title="Oud")
    client.force_login(carla)

    response = submit(
        client,
        reverse("students:module_edit", args=[module.pk]),
        {"title": "Nieuw", "partner_organisations": [str(company.pk)]},
        button="Module opslaan",
    )

    assert response.status_code == 302
    module.refresh_from_db()
    assert module.title == "Nieuw" and list(module.partner_organisations.all()) == [company]


def test_the_module_page_is_constant_in_queries(client, carla, lines, django_assert_num_queries):
    module = ModuleFactory(units=tuple(range(1, 25)))
    QualificationFactory.create_batch(10)
    client.force_login(carla)
    url = reverse("students:module_edit", args=[module.pk])

    # session, user, module, its qualifications, its partners, the qualifications offered,
    # the organisations offered, the programme lines offered, units, units with progress, unread
    with django_assert_num_queries(11):
        page = client.get(url)

    assert page.text.count("/move/") == 24


def test_taking_out_a_unit_asks_first(client, carla, lines):
    module = ModuleFactory(units=(10, 20))
    unit = module.units.first()
    client.force_login(carla)

    asked = client.get(reverse("students:unit_remove", args=[unit.pk]))
    assert "Niemand heeft voortgang op dit onderdeel vastgelegd" in asked.text
    assert ModuleUnit.objects.filter(pk=unit.pk).exists()

    submit(
        client,
        reverse("students:unit_remove", args=[unit.pk]),
        button="Ja, haal het onderdeel eruit",
    )
    assert not ModuleUnit.objects.filter(pk=unit.pk).exists()


def test_the_catalogue_pages_speak_english_too(client, carla, lines):
    module = ModuleFactory()
    client.force_login(carla)

    for url, text in (
        ("/en/qualifications/", "Add a qualification"),
        ("/en/qualifications/new/", "Save qualification"),
        (f"/en/modules/{module.pk}/edit/", "Add unit"),
        (f"/en/units/{module.units.first().pk}/remove/", "Yes, take the unit out"),
    ):
        page = client.get(url)
        assert page.status_code == 200 and text in page.text, url


def test_a_retired_qualification_is_offered_only_to_students_who_have_it(
    client, carla, dirk, school
):
    retired = QualificationFactory(name="Oude opleiding")
    student = StudentFactory(school=school, qualification=retired)
    services.set_qualification_active(actor=carla, qualification=retired, active=False)
    client.force_login(dirk)
    option = f'<option value="{retired.pk}"'

    assert option not in client.get(reverse("students:student_create")).text
    assert option in client.get(reverse("students:student_edit", args=[student.pk])).text
