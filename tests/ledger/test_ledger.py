"""The co-financing ledger: logging, the approval cycle, corrections, self-counting activities,
the rule checks against hand-computed figures, permissions and query counts."""

from datetime import date, timedelta
from decimal import Decimal

import pytest
from django.core.exceptions import PermissionDenied, ValidationError
from django.urls import reverse

from activities import services
from activities.models import Request
from ledger import services as ledger
from ledger.models import Contribution, ContributionStatus
from partners.models import Organisation
from programmes.models import Commitment, Project
from reports.figures import finance_overview
from tests.browser import submit
from tests.conftest import days
from tests.factories import CompanyFactory, StudentFactory, UserFactory

pytestmark = pytest.mark.django_db


@pytest.fixture
def project(consortium):
    return Project.objects.get()


@pytest.fixture
def line(project):
    return project.lines.get(number=1)


def hours(actor, line, n, day=None, **extra):
    return ledger.log_contribution(
        actor=actor,
        fields={
            "kind": "staff_hours",
            "programme_line": line,
            "hours": Decimal(n),
            "date": day or date.today(),
            "description": "Gastlessen",
            **extra,
        },
    )


def test_a_partner_logs_hours_and_the_coordinator_approves_or_rejects(bram, carla, line):
    first = hours(bram, line, 10)
    second = hours(bram, line, 20)
    assert (first.status, first.organisation) == ("submitted", bram.organisation)

    ledger.approve_contribution(actor=carla, contribution=first)
    with pytest.raises(ValidationError):
        ledger.reject_contribution(actor=carla, contribution=second, reason="  ")
    ledger.reject_contribution(actor=carla, contribution=second, reason="Dubbel geboekt")
    second.refresh_from_db()
    assert (second.status, second.rejection_reason) == ("rejected", "Dubbel geboekt")

    ledger.resubmit_contribution(actor=bram, contribution=second, fields={"hours": Decimal(12)})
    second.refresh_from_db()
    assert (second.status, second.hours) == ("submitted", 12)


def test_approved_figures_change_only_through_a_recorded_correction(bram, carla, line, project):
    item = hours(bram, line, 10)
    ledger.approve_contribution(actor=carla, contribution=item)

    with pytest.raises(ValidationError):
        ledger.resubmit_contribution(actor=bram, contribution=item, fields={"hours": Decimal(99)})
    correction = ledger.correct_contribution(
        actor=carla, contribution=item, fields={"hours": Decimal(8)}, reason="Tikfout"
    )

    assert correction.corrects == item
    partner = next(
        p for p in finance_overview(project)["partners"] if p.organisation == bram.organisation
    )
    assert partner.hours == 8  # the corrected figure replaces the original
    with pytest.raises(ValidationError):
        ledger.correct_contribution(actor=carla, contribution=item, fields={}, reason="Nogmaals")


def test_bad_input_is_refused_with_a_reason(bram, line, project):
    for fields, field in (
        ({"hours": Decimal("-3")}, "hours"),
        ({"hours": Decimal("3000")}, "hours"),
        ({"hours": Decimal("5"), "date": project.start_date - timedelta(days=1)}, "date"),
        ({"hours": None}, "hours"),
    ):
        with pytest.raises(ValidationError) as error:
            ledger.log_contribution(
                actor=bram,
                fields={
                    "kind": "staff_hours",
                    "programme_line": line,
                    "date": date.today(),
                    "description": "X",
                    **fields,
                },
            )
        assert field in error.value.message_dict
    with pytest.raises(ValidationError) as error:
        ledger.log_contribution(
            actor=bram,
            fields={
                "kind": "cash",
                "programme_line": line,
                "amount": Decimal("-5"),
                "date": date.today(),
                "description": "X",
            },
        )
    assert "amount" in error.value.message_dict
    assert not Contribution.objects.exists()


def test_partners_log_only_for_themselves_and_only_coordinators_approve(
    bram, olaf, fien, dirk, line
):
    item = hours(bram, line, 4, organisation=None)
    foreign = ledger.log_contribution(
        actor=olaf,
        organisation=bram.organisation,  # ignored: a partner always logs for itself
        fields={
            "kind": "staff_hours",
            "programme_line": line,
            "hours": Decimal(2),
            "date": date.today(),
            "description": "X",
        },
    )
    assert foreign.organisation == olaf.organisation
    for person in (olaf, bram, dirk, fien):
        with pytest.raises(PermissionDenied):
            ledger.approve_contribution(actor=person, contribution=item)
    with pytest.raises(PermissionDenied):
        ledger.resubmit_contribution(actor=olaf, contribution=item, fields={})
    with pytest.raises(PermissionDenied):
        hours(fien, line, 1)


