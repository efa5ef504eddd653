"""Pages for modules, editions, students' progress, the import, and students' data rights."""

import json
from datetime import datetime
from decimal import Decimal

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied, ValidationError
from django.db.models import Q
from django.http import Http404, HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.urls import reverse
from django.utils import timezone
from django.utils.html import format_html
from django.utils.text import slugify
from django.utils.translation import gettext as _
from django.utils.translation import ngettext
from django.views.decorators.http import require_http_methods, require_POST

from civbio import rules
from civbio.confirmation import confirmation_page, confirmed
from civbio.spreadsheets import spreadsheet_response
from partners import audit
from partners.services import log_access, log_access_many
from students import imports, privacy, progress, selectors, services
from students.forms import BulkForm, CellForm, CellValueForm, EditionForm, ImportForm, StudentForm
from students.grid import Cells
from students.models import (
    Edition,
    Enrolment,
    ImportStatus,
    Module,
    ModuleUnit,
    ProgressStatus,
    Student,
    StudentImport,
)

# Teachers and the project office; staff of every partner see the modules.
school_staff_required = rules.role_required(rules.can_run_editions)
staff_required = rules.role_required(rules.is_staff_member)


# Modules ----------------------------------------------------------------------------------------


@staff_required
def module_list(request):
    modules = list(
        Module.objects.filter(is_active=True)
        .select_related("programme_line")
        .prefetch_related("units", "qualifications", "partner_organisations")
    )
    return render(
        request,
        "students/module_list.html",
        {"modules": modules, "can_manage": rules.can_manage_catalogues(request.user)},
    )


# Editions and the progress grid -----------------------------------------------------------------


@school_staff_required
def edition_list(request):
    return render(
        request,
        "students/edition_list.html",
        selectors.edition_list_page(request.user, request.GET),
    )


@school_staff_required
def edition_create(request):
    form = EditionForm(request.POST if request.method == "POST" else None, user=request.user)
    if request.method == "POST" and form.is_valid():
        try:
            edition = progress.create_edition(actor=request.user, **form.cleaned_data)
        except ValidationError as error:
            form.add_error(None, error)
        else:
            messages.success(request, _("The edition was created. Enrol the students next."))
            return redirect(edition)
    return render(request, "students/edition_form.html", {"form": form})


def _edition_for(request, pk: int) -> Edition:
    return get_object_or_404(
        rules.visible_editions(request.user).select_related("module", "school"), pk=pk
    )


# The enrol form lists this many of the school's students; a search finds the others.
CANDIDATES_SHOWN = 50
# Students per page of the progress grid: a class fits on one, a whole year's cohort is paged
# (a cohort of 139 by 12 units was megabytes of forms).
GRID_PAGE = 50


@school_staff_required
def edition_detail(request, pk: int):
    edition = _edition_for(request, pk)
    # Before the grid is read: a cell changed after this moment is someone else's change.
    built_at = timezone.now()
    grid = progress.edition_grid(edition, per_page=GRID_PAGE, page_number=request.GET.get("page"))
    can_track = rules.can_track_edition(request.user, edition)
    graded = edition.module.assessment == "grade"
    cells = Cells(edition, can_track=can_track, graded=graded)
    search = request.GET.get("enrol_q", "").strip()[:100]
    candidates = (
        rules.visible_students(request.user)
        .active()
        .filter(school_id=edition.school_id)
        .exclude(enrolments__edition=edition)
    )
    if search:
        candidates = candidates.filter(
            Q(display_name__icontains=search) | Q(student_number__icontains=search)
        )
    candidate_count = candidates.count() if can_track else 0
    return render(
        request,
        "students/edition_detail.html",
        {
            "edition": edition,
            **grid,
            "grid_rows": [cells.row(row) for row in grid["rows"]],
            "grid_order": Cells.order(grid["rows"]) if can_track else "",
            "built_at": built_at.isoformat(),
            "statuses": ProgressStatus.choices,
            "candidates": (
                list(candidates.order_by("display_name", "pk")[:CANDIDATES_SHOWN])
                if candidate_count
                else []
            ),
            "candidate_count": candidate_count,
            "enrol_search": search,
            "can_track": can_track,
            "graded": graded,
        },
    )


def _int_or_none(value) -> int | None:
    return int(value) if isinstance(value, str) and value.isdigit() and len(value) < 12 else None


def _read_cell(status: str, grade: str) -> tuple[str, Decimal | None] | None:
    form = CellValueForm({"status": status, "grade": grade})
    if not form.is_valid():
        return None
    return form.cleaned_data["status"], form.cleaned_data["grade"]


