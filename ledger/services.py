"""The co-financing ledger: partners log what they contributed, coordinators approve it, and
delivered activities propose their own hours so nothing goes unreported."""

import re
from datetime import date, timedelta
from decimal import Decimal
from functools import partial

from dateutil.relativedelta import relativedelta
from django.core.exceptions import PermissionDenied, ValidationError
from django.db import IntegrityError, transaction
from django.db.models import Case, IntegerField, Q, Value, When
from django.urls import reverse
from django.utils import timezone
from django.utils.formats import date_format
from django.utils.translation import gettext as _

from activities.models import (
    Activity,
    ActivityKind,
    Notification,
    Reminder,
    ReminderKind,
    Request,
)
from activities.tasks import send_reminder_email
from civbio import rounding, rules
from ledger.models import Contribution, ContributionKind, ContributionStatus
from partners.models import Organisation, Role, User
from programmes.models import ProgrammeLine, Project
from programmes.selectors import current_project
from students.models import Student

# Hours a delivered activity proposes for its host, to confirm or correct.
PROPOSED_HOURS: dict[str, Decimal | None] = {
    ActivityKind.GUEST_LESSON: None,  # the lesson's own duration plus preparation
    ActivityKind.PRACTICUM: Decimal("8"),
    ActivityKind.COMPANY_VISIT: Decimal("4"),
    ActivityKind.TRAINING: Decimal("8"),
    ActivityKind.IMAGE: Decimal("6"),
}
PREPARATION_HOURS = Decimal("2")

EDITABLE_FIELDS = [
    "programme_line",
    "activity",
    "kind",
    "hours",
    "amount",
    "date",
    "description",
    "is_supervision",
    "evidence",
]


def students_named_in(text: str, organisation_id: int | None) -> list[str]:
    """The students that `text` names, by display name or student number as whole words, among
    those the organisation knows: a school's own, and those nominated to a company's places.

    A contribution's description goes into the hours register of the funder report, and funders
    never see a student's personal data. Very short names and numbers are not looked for: "12"
    would match "12 uur"."""
    if not text or not organisation_id:
        return []
    known = (
        Student.objects.filter(erased_at__isnull=True)
        .filter(Q(school_id=organisation_id) | Q(nominations__posting__host_id=organisation_id))
        .values_list("display_name", "student_number")
        .distinct()
    )
    folded = text.casefold()
    named = []
    for display_name, number in known:
        for value, shortest in ((display_name, 3), (number, 4)):
            value = value.strip().casefold()
            if (
                len(value) >= shortest
                and value in folded
                and re.search(rf"(?<!\w){re.escape(value)}(?!\w)", folded)
            ):
                named.append(display_name)
                break
    return sorted(set(named))


def project_years(project: Project) -> list[tuple[int, date, date]]:
    """(number, first day, last day) of each project year."""
    years, start, number = [], project.start_date, 1
    while start <= project.end_date:
        end = min(start + relativedelta(years=1) - timedelta(days=1), project.end_date)
        years.append((number, start, end))
        start, number = end + timedelta(days=1), number + 1
    return years


def project_year_expression(project: Project):
    """SQL for the project year a contribution's date falls in."""
    return Case(
        *[
            When(date__range=(start, end), then=Value(n))
            for n, start, end in project_years(project)
        ],
        default=Value(0),
        output_field=IntegerField(),
    )


def _check_period(day: date, project: Project | None) -> None:
    """Inside the project, and in a quarter that is not closed yet."""
    if project:
        quarter = project.quarter_of(day)
        if quarter and project.is_closed(quarter[2]):
            raise ValidationError(
                {"date": _("This quarter is closed: its report to the fund is final.")}
            )
    if project and not (project.start_date <= day <= project.end_date):
        raise ValidationError(
            {
                "date": _("The date lies outside the project period, %(start)s to %(end)s.")
                % {"start": date_format(project.start_date), "end": date_format(project.end_date)}
            }
        )


