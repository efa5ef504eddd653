"""The opportunities board as a CSV file.

Every column is worked out in the query (labels, guarded text, the address), so that on
PostgreSQL the database writes the file: going through Python objects took seconds for a large
board. The qualifications come from a view that gathers them per activity (`CreboList`), so the
query needs no grouping. Cells that a spreadsheet would run are escaped."""

from django.db.models import Case, CharField, F, Q, Value, When
from django.db.models.functions import Concat
from django.http import StreamingHttpResponse
from django.utils.translation import gettext_lazy as _

from activities.models import Activity, ActivityKind
from civbio.spreadsheets import as_text, csv_response, safe_cell, safe_text
from programmes.models import ProgrammeLine
from students.models import Route

HEADER = (
    _("Kind"),
    _("Title"),
    _("Organisation"),
    _("Programme line"),
    _("Start date"),
    _("End date"),
    _("Qualifications"),
    _("Level"),
    _("BOL/BBL"),
    _("Places"),
    _("Application deadline"),
    _("Address"),
)


def _labelled(field: str, labels) -> Case:
    """A choice column as its label, worked out in the query."""
    return Case(
        *(When(**{field: key}, then=Value(safe_cell(str(label)))) for key, label in labels),
        default=as_text(F(field)),
        output_field=CharField(),
    )


def board_csv(queryset, address: str, filename: str) -> StreamingHttpResponse:
    """`queryset`'s opportunities in the board's order, one row each; `address` is the absolute
    address of the activity with id 0, from which each row's own is made."""
    # The board's order, with the id to settle ties, so that a file is the same for the same data.
    ordering = [*(queryset.query.order_by or Activity._meta.ordering), "-pk"]
    before, after = address.rsplit("/0/", 1)
    internship = Q(kind=ActivityKind.INTERNSHIP)
    lines = [(line.pk, line.title) for line in ProgrammeLine.objects.all()]
    rows = (
        queryset.annotate(
            c_kind=_labelled("kind", ActivityKind.choices),
            c_title=safe_text("title"),
            c_host=safe_text("host__name"),
            c_line=_labelled("programme_line_id", lines),
            c_start=as_text(F("start_date")),
            c_end=as_text(F("end_date")),
            c_crebos=F("crebo_list__crebos"),
            c_level=as_text(F("level")),
            c_route=Case(
                When(internship, then=_labelled("posting__route", Route.choices)),
                output_field=CharField(),
            ),
            c_places=Case(When(internship, then=as_text(F("posting__places")))),
            c_deadline=Case(When(internship, then=as_text(F("posting__application_deadline")))),
            c_address=Concat(
                Value(f"{before}/"), as_text(F("pk")), Value(f"/{after}"), output_field=CharField()
            ),
        )
        .order_by(*ordering)
        .values_list(
            "c_kind",
            "c_title",
            "c_host",
            "c_line",
            "c_start",
            "c_end",
            "c_crebos",
            "c_level",
            "c_route",
            "c_places",
            "c_deadline",
            "c_address",
        )
    )
    return csv_response([str(name) for name in HEADER], rows, filename)