def _grid_cells(post, *, graded: bool) -> dict | None:
    """The cells of a page of the grid as a browser without JavaScript sends them: each
    cell's status (and grade) in the order `cells` lists the cells; None if they do not match."""
    order = post.get("cells", "").split()
    statuses = post.getlist("status")
    grades = post.getlist("grade") if graded else [""] * len(order)
    if not order or not len(order) == len(statuses) == len(grades):
        return None
    cells = {}
    for ident, status, grade in zip(order, statuses, grades, strict=True):
        enrolment_id, _dash, unit_id = ident.partition("-")
        key = (_int_or_none(enrolment_id), _int_or_none(unit_id))
        if None in key:
            return None
        cells[key] = _read_cell(status, grade)
    return cells


def _save_grid(request, edition: Edition):
    """A page of the grid saved with its one button (no JavaScript): the changed cells are
    recorded; what was changed by someone else meanwhile, or could not be read, is said."""
    back = edition.get_absolute_url()
    page = _int_or_none(request.GET.get("page"))
    if page:
        back += f"?page={page}"
    cells = _grid_cells(request.POST, graded=edition.module.assessment == "grade")
    try:
        seen_at = datetime.fromisoformat(request.POST.get("version", ""))
    except ValueError:
        seen_at = None
    if cells is None or seen_at is None or seen_at.tzinfo is None:
        messages.error(request, _("The grid could not be read. Reload the page and try again."))
        return redirect(back)
    saved = progress.record_grid(actor=request.user, edition=edition, cells=cells, seen_at=seen_at)
    if saved.saved:
        messages.success(
            request,
            ngettext("%(count)s change saved.", "%(count)s changes saved.", saved.saved)
            % {"count": saved.saved},
        )
    if saved.conflicts:
        messages.warning(
            request,
            _(
                "Changed by someone else since you opened the page, and left as it is: "
                "%(cells)s. Check these cells and save again."
            )
            % {"cells": "; ".join(saved.conflicts)},
        )
    for error in saved.errors:
        messages.error(request, error)
    if not (saved.saved or saved.conflicts or saved.errors):
        messages.info(request, _("Nothing was changed."))
    return redirect(back)


@school_staff_required
@require_POST
def edition_cell(request, pk: int):
    """One cell of the grid, changed in place (htmx: the cell's fields and which cell it is), or
    the whole page of the grid from its one form (a browser without JavaScript). A bad value
    comes back in the cell with its message, the typed value kept."""
    edition = _edition_for(request, pk)
    if "cells" in request.POST:
        return _save_grid(request, edition)
    enrolment = get_object_or_404(
        Enrolment.objects.select_related("student", "edition__module"),
        edition=edition,
        pk=_int_or_none(request.POST.get("enrolment")),
    )
    unit = get_object_or_404(
        ModuleUnit, module_id=edition.module_id, pk=_int_or_none(request.POST.get("unit"))
    )
    form = CellForm(request.POST)
    error = None
    if form.is_valid():
        try:
            progress.record_progress(
                actor=request.user,
                enrolment=enrolment,
                unit=unit,
                status=form.cleaned_data["status"],
                grade=form.cleaned_data["grade"],
            )
        except ValidationError as exc:
            error = " ".join(exc.messages)
    else:
        error = _("Choose a status, and a grade such as 7.5.")
    if request.htmx:
        row = progress.grid_row(enrolment)
        cell = next(item for cell_unit, item in row.cells if cell_unit.pk == unit.pk)
        cells = Cells(edition, can_track=True, graded=edition.module.assessment == "grade")
        return HttpResponse(
            cells.cell(
                row,
                unit,
                cell,
                error=error,
                typed_status=request.POST.get("status") if error else None,
                typed_grade=request.POST.get("grade", "")[:10] if error else None,
            )
            + format_html(
                '<td id="percent-{}" class="num" hx-swap-oob="true">{}%</td>',
                row.enrolment.pk,
                row.percent,
            )
        )
    if error:
        messages.error(request, error)
    return redirect(edition)


@school_staff_required
@require_POST
def edition_bulk(request, pk: int):
    edition = _edition_for(request, pk)
    student_ids = list(edition.enrolments.values_list("student_id", flat=True))
    form = BulkForm(request.POST, student_ids=student_ids)
    if not form.is_valid():
        messages.error(request, _("Select students, a unit and a status."))
        return redirect(edition)
    unit = get_object_or_404(ModuleUnit, module_id=edition.module_id, pk=form.cleaned_data["unit"])
    try:
        count = progress.bulk_record_progress(
            actor=request.user,
            edition=edition,
            unit=unit,
            student_ids=form.cleaned_data["students"],
            status=form.cleaned_data["status"],
        )
    except ValidationError as error:
        messages.error(request, " ".join(error.messages))
    else:
        messages.success(
            request,
            _("%(unit)s set to “%(status)s” for %(count)s students.")
            % {
                "unit": unit.title,
                "status": ProgressStatus(form.cleaned_data["status"]).label,
                "count": count,
            },
        )
    return redirect(edition)