@transaction.atomic
def log_contribution(
    *, actor: User, fields: dict, organisation: Organisation | None = None
) -> Contribution:
    """Log a contribution for the actor's own organisation (coordinators: for any partner)."""
    organisation = (
        organisation if organisation and rules.is_coordinator(actor) else actor.organisation
    )
    if organisation is None or not rules.can_log_for(actor, organisation):
        raise PermissionDenied(_("You may log contributions only for your own organisation."))
    contribution = Contribution(organisation=organisation, submitted_by=actor)
    for name in EDITABLE_FIELDS:
        if name in fields:
            setattr(contribution, name, fields[name])
    contribution.full_clean()
    _check_period(contribution.date, current_project())
    contribution.save()
    return contribution


@transaction.atomic
def log_quarter(
    *, actor: User, quarter_start: date, entries: list[dict], description: str = ""
) -> list[Contribution]:
    """The bulk form: staff hours per programme line for one quarter, all saved or none."""
    if not entries:
        raise ValidationError(_("Fill in the hours for at least one programme line."))
    return [
        log_contribution(
            actor=actor,
            fields={
                "kind": ContributionKind.STAFF_HOURS,
                "programme_line": entry["programme_line"],
                "hours": entry["hours"],
                "date": quarter_start,
                "description": description
                or _("Hours in the quarter from %(date)s") % {"date": date_format(quarter_start)},
            },
        )
        for entry in entries
    ]


def _locked(contribution: Contribution) -> Contribution:
    return Contribution.objects.select_for_update().get(pk=contribution.pk)


def _concerned(contribution: Contribution) -> list[User]:
    """Who hears of a decision on a contribution: the partner's person who logged (or confirmed)
    it, else the partner's contact persons, else all its staff."""
    logger = contribution.submitted_by
    if logger and logger.is_active and logger.organisation_id == contribution.organisation_id:
        return [logger]
    staff = list(
        User.objects.active()
        .filter(organisation_id=contribution.organisation_id)
        .exclude(role__in=[Role.FUNDER, ""])
    )
    return [p for p in staff if p.is_contact] or staff


def _tell_decision(*, actor: User, contribution: Contribution, kind: str, note: str = "") -> None:
    """Tell the partner the decision, in the app and by e-mail (sent once, retried, failures
    visible, as a reminder's). Deciding the same contribution the same way again (rejected,
    resent, rejected) replaces the earlier notice, so the person reads the latest reason."""
    for person in _concerned(contribution):
        if person.pk == actor.pk:
            continue
        Reminder.objects.filter(
            kind=kind, target_type="contribution", target_id=contribution.pk, recipient=person
        ).delete()
        notice = Reminder.objects.create(
            kind=kind,
            target_type="contribution",
            target_id=contribution.pk,
            recipient=person,
            due=contribution.date,
            title=contribution.description[:300],
            url=reverse("ledger:my_contributions"),
            note=note[:300],
        )
        Notification.objects.create(recipient=person, reminder=notice)
        transaction.on_commit(partial(send_reminder_email.delay, notice.pk), robust=True)


@transaction.atomic
def approve_contribution(*, actor: User, contribution: Contribution) -> Contribution:
    """A coordinator approves a submitted contribution; the partner hears of it."""
    if not rules.can_review_contributions(actor):
        raise PermissionDenied(_("Only coordinators approve contributions."))
    current = _locked(contribution)
    if current.status != ContributionStatus.SUBMITTED:
        raise ValidationError(_("Only a submitted contribution can be approved."))
    _check_period(current.date, current_project())
    current.status = ContributionStatus.APPROVED
    current.decided_by, current.decided_at, current.rejection_reason = actor, timezone.now(), ""
    current.save()
    _tell_decision(actor=actor, contribution=current, kind=ReminderKind.CONTRIBUTION_APPROVED)
    return current


