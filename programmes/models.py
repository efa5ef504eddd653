"""The project, its programme lines and (later) its budget, targets and milestones."""

import functools
from datetime import date, timedelta
from decimal import Decimal

from dateutil.relativedelta import relativedelta
from django.conf import settings
from django.core.exceptions import ValidationError
from django.core.validators import MinValueValidator
from django.db import models
from django.urls import reverse
from django.utils import translation
from django.utils.translation import gettext_lazy as _

from partners.models import Organisation
from programmes.querysets import IndicatorQuerySet


class TranslatedFieldsMixin:
    """Content kept in Dutch with an optional English version in `<field>_en`."""

    def translated(self, field: str) -> str:
        if translation.get_language() == "en":
            english = getattr(self, f"{field}_en", "")
            if english:
                return english
        return getattr(self, field)

    @property
    def title(self) -> str:
        return self.translated("name")

    @property
    def summary_text(self) -> str:
        return self.translated("summary")


class Project(TranslatedFieldsMixin, models.Model):
    name = models.CharField(_("name"), max_length=200)
    name_en = models.CharField(_("name (English)"), max_length=200, blank=True)
    short_name = models.CharField(_("short name"), max_length=60)
    summary = models.TextField(_("summary"), blank=True)
    summary_en = models.TextField(_("summary (English)"), blank=True)
    lead_organisation = models.ForeignKey(
        Organisation,
        verbose_name=_("lead applicant"),
        on_delete=models.PROTECT,
        related_name="led_projects",
    )
    funder = models.ForeignKey(
        Organisation,
        verbose_name=_("funder"),
        on_delete=models.PROTECT,
        related_name="funded_projects",
        null=True,
        blank=True,
    )
    applied_on = models.DateField(_("applied on"), null=True, blank=True)
    start_date = models.DateField(_("start date"))
    end_date = models.DateField(_("end date"))
    grant_amount = models.DecimalField(
        _("grant"),
        max_digits=12,
        decimal_places=2,
        validators=[MinValueValidator(Decimal("0"))],
    )
    total_budget = models.DecimalField(
        _("total budget in the grant decision"),
        max_digits=12,
        decimal_places=2,
        validators=[MinValueValidator(Decimal("0"))],
        help_text=_(
            "The project's total budget as the RIF grant decision sets it (€). Every RIF limit is "
            "taken of it: the grant at most 1/3, employers 1/3 to 2/3, other partners at most 1/3."
        ),
    )
    closed_until = models.DateField(
        _("periods closed until"),
        null=True,
        blank=True,
        help_text=_("Figures for quarters ending on or before this date can no longer change."),
    )
    hourly_rate = models.DecimalField(
        _("hourly rate for in-kind hours"),
        max_digits=8,
        decimal_places=2,
        default=Decimal("73.00"),
        validators=[MinValueValidator(Decimal("0"))],
        help_text=_("Staff hours contributed in kind are valued at this rate (€ per hour)."),
    )
    updated_at = models.DateTimeField(auto_now=True)

    class Meta:
        ordering = ["-start_date"]
        verbose_name = _("project")
        verbose_name_plural = _("projects")
        constraints = [
            models.CheckConstraint(
                condition=models.Q(end_date__gt=models.F("start_date")),
                name="project_ends_after_start",
            )
        ]

    def __str__(self) -> str:
        return self.short_name or self.name

    def get_absolute_url(self) -> str:
        return reverse("programmes:project_detail")

    def clean(self) -> None:
        if self.start_date and self.end_date and self.end_date <= self.start_date:
            raise ValidationError({"end_date": _("The project must end after it starts.")})

    @property
    def grant_share(self) -> Decimal | None:
        """The grant as a share of the total budget; the RIF allows at most one third."""
        if not self.total_budget:
            return None
        return self.grant_amount / self.total_budget

    @property
    def grant_within_limit(self) -> bool:
        """The RIF rule: the grant is at most one third of the total budget (exact, no rounding)."""
        return self.grant_amount * 3 <= self.total_budget

    @property
    def duration_days(self) -> int:
        return (self.end_date - self.start_date).days + 1

    def month_number(self, day: date) -> int:
        """The project month `day` falls in: 1 in the first month, 0 before the start."""
        if day < self.start_date:
            return 0
        months = (day.year - self.start_date.year) * 12 + day.month - self.start_date.month
        if day.day < self.start_date.day:
            months -= 1
        return months + 1

    def elapsed_fraction(self, day: date) -> float:
        if day <= self.start_date:
            return 0.0
        if day >= self.end_date:
            return 1.0
        return (day - self.start_date).days / self.duration_days

    def quarters(self) -> list[tuple[int, date, date]]:
        """(number, first day, last day) of each project quarter, counted from the start."""
        return list(_quarters(self.start_date, self.end_date))

    def quarter_of(self, day: date) -> tuple[int, date, date] | None:
        return next((q for q in self.quarters() if q[1] <= day <= q[2]), None)

    def is_closed(self, period_end: date) -> bool:
        return bool(self.closed_until and period_end <= self.closed_until)

    def phase_on(self, day: date) -> str:
        if day < self.start_date:
            return "not_started"
        if day > self.end_date:
            return "ended"
        return "running"


