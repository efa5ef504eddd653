"""Demo reports: the quarterly reports of the last finished quarters, made by the real pipeline
(asked for, generated, published), so the demo funder finds files to download on first login."""

import time
from collections.abc import Callable

from django.db import transaction
from django.utils import timezone

from partners.models import Role, User
from programmes.selectors import current_project
from reports import services
from reports.models import Report, ReportKind, ReportState

# Each report takes a few seconds to draw: two quarters show a history without slowing `make run`.
QUARTERS = 2


def load_demo_reports(progress: Callable[[str], None] | None = None) -> int:
    """Make and publish the quarterly reports of the last finished quarters that have none yet
    (so loading again makes nothing). Says what it is doing through `progress`; returns how
    many reports were published."""
    say = progress or (lambda _message: None)
    project = current_project()
    coordinator = User.objects.filter(role=Role.COORDINATOR).order_by("pk").first()
    if project is None or coordinator is None:
        return 0
    today = timezone.localdate()
    finished = [q[0] for q in project.quarters() if q[2] < today][-QUARTERS:]
    missing = [
        n
        for n in finished
        if not Report.objects.filter(kind=ReportKind.QUARTERLY, number=n).exists()
    ]
    for step, number in enumerate(missing, start=1):
        started = time.monotonic()
        say(f"  report {step}/{len(missing)}: quarter {number} being made…")
        with transaction.atomic():
            report, _created = services.request_report(
                actor=coordinator, kind=ReportKind.QUARTERLY, number=number
            )
            # Made here and now, so the demo is complete when the command ends; the task that
            # request_report queues on commit then finds the report made and does nothing.
            services.generate_report(report.pk)
            report.refresh_from_db()
            if report.state != ReportState.READY:
                raise RuntimeError(f"demo report for quarter {number} is {report.state}")
            services.publish_report(actor=coordinator, report=report)
        say(
            f"  report {step}/{len(missing)}: quarter {number} published "
            f"({time.monotonic() - started:.1f} s)"
        )
    return len(missing)
