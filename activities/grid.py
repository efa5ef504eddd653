"""The progress grid's cells, drawn in Python.

A class of 136 students by 10 units is 1,360 small forms. Drawn by including a template per
cell, they took 90% of the page's time (make bench: 190 ms of 195 ms); drawn here, with the
address, the token, the labels and the options worked out once per page, a tenth of that. The
page and the htmx answer to a changed cell both use `Cells`, so the markup lives in one place.
"""

from django.middleware.csrf import get_token
from django.urls import reverse
from django.utils.html import escape
from django.utils.safestring import SafeString, mark_safe
from django.utils.translation import gettext as _

from activities.models import ProgressStatus


class Cells:
    def __init__(self, request, edition, *, can_track: bool, graded: bool):
        self.can_track = can_track
        self.graded = graded
        self.url = escape(reverse("activities:edition_cell", args=[edition.pk]))
        self.token = escape(get_token(request)) if can_track else ""
        self.statuses = ProgressStatus.choices
        self.labels = {value: escape(label) for value, label in self.statuses}
        self.grade_label = escape(_("Grade"))
        self.save_label = escape(_("Save"))
        self._options: dict[str, str] = {}

    def row(self, row) -> list[SafeString]:
        return [self.cell(row, unit, progress) for unit, progress in row.cells]

    def cell(
        self,
        row,
        unit,
        progress,
        *,
        error: str | None = None,
        typed_status: str | None = None,
        typed_grade: str | None = None,
    ) -> SafeString:
        status = progress.status if progress else ProgressStatus.NOT_STARTED
        ident = f"{row.enrolment.pk}-{unit.pk}"
        if self.can_track:
            body = self._form(row, unit, progress, ident, typed_status or status, typed_grade)
        else:
            body = self.labels.get(status) or escape(status)
        problem = f'<p class="error" role="alert">{escape(error)}</p>' if error else ""
        return mark_safe(  # noqa: S308 - every value in it is escaped above
            f'<td id="cell-{ident}" class="cell cell-{escape(status)}">{body}{problem}</td>'
        )

    def options(self, selected: str) -> str:
        if selected not in self._options:
            self._options[selected] = "".join(
                f'<option value="{escape(value)}"{" selected" if value == selected else ""}>'
                f"{self.labels[value]}</option>"
                for value, _label in self.statuses
            )
        return self._options[selected]

    def _form(self, row, unit, progress, ident, selected, typed_grade) -> str:
        grade = ""
        if self.graded:
            if typed_grade is not None:
                value = typed_grade
            else:
                value = progress.grade if progress and progress.grade is not None else ""
            invalid = ' aria-invalid="true"' if typed_grade is not None else ""
            grade = (
                f'<label class="visually-hidden" for="g-{ident}">{self.grade_label}</label>'
                f'<input id="g-{ident}" class="grade" name="grade" inputmode="decimal" size="3" '
                f'value="{escape(value)}"{invalid}>'
            )
        label = (
            f"{escape(row.enrolment.student.display_name)}, {unit.position}. {escape(unit.title)}"
        )
        return (
            f'<form method="post" action="{self.url}" hx-post="{self.url}" hx-trigger="change" '
            f'hx-target="#cell-{ident}" hx-swap="outerHTML">'
            f'<input type="hidden" name="csrfmiddlewaretoken" value="{self.token}">'
            f'<input type="hidden" name="enrolment" value="{row.enrolment.pk}">'
            f'<input type="hidden" name="unit" value="{unit.pk}">'
            f'<label class="visually-hidden" for="s-{ident}">{label}</label>'
            f'<select id="s-{ident}" name="status">{self.options(selected)}</select>{grade}'
            f'<noscript><button type="submit" class="button button-quiet">{self.save_label}'
            "</button></noscript></form>"
        )
