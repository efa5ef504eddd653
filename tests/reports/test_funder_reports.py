"""Funder reports: asked for on the page, made in the background (in-process and by a real
worker on Redis), downloadable with their checksum and every download logged, published once and
then immutable; the same figures as the funder dashboard; a killed worker's report is made again."""

import hashlib
import io
import os
import signal
import time
from datetime import date
from decimal import Decimal

import pytest
from django.urls import reverse
from django.utils import timezone
from openpyxl import load_workbook
from pypdf import PdfReader

from civbio import rounding
from ledger.models import Contribution, ContributionKind, ContributionStatus
from partners.models import AccessLog, Organisation, User
from programmes.models import Project
from reports import services
from reports.models import Report, ReportKind, ReportState
from tests.browser import submit

pytestmark = pytest.mark.django_db


def _ask(client, which: str, capture):
    url = reverse("reports:report_list")
    with capture(execute=True):
        return submit(client, url, {"which": which}, action=url)


def _download(client, report, fmt):
    response = client.get(reverse("reports:report_download", args=[report.pk, fmt]))
    body = b"".join(response.streaming_content) if response.status_code == 200 else b""
    return response, body


@pytest.fixture
def demo(demo_data, settings):
    settings.DEBUG = True
    return {
        "coordinator": User.objects.get(email="coordinator@demo.civbio.nl"),
        "funder": User.objects.get(email="financier@demo.civbio.nl"),
    }


def test_a_report_asked_for_on_the_page_is_made_and_downloads_with_its_checksum(
    client, demo, django_capture_on_commit_callbacks
):
    client.force_login(demo["coordinator"])

    response = _ask(client, "quarterly:15", django_capture_on_commit_callbacks)

    report = Report.objects.get()
    assert response.status_code == 302 and response.url.endswith(f"#report-{report.pk}")
    assert report.state == ReportState.READY and report.progress == 100
    pdf_response, pdf = _download(client, report, "pdf")
    assert pdf.startswith(b"%PDF")
    assert pdf_response["X-Checksum-SHA256"] == hashlib.sha256(pdf).hexdigest()
    assert pdf_response["X-Checksum-SHA256"] == report.pdf_sha256
    text = "\n".join(page.extract_text() for page in PdfReader(io.BytesIO(pdf)).pages)
    assert "Kwartaal 15" in text and "Samenvatting" in text and "Cofinanciering" in text
    _, xlsx = _download(client, report, "xlsx")
    workbook = load_workbook(io.BytesIO(xlsx))
    assert workbook.sheetnames[0] == "Samenvatting" and "Urenregister" in workbook.sheetnames
    _, bundle = _download(client, report, "csv")
    assert bundle.startswith(b"PK")
    logged = set(
        AccessLog.objects.filter(target_type="report", target_id=report.pk).values_list(
            "action", flat=True
        )
    )
    assert logged == {"download_pdf", "download_xlsx", "download_csv"}


def test_the_workbook_has_the_funder_dashboards_figures(
    client, demo, django_capture_on_commit_callbacks
):
    client.force_login(demo["coordinator"])
    _ask(client, "quarterly:15", django_capture_on_commit_callbacks)
    report = Report.objects.get()
    _, xlsx = _download(client, report, "xlsx")
    sheet = load_workbook(io.BytesIO(xlsx))["KPI's"]
    in_workbook = {row[1]: (row[4], row[5]) for row in sheet.iter_rows(min_row=2, values_only=True)}

    client.force_login(demo["funder"])
    context = client.get(reverse("reports:dashboard_funder") + "?period=q15").context

    on_dashboard = {
        row.indicator.title: (row.period_value, row.cumulative)
        for block in context["kpi_blocks"]
        for row in block["rows"]
    }

    def same(value):
        # The workbook holds a KPI figure as the dashboard writes it: whole, rounded half up.
        return "< 5" if value is None else float(rounding.whole(value))

    assert in_workbook == {k: (same(a), same(b)) for k, (a, b) in on_dashboard.items()}
    summary = dict(
        load_workbook(io.BytesIO(xlsx))["Samenvatting"].iter_rows(min_row=2, values_only=True)
    )
    total = context["finance_total"]
    assert summary["Cofinanciering gerealiseerd: geld"] == float(rounding.cents(total["cash"]))
    assert summary["Cofinanciering gerealiseerd: in natura"] == float(
        rounding.cents(total["in_kind"])
    )
    assert summary["Activiteiten die plaatsvonden"] == context["happened_total"]


