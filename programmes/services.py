from collections.abc import Mapping
from dataclasses import dataclass
from datetime import date, timedelta
from decimal import Decimal

from auditlog.models import LogEntry as AuditEntry
from dateutil.relativedelta import relativedelta
from django.conf import settings
from django.core.exceptions import PermissionDenied, ValidationError
from django.db import transaction
from django.db.models import Q
from django.utils import formats, timezone, translation
from django.utils.translation import gettext
from django.utils.translation import gettext_lazy as _

from civbio import rules
from partners.models import Organisation, Role, User
from programmes import consortium
from programmes.models import (
    Direction,
    Indicator,
    IndicatorSource,
    IndicatorTarget,
    IndicatorValue,
    Milestone,
    MilestoneKind,
    MilestoneStatus,
    Narrative,
    ProgrammeLine,
    Project,
    ReportStatus,
)


@dataclass
class LoadResult:
    organisations_created: int = 0
    lines_created: int = 0
    project_created: bool = False


def _get_or_create_organisation(row: tuple, *, is_lead_applicant: bool = False):
    name, short_name, slug, kind, category, city, website = row
    return Organisation.objects.get_or_create(
        slug=slug,
        defaults={
            "name": name,
            "short_name": short_name,
            "kind": kind,
            "cofinancing_category": category,
            "city": city,
            "website": website,
            "is_lead_applicant": is_lead_applicant,
            "active_since": consortium.PROJECT["applied_on"],
        },
    )


@transaction.atomic
def load_consortium() -> LoadResult:
    """Put the consortium of the source document in place: partners, funder, project, lines.

    Idempotent: what exists (matched by slug) is left as it is, so coordinators' edits and
    retired partners survive a second load.
    """
    result = LoadResult()
    lead, created = _get_or_create_organisation(consortium.LEAD_APPLICANT, is_lead_applicant=True)
    result.organisations_created += created
    for row in consortium.PARTNERS:
        _, created = _get_or_create_organisation(row)
        result.organisations_created += created
    funder, created = _get_or_create_organisation(consortium.FUNDER)
    result.organisations_created += created

    project = Project.objects.filter(short_name=consortium.PROJECT["short_name"]).first()
    if project is None:
        project = Project.objects.create(
            lead_organisation=lead, funder=funder, **consortium.PROJECT
        )
        result.project_created = True
    for line in consortium.LINES:
        existing, created = ProgrammeLine.objects.get_or_create(
            project=project, number=line["number"], defaults=line
        )
        result.lines_created += created
        if not created:
            _fill_in_english(existing, line)
    _fill_in_english(project, consortium.PROJECT)
    ensure_fund_milestones(project)
    return result


def _fill_in_english(row, seed: Mapping[str, object]) -> None:
    """English texts the seed has and the row lacks (loaded before they existed) are filled in;
    what coordinators wrote is left as it is."""
    missing = {
        name: value
        for name, value in seed.items()
        if name.endswith("_en") and value and not getattr(row, name)
    }
    if missing:
        type(row).objects.filter(pk=row.pk).update(**missing)


def ensure_fund_milestones(project: Project) -> int:
    """The fund's moments as milestones, made once: progress reports 13, 25 and 37 months after
    the start, the mid-term review, the 2- and 4-year milestones, and the final report 2 months
    after the end."""
    start, end = project.start_date, project.end_date
    moments = [
        (
            "report_13",
            MilestoneKind.FUND_REPORT,
            _("Progress report to the fund (month 13)"),
            start + relativedelta(months=13),
        ),
        (
            "report_25",
            MilestoneKind.FUND_REPORT,
            _("Progress report to the fund (month 25)"),
            start + relativedelta(months=25),
        ),
        (
            "report_37",
            MilestoneKind.FUND_REPORT,
            _("Progress report to the fund (month 37)"),
            start + relativedelta(months=37),
        ),
        ("midterm", MilestoneKind.REVIEW, _("Mid-term review"), start + relativedelta(months=24)),
        (
            "milestone_2y",
            MilestoneKind.MILESTONE,
            _("Two-year milestones"),
            start + relativedelta(years=2) - timedelta(days=1),
        ),
        ("milestone_4y", MilestoneKind.MILESTONE, _("Four-year milestones"), end),
        (
            "final_report",
            MilestoneKind.FUND_REPORT,
            _("Final report to the fund"),
            end + relativedelta(months=2),
        ),
    ]
    created = 0
    # Stored in the default language (Dutch), whatever language the caller runs in, with the
    # English title beside it for English pages.
    with translation.override("en"):
        english = {key: str(title) for key, _kind, title, _due in moments}
    with translation.override(settings.LANGUAGE_CODE):
        stored = [(key, kind, str(title), due) for key, kind, title, due in moments]
    for key, kind, title, due in stored:
        milestone, made = Milestone.objects.get_or_create(
            project=project,
            system_key=key,
            defaults={
                "kind": kind,
                "title": title,
                "title_en": english[key],
                "due_date": due,
                "owner_organisation": project.lead_organisation,
            },
        )
        if not made and not milestone.title_en:
            # Made before titles had an English version: filled in, nothing else touched.
            Milestone.objects.filter(pk=milestone.pk).update(title_en=english[key])
        created += made
    return created