def test_a_delivered_guest_lesson_proposes_its_hours_once(
    guest_lesson, bram, dirk, django_capture_on_commit_callbacks
):
    request = services.request_activity(
        actor=dirk, activity=guest_lesson, date=days(7), group_name="LAB3A", student_count=20
    )
    services.answer_request(actor=bram, request=request, decision="accept")
    Request.objects.filter(pk=request.pk).update(date=days(0))

    # The ledger hears of the delivery once it has committed (activities.signals).
    with django_capture_on_commit_callbacks(execute=True):
        services.report_delivery(actor=dirk, request=request, students_reached=20)
    with django_capture_on_commit_callbacks(execute=True):
        services.report_delivery(actor=bram, request=request, feedback="Leuk")  # second report

    proposed = Contribution.objects.get()
    # 90 minutes of lesson and 2 hours of preparation, to confirm.
    assert (proposed.organisation, proposed.status, proposed.hours) == (
        bram.organisation,
        "proposed",
        Decimal("3.5"),
    )
    ledger.resubmit_contribution(actor=bram, contribution=proposed, fields={"hours": Decimal(4)})
    proposed.refresh_from_db()
    assert (proposed.status, proposed.hours) == ("submitted", 4)


@pytest.mark.parametrize(
    ("minutes", "expected"), [(15, "2.3"), (27, "2.5"), (45, "2.8"), (50, "2.8")]
)
def test_a_guest_lessons_proposed_hours_round_half_up_to_one_decimal(
    guest_lesson, minutes, expected
):
    # 15 minutes is 0.25 h: half up gives 0.3 (half to even would give 0.2); 27 minutes 0.45 → 0.5.
    guest_lesson.guestlesson.duration_minutes = minutes
    guest_lesson.guestlesson.save()
    proposed = ledger.propose_for_delivery(activity=guest_lesson)
    assert proposed.hours == Decimal(expected)


def test_the_rule_checks_match_hand_computed_figures(project, line, carla):
    Organisation.objects.exclude(slug__in=["baseclear", "hogeschool-leiden", "mborijnland"]).update(
        active_until=None
    )
    baseclear = Organisation.objects.get(slug="baseclear")  # employer
    hsleiden = Organisation.objects.get(slug="hogeschool-leiden")  # other
    # Year 1 pledges: BaseClear 100 h at the project's €73 + €1,000 cash; Hogeschool 50 h at €80.
    Commitment.objects.create(
        project=project, organisation=baseclear, year=1, hours=100, cash_amount=1000
    )
    Commitment.objects.create(
        project=project, organisation=hsleiden, year=1, hours=50, hourly_rate=80
    )
    for organisation, kind, value in (
        (baseclear, "staff_hours", 40),
        (baseclear, "cash", 500),
        (hsleiden, "staff_hours", 50),
    ):
        item = Contribution.objects.create(
            organisation=organisation,
            programme_line=line,
            kind=kind,
            date=project.start_date + timedelta(days=10),
            description="x",
            status=ContributionStatus.SUBMITTED,
            **({"hours": value} if kind == "staff_hours" else {"amount": value}),
        )
        ledger.approve_contribution(actor=carla, contribution=item)
    Contribution.objects.create(  # supervision: recorded, never counted
        organisation=baseclear,
        programme_line=line,
        kind="staff_hours",
        hours=300,
        date=project.start_date + timedelta(days=20),
        description="begeleiding",
        is_supervision=True,
        status=ContributionStatus.APPROVED,
    )

    overview = finance_overview(project, today=project.start_date + timedelta(days=400))

    rows = {p.organisation.slug: p for p in overview["partners"]}
    assert rows["baseclear"].committed_total == Decimal("8300.00")  # 100 x 73 + 1,000
    assert rows["baseclear"].realised_total == Decimal("3420.00")  # 40 x 73 + 500
    assert rows["baseclear"].light == "red"  # 3,420 of 8,300 expected after year 1
    assert rows["hogeschool-leiden"].realised_total == Decimal("4000.00")  # 50 x 80
    assert rows["hogeschool-leiden"].light == "green"
    checks = {c["rule"]: c for c in overview["checks"]}
    employer = next(
        c for c in overview["checks"] if "Employers" in c["rule"] or "Werkgevers" in c["rule"]
    )
    assert Decimal("8300.00") in employer["figures"].values()
    assert employer["light"] == "red"  # far below a third of €2,239,248
    # The grant is a third of the total budget exactly; with only €12,300 of co-financing
    # pledged, the grant and the co-financing fall far short of that budget.
    assert overview["checks"][0]["light"] == "green"
    assert overview["checks"][4]["light"] == "red"
    assert len(checks) == 5


