"""Every form a partner fills in, fed with Hypothesis-generated input: whatever is typed (or
forged), the answer is a page or a redirect, never a server error.

The forms are found the way a person finds them: each page is opened as the person who uses it,
and every POST form on it is fuzzed field by field (text of any kind and length, numbers, dates,
the select's own options, nothing at all)."""

import os
from datetime import date, timedelta
from html.parser import HTMLParser

import pytest
from django.urls import reverse
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from activities.models import Nomination, Request
from programmes.models import Indicator, Milestone, Project
from students.models import Edition, Enrolment
from tests.factories import ModuleFactory, QualificationFactory, StudentFactory
from tests.files import HTML_AS_PDF, SVG, image_bytes, pdf_bytes, xlsx_bytes

pytestmark = pytest.mark.django_db
# Examples per form and per kind of upload: ten keep `make test` quick, and every field still
# meets the simplest input and nine drawn from the strategies below. More of the same examples
# (below) did not find more: with the bare carriage return's fix undone the upload fuzzing missed
# it at 50 and at 200, while each of three runs drawing new examples found it within 200 (at 20,
# 86 and 150). A deeper run, before a release or after changing a form: FUZZ_EXAMPLES=200
# FUZZ_RANDOM=1.
EXAMPLES = int(os.environ.get("FUZZ_EXAMPLES", "10"))
# The same examples on every run, so CI is repeatable; FUZZ_RANDOM=1 draws new ones (how the two
# bugs pinned down below were found).
DERANDOMIZE = os.environ.get("FUZZ_RANDOM") != "1"
SKIPPED_INPUTS = {"csrfmiddlewaretoken", "submit"}


class FormFinder(HTMLParser):
    """The POST forms of a page: action and fields (with a select's options)."""

    def __init__(self):
        super().__init__()
        self.forms, self._form, self._select = [], None, None

    def handle_starttag(self, tag, attrs):
        attrs = dict(attrs)
        if tag == "form" and (attrs.get("method") or "get").lower() == "post":
            self._form = {"action": attrs.get("action") or "", "fields": {}}
            self.forms.append(self._form)
        elif self._form is not None and tag in ("input", "textarea", "select"):
            name = attrs.get("name")
            if name and name not in SKIPPED_INPUTS and attrs.get("type") != "file":
                self._form["fields"].setdefault(name, [])
                self._select = name if tag == "select" else None
                if attrs.get("type") in ("checkbox", "radio") and attrs.get("value"):
                    self._form["fields"][name].append(attrs["value"])
        elif tag == "option" and self._form is not None and self._select:
            self._form["fields"][self._select].append(attrs.get("value", ""))

    def handle_endtag(self, tag):
        if tag == "form":
            self._form = None
        elif tag == "select":
            self._select = None


ANY_TEXT = st.one_of(
    st.text(max_size=40),
    st.text(alphabet=st.characters(codec="utf-8"), min_size=200, max_size=3000),
    st.sampled_from(["", " ", "0", "-1", "1e309", "NaN", "9" * 30, "=cmd|' /C calc'!A0"]),
    st.integers(min_value=-(10**12), max_value=10**12).map(str),
    st.dates(min_value=date(1, 1, 1), max_value=date(9999, 12, 31)).map(date.isoformat),
    st.decimals(allow_nan=True, allow_infinity=True).map(str),
    st.just("2026-02-30"),
    st.just("\x00\x1f<script>alert(1)</script>"),
)


def _value(options):
    return st.one_of(st.sampled_from(options), ANY_TEXT) if options else ANY_TEXT


