"""Funder reports: ask for one, make it in the background, publish it, correct it with a new
version. The report row holds the real state, so a lost task is found and queued again."""

import hashlib
import logging
import time
from datetime import timedelta

from django.conf import settings
from django.core.exceptions import PermissionDenied, ValidationError
from django.core.files.base import ContentFile
from django.db import IntegrityError, transaction
from django.db.models import F, Max, Q
from django.utils import timezone, translation
from django.utils.translation import gettext as _
from kombu.exceptions import OperationalError as BrokerUnreachable

from civbio import rules
from partners.models import User
from programmes.periods import Period, period_by_key
from programmes.selectors import current_project
from reports import renderers
from reports.contents import report_contents
from reports.models import Report, ReportKind, ReportState

logger = logging.getLogger(__name__)

PERIOD_PREFIX = {ReportKind.QUARTERLY: "q", ReportKind.ANNUAL: "y", ReportKind.FINAL: "all"}


def period_of(project, kind: str, number: int) -> Period | None:
    key = "all" if kind == ReportKind.FINAL else f"{PERIOD_PREFIX[kind]}{number}"
    return period_by_key(project, key)


# Sending a task to a broker that is down gives up after this, instead of holding the request.
ENQUEUE_RETRY = {"max_retries": 1, "interval_start": 0, "interval_step": 0.5, "interval_max": 0.5}


def _enqueue(report: Report) -> None:
    """Send the report's task once the row is committed. A broker that cannot be reached never
    breaks the request: the row stays queued, the page says so, and the stuck-report sweep
    (requeue_stuck_reports) sends it again once the broker is back."""
    from reports.tasks import generate_report

    def send() -> None:
        try:
            generate_report.apply_async((report.pk,), retry=True, retry_policy=ENQUEUE_RETRY)
        except (BrokerUnreachable, OSError):
            logger.exception("report %s queued, but its task could not be sent yet", report.pk)

    transaction.on_commit(send)


def request_report(*, actor: User | None, kind: str, number: int) -> tuple[Report, bool]:
    """The report of a period, queued for making. Asking again while a version is queued,
    being made or ready but unpublished gives that one back (created is False)."""
    if actor is not None and not rules.is_coordinator(actor):
        raise PermissionDenied
    project = current_project()
    number = 0 if kind == ReportKind.FINAL else number
    period = period_of(project, kind, number) if project and kind in ReportKind.values else None
    if period is None:
        raise ValidationError(_("There is no such period in the project."))
    if period.start > timezone.localdate():
        raise ValidationError(_("That period has not begun yet."))
    existing = Report.objects.filter(kind=kind, number=number, published_at__isnull=True).first()
    if existing:
        return existing, False
    try:
        with transaction.atomic():
            version = (
                Report.objects.filter(kind=kind, number=number).aggregate(v=Max("version"))["v"]
                or 0
            ) + 1
            report = Report.objects.create(
                kind=kind,
                number=number,
                period_start=period.start,
                period_end=period.end,
                version=version,
                requested_by=actor,
            )
    except IntegrityError:
        # Someone asked at the same moment: theirs is the one.
        return Report.objects.get(kind=kind, number=number, published_at__isnull=True), False
    _enqueue(report)
    return report, True


@transaction.atomic
def retry_report(*, actor: User, report: Report) -> Report:
    """Queue a failed or stuck report again."""
    if not rules.is_coordinator(actor):
        raise PermissionDenied
    updated = Report.objects.filter(
        Q(state=ReportState.FAILED) | Q(state=ReportState.RUNNING, heartbeat_at__lt=_stale()),
        pk=report.pk,
        published_at__isnull=True,
    ).update(state=ReportState.QUEUED, progress=0, error="")
    if not updated:
        raise ValidationError(_("Only a failed or stuck report can be made again."))
    _enqueue(report)
    return report


@transaction.atomic
def publish_report(*, actor: User, report: Report) -> Report:
    """Publish a ready report: funders see it, and it never changes again."""
    if not rules.is_coordinator(actor):
        raise PermissionDenied
    if not Report.objects.filter(
        pk=report.pk, state=ReportState.READY, published_at__isnull=True
    ).update(published_at=timezone.now(), published_by=actor):
        raise ValidationError(_("Only a ready, unpublished report can be published."))
    report.refresh_from_db()
    return report


