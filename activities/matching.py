"""Matching: each teacher's students who fit each open place and practicum assignment, by
qualification, level, route and the units they completed or passed."""

from dataclasses import dataclass, field
from datetime import date, timedelta

from django.db.models import Prefetch, Q

from activities.models import Activity, ActivityKind, Nomination, NominationStatus
from civbio import rules
from partners.models import User
from students.models import DONE_STATUSES, ModuleUnit, UnitProgress


@dataclass
class Match:
    activity: Activity
    students: list
    required_units: list
    # Students who fit but for one unit: (student, the unit still to complete).
    almost: list = field(default_factory=list)
    # Students who would fit but are on a placement during the opportunity: (student, where,
    # from, to). Not proposed: a student cannot be in two places at once.
    placed: list = field(default_factory=list)


def opportunity_period(activity: Activity) -> tuple[date, date] | None:
    """The days an opportunity takes: its dates, an internship's duration counted as a
    placement is (thirty days a month), a day for a one-day activity; None without a start."""
    start = activity.start_date
    if start is None:
        return None
    end = activity.end_date
    if end is None and activity.kind == ActivityKind.INTERNSHIP:
        end = start + timedelta(days=30 * (activity.posting.duration_months or 1))
    return start, end or start


def matches_for(user: User, newest: int = 100, *, details: bool = True) -> list[Match]:
    """The `newest` open places and practicum assignments, each with the user's students who fit
    it: qualification, level and route as asked, and every required unit completed or passed.
    A student on a placement during the opportunity is not proposed; they are listed apart.

    Six queries at most, whatever the numbers. Only the progress on units the opportunities
    require is read, and what an opportunity asks (qualification, level, route) is checked once
    per kind of student, not once per student (make bench). Without `details` the students are
    rows of what the matching reads, not models (for counting them, as the school dashboard
    does)."""
    opportunities = list(
        Activity.objects.open_opportunities()
        .of_kind(ActivityKind.INTERNSHIP, ActivityKind.PRACTICUM)
        .select_related("host", "posting")
        .prefetch_related(
            "qualifications",
            Prefetch("required_units", queryset=ModuleUnit.objects.select_related("module")),
        )
        .order_by("-created_at")[:newest]
    )
    if not opportunities:
        return []
    students = rules.visible_students(user).active().order_by("display_name")
    if details:
        students = list(students.select_related("qualification"))
    else:
        students = list(
            students.values_list("id", "qualification_id", "level", "route", named=True)
        )
    if not students:
        return []
    student_ids = [s.id for s in students]
    required_anywhere = {u.pk for a in opportunities for u in a.required_units.all()}
    done: dict[int, set[int]] = {}
    if required_anywhere:
        for student_id, unit_id in UnitProgress.objects.filter(
            enrolment__student_id__in=student_ids,
            unit__in=required_anywhere,
            status__in=DONE_STATUSES,
        ).values_list("enrolment__student_id", "unit_id"):
            done.setdefault(student_id, set()).add(unit_id)
    # One query for both: the students already put forward for these places, and the students
    # on a placement somewhere during the span of these opportunities.
    periods = {a.pk: opportunity_period(a) for a in opportunities}
    dated = [p for p in periods.values() if p is not None]
    busy_during = Q(pk__in=[])
    if dated:
        busy_during = Q(
            status=NominationStatus.ACCEPTED,
            placement__start_date__lte=max(end for _, end in dated),
            placement__end_date__gte=min(start for start, _ in dated),
        )
    nominated, placements = set(), {}
    for posting_id, student_id, status, start, end, host in (
        Nomination.objects.filter(student_id__in=student_ids)
        .filter(
            (
                ~Q(status=NominationStatus.WITHDRAWN)
                & Q(posting__in=[a.pk for a in opportunities if a.kind == ActivityKind.INTERNSHIP])
            )
            | busy_during
        )
        .values_list(
            "posting_id",
            "student_id",
            "status",
            "placement__start_date",
            "placement__end_date",
            "posting__host__name",
        )
    ):
        if status != NominationStatus.WITHDRAWN:
            nominated.add((posting_id, student_id))
        if status == NominationStatus.ACCEPTED and start is not None:
            placements.setdefault(student_id, []).append((host, start, end))
    groups = {(s.qualification_id, s.level, s.route) for s in students}
    keyed = [(s, s.id, (s.qualification_id, s.level, s.route)) for s in students]
    results = []
    for activity in opportunities:
        qualification_ids = {q.pk for q in activity.qualifications.all()}
        required = list(activity.required_units.all())
        required_ids = {u.pk for u in required}
        route = activity.posting.route if activity.kind == ActivityKind.INTERNSHIP else None
        asked = {
            group
            for group in groups
            if not (
                (qualification_ids and group[0] not in qualification_ids)
                or (activity.level is not None and group[1] < activity.level)
                or (route is not None and group[2] != route)
            )
        }
        fitting, almost, placed = [], [], []
        period = periods[activity.pk]
        for student, student_id, group in keyed:
            if group not in asked or (activity.id, student_id) in nominated:
                continue
            if period is not None:
                clash = next(
                    (
                        (host, start, end)
                        for host, start, end in placements.get(student_id, ())
                        if start <= period[1] and end >= period[0]
                    ),
                    None,
                )
                if clash is not None:
                    placed.append((student, *clash))
                    continue
            if not required_ids:
                fitting.append(student)
                continue
            missing = required_ids - done.get(student_id, set())
            if not missing:
                fitting.append(student)
            elif len(missing) == 1:
                unit_id = next(iter(missing))
                almost.append((student, next(u for u in required if u.pk == unit_id)))
        results.append(
            Match(
                activity=activity,
                students=fitting,
                required_units=required,
                almost=almost,
                placed=placed,
            )
        )
    return results