@pytest.fixture
def world(carla, dirk, bram, school, guest_lesson, posting):
    today = date.today()
    student = StudentFactory(school=school, qualification=QualificationFactory())
    module = ModuleFactory()
    edition = Edition.objects.create(
        module=module,
        school=school,
        name="LAB3A",
        start_date=today - timedelta(days=10),
        end_date=today + timedelta(days=60),
    )
    edition.teachers.add(dirk)
    Enrolment.objects.create(edition=edition, student=student)
    Request.objects.create(
        activity=guest_lesson,
        school=school,
        requested_by=dirk,
        date=today + timedelta(days=14),
        group_name="LAB3A",
        student_count=20,
    )
    Nomination.objects.create(posting=posting, student=student, nominated_by=dirk)
    project = Project.objects.get()
    milestone = Milestone.objects.create(
        project=project,
        programme_line=project.lines.get(number=1),
        kind="deliverable",
        title="Module klaar",
        due_date=today + timedelta(days=20),
        owner_organisation=school,
    )
    indicator = Indicator.objects.create(
        project=project,
        programme_line=project.lines.get(number=1),
        name="Instroom",
        unit="studenten",
        source="reported",
        target_2y=10,
        target_4y=20,
    )
    return {
        "bram": [
            reverse("activities:activity_create", args=["guest_lesson"]),
            reverse("activities:activity_create", args=["internship"]),
            reverse("activities:activity_edit", args=[guest_lesson.pk]),
            reverse("activities:activity_detail", args=[guest_lesson.pk]),
            reverse("activities:activity_detail", args=[posting.pk]),
            reverse("activities:my_requests"),
            reverse("ledger:my_contributions"),
            reverse("partners:organisation_edit", args=[bram.organisation.slug]),
            reverse("partners:invitation_create"),
        ],
        "dirk": [
            reverse("activities:activity_detail", args=[guest_lesson.pk]),
            reverse("activities:activity_detail", args=[posting.pk]),
            reverse("students:student_create"),
            reverse("students:student_edit", args=[student.pk]),
            reverse("students:edition_create"),
            reverse("students:edition_detail", args=[edition.pk]),
            reverse("reports:kpis_line", args=[1]),
            reverse("activities:reminder_settings"),
            reverse("partners:account"),
        ],
        "carla": [
            reverse("partners:invitation_create"),
            reverse("programmes:milestones"),
            reverse("programmes:milestone_create"),
            reverse("programmes:milestone_edit", args=[milestone.pk]),
            reverse("programmes:indicator_create"),
            reverse("programmes:indicator_edit", args=[indicator.pk]),
            reverse("reports:report_list"),
            reverse("reports:kpis_line", args=[1]),
            reverse("ledger:contribution_review"),
        ],
    }


def test_no_form_answers_any_input_with_a_server_error(client, world, request):
    fuzzed = []
    for persona, pages in world.items():
        person = request.getfixturevalue(persona)
        for page in pages:
            client.force_login(person)
            response = client.get(page)
            assert response.status_code == 200, page
            finder = FormFinder()
            finder.feed(response.content.decode())
            for form in finder.forms:
                action = form["action"] or page
                if action.startswith(("/accounts/logout", "/i18n/")) or not form["fields"]:
                    continue
                _fuzz(client, person, action, form["fields"])
                fuzzed.append(action)
    # Enough different forms were reached to mean something.
    assert len(set(fuzzed)) >= 15, sorted(set(fuzzed))
    print(f"\nforms fuzzed: {len(fuzzed)} ({len(set(fuzzed))} addresses), {EXAMPLES} examples each")


def _fuzz(client, person, action: str, fields: dict) -> None:
    @settings(
        max_examples=EXAMPLES,
        deadline=None,
        database=None,
        derandomize=DERANDOMIZE,
        suppress_health_check=list(HealthCheck),
    )
    @given(st.fixed_dictionaries({name: _value(options) for name, options in fields.items()}))
    def post(data):
        client.force_login(person)
        response = client.post_with_cookie_token(action, data)
        assert response.status_code < 500, (action, data)

    post()


def test_a_reason_with_a_nul_character_is_refused_not_a_server_error(client, world, carla, dirk):
    """Found by the fuzzing above: a NUL in a rejection reason reached PostgreSQL's JSON (the
    audit trail) and answered 500."""
    from ledger.models import Contribution

    contribution = Contribution.objects.create(
        organisation=dirk.organisation,
        programme_line=Project.objects.get().lines.get(number=1),
        kind="staff_hours",
        hours=2,
        date=date.today(),
        description="Scholing",
        status="submitted",
        submitted_by=dirk,
    )
    client.force_login(carla)
    client.get(reverse("ledger:contribution_review"))
    rejected = client.post_with_cookie_token(
        reverse("ledger:contribution_decide", args=[contribution.pk, "reject"]),
        {"reason": "niet\x00goed"},
    )
    client.force_login(dirk)
    cancelled = client.post_with_cookie_token(
        reverse("activities:request_cancel", args=[Request.objects.get().pk]),
        {"reason": "\x00"},
    )

    assert rejected.status_code == 302 and cancelled.status_code < 500
    contribution.refresh_from_db()
    assert contribution.status == "submitted"
    assert Request.objects.get().status == "requested"


