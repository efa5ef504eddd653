"""The progress grid's cells, drawn in Python.

A class of 136 students by 10 units is 1,360 small forms. Drawn by including a template per
cell, they took 90% of the page's time (make bench: 190 ms of 195 ms); drawn here, with the
address, the token, the labels and the options worked out once per page, a tenth of that. The
page and the htmx answer to a changed cell both use `Cells`, so the markup lives in one place.

The rows are drawn here too, with each student's name and each unit's title escaped once, by
the standard library's `html.escape` on plain text (Django's `escape` also accepts lazy text and
costs five times as much per call: 3,300 calls a page).
"""

from html import escape

from django.middleware.csrf import get_token
from django.urls import reverse
from django.utils.safestring import SafeString, mark_safe
from django.utils.translation import gettext as _

from activities.models import ProgressStatus
from civbio import numbers


class Cells:
    def __init__(self, request, edition, *, can_track: bool, graded: bool):
        self.can_track = can_track
        self.graded = graded
        self.url = escape(reverse("activities:edition_cell", args=[edition.pk]))
        self.token = escape(get_token(request)) if can_track else ""
        self.statuses = ProgressStatus.choices
        self.labels = {value: escape(str(label)) for value, label in self.statuses}
        self.grade_label = escape(_("Grade"))
        self.save_label = escape(_("Save"))
        # Grades as the page's language writes them (7,5 on a Dutch page), found once a page.
        self.separator = numbers.decimal_separator()
        self._options: dict[str, str] = {}
        self._units: dict[int, str] = {}

    def row(self, row) -> SafeString:
        """A student's whole row: the bulk action's checkbox, the name, a cell per unit and the
        student's progress."""
        enrolment = row.enrolment
        student = enrolment.student
        name = escape(student.display_name)
        select = escape(_("Select %(name)s") % {"name": student.display_name})
        url = escape(reverse("activities:student_detail", args=[enrolment.student_id]))
        cells = "".join(self.cell(row, unit, progress, name=name) for unit, progress in row.cells)
        return mark_safe(  # noqa: S308 - every value in it is escaped or a number
            f'<tr><td><input type="checkbox" form="bulk" name="students" '
            f'value="{enrolment.student_id}" id="sel-{enrolment.pk}" aria-label="{select}"></td>'
            f'<th scope="row"><a href="{url}">{name}</a></th>{cells}'
            f'<td id="percent-{enrolment.pk}" class="num">{row.percent}%</td></tr>'
        )

    def cell(
        self,
        row,
        unit,
        progress,
        *,
        error: str | None = None,
        typed_status: str | None = None,
        typed_grade: str | None = None,
        name: str | None = None,
    ) -> SafeString:
        status = progress.status if progress else ProgressStatus.NOT_STARTED
        ident = f"{row.enrolment.pk}-{unit.pk}"
        if self.can_track:
            if name is None:
                name = escape(row.enrolment.student.display_name)
            label = f"{name}, {self.unit_label(unit)}"
            body = self._form(
                progress, row.enrolment.pk, unit.pk, label, typed_status or status, typed_grade
            )
        else:
            body = self.labels.get(status) or escape(status)
        problem = f'<p class="error" role="alert">{escape(error)}</p>' if error else ""
        return mark_safe(  # noqa: S308 - every value in it is escaped above
            f'<td id="cell-{ident}" class="cell cell-{escape(status)}">{body}{problem}</td>'
        )

    def unit_label(self, unit) -> str:
        if unit.pk not in self._units:
            self._units[unit.pk] = f"{unit.position}. {escape(unit.title)}"
        return self._units[unit.pk]

    def options(self, selected: str) -> str:
        if selected not in self._options:
            self._options[selected] = "".join(
                f'<option value="{escape(value)}"{" selected" if value == selected else ""}>'
                f"{self.labels[value]}</option>"
                for value, _label in self.statuses
            )
        return self._options[selected]

    def _form(self, progress, enrolment_id, unit_id, label, selected, typed_grade) -> str:
        ident = f"{enrolment_id}-{unit_id}"
        grade = ""
        if self.graded:
            if typed_grade is not None:
                value = typed_grade
            else:
                grade_value = progress.grade if progress else None
                value = "" if grade_value is None else numbers.written(grade_value, self.separator)
            invalid = ' aria-invalid="true"' if typed_grade is not None else ""
            grade = (
                f'<label class="visually-hidden" for="g-{ident}">{self.grade_label}</label>'
                f'<input id="g-{ident}" class="grade" name="grade" inputmode="decimal" size="3" '
                f'value="{escape(str(value))}"{invalid}>'
            )
        return (
            # Where the answer goes (the cell) is said once, on the grid's body.
            f'<form method="post" action="{self.url}" hx-post="{self.url}" hx-trigger="change">'
            f'<input type="hidden" name="csrfmiddlewaretoken" value="{self.token}">'
            f'<input type="hidden" name="enrolment" value="{enrolment_id}">'
            f'<input type="hidden" name="unit" value="{unit_id}">'
            f'<label class="visually-hidden" for="s-{ident}">{label}</label>'
            f'<select id="s-{ident}" name="status">{self.options(selected)}</select>{grade}'
            f'<noscript><button type="submit" class="button button-quiet">{self.save_label}'
            "</button></noscript></form>"
        )
