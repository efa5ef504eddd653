"""Reporting periods of a project: a quarter, a project year or the whole project, as dashboards
and reports let people choose them (`?period=q7`, `?period=y2`, `?period=all`)."""

from dataclasses import dataclass
from datetime import date

from django.utils.translation import gettext as _

from programmes.models import Project

QUARTER, YEAR, PROJECT = "quarter", "year", "project"


@dataclass(frozen=True)
class Period:
    key: str
    kind: str
    start: date
    end: date
    # The project quarters the period covers, by number.
    quarters: tuple[int, ...]

    @property
    def label(self) -> str:
        dates = f"{self.start:%d-%m-%Y} \N{EN DASH} {self.end:%d-%m-%Y}"
        if self.kind == QUARTER:
            return _("Quarter %(n)s (%(dates)s)") % {"n": self.quarters[0], "dates": dates}
        if self.kind == YEAR:
            return _("Project year %(n)s (%(dates)s)") % {"n": self.key[1:], "dates": dates}
        return _("Whole project (%(dates)s)") % {"dates": dates}

    @property
    def short_label(self) -> str:
        if self.kind == QUARTER:
            return _("quarter %(n)s") % {"n": self.quarters[0]}
        if self.kind == YEAR:
            return _("project year %(n)s") % {"n": self.key[1:]}
        return _("the whole project")

    def upto(self, today: date) -> date:
        """The last day of the period that has begun: figures "to date" stop here."""
        return min(self.end, max(today, self.start))

    def contains(self, day: date | None) -> bool:
        return day is not None and self.start <= day <= self.end


def project_periods(project: Project, today: date) -> list[Period]:
    """Every period that has begun by today: the quarters newest first, then the project years,
    then the whole project. The first one is the current quarter."""
    quarters = [q for q in project.quarters() if q[1] <= today] or project.quarters()[:1]
    periods = [Period(f"q{n}", QUARTER, start, end, (n,)) for n, start, end in reversed(quarters)]
    by_year: dict[int, list[tuple[int, date, date]]] = {}
    for q in project.quarters():
        by_year.setdefault((q[0] - 1) // 4 + 1, []).append(q)
    for year, year_quarters in by_year.items():
        if year_quarters[0][1] <= today or year == 1:
            periods.append(
                Period(
                    f"y{year}",
                    YEAR,
                    year_quarters[0][1],
                    year_quarters[-1][2],
                    tuple(q[0] for q in year_quarters),
                )
            )
    all_quarters = project.quarters()
    periods.append(
        Period(
            "all",
            PROJECT,
            project.start_date,
            project.end_date,
            tuple(q[0] for q in all_quarters),
        )
    )
    return periods


def choose_period(project: Project, key: str | None, today: date) -> tuple[Period, list[Period]]:
    """The period asked for by its key (the current quarter when the key is missing or unknown),
    and the choices to offer."""
    periods = project_periods(project, today)
    return next((p for p in periods if p.key == key), periods[0]), periods


def period_by_key(project: Project, key: str) -> Period | None:
    """Any period of the project by its key, begun or not (reports name ended periods)."""
    return next((p for p in project_periods(project, project.end_date) if p.key == key), None)
