"""The four role dashboards: one selector each, with a fixed query budget whatever the volume.

Every figure comes from `reports.figures` and `reports.kpis`, the same functions the finance and
KPI pages and the funder reports use, so a number on a dashboard is the number in the report.
"""

from dataclasses import dataclass
from datetime import date, timedelta
from decimal import Decimal

from django.conf import settings
from django.db.models import (
    Case,
    Count,
    Exists,
    F,
    IntegerField,
    Min,
    OuterRef,
    Q,
    Subquery,
    Sum,
    Value,
    When,
)
from django.db.models.functions import Coalesce
from django.urls import reverse
from django.utils import timezone
from django.utils.http import urlencode
from django.utils.translation import gettext as _

from activities.matching import matches_for
from activities.models import (
    OPEN_REQUEST_STATUSES,
    Activity,
    ActivityKind,
    ActivityStatus,
    Nomination,
    NominationStatus,
    Notification,
    Placement,
    Request,
    RequestStatus,
)
from civbio import rounding, rules
from ledger.models import Contribution, ContributionStatus
from partners.models import Invitation, Organisation, OrganisationKind, User
from partners.selectors import contacts_by_organisation
from programmes.models import (
    IndicatorValue,
    Milestone,
    MilestoneStatus,
    Narrative,
    ProgrammeLine,
    Project,
    ReportStatus,
)
from programmes.periods import Period
from reports import charts, figures, kpis
from students.models import DONE_STATUSES, Edition, Enrolment, ModuleUnit, Student, UnitProgress

MILESTONE_HORIZON_DAYS = 30
# A company's activities that can still draw requests or nominations.
LIVE_STATUSES = [ActivityStatus.PUBLISHED, ActivityStatus.PLANNED, ActivityStatus.RUNNING]


# Shared pieces ----------------------------------------------------------------------------------


@dataclass
class Scope:
    """What a dashboard shows: the project, the period, and optionally one programme line."""

    project: Project
    period: Period
    periods: list[Period]
    lines: list[ProgrammeLine]
    line: ProgrammeLine | None
    today: date

    @property
    def line_id(self) -> int | None:
        return self.line.pk if self.line else None

    @property
    def shown_lines(self) -> list[ProgrammeLine]:
        return [self.line] if self.line else self.lines

    @property
    def upto(self) -> date:
        return self.period.upto(self.today)


def _list_url(name: str, *args, **params) -> str:
    url = reverse(name, args=args)
    params = {k: v for k, v in params.items() if v not in (None, "")}
    return f"{url}?{urlencode(params)}" if params else url


def _happened(scope: Scope, closed: figures.Closed, hide: tuple[str, ...] = ()) -> dict:
    """Activities that took place in the period, by kind and line, as a chart and a total
    (`hide`: kinds left out, such as placements, which count students)."""
    counts = {
        key: n
        for key, n in figures.activities_happened(
            scope.period, scope.line_id, closed=closed
        ).items()
        if key[0] not in hide
    }
    kinds = [k for k in ActivityKind if any(key[0] == k for key in counts)] or [
        k for k in ActivityKind if k not in hide
    ]
    series = [
        (_("Line %(n)s") % {"n": line.number}, [counts.get((kind, line.pk), 0) for kind in kinds])
        for line in scope.shown_lines
    ]
    total = sum(counts.values())
    chart = charts.bar_chart(
        _("Activities in %(period)s") % {"period": scope.period.short_label},
        _("%(n)s activities took place, by kind and programme line.") % {"n": total},
        [ActivityKind(k).label for k in kinds],
        series,
        horizontal=True,
        stacked=True,
        category=_("Kind"),
    )
    by_kind = [
        {
            "kind": kind,
            "label": ActivityKind(kind).label,
            "count": sum(n for (k, _line), n in counts.items() if k == kind),
            "url": _list_url(
                "activities:activity_list",
                kind,
                programme_line=scope.line_id,
                happened_from=scope.period.start.isoformat(),
                happened_until=scope.period.end.isoformat(),
            ),
        }
        for kind in kinds
    ]
    return {"happened_total": total, "happened_chart": chart, "happened_by_kind": by_kind}


