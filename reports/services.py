"""Funder reports: ask for one, make it in the background, publish it, correct it with a new
version. The report row holds the real state, so a lost task is found and queued again."""

import hashlib
import logging
import os
import socket
import threading
import time
import uuid
from contextlib import contextmanager
from datetime import timedelta

from django.conf import settings
from django.core.exceptions import PermissionDenied, ValidationError
from django.core.files.base import ContentFile
from django.db import IntegrityError, connection, transaction
from django.db.models import Max, Q
from django.utils import timezone, translation
from django.utils.translation import gettext as _
from kombu.exceptions import OperationalError as BrokerUnreachable

from civbio import rules
from civbio.celery import app as celery_app
from partners.models import User
from programmes.periods import Period, period_by_key
from programmes.selectors import current_project
from reports import renderers
from reports.contents import report_contents
from reports.models import Report, ReportKind, ReportState

logger = logging.getLogger(__name__)

PERIOD_PREFIX: dict[str, str] = {
    ReportKind.QUARTERLY: "q",
    ReportKind.ANNUAL: "y",
    ReportKind.FINAL: "all",
}


def period_of(project, kind: str, number: int) -> Period | None:
    key = "all" if kind == ReportKind.FINAL else f"{PERIOD_PREFIX[kind]}{number}"
    return period_by_key(project, key)


# Sending a task to a broker that is down gives up after this, instead of holding the request.
ENQUEUE_RETRY = {"max_retries": 1, "interval_start": 0, "interval_step": 0.5, "interval_max": 0.5}
# The task that makes a report, found by its name in Celery's registry: reports.tasks calls the
# services here (its periodic tasks ask for reports, which queues them), so these services do not
# import it back. reports/apps.py imports reports.tasks, which registers it in every process.
GENERATE_REPORT_TASK = "reports.tasks.generate_report"


def _send(report_id: int) -> None:
    """Send the report's task. A broker that cannot be reached never breaks the caller: the row
    stays queued, the page says so, and the stuck-report sweep (requeue_stuck_reports) sends it
    again once the broker is back."""
    generate_report = celery_app.tasks[GENERATE_REPORT_TASK]
    try:
        generate_report.apply_async((report_id,), retry=True, retry_policy=ENQUEUE_RETRY)
    except (BrokerUnreachable, OSError):
        logger.exception("report %s queued, but its task could not be sent yet", report_id)


def _enqueue(report: Report) -> None:
    """Send the report's task once the row is committed."""
    transaction.on_commit(lambda: _send(report.pk))


# What asking for a report did (request_report).
MADE, REMADE, BUSY = "made", "remade", "busy"


def request_report(*, actor: User | None, kind: str, number: int) -> tuple[Report, str]:
    """The report of a period, queued for making (MADE: a new version). Asking again while a
    version is queued or being made gives that one back (BUSY); asking again for a version that
    is ready or failed but unpublished makes it again from today's figures (REMADE), so what is
    asked for is never an old file whose figures have changed since. A published version never
    changes: asking again after it makes the next version."""
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
        if existing.is_busy or not _requeue(existing, ready=True):
            return existing, BUSY
        existing.refresh_from_db()
        return existing, REMADE
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
        return Report.objects.get(kind=kind, number=number, published_at__isnull=True), BUSY
    _enqueue(report)
    return report, MADE


def _requeue(report: Report, *, ready: bool) -> bool:
    """Queue an unpublished report again, when it failed, its worker was lost or (`ready`) it is
    ready: a conditional update, so a report being published or made meanwhile is left alone.
    The task is sent once the queuing commits."""
    again = Q(state=ReportState.FAILED) | Q(state=ReportState.RUNNING, heartbeat_at__lt=_stale())
    if ready:
        again |= Q(state=ReportState.READY)
    with transaction.atomic():
        updated = Report.objects.filter(again, pk=report.pk, published_at__isnull=True).update(
            state=ReportState.QUEUED, progress=0, error="", queued_at=timezone.now()
        )
        if updated:
            _enqueue(report)
    return bool(updated)


@transaction.atomic
def retry_report(*, actor: User, report: Report) -> Report:
    """Queue a failed or stuck report again, or make a ready, unpublished one again from today's
    figures (its files are replaced; a published report never changes)."""
    if not rules.is_coordinator(actor):
        raise PermissionDenied
    if not _requeue(report, ready=True):
        raise ValidationError(
            _("Only a failed, stuck or ready unpublished report can be made again.")
        )
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


def _this_process() -> str:
    return f"{socket.gethostname()}:{os.getpid()}"


def _process_gone(runner: str) -> bool:
    """Whether the process that held a run is known to be dead: it ran on this machine and no
    process has its id any more (a killed pool process, whose task Celery delivers again). A
    process on another machine is never known dead here: its heartbeat going stale tells."""
    host, _sep, pid = runner.rpartition(":")
    if host != socket.gethostname() or not pid.isdigit():
        return False
    try:
        os.kill(int(pid), 0)
    except ProcessLookupError:
        return True
    except PermissionError:  # alive, someone else's
        return False
    return False


