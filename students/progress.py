"""Module editions and students' progress through their units: recording it, and reading it as a
grid (matching students to open opportunities is activities.matching)."""

from dataclasses import dataclass, field
from decimal import Decimal

from django.conf import settings
from django.core.exceptions import PermissionDenied, ValidationError
from django.core.paginator import Paginator
from django.db import transaction
from django.db.models import (
    Count,
    IntegerField,
    Max,
    OuterRef,
    Subquery,
    Sum,
)
from django.db.models.functions import Coalesce
from django.db.models.signals import post_delete, post_save
from django.dispatch import receiver
from django.utils import timezone
from django.utils.translation import gettext as _

from civbio import rounding, rules
from partners.models import User
from students.models import (
    DONE_STATUSES,
    Assessment,
    Edition,
    Enrolment,
    Module,
    ModuleUnit,
    ProgressStatus,
    UnitProgress,
)


def edition_units(edition: Edition) -> list[ModuleUnit]:
    """The module's units that are part of `edition`, in order: a unit retired before the
    edition started is not (ModuleUnit.belongs_to). Filtered here rather than in SQL, so the
    units a page prefetched serve."""
    return [unit for unit in edition.module.units.all() if unit.belongs_to(edition)]


def percent_done(units: list[ModuleUnit], done_unit_ids: set[int]) -> int:
    """A student's progress in a module: the share of its hours in units completed or passed."""
    total = sum(unit.hours for unit in units)
    if not total:
        return 0
    done = sum(unit.hours for unit in units if unit.pk in done_unit_ids)
    return int(rounding.percent(done, total))


# Writes -----------------------------------------------------------------------------------------


@transaction.atomic
def create_edition(
    *, actor: User, module: Module, name: str, start_date, end_date, teachers=()
) -> Edition:
    """Run a module for a class at the actor's school."""
    if not rules.can_run_editions(actor):
        raise PermissionDenied(_("You may not run module editions."))
    edition = Edition(
        module=module,
        school=actor.organisation,
        name=name.strip(),
        start_date=start_date,
        end_date=end_date,
    )
    edition.full_clean()
    edition.save()
    edition.teachers.set(teachers or [actor])
    return edition


@transaction.atomic
def enrol_students(*, actor: User, edition: Edition, students) -> int:
    """Enrol students of the edition's school; already enrolled ones are left as they are."""
    if not rules.can_track_edition(actor, edition):
        raise PermissionDenied(_("You may not change this edition."))
    wrong = [s for s in students if s.school_id != edition.school_id]
    if wrong:
        raise ValidationError(_("Only students of the edition's school can be enrolled."))
    if any(not s.is_active for s in students):
        raise ValidationError(_("Students who left school cannot be enrolled."))
    before = edition.enrolments.count()
    Enrolment.objects.bulk_create(
        [Enrolment(edition=edition, student=s) for s in students], ignore_conflicts=True
    )
    return edition.enrolments.count() - before


GRADED_STATUSES = (ProgressStatus.COMPLETED, ProgressStatus.PASSED, ProgressStatus.FAILED)


def _status_for(module: Module, status: str, grade) -> tuple[str, Decimal | None]:
    """The status to store: on a graded module a grade decides pass or fail when the unit is
    finished; a unit set back to not started or in progress loses its grade."""
    if status not in ProgressStatus.values:
        raise ValidationError(_("Unknown progress status."))
    if grade is None or grade == "" or status not in GRADED_STATUSES:
        return status, None
    if module.assessment != Assessment.GRADE:
        raise ValidationError(_("This module is assessed with pass or fail, not a grade."))
    grade = Decimal(str(grade))
    low, high = settings.GRADE_SCALE
    if not low <= grade <= high:
        raise ValidationError(
            _("A grade lies between %(low)s and %(high)s.") % {"low": low, "high": high}
        )
    passed = grade >= Decimal(str(settings.GRADE_PASS))
    return (ProgressStatus.PASSED if passed else ProgressStatus.FAILED), grade


def refresh_summaries(enrolment_ids) -> None:
    """Make the enrolments' progress summary (units done, progress last recorded) true again
    after their progress changed. One statement."""
    done = (
        UnitProgress.objects.filter(enrolment_id=OuterRef("pk"), status__in=DONE_STATUSES)
        .order_by()
        .values("enrolment_id")
        .annotate(n=Count("pk"))
        .values("n")
    )
    last = (
        UnitProgress.objects.filter(enrolment_id=OuterRef("pk"))
        .order_by()
        .values("enrolment_id")
        .annotate(on=Max("recorded_on"))
        .values("on")
    )
    Enrolment.objects.filter(pk__in=enrolment_ids).update(
        units_done=Coalesce(Subquery(done, output_field=IntegerField()), 0),
        last_progress_on=Subquery(last),
    )


