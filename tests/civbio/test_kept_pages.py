"""Key pages and the person behind the login are kept until anything in the database changes
(civbio/kept_pages.py)."""

import re

import pytest
from django.contrib import messages
from django.contrib.auth.models import AnonymousUser
from django.contrib.messages import constants
from django.contrib.messages.storage.base import Message
from django.contrib.messages.storage.cookie import CookieStorage
from django.core.cache import caches
from django.db import connection, transaction
from django.http import HttpResponse
from django.middleware.csrf import get_token
from django.test import Client, RequestFactory
from django.test.utils import CaptureQueriesContext
from django.urls import reverse

from activities import progress, services
from activities.privacy import erase_student
from civbio import kept_pages
from partners.models import Role, User
from tests.conftest import days
from tests.factories import ModuleFactory, StudentFactory

pytestmark = pytest.mark.django_db

NONCE = re.compile(r'nonce="([^"]+)"')
TOKEN = re.compile(r'name="csrfmiddlewaretoken" value="([^"]+)"')


def _visit(client, url):
    with CaptureQueriesContext(connection) as queries:
        response = client.get(url)
    assert response.status_code == 200
    return response, len(queries)


def _browser(user) -> Client:
    client = Client(enforce_csrf_checks=True)
    client.force_login(user)
    return client


def test_a_page_is_served_from_the_cache_with_the_visits_own_nonce_and_token(carla):
    url = reverse("reports:dashboard_coordinator")
    first = _browser(carla)
    built, built_queries = _visit(first, url)
    kept, kept_queries = _visit(first, url)

    assert built_queries > 3
    assert kept_queries == 0  # the session and the person are in the cache too
    assert kept.content != built.content
    # Each answer's nonce is the one its CSP header allows.
    for response in (built, kept):
        nonces = set(NONCE.findall(response.text))
        assert len(nonces) == 1
        assert f"'nonce-{nonces.pop()}'" in response["Content-Security-Policy"]
    assert NONCE.findall(built.text)[0] != NONCE.findall(kept.text)[0]
    # Apart from them the page is the same.
    strip = lambda text: TOKEN.sub("", NONCE.sub("", text))  # noqa: E731
    assert strip(kept.text) == strip(built.text)
    # The kept page's token works: logging out with it is not refused.
    token = TOKEN.findall(kept.text)[0]
    assert first.post(reverse("account_logout"), {"csrfmiddlewaretoken": token}).status_code == 302


def test_a_kept_page_in_another_browser_of_the_same_person_carries_that_browsers_token(carla):
    url = reverse("reports:dashboard_coordinator")
    laptop, phone = _browser(carla), _browser(carla)
    _visit(laptop, url)
    _visit(laptop, url)  # kept now (the phone's login moved nothing since)

    page, queries = _visit(phone, url)

    assert queries == 0
    token = TOKEN.findall(page.text)[0]
    assert phone.post(reverse("account_logout"), {"csrfmiddlewaretoken": token}).status_code == 302


def test_any_write_shows_on_the_next_visit_even_one_that_passes_no_signal(carla):
    url = reverse("reports:dashboard_coordinator")
    client = _browser(carla)
    _visit(client, url)
    _visit(client, url)

    # A conditional update: no save signal, only the SQL.
    User.objects.filter(pk=carla.pk).update(name="Carla van Dam")
    renamed, queries = _visit(client, url)
    assert queries > 0
    assert "Carla van Dam" in renamed.text


def test_a_new_notification_shows_in_the_header_of_a_kept_page(bram, dirk, guest_lesson):
    url = reverse("reports:dashboard_industry")
    client = _browser(bram)
    _visit(client, url)
    before, _queries = _visit(client, url)

    services.request_activity(
        actor=dirk, activity=guest_lesson, date=days(7), group_name="LAB3A", student_count=20
    )
    after, queries = _visit(client, url)

    assert '<span class="counter">' not in before.text
    assert queries > 0
    assert '<span class="counter">1<' in after.text


def test_each_person_gets_their_own_page(carla, dirk, eva):
    url = reverse("reports:dashboard_school")
    dirks, evas = _browser(dirk), _browser(eva)
    _visit(dirks, url)
    _visit(dirks, url)

    page, queries = _visit(evas, url)

    assert queries > 0
    assert eva.organisation.display_name in page.text
    assert dirk.organisation.display_name not in page.text