# KPIs, milestones and narratives ----------------------------------------------------------------


def _quarter_starting(project: Project, day: date) -> tuple[int, date, date]:
    quarter = next((q for q in project.quarters() if q[1] == day), None)
    if quarter is None:
        raise ValidationError({"period_start": gettext("Choose one of the project's quarters.")})
    return quarter


@transaction.atomic
def submit_indicator_value(
    *, actor: User, indicator: Indicator, period_start: date, value: Decimal, note: str = ""
) -> IndicatorValue:
    """Report a figure by hand for a quarter; a coordinator approves it. A closed quarter, or a
    quarter still to come, takes no figures."""
    if not (rules.is_coordinator(actor) or rules.has_role(actor, Role.SCHOOL_STAFF)):
        raise PermissionDenied(gettext("You may not report figures."))
    if indicator.source != IndicatorSource.REPORTED:
        raise ValidationError(gettext("civbio counts this indicator by itself."))
    if indicator.is_retired_on(timezone.localdate()):
        raise ValidationError(gettext("This indicator was retired: it takes no more figures."))
    project = indicator.project
    _n, start, end = _quarter_starting(project, period_start)
    if start > timezone.localdate():
        raise ValidationError({"period_start": gettext("This quarter has not started yet.")})
    if project.is_closed(end):
        raise ValidationError(
            {"period_start": gettext("This quarter is closed: its report is final.")}
        )
    if value < 0:
        raise ValidationError({"value": gettext("A figure cannot be negative.")})
    if (
        IndicatorValue.objects.filter(indicator=indicator, period_start=start)
        .exclude(status=ReportStatus.REJECTED)
        .exists()
    ):
        raise ValidationError(gettext("A figure for this quarter was already reported."))
    return IndicatorValue.objects.create(
        indicator=indicator, period_start=start, value=value, note=note.strip(), submitted_by=actor
    )


@transaction.atomic
def decide_indicator_value(*, actor: User, item: IndicatorValue, approve: bool) -> IndicatorValue:
    if not rules.is_coordinator(actor):
        raise PermissionDenied(gettext("Only coordinators approve figures."))
    current = (
        IndicatorValue.objects.select_for_update()
        .select_related("indicator__project")
        .get(pk=item.pk)
    )
    if current.status != ReportStatus.SUBMITTED:
        raise ValidationError(gettext("This figure has already been decided."))
    project = current.indicator.project
    quarter = project.quarter_of(current.period_start)
    if quarter and project.is_closed(quarter[2]):
        raise ValidationError(gettext("This quarter is closed: its report is final."))
    current.status = ReportStatus.APPROVED if approve else ReportStatus.REJECTED
    current.decided_by = actor
    current.save()
    return current


@transaction.atomic
def save_narrative(
    *, actor: User, line: ProgrammeLine, period_start: date, fields: dict
) -> Narrative:
    if not rules.is_coordinator(actor):
        raise PermissionDenied(gettext("Only coordinators write the narrative."))
    _n, start, end = _quarter_starting(line.project, period_start)
    if line.project.is_closed(end):
        raise ValidationError(gettext("This quarter is closed: its report is final."))
    narrative, _created = Narrative.objects.update_or_create(
        programme_line=line,
        period_start=start,
        defaults={
            **{k: fields.get(k, "") for k in ("highlights", "deviations", "risks")},
            "updated_by": actor,
        },
    )
    return narrative


