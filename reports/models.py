"""Funder reports: generated in the background, tracked in a row, published once and then
never changed (a correction is a new version). And the figures of closed quarters, stored when
the quarter closed, which pages and reports read instead of counting them again."""

from django.conf import settings
from django.db import models
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from activities.models import ActivityKind
from partners.models import Organisation
from programmes.models import DerivedMeasure, ProgrammeLine, Project


class ReportKind(models.TextChoices):
    QUARTERLY = "quarterly", _("Quarterly report")
    ANNUAL = "annual", _("Annual progress report")
    FINAL = "final", _("Final report (draft)")


class ReportState(models.TextChoices):
    QUEUED = "queued", _("Queued")
    RUNNING = "running", _("Being made")
    READY = "ready", _("Ready")
    FAILED = "failed", _("Failed")


REPORT_FORMATS = {
    "pdf": ("application/pdf", "pdf"),
    "xlsx": ("application/vnd.openxmlformats-officedocument.spreadsheetml.sheet", "xlsx"),
    "csv": ("application/zip", "zip"),
}


def report_path(report: "Report", filename: str) -> str:
    return f"reports/{report.kind}-{report.number}-v{report.version}/{filename}"


class Report(models.Model):
    kind = models.CharField(_("kind"), max_length=12, choices=ReportKind.choices)
    # The quarter's number for a quarterly report, the project year's for an annual one, 0 for
    # the final report.
    number = models.PositiveSmallIntegerField(_("number"))
    period_start = models.DateField(_("from"))
    period_end = models.DateField(_("until"))
    version = models.PositiveSmallIntegerField(_("version"), default=1)
    state = models.CharField(
        _("state"), max_length=10, choices=ReportState.choices, default=ReportState.QUEUED
    )
    progress = models.PositiveSmallIntegerField(_("progress (%)"), default=0)
    error = models.CharField(_("error"), max_length=500, blank=True)
    attempts = models.PositiveSmallIntegerField(default=0)
    requested_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("requested by"),
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="+",
    )
    created_at = models.DateTimeField(auto_now_add=True)
    # When its task was last sent: a queued report whose task was lost (a Redis restart) is
    # sent again once this is REPORT_STUCK_SECONDS old.
    queued_at = models.DateTimeField(default=timezone.now)
    started_at = models.DateTimeField(null=True, blank=True)
    # Written every REPORT_HEARTBEAT_SECONDS while a worker makes the report: a running report
    # whose heartbeat stopped is handed to another worker.
    heartbeat_at = models.DateTimeField(null=True, blank=True)
    # The run that holds it: the task's id and the process making it (host:pid). The same task
    # delivered again after its process died takes the report over at once; another run waits
    # until the heartbeat is stale (reports.services._claim).
    run_token = models.CharField(max_length=64, blank=True)
    runner = models.CharField(max_length=255, blank=True)
    finished_at = models.DateTimeField(null=True, blank=True)
    pdf = models.FileField(upload_to=report_path, blank=True)
    xlsx = models.FileField(upload_to=report_path, blank=True)
    csv = models.FileField(upload_to=report_path, blank=True)
    pdf_sha256 = models.CharField(max_length=64, blank=True)
    xlsx_sha256 = models.CharField(max_length=64, blank=True)
    csv_sha256 = models.CharField(max_length=64, blank=True)
    published_at = models.DateTimeField(_("published"), null=True, blank=True)
    published_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="+",
    )

    class Meta:
        verbose_name = _("report")
        verbose_name_plural = _("reports")
        ordering = ["-period_start", "-version"]
        constraints = [
            models.UniqueConstraint(
                fields=["kind", "number", "version"], name="one_report_per_period_and_version"
            ),
            # At most one version of a period is being worked on: asking twice finds it.
            models.UniqueConstraint(
                fields=["kind", "number"],
                condition=models.Q(published_at__isnull=True),
                name="one_unpublished_report_per_period",
            ),
        ]

    def __str__(self) -> str:
        return f"{self.get_kind_display()} {self.number} v{self.version}"

    def get_absolute_url(self) -> str:
        return reverse("reports:report_list") + f"#report-{self.pk}"

    @property
    def is_published(self) -> bool:
        return self.published_at is not None

    @property
    def is_busy(self) -> bool:
        return self.state in (ReportState.QUEUED, ReportState.RUNNING)

    @property
    def heartbeat_age(self) -> int | None:
        """Whole seconds since the worker making it last showed a sign of life."""
        if self.heartbeat_at is None:
            return None
        return max(0, int((timezone.now() - self.heartbeat_at).total_seconds()))

    @property
    def is_lost(self) -> bool:
        """Being made, but its worker went silent: the stuck-report sweep gives it to another."""
        age = self.heartbeat_age
        return (
            self.state == ReportState.RUNNING
            and age is not None
            and age >= settings.REPORT_STUCK_SECONDS
        )

    def file_for(self, fmt: str):
        return getattr(self, fmt)

    def checksum_for(self, fmt: str) -> str:
        return getattr(self, f"{fmt}_sha256")