def test_the_finance_page_is_for_coordinators_and_funders_and_stays_constant(
    client, project, line, carla, fien, bram, django_assert_num_queries
):
    partners = list(Organisation.objects.partners())
    Contribution.objects.bulk_create(
        [
            Contribution(
                organisation=partners[n % len(partners)],
                programme_line=line,
                kind="staff_hours",
                hours=3,
                date=project.start_date + timedelta(days=n % 1000),
                description="x",
                status=ContributionStatus.APPROVED,
            )
            for n in range(3000)
        ]
    )
    for partner in partners:
        Commitment.objects.create(project=project, organisation=partner, year=1, hours=100)
    client.force_login(carla)

    # session, user, project, closed quarters, partners, commitments, contribution sums,
    # budget, lines, unread
    with django_assert_num_queries(10):
        response = client.get(reverse("reports:finance"))
    assert len(response.context["partners"]) == Organisation.objects.partners().count()
    client.force_login(fien)
    assert client.get(reverse("reports:finance")).status_code == 200
    client.force_login(bram)
    assert client.get(reverse("reports:finance")).status_code == 403
    assert client.get(reverse("ledger:contribution_review")).status_code == 403


def test_the_finance_page_shows_fifty_partners_a_page_and_totals_over_all(
    client, project, line, carla
):
    CompanyFactory.create_batch(40)
    partners = Organisation.objects.partners().count()
    assert partners > 50
    client.force_login(carla)

    first = client.get(reverse("reports:finance"))
    second = client.get(reverse("reports:finance"), {"page": 2})

    assert len(first.context["partners"]) == 50
    assert len(second.context["partners"]) == partners - 50
    shown = [r.organisation.pk for r in first.context["partners"]]
    shown += [r.organisation.pk for r in second.context["partners"]]
    assert len(set(shown)) == partners
    assert 'rel="next"' in first.text and 'rel="prev"' in second.text
    # The rule checks count every partner, not the page.
    assert first.context["checks"] == second.context["checks"]
    # Past the end is the last page, nonsense the first (each page is kept on its own).
    beyond = client.get(reverse("reports:finance"), {"page": 99})
    assert beyond.context["partners"] == second.context["partners"]
    assert beyond.context["page"].number == 2
    assert (
        client.get(reverse("reports:finance"), {"page": "x"}).context["partners"]
        == (first.context["partners"])
    )


def test_a_partner_page_shows_only_its_own_contributions(client, bram, olaf, line):
    hours(bram, line, 7, description="Eigen uren BioCorp")
    hours(olaf, line, 9, description="Uren van OtherLab")
    client.force_login(bram)

    page = client.get(reverse("ledger:my_contributions"))

    assert "Eigen uren BioCorp" in page.text
    assert "Uren van OtherLab" not in page.text
    # One name for the field in the table and in both forms beside it, as in the report annex.
    labels = {str(page.context[form]["description"].label) for form in ("form", "quarter")}
    assert labels == {"Omschrijving"}
    assert "Beschrijving" not in page.text


def test_evidence_is_checked_by_content_and_shown_only_to_its_partner(
    client, bram, olaf, carla, line, settings, tmp_path
):
    from django.core.files.uploadedfile import SimpleUploadedFile

    from tests.files import HTML_AS_PDF, pdf_bytes

    settings.MEDIA_ROOT = tmp_path
    for fake in (b"MZ not a pdf", HTML_AS_PDF):
        with pytest.raises(ValidationError):
            hours(bram, line, 3, evidence=SimpleUploadedFile("bon.pdf", fake))
    item = hours(bram, line, 3, evidence=SimpleUploadedFile("bon.pdf", pdf_bytes()))

    url = reverse("ledger:contribution_evidence", args=[item.pk])
    for person, expected in ((bram, 200), (carla, 200), (olaf, 404)):
        client.force_login(person)
        assert client.get(url).status_code == expected


def test_a_coordinator_records_a_correction_from_the_review_page(client, bram, carla, line):
    item = hours(bram, line, 10)
    ledger.approve_contribution(actor=carla, contribution=item)
    client.force_login(carla)

    page = client.get(reverse("ledger:contribution_review"))
    assert reverse("ledger:contribution_correct", args=[item.pk]) in page.text
    response = submit(
        client,
        reverse("ledger:contribution_correct", args=[item.pk]),
        {"hours": "6", "reason": "Dubbel geteld"},
    )

    assert response.status_code == 302
    correction = Contribution.objects.get(corrects=item)
    assert (correction.hours, correction.rejection_reason) == (6, "Dubbel geteld")
    client.force_login(bram)
    assert client.get(reverse("ledger:contribution_correct", args=[item.pk])).status_code == 403