@transaction.atomic
def reject_contribution(*, actor: User, contribution: Contribution, reason: str) -> Contribution:
    """A coordinator rejects a submitted contribution with the reason the partner is told."""
    if not rules.can_review_contributions(actor):
        raise PermissionDenied(_("Only coordinators reject contributions."))
    if not reason.strip():
        raise ValidationError({"reason": _("Say why, so the partner can put it right.")})
    current = _locked(contribution)
    if current.status != ContributionStatus.SUBMITTED:
        raise ValidationError(_("Only a submitted contribution can be rejected."))
    current.status = ContributionStatus.REJECTED
    current.decided_by, current.decided_at = actor, timezone.now()
    current.rejection_reason = reason.strip()[:300]
    current.save()
    _tell_decision(
        actor=actor,
        contribution=current,
        kind=ReminderKind.CONTRIBUTION_REJECTED,
        note=current.rejection_reason,
    )
    return current


@transaction.atomic
def resubmit_contribution(*, actor: User, contribution: Contribution, fields: dict) -> Contribution:
    """Correct and send again a rejected contribution, or confirm a proposed one. Approved ones
    are closed: they change only through a recorded correction."""
    current = _locked(contribution)
    if not rules.can_log_for(actor, current.organisation):
        raise PermissionDenied(_("You may change only your own organisation's contributions."))
    if current.status not in (ContributionStatus.REJECTED, ContributionStatus.PROPOSED):
        raise ValidationError(
            _("This contribution is %(status)s and can no longer be edited.")
            % {"status": current.get_status_display().lower()}
        )
    for name in EDITABLE_FIELDS:
        if name in fields:
            setattr(current, name, fields[name])
    current.full_clean()
    _check_period(current.date, current_project())
    current.status = ContributionStatus.SUBMITTED
    current.submitted_by = actor
    current.save()
    return current


@transaction.atomic
def correct_contribution(
    *, actor: User, contribution: Contribution, fields: dict, reason: str
) -> Contribution:
    """Change an approved figure the only way it may change: a new approved record that replaces
    it, with the reason, while the original stays in the ledger as history."""
    if not rules.can_review_contributions(actor):
        raise PermissionDenied(_("Only coordinators correct approved contributions."))
    if not reason.strip():
        raise ValidationError({"reason": _("Give the reason for the correction.")})
    original = _locked(contribution)
    if original.status != ContributionStatus.APPROVED or original.corrections.exists():
        raise ValidationError(_("Only the current approved figure can be corrected."))
    correction = Contribution(
        organisation=original.organisation,
        submitted_by=actor,
        corrects=original,
        status=ContributionStatus.APPROVED,
        decided_by=actor,
        decided_at=timezone.now(),
        rejection_reason=reason.strip()[:300],
    )
    for name in EDITABLE_FIELDS:
        setattr(correction, name, fields.get(name, getattr(original, name)))
    correction.full_clean()
    _check_period(original.date, current_project())
    _check_period(correction.date, current_project())
    correction.save()
    return correction


def _proposed_hours(activity: Activity) -> Decimal:
    if activity.kind == ActivityKind.GUEST_LESSON:
        # Hours to one decimal, half up, as every figure (civbio.rounding): 15 minutes is 0.3 h.
        minutes = activity.guestlesson.duration_minutes
        return (rounding.hours(Decimal(minutes) / 60) or Decimal(0)) + PREPARATION_HOURS
    return PROPOSED_HOURS.get(activity.kind) or Decimal("4")


def propose_for_delivery(
    *, activity: Activity, request: Request | None = None
) -> Contribution | None:
    """A delivered activity proposes its host's hours, once, for the host to confirm."""
    project = current_project()
    day = request.date if request else (activity.start_date or timezone.localdate())
    if project and not (project.start_date <= day <= project.end_date):
        return None
    source = f"request:{request.pk}" if request else f"activity:{activity.pk}"
    what = (
        activity.title if request is None else f"{activity.title} — {request.school.display_name}"
    )
    try:
        with transaction.atomic():
            return Contribution.objects.create(
                organisation_id=activity.host_id,
                programme_line_id=activity.programme_line_id,
                activity=activity,
                kind=ContributionKind.STAFF_HOURS,
                hours=_proposed_hours(activity),
                date=day,
                description=what[:300],
                status=ContributionStatus.PROPOSED,
                source=source,
            )
    except IntegrityError:
        return None  # already proposed


def programme_lines() -> list[ProgrammeLine]:
    project = current_project()
    return list(project.lines.all()) if project else []
