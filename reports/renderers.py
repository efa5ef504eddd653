"""A report's contents as a PDF for paper (WeasyPrint), a workbook with one sheet per section
and the hours register as an annex, and the same tables as a bundle of CSV files.

Figures go into the tables as civbio.rounding's cells (money, hours, KPI figures), which the
workbook writes as rounded numbers with a number format and the CSV files with a decimal point:
see that module for what each shows."""

import csv
import io
import zipfile

from django.template.loader import render_to_string
from django.utils.translation import gettext as _
from openpyxl import Workbook
from openpyxl.styles import Font

from civbio.rounding import figure_cell, hours_cell, money_cell
from civbio.spreadsheets import append_xlsx_row, csv_row, safe_cell
from reports.figures import PROTECTED_COUNTS
from reports.kpis import FORECAST_METHOD


def _light_label(light: str | None) -> str:
    return {
        "green": _("on track"),
        "amber": _("behind"),
        "red": _("far behind"),
    }.get(light or "", "")


def sections(contents: dict) -> list[tuple[str, list[str], list[list]]]:
    """The report's tables: (sheet name, header, rows). The workbook and the CSV bundle both
    write exactly these."""
    period = contents["period"]
    summary = [
        [_("Project"), contents["project"].title],
        [_("Period"), period.label],
        [_("Made on"), contents["today"].isoformat()],
        *[
            [_("Line %(n)s") % {"n": s.line.number}, f"{s.line.title}: {_light_label(s.light)}"]
            for s in contents["lines"]
        ],
        [_("Activities that took place"), contents["activities_total"]],
        [
            _("Co-financing committed for the period"),
            money_cell(contents["cofinancing_total"]["committed"]),
        ],
        [_("Co-financing realised: cash"), money_cell(contents["cofinancing_total"]["cash"])],
        [
            _("Co-financing realised: in kind"),
            money_cell(contents["cofinancing_total"]["in_kind"]),
        ],
        [_("Forecast"), str(FORECAST_METHOD)],
        [_("Students"), str(PROTECTED_COUNTS)],
        [_("How the figures are counted"), contents["figures_url"]],
    ]
    kpi_rows = [
        [
            s.line.number,
            row.indicator.title,
            row.indicator.unit_text,
            figure_cell(row.target),
            figure_cell(row.period_value),
            figure_cell(row.cumulative),
            figure_cell(row.forecast),
            _light_label(row.light),
        ]
        for s in contents["lines"]
        for row in s.rows
    ]
    milestone_rows = [
        [
            m.programme_line.number if m.programme_line else "",
            m.title_text,
            m.due_date,
            str(m.get_status_display()) if not m.overdue else _("overdue"),
            m.reached_on,
            m.reason,
        ]
        for m in contents["milestones"]
    ]
    narrative_rows = [
        [s.line.number, n.period_start, n.highlights, n.deviations, n.risks]
        for s in contents["lines"]
        for n in s.narratives
    ]
    partner_rows = [
        [
            p.organisation.name,
            str(p.organisation.get_cofinancing_category_display()),
            money_cell(p.period_committed),
            money_cell(p.period_cash),
            money_cell(p.period_in_kind),
            _light_label(p.period_light),
        ]
        for p in contents["partners"]
    ]
    not_counting_rows = [
        [
            p.organisation.name,
            str(p.organisation.get_cofinancing_category_display()),
            money_cell(p.period_recorded),
            p.not_counting_reason,
        ]
        for p in contents["not_counting"]
    ]
    # One row per figure of a check, each amount a number of its own.
    check_rows = [
        [
            check["rule"],
            # As the pages say it: a broken rule "does not hold", it is not "far behind".
            {"green": _("holds"), "amber": _("behind")}.get(check["light"], _("does not hold")),
            check["base"],
            money_cell(check["base_amount"]),
            str(name),
            money_cell(amount),
        ]
        for check in contents["checks"]
        for name, amount in (check["figures"].items() or [("", None)])
    ]
    membership = [
        *[[o.name, _("active in the period")] for o in contents["active_partners"]],
        *[[o.name, _("joined")] for o in contents["joined"]],
        *[[o.name, _("left")] for o in contents["left"]],
    ]
    hours = [
        [c.organisation.name, c.date, c.programme_line.number, hours_cell(c.hours), c.description]
        for c in contents["hours_register"]
    ]
    return [
        (_("Summary"), [_("Item"), _("Value")], summary),
        (
            _("KPIs"),
            [
                _("Line"),
                _("Indicator"),
                _("Unit"),
                _("Target this year"),
                _("This period"),
                _("Cumulative"),
                _("Forecast"),
                _("Status"),
            ],
            kpi_rows,
        ),
        (
            _("Activities"),
            [_("Kind"), _("Line"), _("Number")],
            [list(row) for row in contents["activities"]],
        ),
        (
            _("Milestones"),
            [_("Line"), _("Milestone"), _("Due"), _("Status"), _("Reached on"), _("Reason")],
            milestone_rows,
        ),
        (
            _("Narrative"),
            [_("Line"), _("Quarter from"), _("Highlights"), _("Deviations"), _("Risks")],
            narrative_rows,
        ),
        (_("Partners"), [_("Partner"), _("In the period")], membership),
        (
            _("Co-financing"),
            [
                _("Partner"),
                _("Counts as"),
                _("Committed for the period"),
                _("Cash"),
                _("In kind"),
                _("Pace"),
            ],
            partner_rows,
        ),
        (
            _("Not counting"),
            [
                _("Partner"),
                _("Counts as"),
                _("Recorded in the period, not counting"),
                _("Why not counting"),
            ],
            not_counting_rows,
        ),
        (
            _("Rule checks"),
            [_("Rule"), _("Outcome"), _("Base"), _("Base amount"), _("Figure"), _("Amount")],
            check_rows,
        ),
        (
            _("Hours register"),
            [_("Partner"), _("Date"), _("Line"), _("Hours"), _("Description")],
            hours,
        ),
    ]


def render_xlsx(contents: dict) -> bytes:
    workbook = Workbook()
    workbook.remove(workbook.active)
    for name, header, rows in sections(contents):
        sheet = workbook.create_sheet(title=str(name)[:31])
        sheet.append([str(h) for h in header])
        for cell in sheet[1]:
            cell.font = Font(bold=True)
        for row in rows:
            append_xlsx_row(sheet, row)
        sheet.freeze_panes = "A2"
    buffer = io.BytesIO()
    workbook.save(buffer)
    return buffer.getvalue()


def render_csv_zip(contents: dict) -> bytes:
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w", zipfile.ZIP_DEFLATED) as bundle:
        for number, (name, header, rows) in enumerate(sections(contents), start=1):
            text = io.StringIO("\ufeff")
            text.seek(0, io.SEEK_END)
            writer = csv.writer(text, quoting=csv.QUOTE_ALL)
            writer.writerow([safe_cell(str(h)) for h in header])
            writer.writerows([csv_row(row) for row in rows])
            slug = str(name).lower().replace(" ", "-")
            bundle.writestr(f"{number:02d}-{slug}.csv", text.getvalue().encode("utf-8"))
    return buffer.getvalue()


def render_pdf(contents: dict) -> bytes:
    from weasyprint import HTML  # a heavy import, needed by the worker only

    html = render_to_string("reports/pdf/report.html", contents)
    return HTML(string=html).write_pdf()
