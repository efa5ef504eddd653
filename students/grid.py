"""The progress grid's rows and cells, drawn in Python.

A page of the grid is fifty students by a module's units: five hundred cells or more, each with
a labelled status select (and a grade on graded modules). A Django template with the same markup
took ten times as long to render (a loop over the options inside a loop over the cells); drawn
here, with the address, the labels and the options worked out once per page, the rows cost a few
milliseconds. The page and the htmx answer to a changed cell both use `Cells`, so the markup
lives in one place.

The grid is one form for the whole table. With JavaScript, htmx sends a changed cell on its own:
each cell says which student and unit it is (`hx-vals`) and posts its fields (`hx-include`, on
the grid's body); the CSRF token comes once, from `hx-headers` on <body>. Without JavaScript the
cells belong to the form `grid` (it exists only in <noscript>), which sends the page's cells in
order, their list in `cells`, and the time the page was built, so cells someone else changed
since then are not overwritten.

Names and titles are escaped by the standard library's `html.escape` on plain text (Django's
`escape` also accepts lazy text and costs five times as much per call).
"""

from html import escape

from django.urls import reverse
from django.utils.safestring import SafeString, mark_safe
from django.utils.translation import gettext as _

from civbio import numbers
from students.models import ProgressStatus


class Cells:
    def __init__(self, edition, *, can_track: bool, graded: bool):
        self.can_track = can_track
        self.graded = graded
        self.url = escape(reverse("students:edition_cell", args=[edition.pk]))
        self.statuses = ProgressStatus.choices
        self.labels = {value: escape(str(label)) for value, label in self.statuses}
        self.grade_label = escape(_("Grade"))
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
        url = escape(reverse("students:student_detail", args=[enrolment.student_id]))
        cells = "".join(self.cell(row, unit, progress, name=name) for unit, progress in row.cells)
        return mark_safe(  # noqa: S308 - every value in it is escaped or a number
            f'<tr><td><input type="checkbox" form="bulk" name="students" '
            f'value="{enrolment.student_id}" id="sel-{enrolment.pk}" aria-label="{select}"></td>'
            f'<th scope="row"><a href="{url}">{name}</a></th>{cells}'
            f'<td id="percent-{enrolment.pk}" class="num">{row.percent}%</td></tr>'
        )

    @staticmethod
    def order(rows) -> str:
        """The page's cells in the order a browser without JavaScript sends their fields."""
        return " ".join(f"{row.enrolment.pk}-{unit.pk}" for row in rows for unit, _p in row.cells)

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
        enrolment_id = row.enrolment.pk
        ident = f"{enrolment_id}-{unit.pk}"
        if not self.can_track:
            body = self.labels.get(status) or escape(status)
            return mark_safe(  # noqa: S308 - every value in it is escaped above
                f'<td id="cell-{ident}" class="cell cell-{escape(status)}">{body}</td>'
            )
        if name is None:
            name = escape(row.enrolment.student.display_name)
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
                f'value="{escape(str(value))}"{invalid} form="grid">'
            )
        problem = f'<p class="error" role="alert">{escape(error)}</p>' if error else ""
        return mark_safe(  # noqa: S308 - every value in it is escaped or a number
            f'<td id="cell-{ident}" class="cell cell-{escape(status)}" hx-post="{self.url}" '
            f'hx-trigger="change" hx-vals=\'{{"enrolment":{enrolment_id},"unit":{unit.pk}}}\'>'
            f'<label class="visually-hidden" for="s-{ident}">{name}, {self.unit_label(unit)}'
            f'</label><select id="s-{ident}" name="status" form="grid">'
            f"{self.options(typed_status or status)}</select>{grade}{problem}</td>"
        )

    def unit_label(self, unit) -> str:
        if unit.pk not in self._units:
            self._units[unit.pk] = f"{unit.position}. {escape(unit.title)}"
        return self._units[unit.pk]

    def options(self, selected: str) -> str:
        # Without </option>, which HTML lets a list of options leave out: a tenth of a cell.
        if selected not in self._options:
            self._options[selected] = "".join(
                f'<option value="{escape(value)}"{" selected" if value == selected else ""}>'
                f"{self.labels[value]}"
                for value, _label in self.statuses
            )
        return self._options[selected]