def test_asking_twice_makes_one_report_and_a_published_one_never_changes(
    client, demo, django_capture_on_commit_callbacks
):
    client.force_login(demo["coordinator"])
    _ask(client, "quarterly:15", django_capture_on_commit_callbacks)
    _ask(client, "quarterly:15", django_capture_on_commit_callbacks)
    assert Report.objects.count() == 1
    report = Report.objects.get()

    # The publish button opens a page that says the report never changes; nothing happens yet.
    url = reverse("reports:report_publish", args=[report.pk])
    assert f'href="{url}"' in client.get(reverse("reports:report_list")).text
    confirmation = client.get(url)
    report.refresh_from_db()
    assert confirmation.status_code == 200 and not report.is_published
    assert "verandert deze versie nooit meer" in confirmation.text
    submit(client, url, button="yes")
    report.refresh_from_db()
    assert report.is_published
    # A correction is a new version; the published one keeps its files and checksum.
    _ask(client, "quarterly:15", django_capture_on_commit_callbacks)
    assert list(Report.objects.order_by("version").values_list("version", flat=True)) == [1, 2]
    assert services._claim(report.pk, "another run") is None
    assert Report.objects.get(pk=report.pk).pdf_sha256 == report.pdf_sha256


def test_asking_again_for_an_unpublished_report_makes_it_from_todays_figures(
    client, demo, django_capture_on_commit_callbacks
):
    client.force_login(demo["coordinator"])
    _ask(client, "quarterly:15", django_capture_on_commit_callbacks)
    report = Report.objects.get()
    first_file = report.xlsx.name

    def cash(report) -> float:
        _, xlsx = _download(client, report, "xlsx")
        summary = load_workbook(io.BytesIO(xlsx))["Samenvatting"]
        return dict(summary.iter_rows(min_row=2, values_only=True))[
            "Cofinanciering gerealiseerd: geld"
        ]

    before = cash(report)
    # The figures change after the report was made: €1,234.50 cash approved in quarter 15.
    project = Project.objects.get()
    _number, start, _end = project.quarters()[14]
    Contribution.objects.create(
        organisation=Organisation.objects.filter(cofinancing_category="employer").first(),
        programme_line=project.lines.get(number=1),
        kind=ContributionKind.CASH,
        amount=Decimal("1234.50"),
        date=start,
        description="Bijdrage",
        status=ContributionStatus.APPROVED,
    )

    response = _ask(client, "quarterly:15", django_capture_on_commit_callbacks)

    # The same unpublished version, made again: nothing old is handed back.
    report.refresh_from_db()
    assert Report.objects.count() == 1 and report.version == 1
    assert report.state == ReportState.READY and report.attempts == 2
    assert cash(report) == pytest.approx(before + 1234.5)
    assert report.xlsx.name != first_file and not report.xlsx.storage.exists(first_file)
    page = client.get(response.url)
    assert "wordt opnieuw gemaakt met de cijfers van vandaag" in page.text
    # The row says when it was made, and offers to make it again.
    assert "Opnieuw maken met de cijfers van vandaag" in page.text


def test_funders_download_published_reports_only(client, demo, django_capture_on_commit_callbacks):
    client.force_login(demo["coordinator"])
    _ask(client, "quarterly:15", django_capture_on_commit_callbacks)
    report = Report.objects.get()
    client.force_login(demo["funder"])

    assert client.get(reverse("reports:report_list")).context["reports"] == []
    assert _download(client, report, "pdf")[0].status_code == 404
    publish = reverse("reports:report_publish", args=[report.pk])
    assert client.get(publish).status_code == 404
    assert client.post_with_cookie_token(publish, {"confirm": "yes"}).status_code == 404
    Report.objects.filter(pk=report.pk).update(published_at=timezone.now())
    assert _download(client, report, "pdf")[0].status_code == 200
    dirk_like = User.objects.get(email="docent@demo.civbio.nl")
    client.force_login(dirk_like)
    assert client.get(reverse("reports:report_list")).status_code == 403
    assert _download(client, report, "pdf")[0].status_code == 404


def test_a_failed_report_shows_its_error_and_can_be_made_again(
    client, demo, monkeypatch, django_capture_on_commit_callbacks
):
    def broken(contents):
        raise RuntimeError("no fonts")

    monkeypatch.setattr("reports.renderers.render_pdf", broken)
    client.force_login(demo["coordinator"])
    with pytest.raises(RuntimeError):
        _ask(client, "annual:3", django_capture_on_commit_callbacks)
    report = Report.objects.get()
    assert report.state == ReportState.FAILED and "no fonts" in report.error
    page = client.get(reverse("reports:report_list"))
    assert "no fonts" in page.text

    monkeypatch.undo()
    with django_capture_on_commit_callbacks(execute=True):
        submit(
            client,
            reverse("reports:report_list"),
            action=reverse("reports:report_retry", args=[report.pk]),
        )
    report.refresh_from_db()
    assert report.state == ReportState.READY and report.attempts == 2