class ProgrammeLine(TranslatedFieldsMixin, models.Model):
    project = models.ForeignKey(
        Project, verbose_name=_("project"), on_delete=models.CASCADE, related_name="lines"
    )
    number = models.PositiveSmallIntegerField(_("number"))
    slug = models.SlugField(_("slug"), max_length=80)
    name = models.CharField(_("name"), max_length=200)
    name_en = models.CharField(_("name (English)"), max_length=200, blank=True)
    summary = models.CharField(_("summary"), max_length=300, blank=True)
    summary_en = models.CharField(_("summary (English)"), max_length=300, blank=True)
    description = models.TextField(_("description"), blank=True)
    description_en = models.TextField(_("description (English)"), blank=True)

    class Meta:
        ordering = ["project", "number"]
        verbose_name = _("programme line")
        verbose_name_plural = _("programme lines")
        constraints = [
            models.UniqueConstraint(fields=["project", "number"], name="line_number_per_project"),
            models.UniqueConstraint(fields=["project", "slug"], name="line_slug_per_project"),
        ]

    def __str__(self) -> str:
        # In the active language: forms and filters offer the lines by this.
        return f"{self.number}. {self.title}"

    @property
    def description_text(self) -> str:
        return self.translated("description")


class CostCategory(models.TextChoices):
    STAFF = "staff", _("Staff")
    MATERIALS = "materials", _("Materials")
    OTHER = "other", _("Other")


class BudgetLine(models.Model):
    """The budget per programme line, cost category and project year."""

    project = models.ForeignKey(Project, on_delete=models.CASCADE, related_name="budget_lines")
    programme_line = models.ForeignKey(
        ProgrammeLine,
        verbose_name=_("programme line"),
        on_delete=models.CASCADE,
        related_name="budget_lines",
    )
    category = models.CharField(_("cost category"), max_length=20, choices=CostCategory.choices)
    year = models.PositiveSmallIntegerField(_("project year"), validators=[MinValueValidator(1)])
    amount = models.DecimalField(
        _("amount (€)"),
        max_digits=12,
        decimal_places=2,
        validators=[MinValueValidator(Decimal("0"))],
    )

    class Meta:
        ordering = ["programme_line__number", "year", "category"]
        verbose_name = _("budget line")
        verbose_name_plural = _("budget lines")
        constraints = [
            models.UniqueConstraint(
                fields=["project", "programme_line", "category", "year"], name="one_budget_line"
            )
        ]

    def __str__(self) -> str:
        return f"{self.programme_line} {self.get_category_display()} {self.year}"