@school_staff_required
@require_POST
def edition_enrol(request, pk: int):
    edition = _edition_for(request, pk)
    ids = [i for i in map(_int_or_none, request.POST.getlist("students")) if i is not None]
    students = list(rules.visible_students(request.user).active().filter(pk__in=ids))
    try:
        count = progress.enrol_students(actor=request.user, edition=edition, students=students)
    except ValidationError as error:
        messages.error(request, " ".join(error.messages))
    else:
        messages.success(request, _("%(count)s students enrolled.") % {"count": count})
    return redirect(edition)


def _cell_values(item: progress.CellProgress | None, *, graded: bool) -> list:
    """A unit's cells in the export: its status, and on a graded module its grade beside it as
    a number (a spreadsheet sums and averages it; None leaves the cell empty)."""
    status = item.label if item is not None else str(ProgressStatus.NOT_STARTED.label)
    if not graded:
        return [status]
    return [status, item.grade if item is not None else None]


def _progress_table(edition: Edition) -> tuple[list[str], list[list]]:
    grid = progress.edition_grid(edition)
    graded = edition.module.assessment == "grade"
    units = []
    for unit in grid["units"]:
        title = f"{unit.position}. {unit.title}"
        units += [title, _("%(unit)s: grade") % {"unit": title}] if graded else [title]
    header = [_("Student number"), _("Name"), *units, _("Progress (%)")]
    rows = [
        [
            row.enrolment.student.student_number,
            row.enrolment.student.display_name,
            *[value for _unit, item in row.cells for value in _cell_values(item, graded=graded)],
            row.percent,
        ]
        for row in grid["rows"]
    ]
    return header, rows


@school_staff_required
def edition_export(request, pk: int, fmt: str):
    """The edition's progress as CSV or XLSX (formula-like cells escaped); the export is logged."""
    if fmt not in ("csv", "xlsx"):
        raise Http404
    edition = _edition_for(request, pk)
    header, rows = _progress_table(edition)
    log_access(
        actor=request.user, action=f"export_{fmt}", target_type="edition", target_id=edition.pk
    )
    # Each student in the file sees the export under "who looked at this data".
    log_access_many(
        actor=request.user,
        action=f"export_{fmt}",
        target_type="student",
        target_ids=list(edition.enrolments.values_list("student_id", flat=True)),
    )
    filename = slugify(f"{edition.module.code} {edition.name} {timezone.localdate().isoformat()}")
    return spreadsheet_response(fmt, filename, header, rows)


# Students ---------------------------------------------------------------------------------------


@school_staff_required
def student_list(request):
    return render(
        request,
        "students/student_list.html",
        selectors.student_list_page(request.user, request.GET),
    )


@school_staff_required
def student_detail(request, pk: int):
    student = get_object_or_404(
        rules.visible_students(request.user).select_related("school", "qualification"), pk=pk
    )
    log_access(actor=request.user, action="view", target_type="student", target_id=student.pk)
    return render(
        request,
        "students/student_detail.html",
        {
            "student": student,
            **selectors.student_page(student),
            "can_erase": rules.can_erase_student(request.user),
            "history": audit.history_for(request.user, student),
        },
    )


@school_staff_required
def student_export_page(request, pk: int):
    """Everything stored about a student, as a readable (printable) page; logged like the file."""
    student = get_object_or_404(rules.visible_students(request.user), pk=pk)
    data = privacy.export_student(actor=request.user, student=student)
    return render(request, "students/student_export.html", {"student": student, "data": data})


@school_staff_required
def student_export(request, pk: int):
    student = get_object_or_404(rules.visible_students(request.user), pk=pk)
    data = privacy.export_student(actor=request.user, student=student)
    response = HttpResponse(
        json.dumps(data, ensure_ascii=False, indent=2),
        content_type="application/json; charset=utf-8",
    )
    response["Content-Disposition"] = f'attachment; filename="student-{student.pk}.json"'
    return response