def test_the_thirds_rules_judge_plan_and_pace_and_rates_follow_the_year(project, line, carla):
    employers = list(Organisation.objects.filter(cofinancing_category="employer"))
    others = list(Organisation.objects.filter(cofinancing_category="other"))
    grant = project.grant_amount  # 746,416: the financing must bring at least twice as much
    # Employers pledge 70% of the co-financing, other partners 30%: both rules hold.
    for organisation in employers:
        Commitment.objects.create(
            project=project,
            organisation=organisation,
            year=1,
            cash_amount=(grant * Decimal("2.01") * Decimal("0.7") / len(employers)).quantize(
                Decimal("1")
            ),
        )
    for organisation in others:
        Commitment.objects.create(
            project=project,
            organisation=organisation,
            year=1,
            cash_amount=(grant * Decimal("2.01") * Decimal("0.3") / len(others)).quantize(
                Decimal("1")
            ),
        )
    at_start = finance_overview(project, today=project.start_date)
    lights = [c["light"] for c in at_start["checks"]]
    assert lights[0] == "green" and lights[2] == "green"
    assert lights[1] == "green"  # nothing is needed yet on the first day

    # Other partners over a third of the financing breaks its rule.
    Commitment.objects.filter(organisation__in=others).update(cash_amount=grant)
    assert finance_overview(project, today=project.start_date)["checks"][2]["light"] == "red"

    # A partner's own hourly rate applies to the year its agreement sets it for, only.
    baseclear = Organisation.objects.get(slug="baseclear")
    Commitment.objects.filter(organisation=baseclear).update(cash_amount=0, hours=10)
    Commitment.objects.create(
        project=project, organisation=baseclear, year=2, hours=10, hourly_rate=100
    )
    row = next(p for p in finance_overview(project)["partners"] if p.organisation == baseclear)
    assert row.committed == {1: Decimal("730.00"), 2: Decimal("1000.00")}


def test_contributions_of_the_applicant_school_and_closed_quarters_do_not_count(
    project, line, carla, dirk, bram
):
    applicant = Organisation.objects.get(is_lead_applicant=True)
    teacher = UserFactory(organisation=applicant, role="school_staff")
    own = hours(teacher, line, 100)  # the applicant school: recorded, never co-financing
    ledger.approve_contribution(actor=carla, contribution=own)
    row = next(p for p in finance_overview(project)["partners"] if p.organisation == applicant)
    assert row.realised_total == 0

    project.closed_until = project.start_date + timedelta(days=200)
    project.save()
    with pytest.raises(ValidationError):
        hours(bram, line, 5, day=project.start_date + timedelta(days=10))


def test_a_description_that_names_a_student_is_refused_with_the_input_kept(
    client, dirk, bram, olaf, school, posting, line
):
    """The descriptions go to funders in the hours register; funders never see students."""
    amira = StudentFactory(school=school, display_name="Amira B.", student_number="R-9912")
    services.nominate_student(actor=dirk, posting=posting, student=amira)
    url = reverse("ledger:my_contributions")

    def log(person, description, form="log"):
        client.force_login(person)
        if form == "log":
            data = {
                "programme_line": line.pk,
                "kind": "staff_hours",
                "hours": "3",
                "date": date.today().isoformat(),
                "description": description,
            }
            return submit(client, url, data, button="log")
        choices = client.get(url).context["quarter"].fields["quarter"].choices
        data = {"quarter": choices[0][0], f"line_{line.pk}": "5", "description": description}
        return submit(client, url, data, button="log_quarter")

    # The school's teacher, by name and by student number; the company, by the name of the
    # student nominated to its place.
    for person, description, form in [
        (dirk, "Begeleiding amira b. bij het practicum", "log"),
        (dirk, "Practicum met R-9912", "quarter"),
        (bram, "Stagebegeleiding Amira B.", "log"),
    ]:
        page = log(person, description, form)
        errors = page.context["form" if form == "log" else "quarter"].errors["description"]
        assert errors == [
            "Hier staat een student in (Amira B.). Financiers lezen deze omschrijvingen in het "
            "urenregister: beschrijf het werk zonder studenten te noemen."
        ]
        assert description in page.text
    assert not Contribution.objects.exists()

    # Another company knows no Amira; a first name alone or a word holding the name is no name.
    assert log(olaf, "Gastles voor Amira B.").status_code == 302
    assert log(dirk, "Gastles met Amira, voorbereiding").status_code == 302
    assert log(dirk, "Project R-99123").status_code == 302
    assert Contribution.objects.count() == 3
