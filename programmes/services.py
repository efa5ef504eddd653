from collections.abc import Mapping
from dataclasses import dataclass
from datetime import date, timedelta
from decimal import Decimal

from dateutil.relativedelta import relativedelta
from django.conf import settings
from django.core.exceptions import PermissionDenied, ValidationError
from django.db import transaction
from django.utils import timezone, translation
from django.utils.translation import gettext
from django.utils.translation import gettext_lazy as _

from civbio import rules
from partners.models import Organisation, Role, User
from programmes import consortium
from programmes.models import (
    Indicator,
    IndicatorSource,
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