def _kpis(scope: Scope, *, suppress: bool, **read) -> list[dict]:
    """Per programme line: its indicators to the end of the period, with a traffic light
    (`read`: the indicators and measures, when the dashboard read them for more than this)."""
    data = kpis.kpi_rows(scope.project, scope.line_id, today=scope.upto, **read)
    upto_quarter = data["quarter"][0] if data["quarter"] else 0
    raw = {r.indicator.pk: r.in_quarters(scope.period.quarters, upto_quarter) for r in data["rows"]}
    if suppress:
        kpis.suppress_people(data["rows"])
    blocks = []
    for line in scope.shown_lines:
        rows = [r for r in data["rows"] if r.indicator.programme_line_id == line.pk]
        upto = data["quarter"][0] if data["quarter"] else 0
        for row in rows:
            if row.protected:
                # Counted before protect() emptied the series: see kpis.suppress_people.
                row.period_value = figures.protect(raw[row.indicator.pk])
            else:
                row.period_value = row.in_quarters(scope.period.quarters, upto)
        blocks.append(
            {
                "line": line,
                "rows": rows,
                "light": kpis.line_light(rows) if rows else None,
                "url": _list_url(
                    "reports:kpis_line",
                    line.number,
                    quarter=scope.period.quarters[-1] if scope.period.kind == "quarter" else None,
                ),
            }
        )
    return blocks


def _kpi_progress_chart(block: dict) -> charts.Chart | None:
    rows = [r for r in block["rows"] if r.target and r.cumulative is not None]
    if not rows:
        return None
    return charts.bar_chart(
        _("Line %(n)s: realised as a share of this year's target") % {"n": block["line"].number},
        _("Each bar is an indicator's figure so far as a percentage of its target for the year."),
        [r.indicator.title for r in rows],
        [(_("Percentage of target"), [r.percent_of_target for r in rows])],
        horizontal=True,
        value_suffix="%",
        maximum=100,
        category=_("Indicator"),
        width=900,
    )


def _kpi_trend_chart(block: dict, last_quarter: int) -> charts.Chart | None:
    # Protected student figures have no series: a trend would give the small counts away.
    rows = [r for r in block["rows"] if r.final_target and not r.protected]
    if not rows or last_quarter < 1:
        return None
    return charts.line_chart(
        _("Line %(n)s: trend per quarter") % {"n": block["line"].number},
        _(
            "Each line is an indicator's cumulative figure after each quarter, as a percentage of "
            "its target at the end of the project."
        ),
        [_("Q%(n)s") % {"n": q} for q in range(1, last_quarter + 1)],
        [(r.indicator.title, r.trend(last_quarter)) for r in rows],
        value_suffix="%",
        category=_("Quarter"),
    )


def _milestones(scope: Scope) -> list[Milestone]:
    """Milestones overdue, and those due within the coming month."""
    items = list(
        Milestone.objects.filter(
            project=scope.project,
            status=MilestoneStatus.PLANNED,
            due_date__lte=scope.today + timedelta(days=MILESTONE_HORIZON_DAYS),
            **({"programme_line_id": scope.line_id} if scope.line_id else {}),
        )
        .select_related("programme_line", "owner_organisation")
        .order_by("due_date")[:12]
    )
    for item in items:
        item.overdue = item.due_date < scope.today
    return items


# A dashboard names at most this many partners per list or chart; the finance page and the
# partner list have them all. Ten times the consortium has 260 partners, and a chart of 200 bars
# helps nobody (make bench: the coordinator dashboard was 363 kB at ten times, 2.5 MB at 100).
LISTED = 12
# The school dashboard matches the class to this many of the newest open opportunities.
MATCHED = 25


def _finance_figures(project, today, period, closed: figures.Closed) -> dict:
    """What the dashboards show of co-financing: totals over every counting partner, the
    largest pledges and the partners behind theirs."""
    overview = figures.cofinancing(project, today, period=period, closed=closed)
    counting = [
        p
        for p in overview["partners"]
        if p.organisation.cofinancing_category in figures.COUNTING_CATEGORIES
        and (p.period_committed or p.period_realised)
    ]
    counting.sort(key=lambda p: p.period_committed, reverse=True)
    total = {
        "committed": sum((p.period_committed for p in counting), Decimal(0)),
        "cash": sum((p.period_cash for p in counting), Decimal(0)),
        "in_kind": sum((p.period_in_kind for p in counting), Decimal(0)),
    }
    total["realised"] = total["cash"] + total["in_kind"]
    behind = [p for p in counting if p.period_light in ("amber", "red")]
    # Partners whose contributions do not count, with what they recorded in the period: shown
    # as such, not as a partner that brought nothing.
    not_counting = [p for p in overview["partners"] if p.not_counting_reason and p.period_recorded]
    return {
        "not_counting": not_counting[:LISTED],
        "largest": counting[:LISTED],
        "unlisted": max(len(counting) - LISTED, 0),
        "behind": behind[:LISTED],
        "behind_more": max(len(behind) - LISTED, 0),
        "total": total,
        "checks": overview["checks"],
    }


