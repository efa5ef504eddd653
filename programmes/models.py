"""The project, its programme lines and (later) its budget, targets and milestones."""

from datetime import date
from decimal import Decimal

from django.core.exceptions import ValidationError
from django.core.validators import MinValueValidator
from django.db import models
from django.urls import reverse
from django.utils import translation
from django.utils.translation import gettext_lazy as _

from partners.models import Organisation


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
        _("total budget"),
        max_digits=12,
        decimal_places=2,
        validators=[MinValueValidator(Decimal("0"))],
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
        return f"{self.number}. {self.name}"

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
