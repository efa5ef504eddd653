"""The Celery app: configured from settings (CELERY_*), tasks found in each app's tasks.py, and
a heartbeat each worker writes to the shared cache, which /healthz reads."""

import logging
import os
import time

from celery import Celery, bootsteps

os.environ.setdefault("DJANGO_SETTINGS_MODULE", "civbio.settings")

logger = logging.getLogger(__name__)

HEARTBEAT_KEY = "civbio:worker-heartbeat"
HEARTBEAT_SECONDS = 15
# A worker that wrote nothing for this long is taken for gone (a few missed beats).
HEARTBEAT_STALE_SECONDS = 60

app = Celery("civbio")
app.config_from_object("django.conf:settings", namespace="CELERY")
app.autodiscover_tasks()


def write_heartbeat() -> None:
    from django.core.cache import caches

    try:
        caches["default"].set(HEARTBEAT_KEY, time.time(), HEARTBEAT_STALE_SECONDS * 2)
    except Exception:
        logger.exception("worker heartbeat not written")


class Heartbeat(bootsteps.StartStopStep):
    """Writes the time into the shared cache when the worker starts and every
    HEARTBEAT_SECONDS while it runs, from the worker's own timer."""

    requires = {"celery.worker.components:Timer"}

    def __init__(self, worker, **kwargs):
        super().__init__(worker, **kwargs)
        self.timer_ref = None

    def start(self, worker):
        write_heartbeat()
        self.timer_ref = worker.timer.call_repeatedly(HEARTBEAT_SECONDS, write_heartbeat)

    def stop(self, worker):
        if self.timer_ref is not None:
            self.timer_ref.cancel()
            self.timer_ref = None


app.steps["worker"].add(Heartbeat)
