from celery import shared_task

from reports import services


# Acknowledged when done, and put back in the queue when its pool process dies: the broker
# then delivers it again at once, with the same id, and the claim lets that same run take the
# report over from its dead process (reports.services._claim).
@shared_task(bind=True, acks_late=True, reject_on_worker_lost=True)
def generate_report(self, report_id: int) -> bool:
    """Make a report. Its state lives on the Report row: a delivery of another task for it
    finds the report made (or being made) and does nothing."""
    return services.generate_report(report_id, run=self.request.id)


@shared_task(acks_late=True)
def requeue_stuck_reports() -> int:
    return len(services.requeue_stuck_reports())


@shared_task(acks_late=True)
def schedule_due_reports() -> int:
    """Ask for the quarterly and annual reports that are due (each once)."""
    return len(services.schedule_due_reports())