def _finance(scope: Scope, closed: figures.Closed) -> dict:
    shown = _finance_figures(scope.project, scope.today, scope.period, closed)
    largest = shown["largest"]
    chart = None
    if largest:
        chart = charts.bar_chart(
            _("Co-financing per partner in %(period)s") % {"period": scope.period.short_label},
            _(
                "For the partners with the largest pledges, the pledge for the period next to "
                "what it realised (approved hours valued at its rate, cash and other in-kind)."
            ),
            [p.organisation.name for p in largest],
            [
                (_("Committed"), [p.period_committed for p in largest]),
                (_("Realised"), [p.period_realised for p in largest]),
            ],
            horizontal=True,
            category=_("Partner"),
        )
    return {
        "finance_partners": largest,
        "finance_unlisted": shown["unlisted"],
        "finance_behind": shown["behind"],
        "finance_behind_more": shown["behind_more"],
        "finance_chart": chart,
        "finance_total": shown["total"],
        "finance_not_counting": shown["not_counting"],
        "checks": shown["checks"],
    }


# Coordinator ------------------------------------------------------------------------------------


def _engagement(period, upto: date, cutoff: date, closed: figures.Closed) -> dict:
    """The partners' engagement as the dashboard shows it: counted, and the first of those silent
    since `cutoff` named."""
    engagement = figures.partner_engagement(period, upto, closed=closed)
    silent = [e for e in engagement if e.silent_since(cutoff)]
    return {
        "engagement_total": len(engagement),
        "active_count": sum(1 for e in engagement if e.active_in_period),
        "silent_partners": silent[:LISTED],
        "silent_count": len(silent),
        "silent_more": max(len(silent) - LISTED, 0),
    }


def coordinator_dashboard(user: User, scope: Scope) -> dict:
    now = timezone.now()
    today = scope.today
    closed = figures.closed_quarters(scope.project)
    kpi_blocks = _kpis(scope, suppress=False)
    for block in kpi_blocks:
        block["chart"] = _kpi_progress_chart(block)
    current = scope.project.quarter_of(scope.upto)
    previous = scope.project.quarter_of(current[1] - timedelta(days=1)) if current else None
    cutoff = previous[1] if previous else scope.project.start_date
    pending_invitations = Invitation.objects.pending(now).aggregate(
        n=Count("pk"), expiring=Count("pk", filter=Q(expires_at__lte=now + timedelta(days=3)))
    )
    contributions = Contribution.objects.filter(
        status__in=[ContributionStatus.SUBMITTED, ContributionStatus.PROPOSED]
    ).aggregate(
        submitted=Count("pk", filter=Q(status=ContributionStatus.SUBMITTED)),
        proposed=Count("pk", filter=Q(status=ContributionStatus.PROPOSED)),
    )
    values_pending = IndicatorValue.objects.filter(status=ReportStatus.SUBMITTED)
    if scope.line_id:
        values_pending = values_pending.filter(indicator__programme_line_id=scope.line_id)
    # How many wait, and the line whose KPI page lists them (it shows one line at a time).
    waiting = values_pending.aggregate(n=Count("pk"), line=Min("indicator__programme_line__number"))
    # The latest quarter that has ended: its write-up per line is what the next report needs.
    ended = [q for q in scope.project.quarters() if q[2] < today]
    last_ended = ended[-1] if ended else None
    written = (
        set(
            Narrative.objects.filter(period_start=last_ended[1]).values_list(
                "programme_line_id", flat=True
            )
        )
        if last_ended
        else set()
    )
    # An anti-join, the first twelve named and all counted: not every partner's people counted
    # to keep those with none.
    without_people = (
        Organisation.objects.partners()
        .active()
        .filter(~Exists(User.objects.filter(organisation=OuterRef("pk"), is_active=True)))
        .order_by("name")
    )
    without_people_count = without_people.count()
    return {
        **_happened(scope, closed),
        **_finance(scope, closed),
        "kpi_blocks": kpi_blocks,
        **_engagement(scope.period, scope.upto, cutoff, closed),
        "silent_cutoff": cutoff,
        "milestones": _milestones(scope),
        "approvals": {
            "contributions": contributions["submitted"],
            "hours_unconfirmed": contributions["proposed"],
            "kpi_values": waiting["n"],
            "kpi_line": waiting["line"],
            "invitations": pending_invitations["n"],
            "invitations_expiring": pending_invitations["expiring"],
        },
        "write_ups": {
            "quarter": last_ended,
            "lines": [{"line": line, "written": line.pk in written} for line in scope.shown_lines],
        },
        "organisations_without_people": list(without_people[:LISTED]),
        "without_people_more": max(without_people_count - LISTED, 0),
    }