class Commitment(models.Model):
    """What a partner pledged in the cooperation agreement for one project year."""

    project = models.ForeignKey(Project, on_delete=models.CASCADE, related_name="commitments")
    organisation = models.ForeignKey(
        Organisation,
        verbose_name=_("partner"),
        on_delete=models.CASCADE,
        related_name="commitments",
    )
    year = models.PositiveSmallIntegerField(_("project year"), validators=[MinValueValidator(1)])
    hours = models.DecimalField(
        _("in-kind hours"),
        max_digits=8,
        decimal_places=1,
        default=Decimal("0"),
        validators=[MinValueValidator(Decimal("0"))],
    )
    hourly_rate = models.DecimalField(
        _("hourly rate (€)"),
        max_digits=8,
        decimal_places=2,
        null=True,
        blank=True,
        validators=[MinValueValidator(Decimal("0"))],
        help_text=_("Leave empty to use the project's rate."),
    )
    in_kind_amount = models.DecimalField(
        _("other in kind (€)"),
        max_digits=12,
        decimal_places=2,
        default=Decimal("0"),
        validators=[MinValueValidator(Decimal("0"))],
    )
    cash_amount = models.DecimalField(
        _("cash (€)"),
        max_digits=12,
        decimal_places=2,
        default=Decimal("0"),
        validators=[MinValueValidator(Decimal("0"))],
    )

    class Meta:
        ordering = ["organisation__name", "year"]
        verbose_name = _("commitment")
        verbose_name_plural = _("commitments")
        constraints = [
            models.UniqueConstraint(
                fields=["project", "organisation", "year"], name="one_commitment_per_year"
            )
        ]

    def __str__(self) -> str:
        return f"{self.organisation} {self.year}"

    def rate(self, project_rate: Decimal) -> Decimal:
        return self.hourly_rate if self.hourly_rate is not None else project_rate

    def value(self, project_rate: Decimal) -> Decimal:
        """The pledge in euros: hours at the rate, plus other in kind, plus cash."""
        return self.hours * self.rate(project_rate) + self.in_kind_amount + self.cash_amount


class Direction(models.TextChoices):
    UP = "up", _("Higher is better")
    DOWN = "down", _("Lower is better")


class IndicatorSource(models.TextChoices):
    DERIVED = "derived", _("Derived from civbio's data")
    REPORTED = "reported", _("Reported by hand")


class DerivedMeasure(models.TextChoices):
    """What civbio counts by itself (see reports.kpis)."""

    GUEST_LESSONS = "guest_lessons", _("Guest lessons delivered")
    STUDENTS_REACHED = "students_reached", _("Students reached by delivered activities")
    PLACES_OFFERED = "places_offered", _("Internship and learning-work places offered")
    PLACES_FILLED = "places_filled", _("Places filled (placements)")
    EDITIONS_RUN = "editions_run", _("Module editions started")
    UNITS_COMPLETED = "units_completed", _("Module units completed by students")
    TEACHERS_TRAINED = "teachers_trained", _("Teachers and workplace trainers trained")
    RESEARCH_PROJECTS = "research_projects", _("Research projects started")
    RESEARCH_OUTPUTS = "research_outputs", _("Research outputs")
    PEOPLE_REACHED = "people_reached", _("People reached by image activities")
    ACTIVE_PARTNERS = "active_partners", _("Partners active in the period")
    COFINANCING = "cofinancing", _("Co-financing realised (€)")


# Measures that count students: outside the schools and the project office, small counts of them
# are not shown (reports.figures.protect); a reported indicator says so with counts_students.
STUDENT_MEASURES = frozenset(
    {
        DerivedMeasure.STUDENTS_REACHED,
        DerivedMeasure.PLACES_FILLED,
        DerivedMeasure.UNITS_COMPLETED,
    }
)


