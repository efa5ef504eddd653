"""Personas used across the suite.

- carla: coordinator at the lead applicant school
- dirk: school staff (teacher) at the same school; eva: school staff at another school
- bram: industry staff and contact of BioCorp; bea: his colleague; olaf: contact at OtherLab
- fien: funder staff at the municipality
"""

import os
from datetime import timedelta
from urllib.parse import urlsplit, urlunsplit

import pytest
from django.conf import settings
from django.core.cache import caches
from django.core.signals import setting_changed
from django.utils import timezone, translation

from activities import services
from activities.models import ActivityKind, ActivityStatus
from partners.models import Role
from tests import databases
from tests.factories import CompanyFactory, GovernmentFactory, SchoolFactory, UserFactory
from tests.snapshots import Snapshot

# The Redis the run was given (bin/test-services); a worker's own is derived from it.
RUN_REDIS_URL = ""


@pytest.fixture(scope="session")
def django_db_keepdb(request):
    """On PostgreSQL the test databases are kept for the next run (tests/databases.py)."""
    return request.config.getvalue("reuse_db") or databases.on_postgresql()


@pytest.fixture(scope="session")
def django_db_createdb(request, django_db_modify_db_settings, django_db_blocker):
    """Made anew with --create-db, or when the kept one was made from other migrations."""
    if request.config.getvalue("create_db"):
        return True
    if request.config.getvalue("reuse_db") or not databases.on_postgresql():
        return False
    with django_db_blocker.unblock():
        return not databases.kept_one_is_current()


@pytest.fixture(scope="session")
def django_db_setup(django_db_setup, django_db_createdb, django_db_blocker):
    if databases.on_postgresql():
        with django_db_blocker.unblock():
            databases.prepare(reused=not django_db_createdb)


def pytest_configure(config):
    """Under pytest-xdist (`make test`) each worker process has a Redis database of its own,
    counting down from the run's (bin/test-services): gw0 uses that one, gw1 the one below it,
    and so on. The suite clears its database between tests, and real Celery workers take their
    tasks from its broker: two test processes sharing one would clear each other's rate-limit
    counters and run each other's tasks. Settings are read before this runs, so the worker's
    database is put in everywhere REDIS_URL went, and into the environment the Celery worker
    processes start with."""
    global RUN_REDIS_URL
    databases.configure()
    RUN_REDIS_URL = shared = settings.REDIS_URL
    worker = os.environ.get("PYTEST_XDIST_WORKER")
    if not worker or not shared:
        return
    address = urlsplit(shared)
    base = int(address.path.strip("/") or 0)
    number = base - int(worker.removeprefix("gw"))
    if number < 0:
        raise pytest.UsageError(
            f"{worker} has no Redis database below {base}: use fewer workers or a higher "
            "database in TEST_REDIS_URL"
        )
    own = urlunsplit(address._replace(path=f"/{number}"))
    for cache in settings.CACHES.values():
        if cache.get("LOCATION") == shared:
            cache["LOCATION"] = own
    for name in ("REDIS_URL", "CACHE_URL", "CELERY_BROKER_URL", "CELERY_RESULT_BACKEND"):
        if getattr(settings, name, None) == shared:
            setattr(settings, name, own)
    from civbio.celery import app

    if app.conf.broker_url == shared:
        app.conf.broker_url = own
    if app.conf.result_backend == shared:
        app.conf.result_backend = own
    os.environ["REDIS_URL"] = own
    # Any cache connection made before now is dropped (the handler reads CACHES afresh).
    setting_changed.send(sender=None, setting="CACHES", value=settings.CACHES, enter=False)


@pytest.fixture
def client():
    """The test client as a browser meets the site: CSRF checks on. POST forms through
    tests/browser.py's submit(), which sends what the page's form holds, token included."""
    from tests.browser import BrowserClient

    return BrowserClient()


@pytest.fixture(autouse=True)
def _fresh_cache():
    # Rate-limit counters and cached charts never leak from one test into the next.
    for alias in settings.CACHES:
        caches[alias].clear()
    yield


@pytest.fixture(autouse=True)
def _default_language():
    # A request in English leaves English active in the thread; each test starts in Dutch.
    translation.activate(settings.LANGUAGE_CODE)
    yield
    translation.deactivate()


@pytest.fixture
def school(db):
    return SchoolFactory(name="Leiden Lab College", slug="leiden-lab-college")


@pytest.fixture
def other_school(db):
    return SchoolFactory(name="Rotterdam Tech", slug="rotterdam-tech")


@pytest.fixture
def company(db):
    return CompanyFactory(name="BioCorp", slug="biocorp")


@pytest.fixture
def other_company(db):
    return CompanyFactory(name="OtherLab", slug="otherlab")


@pytest.fixture
def municipality(db):
    return GovernmentFactory(name="Gemeente Voorbeeld", slug="gemeente-voorbeeld")


@pytest.fixture
def carla(school):
    return UserFactory(
        email="carla@example.nl", name="Carla", organisation=school, role=Role.COORDINATOR
    )


@pytest.fixture
def dirk(school):
    return UserFactory(
        email="dirk@example.nl", name="Dirk", organisation=school, role=Role.SCHOOL_STAFF
    )


@pytest.fixture
def eva(other_school):
    return UserFactory(
        email="eva@example.nl",
        name="Eva",
        organisation=other_school,
        role=Role.SCHOOL_STAFF,
        is_contact=True,
    )


@pytest.fixture
def bram(company):
    return UserFactory(
        email="bram@example.nl",
        name="Bram",
        organisation=company,
        role=Role.INDUSTRY_STAFF,
        is_contact=True,
    )


@pytest.fixture
def bea(company):
    return UserFactory(
        email="bea@example.nl", name="Bea", organisation=company, role=Role.INDUSTRY_STAFF
    )