@receiver(post_save, sender=UnitProgress)
@receiver(post_delete, sender=UnitProgress)
def _progress_changed(sender, instance, **kwargs):
    # Every save and delete of one unit's progress, wherever it comes from (this module, the
    # admin, a unit deleted with its progress). Bulk writes call refresh_summaries themselves.
    refresh_summaries([instance.enrolment_id])


@transaction.atomic
def record_progress(
    *, actor: User, enrolment: Enrolment, unit: ModuleUnit, status: str, grade=None
) -> UnitProgress:
    """Set one student's status on one unit (a grade decides pass or fail on graded modules)."""
    edition = enrolment.edition
    if not rules.can_track_edition(actor, edition):
        raise PermissionDenied(_("You may not record progress in this edition."))
    if unit.module_id != edition.module_id or not unit.belongs_to(edition):
        raise ValidationError(_("This unit is not part of the edition's module."))
    if not enrolment.student.is_active:
        raise ValidationError(_("This student has left school."))
    status, grade = _status_for(edition.module, status, grade)
    progress, _created = UnitProgress.objects.update_or_create(
        enrolment=enrolment,
        unit=unit,
        defaults={
            "status": status,
            "grade": grade,
            "recorded_on": timezone.localdate(),
            "recorded_by": actor,
        },
    )
    Edition.objects.filter(pk=edition.pk).update(last_progress_at=timezone.now())
    return progress


@transaction.atomic
def bulk_record_progress(
    *, actor: User, edition: Edition, unit: ModuleUnit, student_ids: list[int], status: str
) -> int:
    """The bulk action: one status on one unit for the selected students of an edition."""
    if not rules.can_track_edition(actor, edition):
        raise PermissionDenied(_("You may not record progress in this edition."))
    if unit.module_id != edition.module_id or not unit.belongs_to(edition):
        raise ValidationError(_("This unit is not part of the edition's module."))
    status, _grade = _status_for(edition.module, status, None)
    if edition.module.assessment == Assessment.GRADE and status in (
        ProgressStatus.PASSED,
        ProgressStatus.FAILED,
    ):
        raise ValidationError(_("A graded unit is assessed with a grade per student, in the grid."))
    enrolments = list(edition.enrolments.filter(student_id__in=student_ids))
    today = timezone.localdate()
    UnitProgress.objects.bulk_create(
        [
            UnitProgress(
                enrolment=e, unit=unit, status=status, recorded_on=today, recorded_by=actor
            )
            for e in enrolments
        ],
        update_conflicts=True,
        unique_fields=["enrolment", "unit"],
        # Grades recorded per student stay as they are.
        update_fields=["status", "recorded_on", "recorded_by", "updated_at"],
    )
    refresh_summaries([e.pk for e in enrolments])
    Edition.objects.filter(pk=edition.pk).update(last_progress_at=timezone.now())
    return len(enrolments)


@dataclass
class GridSaved:
    saved: int = 0
    conflicts: list[str] = field(default_factory=list)  # "name, unit" of each cell left as it is
    errors: list[str] = field(default_factory=list)


def record_grid(
    *,
    actor: User,
    edition: Edition,
    cells: dict[tuple[int, int], tuple[str, Decimal | None] | None],
    seen_at,
) -> GridSaved:
    """A page of the grid saved at once, as a browser without JavaScript sends it: every cell
    of the page, keyed (enrolment id, unit id), with its status and grade, or None where the
    value could not be read. Each cell that differs from what is stored is recorded, unless it
    was changed after `seen_at` (when the page was built): someone else's change is not
    overwritten by the value the page showed; that cell is left as it is and named."""
    if not rules.can_track_edition(actor, edition):
        raise PermissionDenied(_("You may not record progress in this edition."))
    enrolments = edition.enrolments.select_related("student", "edition__module").in_bulk(
        {enrolment_id for enrolment_id, _unit_id in cells}
    )
    units = {unit.pk: unit for unit in edition_units(edition)}
    stored = {
        (enrolment_id, unit_id): (status, grade, changed_at)
        for enrolment_id, unit_id, status, grade, changed_at in UnitProgress.objects.filter(
            enrolment_id__in=list(enrolments), unit_id__in=list(units)
        ).values_list("enrolment_id", "unit_id", "status", "grade", "updated_at")
    }
    result = GridSaved()
    for key, value in cells.items():
        enrolment, unit = enrolments.get(key[0]), units.get(key[1])
        if enrolment is None or unit is None:
            continue  # no longer in the edition or the module
        where = f"{enrolment.student.display_name}, {unit.position}. {unit.title}"
        if value is None:
            result.errors.append(f"{where}: {_('Choose a status, and a grade such as 7.5.')}")
            continue
        was_status, was_grade, changed_at = stored.get(
            key, (ProgressStatus.NOT_STARTED, None, None)
        )
        if value == (was_status, was_grade):
            continue
        if changed_at is not None and changed_at > seen_at:
            result.conflicts.append(where)
            continue
        try:
            record_progress(
                actor=actor, enrolment=enrolment, unit=unit, status=value[0], grade=value[1]
            )
        except ValidationError as error:
            result.errors.append(f"{where}: {' '.join(error.messages)}")
        else:
            result.saved += 1
    return result