def _claim(report_id: int, run: str) -> int | None:
    """Take the report for this run and return the attempt number that fences it, or None.

    Claimable: a queued report; a running one whose heartbeat is stale (its worker went
    silent); or a running one held by this same run (the same task, delivered again by the
    broker) whose process has died, as when a pool process is killed and Celery redelivers its
    task at once. Any other run is refused while the heartbeat is fresh, so a report is never
    made by two runs at the same time; the row lock makes the check and the claim one step."""
    with transaction.atomic():
        report = (
            Report.objects.select_for_update()
            .filter(pk=report_id, published_at__isnull=True)
            .first()
        )
        if report is None or report.state not in (ReportState.QUEUED, ReportState.RUNNING):
            return None
        if report.state == ReportState.RUNNING and not (
            report.heartbeat_at is None
            or report.heartbeat_at < _stale()
            or (report.run_token == run and _process_gone(report.runner))
        ):
            return None
        now = timezone.now()
        report.state = ReportState.RUNNING
        report.progress = 0
        report.started_at = report.heartbeat_at = now
        report.attempts += 1
        report.error = ""
        report.run_token = run
        report.runner = _this_process()
        report.save(
            update_fields=[
                "state",
                "progress",
                "started_at",
                "heartbeat_at",
                "attempts",
                "error",
                "run_token",
                "runner",
            ]
        )
        return report.attempts


class _Displaced(Exception):
    """Another run took the report over (this one was taken for lost): stop without a word."""


def _held(report_id: int, attempt: int):
    """The report's row while this attempt still holds it."""
    return Report.objects.filter(pk=report_id, state=ReportState.RUNNING, attempts=attempt)


@contextmanager
def _heartbeat(report_id: int, attempt: int):
    """Write the heartbeat every REPORT_HEARTBEAT_SECONDS from a thread of its own (with its own
    database connection), so a long step never looks like a dead worker."""
    stop = threading.Event()

    def beat() -> None:
        try:
            while not stop.wait(settings.REPORT_HEARTBEAT_SECONDS):
                try:
                    _held(report_id, attempt).update(heartbeat_at=timezone.now())
                except Exception:
                    logger.exception("report %s: heartbeat not written", report_id)
        finally:
            connection.close()

    thread = threading.Thread(target=beat, name=f"report-{report_id}-heartbeat", daemon=True)
    thread.start()
    try:
        yield
    finally:
        stop.set()
        thread.join(timeout=10)


def _step(report_id: int, attempt: int, progress: int) -> None:
    if not _held(report_id, attempt).update(progress=progress, heartbeat_at=timezone.now()):
        raise _Displaced
    if settings.REPORT_STEP_PAUSE:  # lets the test suite stop a worker half-way
        time.sleep(settings.REPORT_STEP_PAUSE)


def generate_report(report_id: int, run: str | None = None) -> bool:
    """Make the report's PDF, workbook and CSV bundle and store them with their checksums.
    `run` names this run (the Celery task's id, the same when the broker delivers it again).
    Returns False when there was nothing to do (made already, or held by another run)."""
    attempt = _claim(report_id, run or uuid.uuid4().hex)
    if attempt is None:
        return False
    report = Report.objects.get(pk=report_id)
    try:
        with _heartbeat(report_id, attempt):
            project = current_project()
            period = period_of(project, report.kind, report.number)
            if project is None or period is None:
                # Asked for a period of the project (request_report); gone only when the
                # project or its dates changed since.
                raise LookupError(f"{report.kind} {report.number}: no such period in the project")
            with translation.override(settings.LANGUAGE_CODE):
                _step(report_id, attempt, 10)
                contents = report_contents(project, period)
                _step(report_id, attempt, 40)
                files = {"pdf": renderers.render_pdf({**contents, "report": report})}
                _step(report_id, attempt, 70)
                files["xlsx"] = renderers.render_xlsx(contents)
                files["csv"] = renderers.render_csv_zip(contents)
                _step(report_id, attempt, 90)
        stamp = f"civbio-{report.kind}-{report.number}-v{report.version}"
        extensions = {"pdf": "pdf", "xlsx": "xlsx", "csv": "zip"}
        with transaction.atomic():
            report = Report.objects.select_for_update().get(pk=report_id)
            if (
                report.state != ReportState.RUNNING
                or report.attempts != attempt
                or report.published_at
            ):
                return False
            # A report made again replaces its files: the old ones go once the new are saved.
            replaced = [
                (field.storage, field.name) for fmt in files if (field := report.file_for(fmt))
            ]
            transaction.on_commit(lambda: _delete_files(replaced))
            for fmt, data in files.items():
                getattr(report, fmt).save(
                    f"{stamp}.{extensions[fmt]}", ContentFile(data), save=False
                )
                setattr(report, f"{fmt}_sha256", hashlib.sha256(data).hexdigest())
            report.state = ReportState.READY
            report.progress = 100
            report.finished_at = timezone.now()
            report.save()
    except _Displaced:
        logger.warning("report %s: attempt %s was taken over by another run", report_id, attempt)
        return False
    except Exception as exc:
        logger.exception("report %s failed", report_id)
        _held(report_id, attempt).update(
            state=ReportState.FAILED, error=f"{type(exc).__name__}: {exc}"[:500]
        )
        raise
    return True


def _delete_files(files: list) -> None:
    for storage, name in files:
        try:
            storage.delete(name)
        except OSError:
            logger.exception("old report file %s not removed", name)


def requeue_stuck_reports() -> list[int]:
    """Send again the task of each report whose worker was lost: running with a stale heartbeat,
    or queued with no worker taking it (its message lost, say with a Redis restart). Each at
    most once per REPORT_STUCK_SECONDS (queued_at records the sending), so sweeps that pile up
    while no worker runs send it once; the claim turns away any second delivery."""
    stale = _stale()
    lost = Q(state=ReportState.RUNNING, heartbeat_at__lt=stale) | Q(state=ReportState.QUEUED)
    candidates = Report.objects.filter(lost, queued_at__lt=stale, published_at__isnull=True)
    sent = []
    for pk in candidates.values_list("pk", flat=True):
        # Conditional, so two sweeps at once send it once.
        if candidates.filter(pk=pk).update(queued_at=timezone.now()):
            _send(pk)
            sent.append(pk)
    return sent


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