# Closed quarters ---------------------------------------------------------------------------------


class ClosedQuarter(models.Model):
    """A project quarter whose report is final. Its figures were stored when it closed (the
    tables below, written by reports.closing), and pages and reports read them from there: only
    the open quarters are counted live. Closing quarter N closes every quarter before it, so the
    closed quarters are always the first ones."""

    project = models.ForeignKey(Project, on_delete=models.CASCADE, related_name="+")
    number = models.PositiveSmallIntegerField(_("quarter"))
    first_day = models.DateField(_("from"))
    last_day = models.DateField(_("until"))
    closed_at = models.DateTimeField(_("closed"), default=timezone.now)
    closed_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("closed by"),
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="+",
    )

    class Meta:
        verbose_name = _("closed quarter")
        verbose_name_plural = _("closed quarters")
        ordering = ["project", "number"]
        constraints = [
            models.UniqueConstraint(fields=["project", "number"], name="one_closed_quarter")
        ]

    def __str__(self) -> str:
        return f"{self.project} Q{self.number}"


class QuarterMeasure(models.Model):
    """A derived KPI measure (reports.kpis) as it stood when its quarter closed; every measure
    is stored, zeros too."""

    quarter = models.ForeignKey(ClosedQuarter, on_delete=models.CASCADE, related_name="measures")
    measure = models.CharField(max_length=30, choices=DerivedMeasure.choices)
    # Exact: euros of hours at a rate have three decimals.
    value = models.DecimalField(max_digits=18, decimal_places=3)

    class Meta:
        constraints = [
            models.UniqueConstraint(fields=["quarter", "measure"], name="one_measure_per_quarter")
        ]

    def __str__(self) -> str:
        return f"{self.quarter} {self.measure}: {self.value}"


class QuarterPartner(models.Model):
    """A partner's figures in a closed quarter: whether it counted as active (an approved
    contribution), whether it showed any sign of life (reports.figures.partner_engagement),
    and its counted co-financing (reports.figures.finance_overview). Partners with none of these
    have no row."""

    quarter = models.ForeignKey(ClosedQuarter, on_delete=models.CASCADE, related_name="partners")
    organisation = models.ForeignKey(Organisation, on_delete=models.PROTECT, related_name="+")
    active = models.BooleanField(default=False)
    engaged = models.BooleanField(default=False)
    hours = models.DecimalField(max_digits=12, decimal_places=1, default=0)
    in_kind = models.DecimalField(max_digits=18, decimal_places=3, default=0)
    cash = models.DecimalField(max_digits=18, decimal_places=2, default=0)

    class Meta:
        constraints = [
            models.UniqueConstraint(
                fields=["quarter", "organisation"], name="one_partner_row_per_quarter"
            )
        ]

    def __str__(self) -> str:
        return f"{self.quarter} {self.organisation_id}"


class QuarterLine(models.Model):
    """The co-financing realised on a programme line in a closed quarter."""

    quarter = models.ForeignKey(ClosedQuarter, on_delete=models.CASCADE, related_name="lines")
    programme_line = models.ForeignKey(ProgrammeLine, on_delete=models.PROTECT, related_name="+")
    realised = models.DecimalField(max_digits=18, decimal_places=3)

    class Meta:
        constraints = [
            models.UniqueConstraint(
                fields=["quarter", "programme_line"], name="one_line_row_per_quarter"
            )
        ]

    def __str__(self) -> str:
        return f"{self.quarter} line {self.programme_line_id}: {self.realised}"


class QuarterActivities(models.Model):
    """How many activities of a kind took place on a line in a closed quarter
    (reports.figures.activities_happened)."""

    quarter = models.ForeignKey(ClosedQuarter, on_delete=models.CASCADE, related_name="activities")
    kind = models.CharField(max_length=20, choices=ActivityKind.choices)
    programme_line = models.ForeignKey(ProgrammeLine, on_delete=models.PROTECT, related_name="+")
    count = models.PositiveIntegerField()

    class Meta:
        constraints = [
            models.UniqueConstraint(
                fields=["quarter", "kind", "programme_line"], name="one_count_per_kind_and_line"
            )
        ]

    def __str__(self) -> str:
        return f"{self.quarter} {self.kind} line {self.programme_line_id}: {self.count}"