def test_a_page_with_a_message_waiting_is_built_and_not_kept(carla):
    url = reverse("reports:dashboard_coordinator")
    client = _browser(carla)
    _visit(client, url)
    _visit(client, url)
    # A message left by the last form, as Django's cookie storage carries it.
    storage = CookieStorage(RequestFactory().get(url))
    client.cookies[storage.cookie_name] = storage._encode(
        [Message(constants.SUCCESS, "Opgeslagen, echt waar")]
    )

    shown, queries = _visit(client, url)
    after, _queries = _visit(client, url)

    assert queries > 0
    assert "Opgeslagen, echt waar" in shown.text
    assert "Opgeslagen, echt waar" not in after.text


def test_a_changed_person_is_read_again_on_their_next_visit(dirk):
    client = _browser(dirk)
    url = reverse("reports:dashboard_school")
    _visit(client, url)

    dirk.role = Role.INDUSTRY_STAFF
    dirk.save()

    assert client.get(url).status_code == 403


def test_erasing_a_student_deletes_every_kept_page_and_person(
    carla, dirk, school, lines, django_capture_on_commit_callbacks, monkeypatch
):
    monkeypatch.setattr(kept_pages, "LOCAL_FROM", 0)  # held in this process's memory too
    student = StudentFactory(school=school, display_name="Zoë Zeldzaam")
    edition = progress.create_edition(
        actor=dirk, module=ModuleFactory(), name="LAB3A", start_date=days(-30), end_date=days(60)
    )
    progress.enrol_students(actor=dirk, edition=edition, students=[student])
    client = _browser(dirk)
    url = reverse("activities:edition_detail", args=[edition.pk])
    _visit(client, url)
    grid, queries = _visit(client, url)
    assert queries == 0 and "Zoë Zeldzaam" in grid.text  # kept, with her name
    kept_cache = caches["kept"]
    client_of_redis = getattr(kept_cache, "_cache", None)
    if client_of_redis is None or not hasattr(client_of_redis, "get_client"):
        pytest.skip("the kept cache is not Redis here")
    redis = client_of_redis.get_client(write=True)
    pages, persons = (kept_cache.make_key(f"pages:{kind}:*") for kind in ("page", "person"))
    assert list(redis.scan_iter(match=pages)) and list(redis.scan_iter(match=persons))
    assert kept_pages._local.entries

    with django_capture_on_commit_callbacks(execute=True):
        erase_student(actor=carla, student=student)

    assert not list(redis.scan_iter(match=pages))
    assert not list(redis.scan_iter(match=persons))
    assert not kept_pages._local.entries
    assert "Zoë Zeldzaam" not in client.get(url).text


def test_a_page_stored_while_an_erasure_swept_is_taken_out_again(carla):
    from reports import views

    url = reverse("reports:dashboard_coordinator")
    client = _browser(carla)
    view = views.dashboard_coordinator.__wrapped__.__wrapped__  # under login and kept_page
    swept = []

    def build_during_an_erasure(request, *args, **kwargs):
        response = view(request, *args, **kwargs)
        kept_pages.forget_all()  # the erasure commits while the page is being built
        swept.append(True)
        return response

    request = RequestFactory().get(url)
    request.user, request.session = carla, client.session
    request._messages = messages.storage.default_storage(request)
    kept_pages.kept_page(build_during_an_erasure)(request)

    key = kept_pages._page_key(request)
    assert swept
    assert caches["kept"].get(key) is None
    assert caches["kept"].get(kept_pages.PAGE_VERSION_KEY) is not None


def test_a_page_showing_a_token_of_its_own_is_not_kept(dirk, settings):
    def view(request):
        return HttpResponse(
            f'<input type="hidden" name="csrfmiddlewaretoken" value="{get_token(request)}">'
        )

    request = RequestFactory().get("/x/")
    request.user = dirk
    request.session = _browser(dirk).session
    request._messages = messages.storage.default_storage(request)

    with pytest.raises(AssertionError, match="CSRF token not from page_token"):
        kept_pages.kept_page(view)(request)
    settings.FIGURE_CACHE_CHECK = False
    kept_pages.kept_page(view)(request)
    key = kept_pages._page_key(request)
    assert kept_pages._current(key)[1] is None