class Indicator(TranslatedFieldsMixin, models.Model):
    """A KPI of a programme line, with its targets."""

    project = models.ForeignKey(Project, on_delete=models.CASCADE, related_name="indicators")
    programme_line = models.ForeignKey(
        ProgrammeLine,
        verbose_name=_("programme line"),
        on_delete=models.CASCADE,
        related_name="indicators",
    )
    name = models.CharField(_("name"), max_length=200)
    name_en = models.CharField(_("name (English)"), max_length=200, blank=True)
    unit = models.CharField(_("unit"), max_length=40)
    unit_en = models.CharField(_("unit (English)"), max_length=40, blank=True)
    direction = models.CharField(
        _("direction"), max_length=4, choices=Direction.choices, default=Direction.UP
    )
    baseline = models.DecimalField(
        _("baseline"), max_digits=12, decimal_places=1, default=Decimal("0")
    )
    source = models.CharField(_("source"), max_length=10, choices=IndicatorSource.choices)
    measure = models.CharField(
        _("derived from"), max_length=30, choices=DerivedMeasure.choices, blank=True
    )
    counts_students = models.BooleanField(
        _("counts students"),
        default=False,
        help_text=_(
            "A reported figure of students or graduates: funders and the public never see a "
            "count under 5."
        ),
    )
    target_2y = models.DecimalField(_("target at 2 years"), max_digits=12, decimal_places=1)
    target_4y = models.DecimalField(_("target at 4 years"), max_digits=12, decimal_places=1)
    position = models.PositiveSmallIntegerField(_("order"), default=0)
    # Retired, never deleted: its reported figures and the reports that showed it stay as they
    # were; from this day on the KPI pages, dashboards and reports leave it out.
    retired_on = models.DateField(_("retired on"), null=True, blank=True)
    updated_at = models.DateTimeField(auto_now=True)

    objects = IndicatorQuerySet.as_manager()

    class Meta:
        ordering = ["programme_line__number", "position", "name"]
        verbose_name = _("indicator")
        verbose_name_plural = _("indicators")

    def __str__(self) -> str:
        return self.title

    @property
    def unit_text(self) -> str:
        return self.translated("unit")

    @property
    def is_student_figure(self) -> bool:
        """Its figures count students, derived or reported: protected wherever funders or the
        public look."""
        return self.counts_students or self.measure in STUDENT_MEASURES

    def clean(self) -> None:
        if self.source == IndicatorSource.DERIVED and not self.measure:
            raise ValidationError({"measure": _("Say what a derived indicator counts.")})
        if self.source != IndicatorSource.DERIVED:
            # "Derived from" says nothing of a reported figure: partners report it as it is.
            self.measure = ""

    def is_retired_on(self, day: date) -> bool:
        return self.retired_on is not None and self.retired_on <= day

    def target_for_year(self, year: int) -> Decimal:
        """Targets per project year: the 2-year target halfway, the 4-year target at the end,
        straight lines in between (overridden by an IndicatorTarget when one is set)."""
        if year <= 2:
            return self.target_2y * year / 2
        return self.target_2y + (self.target_4y - self.target_2y) * (year - 2) / 2


class IndicatorTarget(models.Model):
    indicator = models.ForeignKey(Indicator, on_delete=models.CASCADE, related_name="targets")
    year = models.PositiveSmallIntegerField(_("project year"), validators=[MinValueValidator(1)])
    value = models.DecimalField(_("target"), max_digits=12, decimal_places=1)

    class Meta:
        constraints = [
            models.UniqueConstraint(fields=["indicator", "year"], name="one_target_per_year")
        ]

    def __str__(self) -> str:
        return f"{self.indicator} {self.year}: {self.value}"


class ReportStatus(models.TextChoices):
    SUBMITTED = "submitted", _("Submitted")
    APPROVED = "approved", _("Approved")
    REJECTED = "rejected", _("Rejected")


class IndicatorValue(models.Model):
    """A reported figure for a quarter (inflow into mbo, progression, diplomas, …)."""

    indicator = models.ForeignKey(Indicator, on_delete=models.CASCADE, related_name="values")
    period_start = models.DateField(_("quarter starting"))
    value = models.DecimalField(
        _("value"), max_digits=12, decimal_places=1, validators=[MinValueValidator(Decimal("0"))]
    )
    note = models.CharField(_("source or note"), max_length=300, blank=True)
    status = models.CharField(
        max_length=20, choices=ReportStatus.choices, default=ReportStatus.SUBMITTED
    )
    submitted_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, blank=True, related_name="+"
    )
    decided_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, blank=True, related_name="+"
    )
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        ordering = ["-period_start"]
        constraints = [
            models.UniqueConstraint(
                fields=["indicator", "period_start"],
                condition=~models.Q(status="rejected"),
                name="one_live_value_per_period",
            )
        ]

    def __str__(self) -> str:
        return f"{self.indicator} {self.period_start}: {self.value}"