@pytest.fixture
def olaf(other_company):
    return UserFactory(
        email="olaf@example.nl",
        name="Olaf",
        organisation=other_company,
        role=Role.INDUSTRY_STAFF,
        is_contact=True,
    )


@pytest.fixture
def fien(municipality):
    return UserFactory(
        email="fien@example.nl", name="Fien", organisation=municipality, role=Role.FUNDER
    )


def _build_consortium():
    from programmes.services import load_consortium

    load_consortium()


CONSORTIUM = Snapshot("consortium", _build_consortium)


@pytest.fixture
def consortium(db):
    """The consortium of the source document, loaded the way `make run` loads it (built once per
    test process and copied into the tests after: tests/snapshots.py)."""
    CONSORTIUM.restore()


def days(n: int):
    return timezone.localdate() + timedelta(days=n)


def draft_lesson(actor, title: str = "Concept", **fields):
    """A guest lesson in draft at the actor's organisation, online for a small group."""
    return services.create_activity(
        actor=actor,
        kind=ActivityKind.GUEST_LESSON,
        fields={
            "title": title,
            "speaker": "B",
            "format": "online",
            "duration_minutes": 60,
            "max_group_size": 9,
            **fields,
        },
    )


def _build_demo():
    from demo.services import load_demo
    from programmes.services import load_consortium

    load_consortium()
    load_demo()


DEMO = Snapshot("demo_data", _build_demo)


@pytest.fixture
def demo_data(db):
    """The consortium and the demo people and their data, as `make run` loads them
    (load_consortium, then load_demo), without the demo's reports. Built once per test process
    and copied into this test's database (tests/snapshots.py)."""
    DEMO.restore()


@pytest.fixture
def lines(consortium):
    """The project with its three programme lines (activities belong to one)."""


@pytest.fixture
def guest_lesson(lines, bram):
    lesson = services.create_activity(
        actor=bram,
        kind=ActivityKind.GUEST_LESSON,
        fields={
            "title": "Van monster tot sequentie",
            "speaker": "Bram",
            "format": "at_school",
            "duration_minutes": 90,
            "max_group_size": 25,
        },
    )
    return services.change_activity_status(
        actor=bram, activity=lesson, status=ActivityStatus.PUBLISHED
    )


@pytest.fixture
def posting(lines, bram):
    place = services.create_activity(
        actor=bram,
        kind=ActivityKind.INTERNSHIP,
        fields={
            "title": "Stage analist",
            "route": "bol",
            "start_date": days(60),
            "duration_months": 5,
            "days_per_week": 4,
            "places": 2,
            "location": "Leiden",
            "application_deadline": days(30),
        },
    )
    services.change_activity_status(actor=bram, activity=place, status=ActivityStatus.PUBLISHED)
    return place.posting


class Workers:
    """Real Celery workers in their own processes, on the Redis broker and the test database.

    Tasks sent while the fixture is active go through Redis to them; the test's data must be
    committed (transactional_db) for a worker to see it."""

    def __init__(self, settings):
        import os

        from django.db import connection

        database = connection.settings_dict
        if not settings.CELERY_BROKER_URL or database["ENGINE"].endswith("sqlite3"):
            if os.environ.get("REQUIRE_SERVICES") == "1":
                pytest.fail("a real worker needs Redis and PostgreSQL")
            pytest.skip("a real worker needs Redis and PostgreSQL (make test uses them)")
        self.url = (
            f"postgres://{database['USER']}:{database['PASSWORD'] or ''}@{database['HOST']}:"
            f"{database['PORT'] or 5432}/{database['NAME']}"
        )
        self.processes = []

    def start(self, pool: str = "solo", **extra_env):
        """A worker with the given pool ("prefork" runs tasks in one child process it can lose
        and replace) and these environment variables."""
        import os
        import subprocess
        import sys
        import time
        from pathlib import Path

        from civbio.celery import app

        env = {
            **os.environ,
            "DATABASE_URL": self.url,
            "CELERY_TASK_ALWAYS_EAGER": "0",
            "EMAIL_BACKEND": "django.core.mail.backends.locmem.EmailBackend",
            "DATABASE_CONN_MAX_AGE": "0",
            **extra_env,
        }
        number = len(self.processes)
        worker = subprocess.Popen(
            [
                str(Path(sys.executable).with_name("celery")),
                "-A",
                "civbio",
                "worker",
                f"--pool={pool}",
                "--concurrency=1",
                "--without-gossip",
                "--without-mingle",
                "--loglevel=WARNING",
                f"--hostname=test-{os.getpid()}-{number}@%h",
            ],
            cwd=Path(__file__).resolve().parents[1],
            env=env,
        )
        self.processes.append(worker)
        deadline = time.monotonic() + 60
        name = f"test-{os.getpid()}-{number}@"
        while not any(name in host for reply in app.control.ping(timeout=1) for host in reply):
            if worker.poll() is not None or time.monotonic() > deadline:
                pytest.fail("the Celery worker did not start")
        return worker

    def stop_all(self):
        import subprocess

        for worker in self.processes:
            if worker.poll() is None:
                worker.terminate()
                try:
                    worker.wait(timeout=20)
                except subprocess.TimeoutExpired:
                    worker.kill()
                    worker.wait()


@pytest.fixture
def celery_workers(transactional_db, settings):
    from civbio.celery import app

    workers = Workers(settings)
    eager = app.conf.task_always_eager
    app.conf.task_always_eager = False
    try:
        yield workers
    finally:
        app.conf.task_always_eager = eager
        workers.stop_all()


@pytest.fixture
def celery_worker_process(celery_workers):
    """One real worker (see Workers)."""
    return celery_workers.start()