@pytest.mark.parametrize(
    ("sql", "writes"),
    [
        ('INSERT INTO "activities_notification" ("recipient_id") VALUES (%s)', True),
        ('UPDATE "partners_organisation" SET "name" = %s WHERE "id" = %s', True),
        ('DELETE FROM "activities_request" WHERE "id" IN (%s)', True),
        ('UPDATE "django_session" SET "session_data" = %s', False),
        ('INSERT INTO "partners_accesslog" ("actor_id") VALUES (%s)', False),
        ('UPDATE "django_celery_beat_periodictask" SET "last_run_at" = %s', False),
        ('SELECT "partners_user"."id" FROM "partners_user" FOR UPDATE', False),
        ('WITH "x" AS (SELECT 1) SELECT * FROM "x"', False),
        ('WITH "x" AS (SELECT 1) UPDATE "activities_edition" SET "name" = %s', True),
        ('COPY (SELECT "id" FROM "activities_activity") TO STDOUT WITH (FORMAT csv)', False),
        ('TRUNCATE "activities_unitprogress"', True),
    ],
)
def test_what_counts_as_a_write(sql, writes):
    assert kept_pages.is_write(sql) is writes


def test_a_large_page_kept_in_the_process_goes_with_the_first_change_it_sees(carla, monkeypatch):
    monkeypatch.setattr(kept_pages, "LOCAL_FROM", 0)  # every page counts as large here
    url = reverse("reports:dashboard_coordinator")
    client = _browser(carla)
    _visit(client, url)
    _kept, queries = _visit(client, url)
    assert queries == 0
    assert len(kept_pages._local.entries) == 1

    User.objects.filter(pk=carla.pk).update(name="Carla van Dam")
    page, queries = _visit(client, url)

    assert queries > 0
    assert "Carla van Dam" in page.text
    # The copy built before the change went when this process saw the version move.
    [entry] = kept_pages._local.entries.values()
    assert b"Carla van Dam" in b"".join(entry["parts"])


def test_a_transaction_moves_the_page_version_once_however_many_writes(carla, monkeypatch):
    moves = []
    monkeypatch.setattr(kept_pages, "move_version", lambda: moves.append("now"))
    kept_pages._read_version()  # something may have been kept under the version

    with transaction.atomic():
        for n in range(5):
            User.objects.filter(pk=carla.pk).update(name=f"Carla {n}")

    # Once at the first write; the commit (which a test's own transaction never reaches) moves
    # it again.
    assert moves == ["now"]
    kept_pages._read_version()
    User.objects.filter(pk=carla.pk).update(name="Carla")
    assert moves == ["now", "now"]


@pytest.mark.django_db(transaction=True)
def test_a_transaction_that_commits_moves_the_page_version_at_the_commit(carla, monkeypatch):
    moves = []
    monkeypatch.setattr(kept_pages, "move_version", lambda: moves.append("moved"))
    kept_pages._read_version()

    with transaction.atomic():
        User.objects.filter(pk=carla.pk).update(name="Carla 1")
        User.objects.filter(pk=carla.pk).update(name="Carla 2")
        assert moves == ["moved"]  # at the first write

    assert moves == ["moved", "moved"]  # and once at the commit, however many writes


def test_htmx_requests_and_anonymous_query_strings_are_never_kept(carla, client):
    url = reverse("reports:dashboard_coordinator")
    browser = _browser(carla)
    # A page built has its template's context; one served from the cache has none.
    built = [browser.get(url + "?period=all").context is not None for _ in range(2)]
    assert built == [True, False]  # signed in, a query string is kept
    htmx = [browser.get(url, headers={"HX-Request": "true"}).context for _ in range(2)]
    assert all(context is not None for context in htmx)
    home = [client.get(reverse("home"), {"x": 1}).context for _ in range(2)]
    assert all(context is not None for context in home)
    assert [client.get(reverse("home")).context is not None for _ in range(2)] == [True, False]
    request = RequestFactory().get("/", {"x": "1"})
    request.user, request.session = AnonymousUser(), browser.session
    request._messages = messages.storage.default_storage(request)
    assert kept_pages._page_key(request) is None


@pytest.mark.parametrize(
    ("header", "gzip"),
    [
        ("gzip, deflate, br", True),
        ("br;q=1.0, gzip;q=0.8", True),
        ("gzip;q=0", False),
        ("identity", False),
        ("", False),
    ],
)
def test_who_takes_gzip(header, gzip):
    request = RequestFactory().get("/", headers={"Accept-Encoding": header})
    assert kept_pages.accepts_gzip(request) is gzip


def test_pages_are_built_when_the_cache_is_down(carla, monkeypatch):
    url = reverse("reports:dashboard_coordinator")
    client = _browser(carla)
    _visit(client, url)

    def down():
        raise ConnectionError("the cache is down")

    monkeypatch.setattr(kept_pages, "_cache", down)
    page, queries = _visit(client, url)

    assert queries > 0 and "Carla" in page.text