def _stale():
    return timezone.now() - timedelta(seconds=settings.REPORT_STUCK_SECONDS)


def _claim(report_id: int) -> bool:
    """Take the report for this worker: a queued one, or a running one whose worker stopped
    beating. A conditional update, so two workers never make the same report."""
    now = timezone.now()
    return bool(
        Report.objects.filter(
            Q(state=ReportState.QUEUED) | Q(state=ReportState.RUNNING, heartbeat_at__lt=_stale()),
            pk=report_id,
            published_at__isnull=True,
        ).update(
            state=ReportState.RUNNING,
            progress=0,
            started_at=now,
            heartbeat_at=now,
            attempts=F("attempts") + 1,
            error="",
        )
    )


def _step(report_id: int, progress: int) -> None:
    Report.objects.filter(pk=report_id, state=ReportState.RUNNING).update(
        progress=progress, heartbeat_at=timezone.now()
    )
    if settings.REPORT_STEP_PAUSE:  # lets the test suite stop a worker half-way
        time.sleep(settings.REPORT_STEP_PAUSE)


def generate_report(report_id: int) -> bool:
    """Make the report's PDF, workbook and CSV bundle and store them with their checksums.
    Returns False when there was nothing to do (made already, or taken by another worker)."""
    if not _claim(report_id):
        return False
    report = Report.objects.get(pk=report_id)
    try:
        project = current_project()
        period = period_of(project, report.kind, report.number)
        with translation.override(settings.LANGUAGE_CODE):
            _step(report_id, 10)
            contents = report_contents(project, period)
            _step(report_id, 40)
            files = {"pdf": renderers.render_pdf({**contents, "report": report})}
            _step(report_id, 70)
            files["xlsx"] = renderers.render_xlsx(contents)
            files["csv"] = renderers.render_csv_zip(contents)
            _step(report_id, 90)
        stamp = f"civbio-{report.kind}-{report.number}-v{report.version}"
        extensions = {"pdf": "pdf", "xlsx": "xlsx", "csv": "zip"}
        with transaction.atomic():
            report = Report.objects.select_for_update().get(pk=report_id)
            if report.state != ReportState.RUNNING or report.published_at:
                return False
            for fmt, data in files.items():
                getattr(report, fmt).save(
                    f"{stamp}.{extensions[fmt]}", ContentFile(data), save=False
                )
                setattr(report, f"{fmt}_sha256", hashlib.sha256(data).hexdigest())
            report.state = ReportState.READY
            report.progress = 100
            report.finished_at = timezone.now()
            report.save()
    except Exception as exc:
        logger.exception("report %s failed", report_id)
        Report.objects.filter(pk=report_id, state=ReportState.RUNNING).update(
            state=ReportState.FAILED, error=f"{type(exc).__name__}: {exc}"[:500]
        )
        raise
    return True


def requeue_stuck_reports() -> list[int]:
    """Queue again the reports whose worker died: running without a heartbeat, or queued so
    long ago that their task was lost."""
    stale = _stale()
    ids = list(
        Report.objects.filter(
            Q(state=ReportState.RUNNING, heartbeat_at__lt=stale)
            | Q(state=ReportState.QUEUED, created_at__lt=stale),
            published_at__isnull=True,
        ).values_list("pk", flat=True)
    )
    from reports.tasks import generate_report as task

    for pk in ids:
        task.delay(pk)
    return ids


def schedule_due_reports(today=None) -> list[Report]:
    """Ten days after a quarter ends its report is asked for; at 13, 25 and 37 months the annual
    progress report of the year before. Each once (request_report finds an existing one)."""
    today = today or timezone.localdate()
    project = current_project()
    if project is None:
        return []
    made = []
    ended = [q for q in project.quarters() if q[2] + timedelta(days=10) <= today]
    if ended:
        number = ended[-1][0]
        if not Report.objects.filter(kind=ReportKind.QUARTERLY, number=number).exists():
            made.append(request_report(actor=None, kind=ReportKind.QUARTERLY, number=number)[0])
    month = project.month_number(today)
    if month in (13, 25, 37):
        year = (month - 1) // 12
        if not Report.objects.filter(kind=ReportKind.ANNUAL, number=year).exists():
            made.append(request_report(actor=None, kind=ReportKind.ANNUAL, number=year)[0])
    return made