@transaction.atomic
def update_milestone(
    *, actor: User, milestone: Milestone, fields: dict, version: str | None = None
) -> Milestone:
    """Coordinators, and the owning organisation's staff, record whether a milestone was reached;
    a missed one needs its reason. With `version` (the updated_at the editor saw), a change made
    by someone else in the meantime is refused instead of overwritten."""
    if milestone.system_key and not rules.is_coordinator(actor):
        # The fund's moments are the project office's.
        raise PermissionDenied(gettext("You may not update this milestone."))
    if not (
        rules.is_coordinator(actor)
        or (
            milestone.owner_organisation_id
            and actor.organisation_id == milestone.owner_organisation_id
            and rules.is_staff_member(actor)
        )
    ):
        raise PermissionDenied(gettext("You may not update this milestone."))
    current = Milestone.objects.select_for_update().get(pk=milestone.pk)
    if version is not None and current.updated_at.isoformat() != version:
        raise ValidationError(
            gettext(
                "Someone else updated this milestone in the meantime. Look at it again and save "
                "your change once more."
            )
        )
    for name in ("status", "reached_on", "evidence", "reason"):
        if name in fields:
            setattr(milestone, name, fields[name])
    if milestone.status == MilestoneStatus.MISSED and not milestone.reason.strip():
        raise ValidationError({"reason": gettext("Say why the milestone was missed.")})
    if milestone.status == MilestoneStatus.REACHED and not milestone.reached_on:
        milestone.reached_on = timezone.localdate()
    milestone.full_clean()
    milestone.save()
    return milestone


# Planning: indicators and their targets, milestones --------------------------------------------

# What a coordinator sets on an indicator (its project and its retirement are set otherwise).
INDICATOR_FIELDS = (
    "programme_line",
    "name",
    "name_en",
    "unit",
    "unit_en",
    "direction",
    "source",
    "measure",
    "counts_students",
    "target_2y",
    "target_4y",
)


def project_years(project: Project) -> int:
    """How many project years the project has (a started year counts)."""
    return (len(project.quarters()) + 3) // 4


def _edited_by_someone_else(current, version: str | None, message: str) -> None:
    """Refuse a save over a change the editor did not see (`version` is the updated_at the
    editor's page showed)."""
    if version is not None and current.updated_at.isoformat() != version:
        raise ValidationError(message)


def _check_indicator(indicator: Indicator, year_targets: Mapping[int, Decimal | None]) -> None:
    """The rules an indicator's plan keeps, with messages next to the fields they are about."""
    project = indicator.project
    errors: dict[str, list[str]] = {}
    if indicator.programme_line_id is None:
        errors.setdefault("programme_line", []).append(gettext("Choose a programme line."))
    elif indicator.programme_line.project_id != project.pk:
        errors.setdefault("programme_line", []).append(
            gettext("Choose one of the project's programme lines.")
        )
    for name in ("name", "unit"):
        setattr(indicator, name, (getattr(indicator, name) or "").strip())
    for name in ("target_2y", "target_4y"):
        value = getattr(indicator, name)
        if value is not None and value < 0:
            errors.setdefault(name, []).append(gettext("A target cannot be negative."))
    if (
        indicator.direction == Direction.UP
        and indicator.target_2y is not None
        and indicator.target_4y is not None
        and 0 <= indicator.target_4y < indicator.target_2y
    ):
        errors.setdefault("target_4y", []).append(
            gettext(
                "The 4-year target cannot be lower than the 2-year target: targets count "
                "everything from the project's start."
            )
        )
    years = project_years(project)
    for year, value in year_targets.items():
        if not 1 <= year <= years:
            errors.setdefault("__all__", []).append(
                gettext("The project has no year %(year)s.") % {"year": year}
            )
        elif value is not None and value < 0:
            errors.setdefault(f"year_{year}", []).append(gettext("A target cannot be negative."))
    if errors:
        raise ValidationError(errors)
    # Choices, lengths, and "say what a derived indicator counts" (Indicator.clean).
    indicator.full_clean()


def _save_year_targets(indicator: Indicator, year_targets: Mapping[int, Decimal | None]) -> None:
    """A target for a year overrides the straight line between the 2- and 4-year targets; an
    empty one goes back to the straight line."""
    for year, value in year_targets.items():
        if value is None:
            IndicatorTarget.objects.filter(indicator=indicator, year=year).delete()
        else:
            IndicatorTarget.objects.update_or_create(
                indicator=indicator, year=year, defaults={"value": value}
            )


