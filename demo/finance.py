"""Demo budget, commitments and two years of contributions, with some partners behind on their
pledge, so the finance page and its traffic lights show something real."""

from datetime import timedelta
from decimal import Decimal

from django.db import transaction
from django.utils import timezone

from ledger.models import Contribution, ContributionKind, ContributionStatus
from ledger.services import project_years
from partners.models import Organisation, User
from programmes.models import BudgetLine, Commitment, CostCategory, ProgrammeLine
from programmes.selectors import current_project

# Per line and year (four years): staff, materials, other.
LINE_BUDGET = {
    1: (220_000, 45_000, 20_000),
    2: (70_000, 15_000, 8_000),
    3: (60_000, 12_000, 10_000),
}
# Share of their pledge partners realise: most are on track, some behind.
PACE = {
    "baseclear": Decimal("1.05"),
    "janssen-biologics": Decimal("0.55"),
    "lumc": Decimal("0.8"),
    "eurofins": Decimal("0.3"),
}


@transaction.atomic
def load_demo_finance() -> int:
    project = current_project()
    if project is None or Commitment.objects.filter(project=project).exists():
        return 0
    lines = {line.number: line for line in ProgrammeLine.objects.filter(project=project)}
    # Scaled so the budget lines add up to the project's total budget exactly.
    planned = Decimal(sum(sum(v) for v in LINE_BUDGET.values()) * 4)
    scale = project.total_budget / planned
    created_lines = []
    for number, (staff, materials, other) in LINE_BUDGET.items():
        for year in range(1, 5):
            for category, amount in (
                (CostCategory.STAFF, staff),
                (CostCategory.MATERIALS, materials),
                (CostCategory.OTHER, other),
            ):
                created_lines.append(
                    BudgetLine.objects.create(
                        project=project,
                        programme_line=lines[number],
                        category=category,
                        year=year,
                        amount=(Decimal(amount) * scale).quantize(Decimal("1")),
                    )
                )
    rounding = project.total_budget - sum(b.amount for b in created_lines)
    first = created_lines[0]
    first.amount += rounding
    first.save()
    partners = list(Organisation.objects.partners().exclude(cofinancing_category="not_counted"))
    coordinator = User.objects.filter(role="coordinator").first()
    today = timezone.localdate()
    created = 0
    years = project_years(project)
    for index, organisation in enumerate(partners):
        employer = organisation.cofinancing_category == "employer"
        hours = Decimal(190 if employer else 100)
        cash = Decimal(3_000 if employer and index % 3 == 0 else 0)
        in_kind = Decimal(4_000)
        for number, _start, _end in years:
            Commitment.objects.create(
                project=project,
                organisation=organisation,
                year=number,
                hours=hours,
                in_kind_amount=in_kind,
                cash_amount=cash,
                hourly_rate=Decimal("85.00") if organisation.slug == "lumc" else None,
            )
        pace = PACE.get(organisation.slug, Decimal("0.95"))
        # Every quarter so far: hours, approved; each year: other in kind and cash.
        day = project.start_date + timedelta(days=45)
        quarter = 0
        while day < today:
            Contribution.objects.create(
                organisation=organisation,
                programme_line=lines[1 + quarter % 3],
                kind=ContributionKind.STAFF_HOURS,
                hours=(hours / 4 * pace).quantize(Decimal("1")),
                date=day,
                description="Uren begeleiding, gastlessen en overleg",
                status=ContributionStatus.APPROVED,
                decided_by=coordinator,
                decided_at=timezone.now(),
            )
            created += 1
            day += timedelta(days=91)
            quarter += 1
        for _number, start, _end in years:
            if start + timedelta(days=180) >= today:
                continue
            for kind, amount in (
                (ContributionKind.OTHER_IN_KIND, in_kind),
                (ContributionKind.CASH, cash),
            ):
                if amount:
                    Contribution.objects.create(
                        organisation=organisation,
                        programme_line=lines[1],
                        kind=kind,
                        amount=(amount * pace).quantize(Decimal("1")),
                        date=start + timedelta(days=180),
                        description="Bijdrage in geld"
                        if kind == "cash"
                        else "Apparatuur en materialen",
                        status=ContributionStatus.APPROVED,
                        decided_by=coordinator,
                        decided_at=timezone.now(),
                    )
                    created += 1
    baseclear = Organisation.objects.get(slug="baseclear")
    Contribution.objects.create(
        organisation=baseclear,
        programme_line=lines[1],
        kind=ContributionKind.STAFF_HOURS,
        hours=Decimal("16"),
        date=today - timedelta(days=10),
        description="Gastlessen dit kwartaal",
        status=ContributionStatus.SUBMITTED,
        submitted_by=User.objects.get(email="bedrijf@demo.civbio.nl"),
    )
    Contribution.objects.create(
        organisation=baseclear,
        programme_line=lines[1],
        kind=ContributionKind.STAFF_HOURS,
        hours=Decimal("40"),
        date=today - timedelta(days=20),
        description="Begeleiding stagiairs",
        is_supervision=True,
        status=ContributionStatus.SUBMITTED,
        submitted_by=User.objects.get(email="bedrijf@demo.civbio.nl"),
    )
    return created + 2
