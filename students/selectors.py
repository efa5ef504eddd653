"""The data behind the students' pages; each page's queries are counted in its tests."""

from django.db.models import Q
from django.http import QueryDict
from django.utils.formats import number_format
from django.utils.translation import gettext as _

from civbio import rules
from civbio.pagination import paginate
from students import progress, records
from students.forms import StudentSearchForm
from students.models import Enrolment, Student


def student_page(student: Student) -> dict:
    """A student's modules with their progress, what other apps keep about them (their
    nominations, placements and their class's lessons: students.records) and one timeline across
    all of it. Three queries here, and those of the records."""
    enrolments = list(
        student.enrolments.select_related("edition", "edition__module").prefetch_related(
            "progress", "edition__module__units"
        )
    )
    modules = []
    for enrolment in enrolments:
        units = progress.edition_units(enrolment.edition)
        done = {p.unit_id for p in enrolment.progress.all() if p.is_done}
        modules.append(
            {
                "enrolment": enrolment,
                "percent": progress.percent_done(units, done),
                "units": len(units),
                "done": len(done),
            }
        )
    context: dict = {"modules": modules}
    entries = _enrolment_entries(enrolments)
    for kept in records.registered():
        more, their_entries = kept.page(student, enrolments)
        context.update(more)
        entries += their_entries
    context["timeline"] = _timeline(enrolments, entries)
    return context


def _enrolment_entries(enrolments: list[Enrolment]) -> list[dict]:
    entries = []
    for enrolment in enrolments:
        edition = enrolment.edition
        entries.append(
            {
                "date": enrolment.enrolled_on,
                "text": _("Enrolled in %(edition)s") % {"edition": edition},
                # Before whatever else happened that day.
                "first": True,
            }
        )
        units = {u.pk: u for u in edition.module.units.all()}  # retired ones too: history
        for item in enrolment.progress.all():
            entries.append(
                {
                    "date": item.recorded_on,
                    "text": f"{units[item.unit_id]}: {item.get_status_display()}"
                    + (f" ({number_format(item.grade)})" if item.grade is not None else ""),
                }
            )
    return entries


def _timeline(enrolments: list[Enrolment], entries: list[dict]) -> list[dict]:
    """One chronological story across modules, nominations, placements and lessons, newest
    first. What belongs to a class or a module (lessons, progress) starts when the student was
    first enrolled; the student's own nominations and placements are always shown."""
    if enrolments:
        first = min(enrolment.enrolled_on for enrolment in enrolments)
        entries = [entry for entry in entries if entry.get("own") or entry["date"] >= first]
    return sorted(entries, key=lambda e: (e["date"], not e.get("first")), reverse=True)


# Students on a page of the list.
STUDENTS_PAGE_SIZE = 50


def student_list_page(user, query: QueryDict) -> dict:
    """The students a person may see, a page at a time in name order: those still at school
    unless asked otherwise, found by name or number. Two queries (the count and the page)."""
    form = StudentSearchForm(query)
    wanted = form.cleaned_data if form.is_valid() else {}
    students = rules.visible_students(user).select_related("qualification")
    status = wanted.get("status") or StudentSearchForm.ACTIVE
    if status == StudentSearchForm.ACTIVE:
        students = students.filter(left_on__isnull=True)
    elif status == StudentSearchForm.LEFT:
        students = students.filter(left_on__isnull=False)
    if text := (wanted.get("q") or "").strip():
        students = students.filter(
            Q(display_name__icontains=text) | Q(student_number__icontains=text)
        )
    pager = paginate(students.order_by("display_name", "pk"), query, per_page=STUDENTS_PAGE_SIZE)
    return {"form": form, "students": pager.rows, "pager": pager}


# Editions on a page of each of the two lists.
EDITIONS_PAGE_SIZE = 25


def edition_list_page(user, query: QueryDict) -> dict:
    """The editions a person teaches, and the others they may see, newest first, each list a
    page at a time with its own pager (`mine`, `others` in the address)."""
    editions = (
        rules.visible_editions(user)
        .select_related("module", "school")
        .prefetch_related("teachers")
        .order_by("-start_date", "name", "pk")
    )
    return {
        "mine": paginate(
            editions.filter(teachers=user), query, param="mine", per_page=EDITIONS_PAGE_SIZE
        ),
        "others": paginate(
            editions.exclude(teachers=user), query, param="others", per_page=EDITIONS_PAGE_SIZE
        ),
    }