@transaction.atomic
def create_indicator(
    *,
    actor: User,
    project: Project,
    fields: Mapping[str, object],
    year_targets: Mapping[int, Decimal | None] | None = None,
) -> Indicator:
    """A new KPI of a programme line, with its 2- and 4-year targets (and a target for any
    project year that departs from the straight line between them). Last in its line's order."""
    if not rules.can_manage_targets(actor):
        raise PermissionDenied(gettext("Only coordinators plan indicators."))
    indicator = Indicator(
        project=project, **{k: fields[k] for k in INDICATOR_FIELDS if k in fields}
    )
    year_targets = year_targets or {}
    _check_indicator(indicator, year_targets)
    last = (
        Indicator.objects.filter(programme_line=indicator.programme_line)
        .order_by("-position")
        .values_list("position", flat=True)
        .first()
    )
    indicator.position = 0 if last is None else last + 1
    indicator.save()
    _save_year_targets(indicator, year_targets)
    return indicator


def has_figures(indicator: Indicator) -> bool:
    """Whether the indicator (as stored) already counts something that stands: a figure reported
    for it, or (derived) a quarter of the project that is closed and stored."""
    if IndicatorValue.objects.filter(indicator_id=indicator.pk).exists():
        return True
    stored = Indicator.objects.select_related("project").get(pk=indicator.pk)
    return stored.source == IndicatorSource.DERIVED and stored.project.closed_until is not None


@transaction.atomic
def update_indicator(
    *,
    actor: User,
    indicator: Indicator,
    fields: Mapping[str, object],
    year_targets: Mapping[int, Decimal | None] | None = None,
    version: str | None = None,
) -> Indicator:
    """Change an indicator's names, unit, line and targets. Once it has figures (reported ones,
    or closed quarters for a derived one) what it counts — its source and measure — stays: a
    different count is a new indicator, and the old one is retired. With `version` (the
    updated_at the editor saw), a change made by someone else in the meantime is refused."""
    if not rules.can_manage_targets(actor):
        raise PermissionDenied(gettext("Only coordinators plan indicators."))
    current = (
        Indicator.objects.select_for_update()
        .select_related("project", "programme_line")
        .get(pk=indicator.pk)
    )
    _edited_by_someone_else(
        current,
        version,
        gettext(
            "Someone else changed this indicator in the meantime. Look at it again and save "
            "your change once more."
        ),
    )
    if current.retired_on is not None:
        raise ValidationError(gettext("This indicator was retired: it can no longer be changed."))
    counts = (current.source, current.measure)
    for name in INDICATOR_FIELDS:
        if name in fields:
            setattr(current, name, fields[name])
    if current.source != IndicatorSource.DERIVED:
        current.measure = ""
    if (current.source, current.measure) != counts and has_figures(current):
        raise ValidationError(
            {
                "source": gettext(
                    "This indicator already has figures, so what it counts cannot change. Retire "
                    "it and add a new indicator instead."
                )
            }
        )
    year_targets = year_targets or {}
    _check_indicator(current, year_targets)
    current.save()
    _save_year_targets(current, year_targets)
    return current


@transaction.atomic
def retire_indicator(*, actor: User, indicator: Indicator, on: date | None = None) -> Indicator:
    """Retire an indicator from `on` (today): it is never deleted, so its reported figures,
    closed quarters and the reports that showed it stay as they were, but from that day on the
    KPI pages, dashboards and reports leave it out and it takes no new figures."""
    if not rules.can_manage_targets(actor):
        raise PermissionDenied(gettext("Only coordinators retire indicators."))
    current = Indicator.objects.select_for_update().get(pk=indicator.pk)
    if current.retired_on is not None:
        raise ValidationError(gettext("This indicator was retired already."))
    current.retired_on = on or timezone.localdate()
    current.save(update_fields=["retired_on", "updated_at"])
    return current


# What a coordinator plans on a milestone; status, evidence and reason are updated separately
# (update_milestone), by the owner as well.
MILESTONE_FIELDS = (
    "kind",
    "title",
    "title_en",
    "description",
    "programme_line",
    "owner_organisation",
    "owner",
    "due_date",
)
# The fund sets these for its own moments (ensure_fund_milestones).
SYSTEM_MILESTONE_FIELDS = frozenset({"kind", "title", "title_en", "due_date"})
# Kinds a coordinator plans; the fund's reports and the mid-term review come from the project.
PLANNED_KINDS = (MilestoneKind.MILESTONE, MilestoneKind.DELIVERABLE)