@login_required
@require_http_methods(["GET", "POST"])
def student_erase(request, pk: int):
    """Erase a student for good, after a page that says what goes and what stays."""
    if not rules.can_erase_student(request.user):
        raise PermissionDenied
    student = get_object_or_404(
        rules.visible_students(request.user).select_related("school"), pk=pk
    )
    if student.erased_at is not None:
        messages.info(request, _("This student's data was erased already."))
        return redirect("students:student_list")
    if confirmed(request):
        privacy.erase_student(actor=request.user, student=student)
        messages.success(request, _("The student's data was erased; anonymous counts remain."))
        return redirect("students:student_list")
    return confirmation_page(
        request,
        heading=_("Erase %(name)s?") % {"name": student.display_name},
        lines=privacy.erase_effects(student),
        action=reverse("students:student_erase", args=[student.pk]),
        confirm_label=_("Yes, erase for good"),
        back=reverse("students:student_detail", args=[student.pk]),
        back_label=_("No, keep the student"),
        warning=_("This cannot be undone: not even the project office can bring the name back."),
    )


# Importing students -----------------------------------------------------------------------------


@school_staff_required
def student_import(request):
    form = ImportForm(
        request.POST if request.method == "POST" else None,
        request.FILES if request.method == "POST" else None,
        user=request.user,
    )
    if request.method == "POST" and form.is_valid():
        upload = form.cleaned_data["file"]
        try:
            checked = imports.check_import(
                actor=request.user,
                filename=upload.name,
                data=upload.read(imports.MAX_BYTES + 1),
                edition=form.cleaned_data["edition"],
            )
        except ValidationError as error:
            form.add_error("file", error)
        else:
            return redirect("students:student_import_preview", pk=checked.pk)
    return render(request, "students/student_import.html", {"form": form})


def _import_for(request, pk: int, *, with_rows: bool = True) -> StudentImport:
    imports_ = StudentImport.objects.select_related("edition", "edition__module")
    if not with_rows:
        imports_ = imports_.defer("rows", "errors")
    return get_object_or_404(imports_, pk=pk, uploaded_by=request.user)


@school_staff_required
def student_import_preview(request, pk: int):
    checked = _import_for(request, pk)
    if request.method == "POST":
        try:
            if request.POST.get("action") == "retry":
                services.retry_import(actor=request.user, student_import=checked)
            else:
                services.confirm_student_import(actor=request.user, student_import=checked)
        except ValidationError as error:
            messages.error(request, " ".join(error.messages))
        return redirect("students:student_import_preview", pk=pk)
    rows = checked.rows
    return render(
        request,
        "students/student_import_preview.html",
        {
            "checked": checked,
            "errors": checked.errors[:200],
            "preview_rows": rows[:50],
            "new_count": sum(1 for r in rows if not r.get("exists")),
            "update_count": sum(1 for r in rows if r.get("exists")),
            "processed": imports.rows_processed(checked),
            "can_retry": checked.status == ImportStatus.FAILED and bool(rows),
        },
    )


@school_staff_required
def student_import_progress(request, pk: int):
    """The progress bar's fragment, polled by htmx while the import runs."""
    checked = _import_for(request, pk, with_rows=False)
    response = render(
        request,
        "students/partials/import_progress.html",
        {"checked": checked, "processed": imports.rows_processed(checked)},
    )
    if checked.status not in (ImportStatus.QUEUED, ImportStatus.RUNNING):
        # The whole page changes once the import is over (only the outcome stays): htmx reloads it.
        response["HX-Refresh"] = "true"
    return response


@school_staff_required
def student_import_template(request):
    response = HttpResponse(imports.template_csv(), content_type="text/csv; charset=utf-8")
    response["Content-Disposition"] = 'attachment; filename="civbio-studenten-sjabloon.csv"'
    return response


@school_staff_required
def student_edit(request, pk: int | None = None):
    """Add a student, or correct one: name, qualification, level, route, leaving, consent."""
    student = (
        get_object_or_404(rules.visible_students(request.user).filter(erased_at=None), pk=pk)
        if pk
        else None
    )
    form = StudentForm(
        request.POST if request.method == "POST" else None,
        instance=student or Student(school=request.user.organisation),
    )
    if request.method == "POST" and form.is_valid():
        try:
            saved = services.save_student(
                actor=request.user,
                student=student,
                fields=form.cleaned_data,
                # No version sent: refused like a conflict, never saved blind.
                version=form.cleaned_data.get("version") or "",
            )
        except ValidationError as error:
            form.add_error(None, error)
            if student is not None:
                # The next save is judged against what is stored now.
                form.data = form.data.copy()
                form.data["version"] = Student.objects.get(pk=student.pk).updated_at.isoformat()
        else:
            messages.success(request, _("The student was saved."))
            return redirect("students:student_detail", pk=saved.pk)
    return render(request, "students/student_form.html", {"form": form, "student": student})