# Reads ------------------------------------------------------------------------------------------


@dataclass(frozen=True, slots=True)
class CellProgress:
    """A unit's progress as the grid shows it: read as a row, not a model (a page of fifty
    students by twelve units is six hundred of them)."""

    status: str
    grade: Decimal | None

    @property
    def is_done(self) -> bool:
        return self.status in DONE_STATUSES

    @property
    def label(self) -> str:
        if self.status in ProgressStatus.values:
            return str(ProgressStatus(self.status).label)
        return self.status


@dataclass
class GridRow:
    enrolment: Enrolment
    cells: list = field(default_factory=list)  # (unit, CellProgress | None) per unit
    percent: int = 0


def _grid_rows(enrolments: list[Enrolment], units: list[ModuleUnit]) -> list[GridRow]:
    """The rows of `enrolments`, with their progress read in one query."""
    by_enrolment: dict[int, dict[int, CellProgress]] = {e.pk: {} for e in enrolments}
    for enrolment_id, unit_id, status, grade in UnitProgress.objects.filter(
        enrolment_id__in=list(by_enrolment)
    ).values_list("enrolment_id", "unit_id", "status", "grade"):
        by_enrolment[enrolment_id][unit_id] = CellProgress(status, grade)
    rows = []
    for enrolment in enrolments:
        by_unit = by_enrolment[enrolment.pk]
        done = {unit_id for unit_id, p in by_unit.items() if p.is_done}
        rows.append(
            GridRow(
                enrolment=enrolment,
                cells=[(unit, by_unit.get(unit.pk)) for unit in units],
                percent=percent_done(units, done),
            )
        )
    return rows


def grid_row(enrolment: Enrolment) -> GridRow:
    """One student's row of the grid, after a cell changed."""
    units = edition_units(enrolment.edition)
    return _grid_rows([enrolment], units)[0]


def edition_grid(edition: Edition, *, per_page: int | None = None, page_number=None) -> dict:
    """Students by units of an edition with each student's progress: every student, or one page
    of `per_page` in name order. Four queries.

    The class's progress and size come from one aggregate over all its students (the hours of
    the units each completed); only the shown students are read in full. Building every row of a
    class of hundreds to show fifty was most of the grid's time (make bench)."""
    units = edition_units(edition)
    total = sum(unit.hours for unit in units)
    done_hours = (
        UnitProgress.objects.filter(enrolment_id=OuterRef("pk"), status__in=DONE_STATUSES)
        .order_by()
        .values("enrolment_id")
        .annotate(hours=Sum("unit__hours"))
        .values("hours")
    )
    order = list(
        edition.enrolments.order_by("student__display_name", "pk")
        .annotate(done=Coalesce(Subquery(done_hours, output_field=IntegerField()), 0))
        .values_list("pk", "done")
    )
    # The mean of the students' exact shares, rounded once (not the mean of rounded ones).
    class_percent = (
        int(rounding.percent(sum(done for _pk, done in order), total * len(order)))
        if order and total
        else 0
    )
    shown = [pk for pk, _done in order]
    page = None
    if per_page:
        page = Paginator(shown, per_page).get_page(page_number)
        shown = list(page.object_list)
    enrolments = Enrolment.objects.select_related("student").in_bulk(shown)
    rows = _grid_rows([enrolments[pk] for pk in shown], units)
    return {
        "units": units,
        "rows": rows,
        "page": page,
        "students": len(order),
        "class_percent": class_percent,
    }
