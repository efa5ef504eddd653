"""Writes on students and their imports: adding and correcting a student, and confirming or
retrying an import (which then runs in the background, students.tasks)."""

from django.core.exceptions import PermissionDenied, ValidationError
from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from civbio import rules
from partners.models import User
from students import tasks
from students.models import (
    ImportStatus,
    Module,
    ModuleUnit,
    Qualification,
    Student,
    StudentImport,
    UnitProgress,
)

# Students ---------------------------------------------------------------------------------------


STUDENT_FIELDS = [
    "student_number",
    "display_name",
    "qualification",
    "level",
    "route",
    "cohort",
    "left_on",
    "publicity_consent",
]


@transaction.atomic
def save_student(
    *, actor: User, fields: dict, student: Student | None = None, version: str | None = None
) -> Student:
    """Add a student to the actor's school, or correct one (e.g. record that they left). With
    `version` (the updated_at the editor saw), a change made by someone else in the meantime is
    refused instead of overwritten."""
    if student is None:
        if not rules.has_role(actor, "school_staff"):
            raise PermissionDenied(_("Only a school's staff add its students."))
        student = Student(school=actor.organisation)
    elif not rules.visible_students(actor).filter(pk=student.pk).exists() or student.erased_at:
        raise PermissionDenied(_("You may not change this student."))
    else:
        student = Student.objects.select_for_update().get(pk=student.pk)
        if version is not None and student.updated_at.isoformat() != version:
            raise ValidationError(
                _(
                    "Someone else changed this student while you were editing. Your changes are "
                    "still in the form: check them and save again."
                )
            )
    for name in STUDENT_FIELDS:
        if name in fields:
            setattr(student, name, fields[name])
    student.full_clean()
    student.save()
    return student


# Student imports --------------------------------------------------------------------------------


@transaction.atomic
def confirm_student_import(*, actor: User, student_import: StudentImport) -> bool:
    """Confirm a checked import: it runs in the background (in-process without a broker).
    Confirming twice starts it once."""
    if student_import.uploaded_by_id != actor.pk:
        raise PermissionDenied(_("Only the person who uploaded the file confirms it."))
    if student_import.errors:
        raise ValidationError(_("Fix the rows with problems in the file and upload it again."))
    claimed = StudentImport.objects.filter(
        pk=student_import.pk, status=ImportStatus.PREVIEW
    ).update(status=ImportStatus.QUEUED, heartbeat_at=timezone.now())
    if claimed:
        tasks.enqueue_import(student_import.pk)
    return bool(claimed)


@transaction.atomic
def retry_import(*, actor: User, student_import: StudentImport) -> None:
    """Queue a failed import again, from its first row: its failed run saved nothing (all rows are
    one transaction), so no row is ever imported twice."""
    if student_import.uploaded_by_id != actor.pk:
        raise PermissionDenied(_("Only the person who uploaded the file can try it again."))
    queued = (
        StudentImport.objects.filter(pk=student_import.pk, status=ImportStatus.FAILED)
        .exclude(rows=[])
        .update(
            status=ImportStatus.QUEUED,
            heartbeat_at=timezone.now(),
            attempts=0,
            processed_rows=0,
            failure="",
            finished_at=None,
        )
    )
    if not queued:
        raise ValidationError(
            _(
                "Only a failed import whose rows are still kept can be tried again: "
                "upload the file again."
            )
        )
    tasks.enqueue_import(student_import.pk)


# The catalogues: qualifications, modules and their units ----------------------------------------


def _require_catalogue_manager(actor: User) -> None:
    if not rules.can_manage_catalogues(actor):
        raise PermissionDenied(_("Only the project office keeps the catalogues."))


QUALIFICATION_FIELDS = ["crebo", "name", "level", "offers_bol", "offers_bbl"]