def test_the_schedule_asks_for_each_due_report_once(demo):
    project = Project.objects.get()
    number, _start, end = project.quarters()[4]

    made = services.schedule_due_reports(end.replace(day=end.day) + _days(10))
    again = services.schedule_due_reports(end + _days(11))

    assert [(r.kind, r.number) for r in made] == [(ReportKind.QUARTERLY, number)]
    assert again == []
    month_13 = date(2024, 1, 15)
    annual = services.schedule_due_reports(month_13)
    assert (ReportKind.ANNUAL, 1) in [(r.kind, r.number) for r in annual]


def _days(n):
    from datetime import timedelta

    return timedelta(days=n)


def _started(seconds: int = 60) -> Report:
    deadline = time.monotonic() + seconds
    while not Report.objects.filter(state=ReportState.RUNNING, progress__gte=10).exists():
        assert time.monotonic() < deadline, "the worker never started the report"
        time.sleep(0.1)
    return Report.objects.get()


@pytest.mark.django_db(transaction=True)
def test_a_worker_killed_half_way_makes_the_report_once_within_the_sweeps_bound(
    client, demo, celery_workers, settings
):
    """A report asked for on the page is made by a real worker. That worker dies (SIGKILL) half-way:
    its task stays unacknowledged in Redis for hours, so the heartbeat going stale and the sweep
    bring the report back, within REPORT_STUCK_SECONDS and one sweep interval (here 3 s and 1 s;
    in use 30 s and 20 s), and the next worker makes it."""
    settings.REPORT_STUCK_SECONDS = 3
    beats = {"REPORT_STUCK_SECONDS": "3", "REPORT_HEARTBEAT_SECONDS": "0.5"}
    first = celery_workers.start(REPORT_STEP_PAUSE="3", **beats)
    client.force_login(demo["coordinator"])
    url = reverse("reports:report_list")
    submit(client, url, {"which": "quarterly:13"}, action=url)
    _started()

    first.send_signal(signal.SIGKILL)
    first.wait()
    celery_workers.start(**beats)  # what a supervisor does
    up = time.monotonic()
    swept = []
    while (report := Report.objects.get()).attempts < 2:  # the beat's sweep, every second
        assert time.monotonic() - up < 60, f"not resumed: {report.state}, {swept}"
        swept += services.requeue_stuck_reports()
        time.sleep(1)
    resumed = time.monotonic() - up
    report = _wait_until_ready()

    # Stale 3 s after its last beat, found by the next sweep (1 s), taken by the new worker
    # (slack for a busy machine). Before, nothing but the 10-minute sweep found it.
    assert resumed < 3 + 1 + 10, resumed
    assert Report.objects.count() == 1 and swept == [report.pk]
    assert report.attempts == 2 and report.pdf_sha256
    # What the new worker made is the report asked for on the page: its PDF downloads, and its
    # row on the page stops asking for updates.
    assert _download(client, report, "pdf")[1].startswith(b"%PDF")
    row = client.get(reverse("reports:report_row", args=[report.pk]))
    assert "PDF" in row.text and "hx-trigger" not in row.text


@pytest.mark.django_db(transaction=True)
def test_a_killed_pool_process_hands_its_report_to_the_same_task_delivered_again(
    client, demo, celery_workers, settings
):
    """Only the pool process dies: Celery puts the task back (reject_on_worker_lost) and a new
    pool process takes it at once. The heartbeat is still fresh, but the run is the same and its
    process is gone, so it takes the report over without waiting for the sweep."""
    worker = celery_workers.start(pool="prefork", REPORT_STEP_PAUSE="2", REPORT_STUCK_SECONDS="60")
    client.force_login(demo["coordinator"])
    url = reverse("reports:report_list")
    submit(client, url, {"which": "quarterly:13"}, action=url)
    first = _started()
    pool_process = int(first.runner.rpartition(":")[2])
    assert pool_process != worker.pid

    os.kill(pool_process, signal.SIGKILL)
    killed = time.monotonic()
    while Report.objects.get().attempts < 2:
        assert time.monotonic() - killed < 50, "the task delivered again did not take it over"
        time.sleep(0.2)
    resumed = time.monotonic() - killed
    report = _wait_until_ready()

    # Well inside REPORT_STUCK_SECONDS (60 s here): no sweep ran, the same run took it over
    # (the worker notices its lost process and the broker delivers the task in a few seconds).
    assert resumed < 15, resumed
    assert Report.objects.count() == 1
    assert report.attempts == 2 and report.run_token == first.run_token
    assert report.runner != first.runner and report.pdf_sha256


