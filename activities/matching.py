"""Matching: each teacher's students who fit each open place and practicum assignment, by
qualification, level, route and the units they completed or passed."""

from dataclasses import dataclass, field
from datetime import date, timedelta

from django.db.models import Count, Prefetch, Q

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


# The matches pages ------------------------------------------------------------------------------
#
# matches_for() walks every student for every opportunity: a school of 20,000 students made a
# page of 145 MB. The pages below read a fixed amount whatever the school's size: students are
# counted per kind (qualification, level, route) in the database, and only the students a rule
# singles out are read one by one — those already put forward, those on a placement, and those
# with progress on a required unit. The lists themselves are database queries, a page at a time.

# What sets one kind of student apart for the matching: the opportunity asks for these.
KIND_OF_STUDENT = ("qualification_id", "level", "route")


def matchable_opportunities():
    """The open places and practicum assignments the matching proposes students for, newest
    first, with what it reads of them."""
    return (
        Activity.objects.open_opportunities()
        .of_kind(ActivityKind.INTERNSHIP, ActivityKind.PRACTICUM)
        .select_related("host", "posting")
        .prefetch_related(
            "qualifications",
            Prefetch("required_units", queryset=ModuleUnit.objects.select_related("module")),
        )
        .order_by("-created_at", "-pk")
    )


@dataclass
class MatchSummary:
    """How many of the user's students fit an opportunity, and the first few of them."""

    activity: Activity
    required_units: list
    fitting: int
    almost: int  # fit but for one required unit
    placed: int  # would fit, but are on a placement then
    first: list = field(default_factory=list)