UPLOAD_BYTES = st.one_of(
    st.binary(max_size=4096),
    st.binary(max_size=512).map(lambda b: b"%PDF-" + b),
    st.binary(max_size=512).map(lambda b: b"\x89PNG\r\n\x1a\n" + b),
    st.binary(max_size=512).map(lambda b: b"\xff\xd8\xff" + b),
    st.text(max_size=600).map(lambda t: ("studentnummer;naam\n" + t).encode("utf-8", "replace")),
    st.just(b""),
    # Real files, and real files with something appended or cut off (polyglots, truncations).
    st.sampled_from(
        [pdf_bytes(), image_bytes("PNG"), image_bytes("JPEG"), xlsx_bytes(), SVG]
    ).flatmap(
        lambda real: st.one_of(
            st.just(real),
            st.binary(max_size=64).map(lambda b: real + b),
            st.integers(0, len(real)).map(lambda n: real[:n]),
        )
    ),
    st.just(HTML_AS_PDF),
)
UPLOAD_NAMES = st.sampled_from(
    ["logo.png", "bewijs.pdf", "foto.jpg", "lijst.csv", "x.svg", "run.exe", "", "../../etc/passwd"]
)


@pytest.mark.parametrize("which", ["logo", "evidence", "import"])
def test_no_upload_answers_with_a_server_error_or_stores_a_wrong_type(
    client, world, bram, dirk, which, settings, tmp_path
):
    """Files of any content and name: refused with a message unless their content is of the
    right type; never a server error."""
    from django.core.files.uploadedfile import SimpleUploadedFile
    from PIL import Image

    from civbio import uploads
    from ledger.models import EVIDENCE_FAMILIES, Contribution
    from partners.models import Organisation

    settings.MEDIA_ROOT = tmp_path
    line = Project.objects.get().lines.get(number=1)
    organisation = bram.organisation
    client.get(reverse("home"))  # the page gives the browser its CSRF cookie

    @settings_(max_examples=EXAMPLES)
    @given(UPLOAD_BYTES, UPLOAD_NAMES)
    def post(content, name):
        upload = SimpleUploadedFile(name or "bestand", content)
        if which == "logo":
            client.force_login(bram)
            organisation.refresh_from_db()
            response = client.post_with_cookie_token(
                reverse("partners:organisation_edit", args=[organisation.slug]),
                {
                    "description": "",
                    "website": "",
                    "city": "Leiden",
                    "version": organisation.updated_at.isoformat(),
                    "logo": upload,
                },
            )
        elif which == "evidence":
            client.force_login(bram)
            response = client.post_with_cookie_token(
                reverse("ledger:my_contributions"),
                {
                    "programme_line": line.pk,
                    "kind": "staff_hours",
                    "hours": "2",
                    "date": date.today().isoformat(),
                    "description": "Gastles",
                    "evidence": upload,
                },
            )
        else:
            client.force_login(dirk)
            response = client.post_with_cookie_token(
                reverse("students:student_import"), {"file": upload}
            )
        assert response.status_code < 500, (which, name, content[:40])

    post()

    logo = Organisation.objects.get(pk=organisation.pk).logo
    if logo:
        with logo.open("rb") as handle:
            Image.open(handle).verify()  # only a real image is ever kept
    for contribution in Contribution.objects.exclude(evidence=""):
        with contribution.evidence.open("rb") as handle:
            uploads.detect(handle.read(), allowed=EVIDENCE_FAMILIES)  # only a real file is kept


def settings_(**kwargs):
    return settings(
        deadline=None,
        database=None,
        derandomize=DERANDOMIZE,
        suppress_health_check=list(HealthCheck),
        **kwargs,
    )


def test_an_import_file_with_a_bare_carriage_return_is_refused_with_a_message(client, world, dirk):
    """Found by the upload fuzzing: b"\\r\\x00" made the CSV reader fail with a server error."""
    from django.core.files.uploadedfile import SimpleUploadedFile

    client.force_login(dirk)
    client.get(reverse("students:student_import"))
    response = client.post_with_cookie_token(
        reverse("students:student_import"),
        {"file": SimpleUploadedFile("lijst.csv", b"\r\x00")},
    )

    assert response.status_code == 200
    assert response.context["form"].errors