# School staff -----------------------------------------------------------------------------------


def _unit_counts() -> dict[int, int]:
    """Units per module. One small query: modules are few and their units change rarely."""
    return dict(
        ModuleUnit.objects.order_by()
        .values("module_id")
        .annotate(n=Count("pk"))
        .values_list("module_id", "n")
    )


def _units_of_module(module_ref: str, counts: dict[int, int]):
    """The number of units of a row's module as a constant expression. A subquery here ran once
    per progress row of every class before grouping (make bench: three quarters of the time of
    the falling-behind query)."""
    return Case(
        *(When(**{module_ref: module}, then=Value(n)) for module, n in counts.items()),
        default=Value(0),
        output_field=IntegerField(),
    )


def _my_editions(user: User, today: date):
    """The editions a teacher teaches (or, for someone who teaches none, the school's) that run
    now or ended within a month."""
    editions = rules.visible_editions(user).filter(end_date__gte=today - timedelta(days=30))
    mine = editions.filter(teachers=user)
    return mine if mine.exists() else editions


def _editions_with_progress(editions, unit_counts: dict[int, int]) -> list[Edition]:
    """The first editions with class size and progress, from the enrolments' progress summary.
    One query."""
    # Erased students left out by their (few) ids rather than a join with every student, which
    # the planner answers with a scan of all students per edition (make bench).
    erased = Student.objects.erased().values("pk")
    enrolments = (
        Enrolment.objects.filter(edition_id=OuterRef("pk"))
        .exclude(student_id__in=erased)
        .order_by()
        .values("edition_id")
    )
    return list(
        editions.select_related("module")
        .annotate(
            units=_units_of_module("module_id", unit_counts),
            students=Coalesce(Subquery(enrolments.annotate(n=Count("pk")).values("n")), 0),
            done=Coalesce(Subquery(enrolments.annotate(n=Sum("units_done")).values("n")), 0),
        )
        .order_by("start_date", "name")[:20]
    )


def _falling_behind(editions, today: date, unit_counts: dict[int, int]) -> tuple[int, list[int]]:
    """Students in the running editions with no progress recorded for the configured number of
    days, who have not completed every unit: counted, and the first ten enrolments' ids. From the
    enrolments' progress summary: one row per student, not one per unit (make bench)."""
    cutoff = today - timedelta(days=settings.PROGRESS_STALE_DAYS)
    stale = (
        Enrolment.objects.filter(
            edition__in=editions.filter(start_date__lte=today, end_date__gte=today),
            student__erased_at__isnull=True,
            student__left_on__isnull=True,
            enrolled_on__lt=cutoff,
        )
        .filter(Q(last_progress_on__lt=cutoff) | Q(last_progress_on__isnull=True))
        .annotate(units=_units_of_module("edition__module_id", unit_counts))
        .filter(units_done__lt=F("units"))
    )
    listed = stale.order_by("last_progress_on", "student__display_name").values_list(
        "pk", flat=True
    )
    return stale.count(), list(listed[:10])


@dataclass
class FittingOpportunity:
    """An opportunity on the school dashboard and how many of the school's students fit it."""

    activity_id: int
    title: str
    host_name: str
    students: int
    almost: int


