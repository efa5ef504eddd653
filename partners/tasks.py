from smtplib import SMTPException

from celery import shared_task

from partners import emails


@shared_task(
    # OSError covers refused connections, time-outs and DNS failures.
    autoretry_for=(SMTPException, OSError),
    retry_backoff=30,
    retry_backoff_max=3600,
    max_retries=8,
    acks_late=True,
)
def send_invitation_email(invitation_id: int) -> bool:
    """Send an invitation's e-mail; safe to run twice (the second run sends nothing)."""
    return emails.send_invitation(invitation_id)
