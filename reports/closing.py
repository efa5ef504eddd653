"""Closing a project quarter once its report is final: its figures can no longer change, so they
are stored as they stand (reports.models.ClosedQuarter and the figure tables beside it) and every
page and report reads them from there. Only the open quarters are counted live.

The figures are stored by the same functions that count them live, for the quarter's days
alone, so a closed quarter shows what it showed the moment before it closed."""

from decimal import Decimal

from django.core.exceptions import PermissionDenied, ValidationError
from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from civbio import rules
from partners.models import Organisation, User
from programmes.models import DerivedMeasure, Project
from reports import figures, kpis
from reports.models import (
    ClosedQuarter,
    QuarterActivities,
    QuarterLine,
    QuarterMeasure,
    QuarterPartner,
)


def closable_quarters(project: Project, today=None) -> list[tuple[int, object, object]]:
    """The quarters a coordinator can close now: ended, and not closed yet."""
    today = today or timezone.localdate()
    closed = set(ClosedQuarter.objects.filter(project=project).values_list("number", flat=True))
    return [q for q in project.quarters() if q[2] < today and q[0] not in closed]


@transaction.atomic
def close_quarters(*, actor: User, project: Project, number: int) -> list[ClosedQuarter]:
    """Close the project's quarters up to quarter `number` (every earlier one closes with it):
    store the figures of each one still open, and set the project's `closed_until`, after which
    contributions, reported figures and narratives dated in them are refused. Only a quarter
    that has ended closes."""
    if not rules.is_coordinator(actor):
        raise PermissionDenied(_("Only coordinators close quarters."))
    project = Project.objects.select_for_update().get(pk=project.pk)
    quarters = project.quarters()
    if not 1 <= number <= len(quarters):
        raise ValidationError(_("There is no such quarter in the project."))
    last = quarters[number - 1][2]
    if last >= timezone.localdate():
        raise ValidationError(_("Only a quarter that has ended can be closed."))
    done = set(ClosedQuarter.objects.filter(project=project).values_list("number", flat=True))
    if number in done:
        raise ValidationError(_("This quarter is closed already."))
    closed = [
        _store(project, quarter, actor) for quarter in quarters[:number] if quarter[0] not in done
    ]
    if project.closed_until is None or project.closed_until < last:
        project.closed_until = last
        project.save(update_fields=["closed_until", "updated_at"])
    return closed


@transaction.atomic
def reopen_quarters(*, actor: User, project: Project, number: int) -> int:
    """Open quarter `number` and every later one again: their stored figures are dropped, so they
    are counted live once more, and figures dated in them can change again. Returns how many
    quarters opened."""
    if not rules.is_coordinator(actor):
        raise PermissionDenied(_("Only coordinators reopen quarters."))
    project = Project.objects.select_for_update().get(pk=project.pk)
    quarters = project.quarters()
    if not 1 <= number <= len(quarters):
        raise ValidationError(_("There is no such quarter in the project."))
    reopened = ClosedQuarter.objects.filter(project=project, number__gte=number)
    opened = reopened.count()
    reopened.delete()
    before = quarters[number - 2][2] if number > 1 else None
    if project.closed_until is not None and (before is None or project.closed_until > before):
        project.closed_until = before
        project.save(update_fields=["closed_until", "updated_at"])
    return opened


def _store(project: Project, quarter: tuple, actor: User) -> ClosedQuarter:
    """Count one quarter's figures as the pages count them live, and store them."""
    number, first, last = quarter
    closed = ClosedQuarter.objects.create(
        project=project, number=number, first_day=first, last_day=last, closed_by=actor
    )
    measures = kpis.count_measures(project, DerivedMeasure.values, since=first, until=last)
    QuarterMeasure.objects.bulk_create(
        QuarterMeasure(
            quarter=closed,
            measure=key,
            value=measures.per_quarter.get(key, {}).get(number, Decimal(0)),
        )
        for key in DerivedMeasure.values
    )
    partners = set(Organisation.objects.partners().values_list("pk", flat=True))
    money: dict[int, dict[str, Decimal]] = {}
    by_line = {line.pk: Decimal(0) for line in project.lines.all()}
    rates = figures.hour_rates(project)
    for row in figures.counted_realisation(project, first, last, rates):
        partner = money.setdefault(
            row.organisation_id, {"hours": Decimal(0), "in_kind": Decimal(0), "cash": Decimal(0)}
        )
        partner["hours"] += row.hours
        partner["in_kind"] += row.in_kind
        partner["cash"] += row.cash
        if row.organisation_id in partners and row.programme_line_id is not None:
            by_line[row.programme_line_id] += row.in_kind + row.cash
    active = measures.members.get(number, frozenset())
    engaged = figures.engaged_between(first, last)
    QuarterPartner.objects.bulk_create(
        QuarterPartner(
            quarter=closed,
            organisation_id=organisation_id,
            active=organisation_id in active,
            engaged=organisation_id in engaged,
            **money.get(organisation_id, {}),
        )
        for organisation_id in sorted(set(money) | active | engaged)
    )
    QuarterLine.objects.bulk_create(
        QuarterLine(quarter=closed, programme_line_id=line_id, realised=realised)
        for line_id, realised in by_line.items()
    )
    QuarterActivities.objects.bulk_create(
        QuarterActivities(quarter=closed, kind=kind, programme_line_id=line_id, count=n)
        for (kind, line_id), n in figures.happened_between(first, last, None).items()
        if n
    )
    return closed