class Matching:
    """The matching of a user's students to a few opportunities (a page of them, or one).

    Three queries whatever the number of students: the students counted per kind, the
    nominations that set students apart (put forward for these places, or placed during them),
    and the completed or passed progress on the units these opportunities require, in the
    students' name order. Counting needs nothing more. The lists are read a page at a time:
    students who fit an opportunity without required units are a query (`fitting` slices it);
    where units are required the progress read names them, and only the page's are loaded."""

    def __init__(self, user: User, opportunities: list[Activity]):
        self.students = rules.visible_students(user).active()
        self.kinds: dict[tuple, int] = {
            (qualification, level, route): n
            for qualification, level, route, n in self.students.order_by()
            .values_list(*KIND_OF_STUDENT)
            .annotate(n=Count("*"))
        }
        self.periods = {a.pk: opportunity_period(a) for a in opportunities}
        internships = {a.pk for a in opportunities if a.kind == ActivityKind.INTERNSHIP}
        dated = [p for p in self.periods.values() if p is not None]
        placed_then = Q(pk__in=[])
        if dated:
            placed_then = Q(
                status=NominationStatus.ACCEPTED,
                placement__start_date__lte=max(end for _, end in dated),
                placement__end_date__gte=min(start for start, _ in dated),
            )
        # Per internship: the students put forward for it, with their kind.
        self.nominated: dict[int, dict[int, tuple]] = {}
        # (student, kind, host, from, to) of every placement overlapping these opportunities.
        self.placements: list[tuple] = []
        for posting_id, student_id, *kind, status, host, start, end in (
            Nomination.objects.filter(student__in=self.students)
            .filter(
                (Q(posting__in=internships) & ~Q(status=NominationStatus.WITHDRAWN)) | placed_then
            )
            .order_by()
            .values_list(
                "posting_id",
                "student_id",
                *(f"student__{name}" for name in KIND_OF_STUDENT),
                "status",
                "posting__host__name",
                "placement__start_date",
                "placement__end_date",
            )
        ):
            if posting_id in internships and status != NominationStatus.WITHDRAWN:
                self.nominated.setdefault(posting_id, {})[student_id] = tuple(kind)
            if status == NominationStatus.ACCEPTED and start is not None:
                self.placements.append((student_id, tuple(kind), host, start, end))
        # The required units done by each student who did any, and their kind, in the order of
        # their names as the database sorts them (so a page of them is the database's order).
        required = {u.pk for a in opportunities for u in a.required_units.all()}
        self.done: dict[int, tuple[tuple, set[int]]] = {}
        if required:
            for student_id, unit_id, *kind in (
                self.students.filter(
                    enrolments__progress__unit__in=required,
                    enrolments__progress__status__in=DONE_STATUSES,
                )
                .order_by("display_name", "pk")
                .values_list("pk", "enrolments__progress__unit_id", *KIND_OF_STUDENT)
            ):
                self.done.setdefault(student_id, (tuple(kind), set()))[1].add(unit_id)

    @staticmethod
    def _asks(activity: Activity):
        """Whether a kind of student is what the opportunity asks for."""
        qualifications = {q.pk for q in activity.qualifications.all()}
        route = activity.posting.route if activity.kind == ActivityKind.INTERNSHIP else None

        def asks(kind: tuple) -> bool:
            qualification, level, student_route = kind
            return not (
                (qualifications and qualification not in qualifications)
                or (activity.level is not None and level < activity.level)
                or (route is not None and student_route != route)
            )

        return asks

    def _set_apart(self, activity: Activity) -> tuple[set[int], dict[int, tuple]]:
        """The students of the kinds asked who were put forward for it, and those on a placement
        during it (where, from, to), who are not proposed."""
        asks = self._asks(activity)
        nominated = {s for s, kind in self.nominated.get(activity.pk, {}).items() if asks(kind)}
        period = self.periods[activity.pk]
        placed: dict[int, tuple] = {}
        if period is not None:
            for student_id, kind, host, start, end in self.placements:
                if student_id in nominated or student_id in placed or not asks(kind):
                    continue
                if start <= period[1] and end >= period[0]:
                    placed[student_id] = (host, start, end)
        return nominated, placed

    def _by_units_done(self, activity: Activity) -> dict[int, list[int]]:
        """The students proposed for it who did any of its required units, in name order, by
        how many of those units they did."""
        asks = self._asks(activity)
        nominated, placed = self._set_apart(activity)
        required = {u.pk for u in activity.required_units.all()}
        found: dict[int, list[int]] = {}
        for student_id, (kind, units) in self.done.items():
            if student_id in nominated or student_id in placed or not asks(kind):
                continue
            count = len(units & required)
            if count:
                found.setdefault(count, []).append(student_id)
        return found

    def summary(self, activity: Activity) -> MatchSummary:
        asks = self._asks(activity)
        nominated, placed = self._set_apart(activity)
        proposed = sum(n for kind, n in self.kinds.items() if asks(kind))
        proposed -= len(nominated) + len(placed)
        required = list(activity.required_units.all())
        if not required:
            fitting, almost = proposed, 0
        else:
            by_done = self._by_units_done(activity)
            fitting = len(by_done.get(len(required), []))
            if len(required) == 1:  # those who did none of the one unit
                almost = proposed - fitting
            else:
                almost = len(by_done.get(len(required) - 1, []))
        return MatchSummary(
            activity=activity,
            required_units=required,
            fitting=fitting,
            almost=almost,
            placed=len(placed),
        )

    def _candidates(self, activity: Activity):
        """The students of the kinds the opportunity asks for, not put forward for it nor on a
        placement then, in name order."""
        _nominated, placed = self._set_apart(activity)
        students = self.students
        qualifications = [q.pk for q in activity.qualifications.all()]
        if qualifications:
            students = students.filter(qualification_id__in=qualifications)
        if activity.level is not None:
            students = students.filter(level__gte=activity.level)
        if activity.kind == ActivityKind.INTERNSHIP:
            students = students.filter(route=activity.posting.route).exclude(
                pk__in=Nomination.objects.filter(posting_id=activity.pk)
                .exclude(status=NominationStatus.WITHDRAWN)
                .values("student_id")
            )
        return (
            students.exclude(pk__in=list(placed))
            .select_related("qualification")
            .order_by("display_name", "pk")
        )

    def _named(self, ids: list[int]) -> "StudentsInOrder":
        return StudentsInOrder(self.students.select_related("qualification"), ids)

    def fitting(self, activity: Activity):
        """The students who fit, in name order: a query, or a sequence that loads the slice
        asked for."""
        required = activity.required_units.all()
        if not required:
            return self._candidates(activity)
        return self._named(self._by_units_done(activity).get(len(required), []))

    def almost(self, activity: Activity):
        """The students who fit but for one required unit, in name order (as `fitting`)."""
        required = activity.required_units.all()
        if not required:
            return []
        if len(required) == 1:
            done = self._by_units_done(activity).get(1, [])
            return self._candidates(activity).exclude(pk__in=done)
        return self._named(self._by_units_done(activity).get(len(required) - 1, []))

    def unit_to_do(self, activity: Activity, student) -> object:
        """The one required unit a student who almost fits has still to complete."""
        done = self.done.get(student.pk, ((), set()))[1]
        return next(u for u in activity.required_units.all() if u.pk not in done)

    def placed(self, activity: Activity) -> tuple:
        """The students who would fit but are on a placement then (a query, in name order), and
        per student where and when."""
        _nominated, placed = self._set_apart(activity)
        students = self.students.filter(pk__in=list(placed)).select_related("qualification")
        return students.order_by("display_name", "pk"), placed

    def first_fitting(self, summaries: list[MatchSummary], count: int) -> None:
        """Name the first `count` students who fit each opportunity summed up: one query for all
        those whose fit depends on units (their ids are known), one per other opportunity."""
        named: dict[int, list[int]] = {}
        for summary in summaries:
            if not summary.fitting:
                continue
            students = self.fitting(summary.activity)
            if isinstance(students, StudentsInOrder):
                named[summary.activity.pk] = students.ids[:count]
            else:
                summary.first = list(students[:count])
        wanted = [pk for ids in named.values() for pk in ids]
        found = self.students.select_related("qualification").in_bulk(wanted) if wanted else {}
        for summary in summaries:
            if summary.activity.pk in named:
                summary.first = [found[pk] for pk in named[summary.activity.pk]]


class StudentsInOrder:
    """Students known by id, in a given order, loaded a slice at a time (for a pager)."""

    def __init__(self, students, ids: list[int]):
        self.students = students
        self.ids = ids

    def __len__(self) -> int:
        return len(self.ids)

    def __getitem__(self, index):
        if not isinstance(index, slice):
            return self[index : index + 1][0]
        ids = self.ids[index]
        found = self.students.in_bulk(ids) if ids else {}
        return [found[pk] for pk in ids]
