"""Students as their schools keep them, the qualifications they study for, and the custom modules
they follow: editions for a class, enrolments, progress per unit, and the CSV import."""

from django.conf import settings
from django.core.exceptions import ValidationError
from django.core.validators import MaxValueValidator, MinValueValidator, RegexValidator
from django.db import models
from django.urls import reverse
from django.utils.translation import gettext_lazy as _

from civbio import rounding
from partners.models import Organisation
from programmes.models import ProgrammeLine
from students.querysets import StudentQuerySet

crebo_validator = RegexValidator(r"^\d{5}$", _("A crebo code is exactly five digits."))
LEVEL_VALIDATORS = [MinValueValidator(1), MaxValueValidator(4)]


class Route(models.TextChoices):
    BOL = "bol", _("BOL (school-based, internship)")
    BBL = "bbl", _("BBL (work-based, learning-work place)")


class Qualification(models.Model):
    """An mbo qualification: data the coordinators maintain, never hard-coded."""

    crebo = models.CharField(
        _("crebo code"), max_length=5, unique=True, validators=[crebo_validator]
    )
    name = models.CharField(_("name"), max_length=200)
    level = models.PositiveSmallIntegerField(_("level"), validators=LEVEL_VALIDATORS)
    offers_bol = models.BooleanField(_("offered as BOL"), default=True)
    offers_bbl = models.BooleanField(_("offered as BBL"), default=True)
    is_active = models.BooleanField(_("active"), default=True)

    class Meta:
        ordering = ["name", "level"]
        verbose_name = _("qualification")
        verbose_name_plural = _("qualifications")

    def __str__(self) -> str:
        return _("%(name)s (%(crebo)s, level %(level)s)") % {
            "name": self.name,
            "crebo": self.crebo,
            "level": self.level,
        }

    def clean(self) -> None:
        if not (self.offers_bol or self.offers_bbl):
            raise ValidationError(_("A qualification is offered as BOL, BBL or both."))


class Student(models.Model):
    """A student as a record kept by their school: the minimum, nothing that identifies beyond it.

    No birth date, address, citizen number or special-category data — by design, not by policy.
    """

    school = models.ForeignKey(
        Organisation, verbose_name=_("school"), on_delete=models.PROTECT, related_name="students"
    )
    student_number = models.CharField(_("student number or pseudonym"), max_length=40)
    display_name = models.CharField(_("display name"), max_length=120)
    qualification = models.ForeignKey(
        Qualification,
        verbose_name=_("qualification"),
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="students",
    )
    level = models.PositiveSmallIntegerField(_("level"), validators=LEVEL_VALIDATORS)
    route = models.CharField(_("route"), max_length=3, choices=Route.choices)
    cohort = models.PositiveSmallIntegerField(
        _("cohort"), validators=[MinValueValidator(2000), MaxValueValidator(2100)]
    )
    left_on = models.DateField(_("left on"), null=True, blank=True)
    erased_at = models.DateTimeField(_("anonymised at"), null=True, blank=True, editable=False)
    publicity_consent = models.BooleanField(
        _("consent for publicity recorded"),
        default=False,
        help_text=_("For students under 16 this consent comes from a parent."),
    )
    created_at = models.DateTimeField(auto_now_add=True)
    # The version an editor saw (see services.save_student): two people editing at once never
    # overwrite each other.
    updated_at = models.DateTimeField(auto_now=True)

    objects = StudentQuerySet.as_manager()

    class Meta:
        ordering = ["display_name"]
        verbose_name = _("student")
        verbose_name_plural = _("students")
        constraints = [
            models.UniqueConstraint(
                fields=["school", "student_number"], name="student_number_per_school"
            )
        ]
        # The few erased students, so counts can leave them out without joining every student.
        indexes = [
            models.Index(
                fields=["erased_at"],
                condition=models.Q(erased_at__isnull=False),
                name="student_erased",
            ),
            # The matching counts a school's students per kind (what an opportunity asks for)
            # from this index alone, however many students the school has.
            models.Index(
                fields=["school", "qualification", "level", "route"],
                condition=models.Q(left_on__isnull=True, erased_at__isnull=True),
                name="student_active_kind",
            ),
            # A school's students in name order: the list's pages and the first who fit a place;
            # and everyone's, for the project office.
            models.Index(fields=["school", "display_name", "id"], name="student_by_name"),
            models.Index(fields=["display_name", "id"], name="student_name"),
        ]

    def __str__(self) -> str:
        return self.display_name

    @property
    def is_active(self) -> bool:
        return self.left_on is None and self.erased_at is None


