from celery import shared_task

from activities import imports


@shared_task(acks_late=True)
def run_student_import(import_id: int) -> None:
    """Apply a confirmed student import; its state lives on the StudentImport row, so running it
    twice does nothing the second time."""
    imports.apply_import(import_id)