def _school_figures(user: User, period, today: date) -> dict:
    """What the school dashboard shows about the teacher's classes, the school's requests and the
    opportunities that fit its students."""
    my_editions = _my_editions(user, today)
    unit_counts = _unit_counts()
    editions = _editions_with_progress(my_editions, unit_counts)
    for edition in editions:
        possible = edition.units * edition.students
        edition.percent = rounding.percent(edition.done, possible) if possible else 0
    behind_count, behind_ids = _falling_behind(my_editions, today, unit_counts)
    chart = None
    if editions:
        chart = charts.bar_chart(
            _("Class progress"),
            _("The share of module units completed by the students of each edition."),
            [f"{e.name} · {e.module.code}" for e in editions],
            [(_("Percentage completed"), [e.percent for e in editions])],
            horizontal=True,
            value_suffix="%",
            maximum=100,
            category=_("Edition"),
        )
    school_requests = Request.objects.filter(school_id=user.organisation_id)
    upcoming = list(
        school_requests.filter(
            status__in=[RequestStatus.SCHEDULED, RequestStatus.PROPOSED, RequestStatus.REQUESTED],
            date__gte=today,
        )
        .select_related("activity", "activity__host")
        .order_by("date")[:8]
    )
    # The dashboard looks at the newest opportunities; the matches page at more (make bench: the
    # matching was two thirds of this dashboard's time at ten times the consortium).
    matches = [
        m for m in matches_for(user, newest=MATCHED, details=False) if m.students or m.almost
    ]
    return {
        "editions": editions,
        "progress_chart": chart,
        "students_total": Enrolment.objects.filter(
            edition__in=my_editions, student__erased_at__isnull=True
        )
        .values("student_id")
        .distinct()
        .count(),
        "editions_total": my_editions.count(),
        "behind_count": behind_count,
        "behind_ids": behind_ids,
        "upcoming": upcoming,
        "matches": [
            FittingOpportunity(
                m.activity.pk,
                m.activity.title,
                m.activity.host.name,
                len(m.students),
                len(m.almost),
            )
            for m in matches[:5]
        ],
        "matches_total": len(matches),
        "fitting_students": len({s.id for m in matches for s in m.students}),
        "delivered_in_period": school_requests.filter(
            status=RequestStatus.DELIVERED, date__range=(period.start, period.end)
        ).count(),
        "units_done_in_period": UnitProgress.objects.filter(
            enrolment__edition__school_id=user.organisation_id,
            status__in=DONE_STATUSES,
            recorded_on__range=(period.start, period.end),
        ).count(),
        "partner_contacts": contacts_by_organisation(
            [OrganisationKind.WORK_FIELD, OrganisationKind.SUPPORT], limit=LISTED
        ),
    }


def school_dashboard(user: User, scope: Scope) -> dict:
    """The class figures, what is the teacher's own (requests, nominations, reminders) and the
    students falling behind named."""
    today = scope.today
    mine = list(
        Request.objects.filter(
            school_id=user.organisation_id, requested_by=user, status__in=OPEN_REQUEST_STATUSES
        )
        .select_related("activity", "activity__host")
        .order_by("date")[:8]
    )
    nominations = list(
        Nomination.objects.filter(nominated_by=user)
        .filter(
            Q(status=NominationStatus.NOMINATED)
            | Q(updated_at__date__gte=today - timedelta(days=30))
        )
        .select_related("posting", "posting__host", "student")
        .order_by("-updated_at")[:8]
    )
    reminders = list(
        Notification.objects.filter(recipient=user, read_at__isnull=True)
        .select_related(
            "event", "event__activity", "event__organisation", "event__actor", "reminder"
        )
        .order_by("-created_at")[:5]
    )
    class_figures = _school_figures(user, scope.period, today)
    listed = (
        Enrolment.objects.select_related("student", "edition")
        .annotate(last=F("last_progress_on"))
        .in_bulk(class_figures["behind_ids"])
    )
    return {
        **class_figures,
        "behind": [listed[pk] for pk in class_figures["behind_ids"] if pk in listed],
        "stale_days": settings.PROGRESS_STALE_DAYS,
        "my_requests": mine,
        "my_nominations": nominations,
        "matched_newest": MATCHED,
        "reminders": reminders,
    }


# Industry staff ---------------------------------------------------------------------------------