class MilestoneKind(models.TextChoices):
    MILESTONE = "milestone", _("Milestone")
    DELIVERABLE = "deliverable", _("Deliverable")
    FUND_REPORT = "fund_report", _("Report to the fund")
    REVIEW = "review", _("Mid-term review")


class MilestoneStatus(models.TextChoices):
    PLANNED = "planned", _("Planned")
    REACHED = "reached", _("Reached")
    MISSED = "missed", _("Missed")


class Milestone(models.Model):
    project = models.ForeignKey(Project, on_delete=models.CASCADE, related_name="milestones")
    programme_line = models.ForeignKey(
        ProgrammeLine,
        verbose_name=_("programme line"),
        on_delete=models.CASCADE,
        null=True,
        blank=True,
        related_name="milestones",
    )
    kind = models.CharField(_("kind"), max_length=20, choices=MilestoneKind.choices)
    title = models.CharField(_("title"), max_length=200)
    title_en = models.CharField(_("title (English)"), max_length=200, blank=True)
    description = models.TextField(_("description"), blank=True)
    owner_organisation = models.ForeignKey(
        Organisation,
        verbose_name=_("owner"),
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="milestones",
    )
    owner = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("owner (person)"),
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="milestones",
    )
    due_date = models.DateField(_("due"))
    status = models.CharField(
        _("status"), max_length=20, choices=MilestoneStatus.choices, default=MilestoneStatus.PLANNED
    )
    reached_on = models.DateField(_("reached on"), null=True, blank=True)
    evidence = models.CharField(_("evidence"), max_length=300, blank=True)
    reason = models.CharField(_("reason if missed"), max_length=300, blank=True)
    # Milestones civbio creates by itself (the fund's moments) carry a key, so they are made once.
    system_key = models.CharField(max_length=40, blank=True, editable=False)
    updated_at = models.DateTimeField(auto_now=True)

    class Meta:
        ordering = ["due_date"]
        verbose_name = _("milestone")
        verbose_name_plural = _("milestones")
        constraints = [
            models.UniqueConstraint(
                fields=["project", "system_key"],
                condition=~models.Q(system_key=""),
                name="one_system_milestone",
            )
        ]

    def __str__(self) -> str:
        return self.title_text

    @property
    def title_text(self) -> str:
        """The title in the active language (the English one when there is one)."""
        if translation.get_language() == "en" and self.title_en:
            return self.title_en
        return self.title


class Narrative(models.Model):
    """The coordinators' quarterly story per programme line, which the reports quote."""

    programme_line = models.ForeignKey(
        ProgrammeLine, on_delete=models.CASCADE, related_name="narratives"
    )
    period_start = models.DateField(_("quarter starting"))
    highlights = models.TextField(_("highlights"), blank=True)
    deviations = models.TextField(_("deviations and measures"), blank=True)
    risks = models.TextField(_("risks"), blank=True)
    updated_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, blank=True, related_name="+"
    )
    updated_at = models.DateTimeField(auto_now=True)

    class Meta:
        constraints = [
            models.UniqueConstraint(
                fields=["programme_line", "period_start"], name="one_narrative_per_quarter"
            )
        ]

    def __str__(self) -> str:
        return f"{self.programme_line} {self.period_start}"


@functools.lru_cache(maxsize=64)
def _quarters(start_date: date, end_date: date) -> tuple[tuple[int, date, date], ...]:
    """The project's quarters, worked out once per start and end: a dashboard asks six times
    (working them out was a noticeable part of its time)."""
    # Each quarter counted from the start date itself, so a start late in a month (the 31st)
    # does not make the quarters drift.
    quarters, number = [], 1
    while (start := start_date + relativedelta(months=3 * (number - 1))) <= end_date:
        next_start = start_date + relativedelta(months=3 * number)
        quarters.append((number, start, min(next_start - timedelta(days=1), end_date)))
        number += 1
    return tuple(quarters)
