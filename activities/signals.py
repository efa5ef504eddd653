"""What activities tell the apps above them, which it may not import: signals, each sent once the
transaction that caused it has committed (so a receiver never sees what was rolled back)."""

from django.db import transaction
from django.dispatch import Signal

# An activity was delivered: a training or image activity itself, or one request for a lesson,
# assignment or visit (then `request` is that request, else None). Arguments: `activity`,
# `request`. The ledger proposes the host's hours as a contribution to confirm.
activity_delivered = Signal()


def send_activity_delivered(activity, request=None) -> None:
    """Send `activity_delivered` once the current transaction commits."""
    transaction.on_commit(
        lambda: activity_delivered.send(sender=type(activity), activity=activity, request=request)
    )