def _running(run_token: str, runner: str, **fields) -> Report:
    """A report being made by that run in that process, which beat a moment ago."""
    return Report.objects.create(
        **{
            "kind": ReportKind.QUARTERLY,
            "number": 12,
            "period_start": date(2025, 10, 1),
            "period_end": date(2025, 12, 31),
            "state": ReportState.RUNNING,
            "progress": 40,
            "attempts": 1,
            "heartbeat_at": timezone.now(),
            "run_token": run_token,
            "runner": runner,
            **fields,
        }
    )


def _dead_process() -> str:
    """This machine's name and the id of a process that has ended."""
    import socket
    import subprocess
    import sys

    ended = subprocess.Popen([sys.executable, "-c", ""])
    ended.wait()
    return f"{socket.gethostname()}:{ended.pid}"


def test_the_same_run_delivered_again_takes_over_from_its_dead_process(db):
    report = _running("task-1", _dead_process())

    assert services._claim(report.pk, "task-1") == 2
    report.refresh_from_db()
    assert report.runner == services._this_process() and report.progress == 0


def test_a_second_run_is_refused_while_the_heartbeat_is_fresh(db, settings):
    alive = _running("task-1", services._this_process())
    dead = _running("task-1", _dead_process(), number=11)

    # Another task, even if the holder's process is gone; the same task while its process lives.
    assert services._claim(dead.pk, "task-2") is None
    assert services._claim(alive.pk, "task-1") is None
    assert services._claim(alive.pk, "task-2") is None
    # Once the heartbeat is stale, any run may take the report.
    settings.REPORT_STUCK_SECONDS = 30
    Report.objects.filter(pk=alive.pk).update(heartbeat_at=timezone.now() - _seconds(31))
    assert services._claim(alive.pk, "task-2") == 2


@pytest.mark.django_db(transaction=True)
def test_a_long_step_keeps_the_heartbeat_fresh(settings):
    """The heartbeat has a thread of its own: a slow PDF is not taken for a dead worker."""
    settings.REPORT_HEARTBEAT_SECONDS = 0.1
    long_ago = timezone.now() - _seconds(60)
    report = _running("task-1", services._this_process(), heartbeat_at=long_ago)
    other = _running("task-2", services._this_process(), number=11, heartbeat_at=long_ago)

    with services._heartbeat(report.pk, attempt=1):
        time.sleep(0.5)  # one long step, writing nothing itself

    report.refresh_from_db()
    other.refresh_from_db()
    assert report.heartbeat_at > long_ago + _seconds(59)
    assert other.heartbeat_at == long_ago  # only its own report


def test_a_run_taken_over_stops_and_leaves_the_report_to_the_new_one(consortium, monkeypatch):
    from reports import contents

    report = Report.objects.create(
        kind=ReportKind.QUARTERLY,
        number=12,
        period_start=date(2025, 10, 1),
        period_end=date(2025, 12, 31),
    )
    real = contents.report_contents

    def taken_over_meanwhile(project, period):
        # This run stalled: its heartbeat went stale and the sweep gave the report to another.
        Report.objects.filter(pk=report.pk).update(attempts=2, run_token="task-2", progress=5)
        return real(project, period)

    monkeypatch.setattr("reports.services.report_contents", taken_over_meanwhile)

    assert services.generate_report(report.pk, run="task-1") is False
    report.refresh_from_db()
    # It stopped at its next step: the new run's progress and state are untouched.
    assert report.state == ReportState.RUNNING and report.run_token == "task-2"
    assert report.progress == 5 and not report.pdf_sha256 and not report.error


