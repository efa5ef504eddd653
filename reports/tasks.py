from celery import shared_task

from reports import services


@shared_task(acks_late=True, reject_on_worker_lost=True)
def generate_report(report_id: int) -> bool:
    """Make a report. Its state lives on the Report row: a second delivery of the same task
    finds the report made (or being made) and does nothing."""
    return services.generate_report(report_id)


@shared_task(acks_late=True)
def requeue_stuck_reports() -> int:
    return len(services.requeue_stuck_reports())


@shared_task(acks_late=True)
def schedule_due_reports() -> int:
    """Ask for the quarterly and annual reports that are due (each once)."""
    return len(services.schedule_due_reports())