def industry_dashboard(user: User, scope: Scope) -> dict:
    today = scope.today
    organisation_id = user.organisation_id
    postings = list(
        Activity.objects.hosted_by(organisation_id)
        .filter(
            status__in=[ActivityStatus.PUBLISHED, ActivityStatus.PLANNED, ActivityStatus.RUNNING]
        )
        .annotate(
            new_requests=Count(
                "requests", filter=Q(requests__status=RequestStatus.REQUESTED), distinct=True
            ),
            new_nominations=Count(
                "posting__nominations",
                filter=Q(posting__nominations__status=NominationStatus.NOMINATED),
                distinct=True,
            ),
        )
        .order_by("-new_requests", "-new_nominations", "title")[:10]
    )
    waiting = Request.objects.filter(activity__host_id=organisation_id).aggregate(
        requests=Count("pk", filter=Q(status=RequestStatus.REQUESTED)),
    )
    nominations_waiting = Nomination.objects.filter(
        posting__host_id=organisation_id, status=NominationStatus.NOMINATED
    ).count()
    upcoming = list(
        Request.objects.filter(
            activity__host_id=organisation_id,
            status=RequestStatus.SCHEDULED,
            date__gte=today,
        )
        .select_related("activity", "school")
        .order_by("date")[:8]
    )
    placements = list(
        Placement.objects.filter(nomination__posting__host_id=organisation_id, end_date__gte=today)
        .select_related("nomination__posting")
        .order_by("start_date")[:8]
    )
    mine = figures.partner_finance(scope.project, organisation_id, today, period=scope.period)
    contributions = Contribution.objects.filter(organisation_id=organisation_id).aggregate(
        unconfirmed=Count("pk", filter=Q(status=ContributionStatus.PROPOSED)),
        submitted=Count("pk", filter=Q(status=ContributionStatus.SUBMITTED)),
    )
    chart = None
    if mine and (mine.period_committed or mine.period_realised):
        chart = charts.bar_chart(
            _("Our contribution in %(period)s") % {"period": scope.period.short_label},
            _("What we pledged for the period next to what was approved so far, in euros."),
            [_("Committed"), _("Realised: in kind"), _("Realised: cash")],
            [
                (
                    _("Euros"),
                    [mine.period_committed, mine.period_in_kind, mine.period_cash],
                )
            ],
            category=_("Figure"),
        )
    return {
        "postings": postings,
        "requests_waiting": waiting["requests"],
        "nominations_waiting": nominations_waiting,
        "upcoming": upcoming,
        "placements": placements,
        "my_finance": mine,
        "contribution_chart": chart,
        "hours_unconfirmed": contributions["unconfirmed"],
        "contributions_submitted": contributions["submitted"],
        "hostable": rules.hostable_kinds(user),
        "partner_contacts": contacts_by_organisation([OrganisationKind.EDUCATION], limit=LISTED),
    }


# Funder -----------------------------------------------------------------------------------------


def _protected_totals(scope: Scope, closed: figures.Closed, measures: kpis.Measures) -> dict:
    """The students and delivery since the project's start, as the KPIs' cumulative figures,
    with every count of students protected as in the KPI table (figures.protect)."""
    totals = kpis.student_totals(scope.project, scope.upto, closed=closed, measures=measures)
    for key in ("students_in_modules", "placements", "students_reached"):
        totals[key] = figures.protect(totals[key])
    return totals


def funder_dashboard(user: User, scope: Scope) -> dict:
    """Aggregates only: nothing personal reaches a funder's page."""
    closed = figures.closed_quarters(scope.project)
    # The measures the KPIs and the students' totals count, read once for both.
    indicators = kpis.line_indicators(scope.project, scope.line_id, scope.upto)
    measures = kpis.read_measures(
        scope.project, kpis.derived_measures(indicators) | kpis.STUDENT_MEASURES
    )
    kpi_blocks = _kpis(scope, suppress=True, indicators=indicators, measures=measures)
    current = scope.project.quarter_of(scope.upto)
    for block in kpi_blocks:
        block["chart"] = _kpi_trend_chart(block, current[0] if current else 0)
    # Twelve milestones: the open ones first (the overdue among them), by date, then those met
    # or missed; the rest counted, with a link to all of them.
    of_scope = Milestone.objects.filter(
        project=scope.project, **({"programme_line_id": scope.line_id} if scope.line_id else {})
    )
    milestones = list(
        of_scope.select_related("programme_line", "owner_organisation").order_by(
            Case(When(status=MilestoneStatus.PLANNED, then=Value(0)), default=Value(1)),
            "due_date",
        )[:LISTED]
    )
    for item in milestones:
        item.overdue = item.status == MilestoneStatus.PLANNED and item.due_date < scope.today
    return {
        "milestones_more": max(of_scope.count() - len(milestones), 0),
        # Placements are students: funders see them only as the suppressed total below.
        **_happened(scope, closed, hide=(ActivityKind.INTERNSHIP,)),
        **_finance(scope, closed),
        "kpi_blocks": kpi_blocks,
        "milestones": milestones,
        "students": _protected_totals(scope, closed, measures),
        # One decimal: a share just above the RIF's third must not read as 33 %.
        "grant_share_percent": rounding.percent(
            scope.project.grant_amount, scope.project.total_budget, places=1
        ),
        "grant_within_limit": scope.project.grant_within_limit,
    }