def _check_milestone(milestone: Milestone) -> None:
    project = milestone.project
    errors: dict[str, list[str]] = {}
    milestone.title = (milestone.title or "").strip()
    if not milestone.system_key and milestone.kind not in PLANNED_KINDS:
        errors.setdefault("kind", []).append(
            gettext("Reports to the fund and the mid-term review are planned by civbio itself.")
        )
    if milestone.programme_line is not None and milestone.programme_line.project_id != project.pk:
        errors.setdefault("programme_line", []).append(
            gettext("Choose one of the project's programme lines.")
        )
    if (
        not milestone.system_key
        and milestone.due_date is not None
        and not project.start_date <= milestone.due_date <= project.end_date
    ):
        errors.setdefault("due_date", []).append(
            gettext("The due date must fall within the project: from %(start)s to %(end)s.")
            % {
                "start": formats.date_format(project.start_date, "SHORT_DATE_FORMAT"),
                "end": formats.date_format(project.end_date, "SHORT_DATE_FORMAT"),
            }
        )
    if milestone.owner is not None:
        if milestone.owner_organisation is None:
            milestone.owner_organisation = milestone.owner.organisation
        elif milestone.owner.organisation_id != milestone.owner_organisation.pk:
            errors.setdefault("owner", []).append(
                gettext("The person must work at the organisation that owns the milestone.")
            )
    if errors:
        raise ValidationError(errors)
    milestone.full_clean()


@transaction.atomic
def create_milestone(*, actor: User, project: Project, fields: Mapping[str, object]) -> Milestone:
    """Plan a milestone or deliverable: its title, line, due date within the project, and the
    organisation (and person) who owns it and later records whether it was reached."""
    if not rules.can_manage_targets(actor):
        raise PermissionDenied(gettext("Only coordinators plan milestones."))
    milestone = Milestone(
        project=project,
        **{k: fields[k] for k in MILESTONE_FIELDS if k in fields},
    )
    milestone.kind = milestone.kind or MilestoneKind.MILESTONE
    _check_milestone(milestone)
    milestone.save()
    return milestone


@transaction.atomic
def update_milestone_plan(
    *, actor: User, milestone: Milestone, fields: Mapping[str, object], version: str | None = None
) -> Milestone:
    """Change what a milestone plans (title, line, due date, owner, description); its status
    stays with update_milestone. The fund's own moments keep their title, kind and due date,
    which follow from the project's dates. With `version`, a change made by someone else in the
    meantime is refused instead of overwritten."""
    if not rules.can_manage_targets(actor):
        raise PermissionDenied(gettext("Only coordinators plan milestones."))
    current = Milestone.objects.select_for_update().select_related("project").get(pk=milestone.pk)
    _edited_by_someone_else(
        current,
        version,
        gettext(
            "Someone else updated this milestone in the meantime. Look at it again and save "
            "your change once more."
        ),
    )
    for name in MILESTONE_FIELDS:
        if name not in fields:
            continue
        if current.system_key and name in SYSTEM_MILESTONE_FIELDS:
            if fields[name] != getattr(current, name):
                raise ValidationError(
                    {
                        name: gettext(
                            "The fund sets this moment: its title, kind and due date follow "
                            "from the project's dates."
                        )
                    }
                )
            continue
        setattr(current, name, fields[name])
    _check_milestone(current)
    current.save()
    return current


def has_status_history(milestone: Milestone) -> bool:
    """Whether anything was ever recorded about the milestone's progress: a status other than
    planned, a date reached, evidence or a reason, now or in its audit trail."""
    if (
        milestone.status != MilestoneStatus.PLANNED
        or milestone.reached_on
        or milestone.evidence
        or milestone.reason
    ):
        return True
    return (
        AuditEntry.objects.get_for_object(milestone)
        .filter(action=AuditEntry.Action.UPDATE)
        .filter(
            Q(changes__has_key="status")
            | Q(changes__has_key="reached_on")
            | Q(changes__has_key="evidence")
            | Q(changes__has_key="reason")
        )
        .exists()
    )


@transaction.atomic
def delete_milestone(*, actor: User, milestone: Milestone) -> None:
    """Remove a milestone planned by mistake. Only while nothing was recorded about its progress
    (has_status_history), and never one of the fund's moments (system_key). Its audit trail
    keeps the deletion."""
    if not rules.can_manage_targets(actor):
        raise PermissionDenied(gettext("Only coordinators remove milestones."))
    current = Milestone.objects.select_for_update().get(pk=milestone.pk)
    if current.system_key:
        raise ValidationError(
            gettext("This is one of the fund's moments, which civbio plans itself: it stays.")
        )
    if has_status_history(current):
        raise ValidationError(
            gettext(
                "Progress was already recorded on this milestone, so it stays. Mark it as missed, "
                "with the reason, if it no longer applies."
            )
        )
    current.delete()