class Assessment(models.TextChoices):
    PASS_FAIL = "pass_fail", _("Pass or fail")
    GRADE = "grade", _("Grade")


class Module(models.Model):
    """A custom module (maatwerkmodule) that schools and companies build together."""

    code = models.CharField(_("code"), max_length=30, unique=True)
    title = models.CharField(_("title"), max_length=200)
    programme_line = models.ForeignKey(
        ProgrammeLine,
        verbose_name=_("programme line"),
        on_delete=models.PROTECT,
        related_name="modules",
    )
    qualifications = models.ManyToManyField(
        Qualification, verbose_name=_("qualifications"), blank=True, related_name="modules"
    )
    level = models.PositiveSmallIntegerField(_("level"), validators=LEVEL_VALIDATORS)
    description = models.TextField(_("description"), blank=True)
    study_load_hours = models.PositiveSmallIntegerField(_("study load in hours"))
    partner_organisations = models.ManyToManyField(
        Organisation, verbose_name=_("developed with"), blank=True, related_name="modules"
    )
    version = models.CharField(_("version"), max_length=20, default="1.0")
    assessment = models.CharField(
        _("assessed with"), max_length=20, choices=Assessment.choices, default=Assessment.PASS_FAIL
    )
    is_active = models.BooleanField(_("active"), default=True)

    class Meta:
        ordering = ["code"]
        verbose_name = _("module")
        verbose_name_plural = _("modules")

    def __str__(self) -> str:
        return f"{self.code} {self.title}"


class ModuleUnit(models.Model):
    """A learning outcome of a module, in the module's order, with its own hours."""

    module = models.ForeignKey(Module, on_delete=models.CASCADE, related_name="units")
    position = models.PositiveSmallIntegerField(_("position"))
    title = models.CharField(_("title"), max_length=200)
    hours = models.PositiveSmallIntegerField(_("hours"), validators=[MinValueValidator(1)])
    # A unit that progress was recorded on is never deleted; retired, it stays in the editions
    # that had started by then (their figures do not change) and is left out of later ones.
    retired_on = models.DateField(_("retired on"), null=True, blank=True, editable=False)

    class Meta:
        ordering = ["module", "position"]
        verbose_name = _("unit")
        verbose_name_plural = _("units")
        constraints = [
            models.UniqueConstraint(fields=["module", "position"], name="unit_position_per_module")
        ]

    def __str__(self) -> str:
        return f"{self.module.code}.{self.position} {self.title}"

    def belongs_to(self, edition: "Edition") -> bool:
        """Whether the unit is part of `edition`: every unit not retired before it started."""
        return self.retired_on is None or self.retired_on > edition.start_date


class Edition(models.Model):
    """A module run for a class or cohort in a period at a school."""

    module = models.ForeignKey(
        Module, verbose_name=_("module"), on_delete=models.PROTECT, related_name="editions"
    )
    school = models.ForeignKey(
        Organisation, verbose_name=_("school"), on_delete=models.PROTECT, related_name="editions"
    )
    name = models.CharField(_("class or group"), max_length=80)
    start_date = models.DateField(_("start date"))
    end_date = models.DateField(_("end date"))
    teachers = models.ManyToManyField(
        settings.AUTH_USER_MODEL, verbose_name=_("teachers"), blank=True, related_name="editions"
    )
    last_progress_at = models.DateTimeField(_("progress last updated"), null=True, blank=True)
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        ordering = ["-start_date", "name"]
        verbose_name = _("edition")
        verbose_name_plural = _("editions")
        constraints = [
            models.CheckConstraint(
                condition=models.Q(end_date__gte=models.F("start_date")),
                name="edition_ends_after_start",
            )
        ]

    def __str__(self) -> str:
        return f"{self.module.code} — {self.name}"

    def get_absolute_url(self) -> str:
        return reverse("students:edition_detail", args=[self.pk])


class Enrolment(models.Model):
    edition = models.ForeignKey(Edition, on_delete=models.CASCADE, related_name="enrolments")
    student = models.ForeignKey(Student, on_delete=models.CASCADE, related_name="enrolments")
    enrolled_on = models.DateField(_("enrolled on"), auto_now_add=True)
    # A summary of the student's progress in this edition, kept by students.progress whenever
    # progress is written or deleted: class figures and "falling behind" read one row per
    # student instead of every unit's (make bench).
    units_done = models.PositiveSmallIntegerField(
        _("units completed or passed"), default=0, editable=False
    )
    last_progress_on = models.DateField(_("progress last recorded on"), null=True, editable=False)

    class Meta:
        verbose_name = _("enrolment")
        verbose_name_plural = _("enrolments")
        constraints = [
            models.UniqueConstraint(fields=["edition", "student"], name="one_enrolment_per_edition")
        ]

    def __str__(self) -> str:
        return f"{self.student} in {self.edition}"