@transaction.atomic
def save_qualification(
    *, actor: User, fields: dict, qualification: Qualification | None = None
) -> Qualification:
    """Add a qualification, or correct one (its crebo code, name, level, BOL and BBL). The code
    is five digits and unique; a qualification is offered as BOL, BBL or both."""
    _require_catalogue_manager(actor)
    qualification = qualification or Qualification()
    for name in QUALIFICATION_FIELDS:
        if name in fields:
            setattr(qualification, name, fields[name])
    qualification.crebo = (qualification.crebo or "").strip()
    qualification.full_clean()
    qualification.save()
    return qualification


@transaction.atomic
def set_qualification_active(
    *, actor: User, qualification: Qualification, active: bool
) -> Qualification:
    """Retire a qualification (or take that back). Retired, it is offered no more for new
    students and modules; students, modules and activities that name it keep it, so it is never
    deleted."""
    _require_catalogue_manager(actor)
    qualification.is_active = active
    qualification.save(update_fields=["is_active"])
    return qualification


MODULE_FIELDS = [
    "code",
    "title",
    "programme_line",
    "level",
    "description",
    "study_load_hours",
    "version",
    "assessment",
]


@transaction.atomic
def save_module(
    *,
    actor: User,
    fields: dict,
    qualifications,
    partner_organisations,
    module: Module | None = None,
) -> Module:
    """Add a custom module, or change one: what it is, the qualifications it serves and the
    partners that develop it with the schools."""
    _require_catalogue_manager(actor)
    module = module or Module()
    for name in MODULE_FIELDS:
        if name in fields:
            setattr(module, name, fields[name])
    module.full_clean()
    module.save()
    module.qualifications.set(qualifications)
    module.partner_organisations.set(partner_organisations)
    return module


def _units_in_order(module: Module) -> list[ModuleUnit]:
    """The module's units, locked against a concurrent reorder."""
    return list(ModuleUnit.objects.select_for_update().filter(module=module).order_by("position"))


@transaction.atomic
def add_unit(*, actor: User, module: Module, title: str, hours: int) -> ModuleUnit:
    """Add a unit at the end of the module."""
    _require_catalogue_manager(actor)
    units = _units_in_order(module)
    unit = ModuleUnit(
        module=module,
        position=(units[-1].position + 1) if units else 1,
        title=title.strip(),
        hours=hours,
    )
    unit.full_clean()
    unit.save()
    return unit


@transaction.atomic
def save_unit(*, actor: User, unit: ModuleUnit, title: str, hours: int) -> ModuleUnit:
    """Change a unit's title and hours."""
    _require_catalogue_manager(actor)
    unit.title, unit.hours = title.strip(), hours
    unit.full_clean()
    unit.save(update_fields=["title", "hours"])
    return unit


@transaction.atomic
def move_unit(*, actor: User, unit: ModuleUnit, up: bool) -> bool:
    """Swap a unit with the one before it (`up`) or after it. False when it is already first or
    last. Positions are unique in a module, so the swap goes through a free position."""
    _require_catalogue_manager(actor)
    units = _units_in_order(unit.module)
    index = next(i for i, u in enumerate(units) if u.pk == unit.pk)
    other_index = index - 1 if up else index + 1
    if not 0 <= other_index < len(units):
        return False
    this, other = units[index], units[other_index]
    free = units[-1].position + 1
    this_position, other_position = this.position, other.position
    this.position = free
    this.save(update_fields=["position"])
    other.position = this_position
    other.save(update_fields=["position"])
    this.position = other_position
    this.save(update_fields=["position"])
    unit.position = this.position
    return True


@transaction.atomic
def remove_unit(*, actor: User, unit: ModuleUnit) -> bool:
    """Take a unit out of its module. A unit nobody recorded progress on is deleted; one with
    progress is retired instead (True), so the figures of the editions that ran with it stay as
    they were."""
    _require_catalogue_manager(actor)
    if unit.retired_on is not None:
        raise ValidationError(_("This unit is already retired."))
    if UnitProgress.objects.filter(unit=unit).exists():
        unit.retired_on = timezone.localdate()
        unit.save(update_fields=["retired_on"])
        return True
    unit.delete()
    return False
