"""The students' background work: a confirmed import, the sweep that queues a lost one again, and
the retention rule. Sending an import's task lives here too, so the services that queue an import
import this module and this module never imports them."""

import logging

from celery import shared_task
from django.db import transaction
from kombu.exceptions import OperationalError as BrokerUnreachable

from students import imports, privacy

logger = logging.getLogger(__name__)

# Sending a task to a broker that is down gives up after this, instead of holding the request.
ENQUEUE_RETRY = {"max_retries": 1, "interval_start": 0, "interval_step": 0.5, "interval_max": 0.5}


def enqueue_import(import_id: int) -> None:
    """Send the import's task once the row is committed. A broker that cannot be reached never
    breaks the request: the row stays queued and requeue_stuck_imports sends it again."""

    def send() -> None:
        try:
            run_student_import.apply_async((import_id,), retry=True, retry_policy=ENQUEUE_RETRY)
        except (BrokerUnreachable, OSError):
            logger.exception(
                "student import %s queued, but its task could not be sent yet", import_id
            )

    # robust: in-process (no broker) the import runs right here, and its failure is on its row.
    transaction.on_commit(send, robust=True)


@shared_task(acks_late=True, reject_on_worker_lost=True)
def run_student_import(import_id: int) -> bool:
    """Apply a confirmed student import; its state lives on the StudentImport row, so running it
    twice does nothing the second time."""
    return imports.apply_import(import_id)


@shared_task(acks_late=True)
def requeue_stuck_imports() -> dict[str, list[int]]:
    """Queue again (or fail, after too many tries) the imports whose worker or task was lost, and
    send the requeued ones' tasks."""
    swept = imports.requeue_stuck_imports()
    for pk in swept["requeued"]:
        enqueue_import(pk)
    return swept


@shared_task(acks_late=True)
def apply_student_retention() -> int:
    """Anonymise students past the retention period (also `manage.py apply_retention`)."""
    return privacy.apply_retention()