def test_the_sweep_sends_a_lost_queued_report_again_once(db, settings, monkeypatch):
    """Its message was lost (Redis restarted with it queued): nobody will take it unless sent."""
    settings.REPORT_STUCK_SECONDS = 30
    sent = []
    monkeypatch.setattr("reports.services._send", sent.append)
    long_ago = timezone.now() - _seconds(31)
    lost = Report.objects.create(
        kind=ReportKind.QUARTERLY,
        number=12,
        period_start=date(2025, 10, 1),
        period_end=date(2025, 12, 31),
        queued_at=long_ago,
    )
    Report.objects.create(  # queued a moment ago: its task is on its way
        kind=ReportKind.QUARTERLY,
        number=11,
        period_start=date(2025, 7, 1),
        period_end=date(2025, 9, 30),
    )
    silent = _running("task-1", "elsewhere:1", number=10, queued_at=long_ago)
    Report.objects.filter(pk=silent.pk).update(heartbeat_at=long_ago)
    _running("task-2", "elsewhere:2", number=9, queued_at=long_ago)  # beating

    assert sorted(services.requeue_stuck_reports()) == sorted([lost.pk, silent.pk])
    assert sorted(sent) == sorted([lost.pk, silent.pk])  # not the one just queued, nor the beating
    # Sweeps that pile up while no worker runs send each once per REPORT_STUCK_SECONDS.
    assert services.requeue_stuck_reports() == []


def _seconds(n):
    from datetime import timedelta

    return timedelta(seconds=n)


def _wait_until_ready(seconds: int = 120) -> Report:
    deadline = time.monotonic() + seconds
    while True:
        report = Report.objects.get()
        if report.state == ReportState.READY:
            return report
        assert report.state != ReportState.FAILED, report.error
        assert time.monotonic() < deadline, f"still {report.state} at {report.progress}%"
        time.sleep(0.2)


def test_a_report_being_made_is_followed_live_on_the_page(client, demo):
    report = Report.objects.create(
        kind=ReportKind.QUARTERLY,
        number=12,
        period_start=date(2025, 10, 1),
        period_end=date(2025, 12, 31),
        state=ReportState.RUNNING,
        progress=40,
        heartbeat_at=timezone.now() - _seconds(7),
    )
    client.force_login(demo["coordinator"])
    row_url = reverse("reports:report_row", args=[report.pk])

    row = client.get(row_url).text

    assert 'hx-trigger="every 2s"' in row and 'value="40"' in row
    assert "laatste teken van leven 7 seconden geleden" in row
    assert "Opnieuw maken" not in row  # its worker is alive

    # Its worker went silent: the page says so, and keeps following it while the sweep acts.
    Report.objects.filter(pk=report.pk).update(heartbeat_at=timezone.now() - _seconds(45))
    lost = client.get(row_url).text
    assert "Werker verloren, wordt hervat" in lost and 'hx-trigger="every 2s"' in lost
    assert "laatste teken van leven 45 seconden geleden" in lost and "Opnieuw maken" in lost
    client.force_login(demo["funder"])  # unpublished: not the funder's
    assert client.get(reverse("reports:report_row", args=[report.pk])).status_code == 404


def test_the_admin_deletes_an_unpublished_report_but_never_a_published_one(client, demo):
    project = Project.objects.get()
    start = project.start_date
    published = Report.objects.create(
        kind=ReportKind.QUARTERLY,
        number=1,
        period_start=start,
        period_end=start,
        version=1,
        published_at=timezone.now(),
    )
    failed = Report.objects.create(
        kind=ReportKind.QUARTERLY,
        number=2,
        period_start=start,
        period_end=start,
        version=1,
        state=ReportState.FAILED,
    )
    client.force_login(demo["coordinator"])

    # The admin offers no delete page for a published report; a forged post is refused too.
    client.get(reverse("admin:reports_report_changelist"))
    refused = client.post_with_cookie_token(
        reverse("admin:reports_report_delete", args=[published.pk]), {"post": "yes"}
    )
    submit(client, reverse("admin:reports_report_delete", args=[failed.pk]), button="Ja")
    listing = client.get(reverse("admin:reports_report_changelist"))

    assert refused.status_code == 403
    assert list(Report.objects.values_list("pk", flat=True)) == [published.pk]
    # No bulk delete: it would not look at each report.
    assert "delete_selected" not in listing.text


def test_asking_for_a_report_while_the_broker_is_down_says_it_is_queued(
    client, demo, monkeypatch, django_capture_on_commit_callbacks
):
    """The row is stored as queued; a broker that cannot be reached never turns that into an
    error page (the stuck-report sweep sends the task once the broker is back)."""
    from kombu.exceptions import OperationalError

    from reports.tasks import generate_report

    def unreachable(*args, **kwargs):
        raise OperationalError("Error 111 connecting to redis:6379. Connection refused.")

    monkeypatch.setattr(generate_report, "apply_async", unreachable)
    client.force_login(demo["coordinator"])

    response = _ask(client, "quarterly:15", django_capture_on_commit_callbacks)

    assert response.status_code == 302
    report = Report.objects.get()
    assert report.state == ReportState.QUEUED
    assert f"report-{report.pk}" in client.get(response.url).text