class ProgressStatus(models.TextChoices):
    NOT_STARTED = "not_started", _("Not started")
    IN_PROGRESS = "in_progress", _("In progress")
    COMPLETED = "completed", _("Completed")
    PASSED = "passed", _("Assessed: pass")
    FAILED = "failed", _("Assessed: fail")


class UnitProgress(models.Model):
    """Where a student stands on one unit. No row means not started."""

    enrolment = models.ForeignKey(Enrolment, on_delete=models.CASCADE, related_name="progress")
    unit = models.ForeignKey(ModuleUnit, on_delete=models.CASCADE, related_name="progress")
    status = models.CharField(
        _("status"),
        max_length=20,
        choices=ProgressStatus.choices,
        default=ProgressStatus.NOT_STARTED,
    )
    grade = models.DecimalField(
        _("grade"),
        max_digits=3,
        decimal_places=1,
        null=True,
        blank=True,
        validators=[MinValueValidator(1), MaxValueValidator(10)],
    )
    recorded_on = models.DateField(_("date"))
    recorded_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, related_name="+"
    )
    updated_at = models.DateTimeField(auto_now=True)

    class Meta:
        verbose_name = _("unit progress")
        verbose_name_plural = _("unit progress")
        constraints = [
            models.UniqueConstraint(fields=["enrolment", "unit"], name="one_progress_per_unit")
        ]
        indexes = [models.Index(fields=["unit", "status"])]

    def __str__(self) -> str:
        return f"{self.enrolment} / {self.unit}: {self.status}"

    @property
    def is_done(self) -> bool:
        return self.status in DONE_STATUSES


# A unit counts towards a student's progress (and a match) once completed or assessed as passed.
DONE_STATUSES = (ProgressStatus.COMPLETED, ProgressStatus.PASSED)


class ImportStatus(models.TextChoices):
    PREVIEW = "preview", _("Checked, waiting for confirmation")
    QUEUED = "queued", _("Waiting to start")
    RUNNING = "running", _("Importing")
    DONE = "done", _("Imported")
    FAILED = "failed", _("Failed")


class StudentImport(models.Model):
    """A CSV of students (and enrolments) from a school's student information system: checked row
    by row first, then applied all at once on confirmation. Its state lives here, so the progress
    bar can follow a background import and a lost one can be found."""

    school = models.ForeignKey(Organisation, on_delete=models.CASCADE, related_name="+")
    edition = models.ForeignKey(
        Edition, on_delete=models.SET_NULL, null=True, blank=True, related_name="+"
    )
    uploaded_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, related_name="+"
    )
    filename = models.CharField(max_length=200)
    rows = models.JSONField(default=list)
    errors = models.JSONField(default=list)
    status = models.CharField(
        max_length=20, choices=ImportStatus.choices, default=ImportStatus.PREVIEW
    )
    total_rows = models.PositiveIntegerField(default=0)
    processed_rows = models.PositiveIntegerField(default=0)
    created = models.PositiveIntegerField(default=0)
    updated = models.PositiveIntegerField(default=0)
    # Why the import failed, or why it had to start again.
    failure = models.CharField(max_length=300, blank=True)
    # How the file's text was read (utf-8, cp1252, utf-16), shown on the preview.
    encoding = models.CharField(max_length=20, blank=True)
    created_at = models.DateTimeField(auto_now_add=True)
    # Its last sign of life: queued, taken by a worker, or a batch done. A queued or running
    # import whose heartbeat stopped is queued again (or failed) by requeue_stuck_imports.
    heartbeat_at = models.DateTimeField(null=True, blank=True)
    # The run that owns it: a worker whose run was taken over can never finish it.
    run_token = models.CharField(max_length=32, blank=True)
    attempts = models.PositiveSmallIntegerField(default=0)
    finished_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        ordering = ["-created_at"]
        indexes = [
            models.Index(
                fields=["heartbeat_at"],
                name="studentimport_unfinished",
                condition=models.Q(status__in=["queued", "running"]),
            )
        ]

    def __str__(self) -> str:
        return f"{self.filename} ({self.status})"

    @property
    def percent(self) -> int:
        if not self.total_rows:
            return 0
        return int(rounding.percent(self.processed_rows, self.total_rows))
