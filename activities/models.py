"""Everything that happens in the project: opportunities partners offer, what schools ask of them,
students nominated to places, and the record of who changed what."""

import secrets
from datetime import date

from django.conf import settings
from django.core.exceptions import ValidationError
from django.core.validators import MaxValueValidator, MinValueValidator
from django.db import models
from django.urls import reverse, translate_url
from django.utils.formats import date_format
from django.utils.translation import get_language, override
from django.utils.translation import gettext_lazy as _

from activities.choices import (
    HAPPENED_AS_ACTIVITY,
    OPEN_REQUEST_STATUSES,
    STATUS_FLOW,
    ActivityKind,
    ActivityStatus,
    RequestStatus,
)
from activities.querysets import (
    ActivityQuerySet,
    NominationQuerySet,
    NotificationQuerySet,
    RequestQuerySet,
)
from partners.models import Organisation
from programmes.models import ProgrammeLine
from students.models import LEVEL_VALIDATORS, ModuleUnit, Qualification, Route, Student


class Activity(models.Model):
    """What every kind of activity has: a host, a programme line, dates and a status.

    Each kind adds its own fields in a child table (multi-table inheritance), so lists and counts
    across kinds read one table while each detail page reads its kind's fields.
    """

    kind = models.CharField(_("kind"), max_length=20, choices=ActivityKind.choices, editable=False)
    programme_line = models.ForeignKey(
        ProgrammeLine,
        verbose_name=_("programme line"),
        on_delete=models.PROTECT,
        related_name="activities",
    )
    host = models.ForeignKey(
        Organisation,
        verbose_name=_("host"),
        on_delete=models.PROTECT,
        related_name="hosted_activities",
    )
    partner_organisations = models.ManyToManyField(
        Organisation,
        verbose_name=_("partner organisations"),
        blank=True,
        related_name="partnered_activities",
    )
    title = models.CharField(_("title"), max_length=200)
    description = models.TextField(_("description"), blank=True)
    status = models.CharField(
        _("status"), max_length=20, choices=ActivityStatus.choices, default=ActivityStatus.DRAFT
    )
    start_date = models.DateField(_("start date"), null=True, blank=True)
    end_date = models.DateField(_("end date"), null=True, blank=True)
    qualifications = models.ManyToManyField(
        Qualification, verbose_name=_("qualifications"), blank=True, related_name="activities"
    )
    level = models.PositiveSmallIntegerField(
        _("level"), null=True, blank=True, validators=LEVEL_VALIDATORS
    )
    required_units = models.ManyToManyField(
        ModuleUnit,
        verbose_name=_("required module units"),
        blank=True,
        related_name="required_by",
        help_text=_("Students who completed these units fit this opportunity."),
    )
    contact = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("contact person"),
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="contact_for_activities",
    )
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.SET_NULL,
        null=True,
        related_name="created_activities",
        editable=False,
    )
    # One-time token of the form that created it: a double-clicked submit makes one activity.
    submission_token = models.UUIDField(null=True, blank=True, unique=True, editable=False)
    created_at = models.DateTimeField(auto_now_add=True)
    updated_at = models.DateTimeField(auto_now=True)

    objects = ActivityQuerySet.as_manager()

    class Meta:
        ordering = ["-created_at"]
        verbose_name = _("activity")
        verbose_name_plural = _("activities")
        indexes = [
            models.Index(fields=["kind", "status"]),
            models.Index(fields=["host", "status"]),
            models.Index(fields=["start_date"]),
            models.Index(fields=["host", "created_at"]),
            # A partner's latest sign of life (partner engagement on the dashboards), dated by
            # when the activity takes place.
            models.Index(fields=["host", "start_date"], name="activity_host_start"),
            # The board: the newest published opportunities, read in order rather than sorted.
            models.Index(fields=["status", "created_at", "id"]),
            # A list of one kind (every status), newest first: read in order to its page.
            models.Index(fields=["kind", "created_at", "id"], name="activity_kind_newest"),
        ]
        constraints = [
            models.CheckConstraint(
                condition=models.Q(end_date__isnull=True)
                | models.Q(start_date__isnull=True)
                | models.Q(end_date__gte=models.F("start_date")),
                name="activity_ends_after_start",
            )
        ]

    def __str__(self) -> str:
        return self.title

    def get_absolute_url(self) -> str:
        return reverse("activities:activity_detail", args=[self.pk])

    def clean(self) -> None:
        if self.start_date and self.end_date and self.end_date < self.start_date:
            raise ValidationError({"end_date": _("The end date lies before the start date.")})

    def can_move_to(self, status: str) -> bool:
        return status in STATUS_FLOW.get(self.kind, {}).get(self.status, set())

    @property
    def is_open(self) -> bool:
        return self.status == ActivityStatus.PUBLISHED

    @property
    def next_statuses(self) -> list[str]:
        return sorted(STATUS_FLOW.get(self.kind, {}).get(self.status, set()))

    def has_passed(self, today: date) -> bool:
        """Whether the activity's last day (its end date, else its start date) lies before
        `today`; an activity without dates has not passed."""
        last = self.end_date or self.start_date
        return last is not None and last < today


class CreboList(models.Model):
    """An activity's qualification codes as one text, "25452; 25453", for exports.

    Read from a database view (migration activities 0002) that groups the qualifications per
    activity once. Asked for by the board's CSV, it is joined like a table: before, the export
    grouped its whole result by every column to gather the codes, which was half of
    PostgreSQL's time for the file (make bench). Activities without qualifications have no row.

    A migration that changes `students.Qualification` or the activities' qualifications table
    must drop the view first and create it again after (activities 0002's `drop` and `create`;
    a students migration then depends on activities 0002): SQLite cannot rebuild a table a view
    reads, and PostgreSQL would drop the view with a dropped column."""

    activity = models.OneToOneField(
        Activity,
        primary_key=True,
        on_delete=models.DO_NOTHING,
        db_constraint=False,
        related_name="crebo_list",
    )
    crebos = models.TextField(_("qualifications"))

    class Meta:
        managed = False
        db_table = "activities_crebolist"

    def __str__(self) -> str:
        return self.crebos


class Posting(Activity):
    """An internship (BOL) or learning-work place (BBL), as a national internship board shows it."""

    route = models.CharField(_("route"), max_length=3, choices=Route.choices)
    days_per_week = models.DecimalField(
        _("days per week"),
        max_digits=2,
        decimal_places=1,
        validators=[MinValueValidator(0.5), MaxValueValidator(5)],
    )
    duration_months = models.PositiveSmallIntegerField(
        _("duration in months"), null=True, blank=True, validators=[MaxValueValidator(48)]
    )
    places = models.PositiveSmallIntegerField(
        _("number of places"), validators=[MinValueValidator(1), MaxValueValidator(100)]
    )
    location = models.CharField(_("location"), max_length=200)
    allowance_min = models.PositiveIntegerField(
        _("allowance from (€ per month)"), null=True, blank=True
    )
    allowance_max = models.PositiveIntegerField(
        _("allowance up to (€ per month)"), null=True, blank=True
    )
    required_skills = models.TextField(_("required skills"), blank=True)
    offer = models.TextField(_("what we offer"), blank=True)
    sbb_leerbedrijf_id = models.CharField(_("SBB leerbedrijf-ID"), max_length=12, blank=True)
    application_deadline = models.DateField(_("application deadline"), null=True, blank=True)

    class Meta:
        verbose_name = _("internship or learning-work place")
        verbose_name_plural = _("internships and learning-work places")
        indexes = [
            # The board sorted by application deadline: read in order and stopped at a page,
            # rather than every open place sorted.
            models.Index(fields=["application_deadline"], name="posting_deadline_idx"),
        ]

    def clean(self) -> None:
        super().clean()
        errors = {}
        if not self.end_date and not self.duration_months:
            errors["duration_months"] = _("Give an end date or a duration.")
        if (
            self.allowance_min is not None
            and self.allowance_max is not None
            and self.allowance_max < self.allowance_min
        ):
            errors["allowance_max"] = _("The upper allowance is below the lower one.")
        if (
            self.application_deadline
            and self.start_date
            and self.application_deadline > self.start_date
        ):
            errors["application_deadline"] = _(
                "The application deadline lies after the start date."
            )
        if errors:
            raise ValidationError(errors)


class LessonFormat(models.TextChoices):
    AT_SCHOOL = "at_school", _("At school")
    AT_COMPANY = "at_company", _("At the company")
    ONLINE = "online", _("Online")


class GuestLesson(Activity):
    """A guest lesson a company offers; schools request it for a date and a group."""

    speaker = models.CharField(_("speaker"), max_length=150)
    format = models.CharField(_("format"), max_length=20, choices=LessonFormat.choices)
    duration_minutes = models.PositiveSmallIntegerField(
        _("duration in minutes"), validators=[MinValueValidator(15), MaxValueValidator(480)]
    )
    max_group_size = models.PositiveSmallIntegerField(
        _("maximum group size"), validators=[MinValueValidator(1), MaxValueValidator(500)]
    )
    availability = models.CharField(
        _("when it can be given"),
        max_length=200,
        blank=True,
        help_text=_("E.g. Tuesdays and Thursdays, not in school holidays."),
    )

    class Meta:
        verbose_name = _("guest lesson")
        verbose_name_plural = _("guest lessons")


class PracticumAssignment(Activity):
    """A company's real case for a class, e.g. samples to measure."""

    materials = models.TextField(_("materials"), blank=True)
    deliverable = models.TextField(_("deliverable"))
    max_group_size = models.PositiveSmallIntegerField(
        _("maximum group size"), validators=[MinValueValidator(1), MaxValueValidator(500)]
    )

    class Meta:
        verbose_name = _("practicum assignment")
        verbose_name_plural = _("practicum assignments")


class Audience(models.TextChoices):
    VO_PUPILS = "vo_pupils", _("Secondary-school pupils")
    MBO_STUDENTS = "mbo_students", _("mbo students")
    PROFESSIONALS = "professionals", _("Professionals")
    PARENTS = "parents", _("Parents")
    TEACHERS = "teachers", _("Teachers")
    WORKPLACE_TRAINERS = "workplace_trainers", _("Workplace trainers")


class ImageActivityType(models.TextChoices):
    OPEN_DAY = "open_day", _("Open day")
    SCHOOL_VISIT = "school_visit", _("School visit")
    CAMPAIGN = "campaign", _("Campaign")
    EVENT = "event", _("Event")
    COMPANY_TOUR = "company_tour", _("Company tour")


class Event(Activity):
    """A company visit, a training, or an image activity: a date, an audience, people reached."""

    event_type = models.CharField(
        _("type"), max_length=20, choices=ImageActivityType.choices, blank=True
    )
    location = models.CharField(_("location"), max_length=200, blank=True)
    audience = models.CharField(_("audience"), max_length=20, choices=Audience.choices)
    capacity = models.PositiveSmallIntegerField(
        _("maximum participants"), null=True, blank=True, validators=[MinValueValidator(1)]
    )
    people_reached = models.PositiveIntegerField(_("people reached"), null=True, blank=True)

    class Meta:
        verbose_name = _("event")
        verbose_name_plural = _("events")


class ResearchTrack(models.TextChoices):
    WORK_FIELD = "work_field", _("Developments in the work field")
    EDUCATION = "education", _("Educational innovation")


class ResearchPhase(models.TextChoices):
    IDEA = "idea", _("Idea")
    PLAN = "plan", _("Plan")
    FIELDWORK = "fieldwork", _("Fieldwork")
    REPORTING = "reporting", _("Reporting")
    DISSEMINATION = "dissemination", _("Dissemination")


class ResearchProject(Activity):
    """A practoraat research project: a practor with teacher-researchers, students and companies."""

    research_question = models.TextField(_("research question"))
    track = models.CharField(_("track"), max_length=20, choices=ResearchTrack.choices)
    phase = models.CharField(
        _("phase"), max_length=20, choices=ResearchPhase.choices, default=ResearchPhase.IDEA
    )
    practor = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("practor"),
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="research_as_practor",
    )
    teacher_researchers = models.ManyToManyField(
        settings.AUTH_USER_MODEL,
        verbose_name=_("teacher-researchers"),
        blank=True,
        related_name="research_as_teacher",
    )
    students_involved = models.PositiveSmallIntegerField(_("students involved"), default=0)

    class Meta:
        verbose_name = _("research project")
        verbose_name_plural = _("research projects")


class OutputKind(models.TextChoices):
    REPORT = "report", _("Report")
    ARTICLE = "article", _("Article")
    CURRICULUM = "curriculum", _("Curriculum change")
    PRESENTATION = "presentation", _("Presentation")


class ResearchOutput(models.Model):
    project = models.ForeignKey(ResearchProject, on_delete=models.CASCADE, related_name="outputs")
    kind = models.CharField(_("kind"), max_length=20, choices=OutputKind.choices)
    title = models.CharField(_("title"), max_length=200)
    url = models.URLField(_("link"), blank=True)
    published_on = models.DateField(_("date"), null=True, blank=True)

    class Meta:
        ordering = ["-published_on", "title"]
        verbose_name = _("research output")
        verbose_name_plural = _("research outputs")

    def __str__(self) -> str:
        return self.title


class Request(models.Model):
    """A school's request for a guest lesson, practicum assignment or company visit."""

    activity = models.ForeignKey(
        Activity, verbose_name=_("activity"), on_delete=models.CASCADE, related_name="requests"
    )
    school = models.ForeignKey(
        Organisation,
        verbose_name=_("school"),
        on_delete=models.PROTECT,
        related_name="requests_made",
    )
    requested_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("requested by"),
        on_delete=models.SET_NULL,
        null=True,
        related_name="requests_made",
    )
    date = models.DateField(_("date"))
    proposed_date = models.DateField(_("proposed date"), null=True, blank=True)
    group_name = models.CharField(_("class or group"), max_length=80)
    student_count = models.PositiveSmallIntegerField(
        _("number of students"), validators=[MinValueValidator(1)]
    )
    message = models.TextField(_("message"), blank=True)
    host_message = models.TextField(_("message from the host"), blank=True)
    status = models.CharField(
        _("status"), max_length=20, choices=RequestStatus.choices, default=RequestStatus.REQUESTED
    )
    students_reached = models.PositiveSmallIntegerField(
        _("students reached"), null=True, blank=True
    )
    teacher_feedback = models.TextField(_("feedback from the teacher"), blank=True)
    host_feedback = models.TextField(_("feedback from the host"), blank=True)
    results = models.TextField(_("results returned"), blank=True)
    created_at = models.DateTimeField(auto_now_add=True)
    updated_at = models.DateTimeField(auto_now=True)

    objects = RequestQuerySet.as_manager()

    class Meta:
        ordering = ["-created_at"]
        verbose_name = _("request")
        verbose_name_plural = _("requests")
        indexes = [
            models.Index(fields=["school", "status"]),
            models.Index(fields=["date"]),
            models.Index(fields=["school", "created_at"]),
            # A school's latest sign of life (partner engagement), dated by the request's day.
            models.Index(fields=["school", "date"], name="request_school_day"),
            # The answered requests, last answered first, a page at a time.
            models.Index(fields=["updated_at", "id"], name="request_last_changed"),
        ]

    def __str__(self) -> str:
        return f"{self.activity} — {self.group_name}"

    @property
    def is_open(self) -> bool:
        return self.status in OPEN_REQUEST_STATUSES


class NominationStatus(models.TextChoices):
    NOMINATED = "nominated", _("Nominated")
    ACCEPTED = "accepted", _("Accepted")
    DECLINED = "declined", _("Declined")
    WITHDRAWN = "withdrawn", _("Withdrawn")
    # All places were taken before the company answered: civbio (not the company) set it aside,
    # and offers it again, first come first served, when a place comes free.
    WAITING = "waiting", _("On the waiting list")


class Nomination(models.Model):
    """A teacher puts a student of their school forward for an internship or learning-work place."""

    posting = models.ForeignKey(
        Posting, verbose_name=_("place"), on_delete=models.CASCADE, related_name="nominations"
    )
    student = models.ForeignKey(
        Student, verbose_name=_("student"), on_delete=models.CASCADE, related_name="nominations"
    )
    nominated_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("nominated by"),
        on_delete=models.SET_NULL,
        null=True,
        related_name="nominations_made",
    )
    motivation = models.TextField(_("motivation"), blank=True)
    response = models.TextField(_("message from the company"), blank=True)
    status = models.CharField(
        _("status"),
        max_length=20,
        choices=NominationStatus.choices,
        default=NominationStatus.NOMINATED,
    )
    created_at = models.DateTimeField(auto_now_add=True)
    updated_at = models.DateTimeField(auto_now=True)

    objects = NominationQuerySet.as_manager()

    class Meta:
        ordering = ["-created_at"]
        verbose_name = _("nomination")
        verbose_name_plural = _("nominations")
        constraints = [
            # A student is put forward once per place (a double-clicked submit makes one row).
            models.UniqueConstraint(
                fields=["posting", "student"],
                condition=~models.Q(status="withdrawn"),
                name="one_live_nomination_per_student_and_place",
            )
        ]
        indexes = [
            # The requests page: nominations waiting, oldest first, and answered ones, last
            # answered first, each a page at a time.
            models.Index(fields=["status", "created_at", "id"], name="nomination_waiting"),
            models.Index(fields=["updated_at", "id"], name="nomination_last_changed"),
        ]

    def __str__(self) -> str:
        return f"{self.student} → {self.posting}"


class Placement(models.Model):
    """An accepted nomination: the student works at the company. The three-party agreement (POK)
    lives in the school's own systems; we keep its reference."""

    nomination = models.OneToOneField(
        Nomination, on_delete=models.CASCADE, related_name="placement"
    )
    start_date = models.DateField(_("start date"))
    end_date = models.DateField(_("end date"))
    pok_reference = models.CharField(_("POK reference"), max_length=60, blank=True)
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        verbose_name = _("placement")
        verbose_name_plural = _("placements")
        constraints = [
            models.CheckConstraint(
                condition=models.Q(end_date__gte=models.F("start_date")),
                name="placement_ends_after_start",
            )
        ]

    def __str__(self) -> str:
        return str(self.nomination)


class EventVerb(models.TextChoices):
    """What a line of an activity's timeline says happened; the label reads after the actor's
    name ("Dirk accepted the request")."""

    CREATED = "created", _("created this activity")
    UPDATED = "updated", _("changed the details")
    STATUS = "status", _("changed the status")
    PHASE = "phase", _("changed the research phase")
    OUTPUT = "output", _("added a research output")
    REQUESTED = "requested", _("sent a request")
    REQUEST_ACCEPT = "request_accept", _("accepted the request")
    REQUEST_DECLINE = "request_decline", _("declined the request")
    REQUEST_PROPOSE = "request_propose", _("proposed another date")
    PROPOSAL_ACCEPTED = "proposal_accepted", _("accepted the proposed date")
    PROPOSAL_REJECTED = "proposal_rejected", _("turned down the proposed date")
    REQUEST_CANCELLED = "request_cancelled", _("cancelled the request")
    DELIVERED = "delivered", _("reported it delivered")
    NOMINATED = "nominated", _("nominated a student")
    NOMINATION_ACCEPTED = "nomination_accepted", _("accepted a nomination")
    NOMINATION_DECLINED = "nomination_declined", _("declined a nomination")
    NOMINATION_WITHDRAWN = "nomination_withdrawn", _("withdrew a nomination")
    AGREEMENT = "agreement", _("recorded the placement agreement")
    NOMINATION_WAITING = (
        "nomination_waiting",
        _("put a nomination on the waiting list, as all places are taken"),
    )
    NOMINATION_OFFERED = (
        "nomination_offered",
        _("offered a nomination from the waiting list again: a place came free"),
    )
    PLACEMENT_WITHDRAWN = "placement_withdrawn", _("withdrew a student from an accepted place")
    REOPENED = "reopened", _("reopened the activity")


class ActivityEvent(models.Model):
    """One line of an activity's timeline: who changed what, and when."""

    activity = models.ForeignKey(Activity, on_delete=models.CASCADE, related_name="events")
    request = models.ForeignKey(
        Request, on_delete=models.CASCADE, null=True, blank=True, related_name="events"
    )
    nomination = models.ForeignKey(
        Nomination, on_delete=models.CASCADE, null=True, blank=True, related_name="events"
    )
    actor = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, related_name="+"
    )
    organisation = models.ForeignKey(
        Organisation, on_delete=models.SET_NULL, null=True, related_name="+"
    )
    verb = models.CharField(max_length=40, choices=EventVerb.choices)
    to_status = models.CharField(max_length=20, blank=True)
    note = models.TextField(blank=True)
    at = models.DateTimeField(auto_now_add=True)

    class Meta:
        ordering = ["at", "pk"]
        indexes = [models.Index(fields=["activity", "at"])]

    def __str__(self) -> str:
        return f"{self.activity}: {self.verb}"

    @property
    def description(self) -> str:
        return str(self.get_verb_display())

    @property
    def status_label(self) -> str:
        for choices in (ActivityStatus, RequestStatus, NominationStatus):
            if self.to_status in choices.values:
                return str(choices(self.to_status).label)
        return ""


def took_place_itself() -> models.Q:
    """The one-off activities that took place by themselves (their date is their start date): a
    training or image activity delivered, and a research project once it started — running,
    completed, or cancelled after it ran (its timeline shows it moved to running). A research
    project cancelled while still a draft never started, and counts nowhere. The dashboards,
    the board's "took place" filter, the KPIs and the closed quarters all count with this."""
    condition = models.Q()
    for kind, statuses in HAPPENED_AS_ACTIVITY.items():
        condition |= models.Q(kind=kind, status__in=statuses)
    ran = models.Exists(
        ActivityEvent.objects.filter(
            activity=models.OuterRef("pk"),
            verb__in=[EventVerb.STATUS, EventVerb.REOPENED],
            to_status=ActivityStatus.RUNNING,
        )
    )
    return condition | models.Q(ran, kind=ActivityKind.RESEARCH, status=ActivityStatus.CANCELLED)


class ReminderKind(models.TextChoices):
    STARTS_SOON = "starts_soon", _("A guest lesson, visit or placement starts in two days")
    UNANSWERED = "unanswered", _("A request or nomination is waiting for an answer")
    DEADLINE = "deadline", _("A place's application deadline is a week away")
    MILESTONE_DUE = "milestone_due", _("A milestone is due in two weeks")
    MILESTONE_OVERDUE = "milestone_overdue", _("A milestone is overdue")
    EDITION_STALE = "edition_stale", _("A module edition's progress has not been updated")
    QUARTER_END = "quarter_end", _("The quarter ends: log contributions, write up, approve")
    HOURS_UNCONFIRMED = "hours_unconfirmed", _("A delivered activity's hours are not confirmed")
    CONTRIBUTION_APPROVED = "contrib_approved", _("Your contribution was approved")
    CONTRIBUTION_REJECTED = "contrib_rejected", _("Your contribution was rejected")


# Decisions told to the person they concern, in the app and by e-mail like a reminder; nobody
# switches them off.
NOTICE_KINDS = frozenset({ReminderKind.CONTRIBUTION_APPROVED, ReminderKind.CONTRIBUTION_REJECTED})


# What each reminder says, in the reader's language ("%(title)s" is the thing, "%(due)s" the day
# it is about).
REMINDER_MESSAGES = {
    ReminderKind.STARTS_SOON: _("%(title)s starts on %(due)s."),
    ReminderKind.UNANSWERED: _(
        "A request or nomination for %(title)s has been waiting for an answer for five days."
    ),
    ReminderKind.DEADLINE: _(
        "The application deadline of %(title)s is %(due)s and places are still open."
    ),
    ReminderKind.MILESTONE_DUE: _("The milestone %(title)s is due on %(due)s."),
    ReminderKind.MILESTONE_OVERDUE: _(
        "The milestone %(title)s was due on %(due)s and is not marked reached or missed."
    ),
    ReminderKind.EDITION_STALE: _("Nobody recorded progress in %(title)s for thirty days."),
    ReminderKind.QUARTER_END: _(
        "The quarter ends on %(due)s: log your contributions, and (coordinators) write the "
        "narrative and approve what is waiting."
    ),
    ReminderKind.HOURS_UNCONFIRMED: _(
        "The hours of a delivered activity (%(title)s) wait for your confirmation."
    ),
    ReminderKind.CONTRIBUTION_APPROVED: _(
        "Your contribution of %(due)s, “%(title)s”, was approved: it counts as co-financing."
    ),
    ReminderKind.CONTRIBUTION_REJECTED: _(
        "Your contribution of %(due)s, “%(title)s”, was rejected. The reason: “%(note)s”. "
        "Correct it and send it again."
    ),
}


class Reminder(models.Model):
    """One reminder to one person about one thing at one due moment. The unique constraint is
    what makes a second run of the reminders send nothing twice.

    A notice of a decision (NOTICE_KINDS: a contribution approved or rejected) travels the same
    way, so it too is e-mailed once, retried, and its failures are visible."""

    kind = models.CharField(_("kind"), max_length=20, choices=ReminderKind.choices)
    target_type = models.CharField(max_length=30)
    target_id = models.PositiveBigIntegerField()
    recipient = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="reminders"
    )
    due = models.DateField(_("due"))
    title = models.CharField(_("about"), max_length=300)
    url = models.CharField(max_length=300, blank=True)
    emailed_at = models.DateTimeField(_("e-mailed at"), null=True, blank=True)
    email_attempts = models.PositiveSmallIntegerField(default=0)
    last_error = models.CharField(_("last error"), max_length=300, blank=True)
    # What a notice adds to its sentence: a rejection's reason.
    note = models.CharField(_("note"), max_length=300, blank=True)
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        verbose_name = _("reminder")
        verbose_name_plural = _("reminders")
        ordering = ["-created_at"]
        constraints = [
            models.UniqueConstraint(
                fields=["kind", "target_type", "target_id", "recipient", "due"],
                name="one_reminder_per_thing_person_and_moment",
            )
        ]
        indexes = [models.Index(fields=["emailed_at", "email_attempts"])]

    def __str__(self) -> str:
        return f"{self.get_kind_display()} → {self.recipient}"

    @property
    def text(self) -> str:
        """The reminder's sentence in the active language."""
        return REMINDER_MESSAGES[self.kind] % {
            "title": self.title,
            "due": date_format(self.due, "j F Y"),
            "note": self.note,
        }

    @property
    def is_notice(self) -> bool:
        """A decision told to the person it concerns, rather than a reminder of a date."""
        return self.kind in NOTICE_KINDS

    @property
    def link(self) -> str:
        """The reminder's page in the active language: the address is stored as the run made it,
        in the default language (no prefix), and English readers should stay in English. An
        address that is not one of the site's pages is left as it is."""
        if not self.url:
            return ""
        language = get_language()
        with override(settings.LANGUAGE_CODE):  # read as stored, written in the reader's
            return translate_url(self.url, language)


class ReminderOptOut(models.Model):
    """A kind of reminder a person switched off (by e-mail and in the app)."""

    user = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="reminder_opt_outs"
    )
    kind = models.CharField(max_length=20, choices=ReminderKind.choices)

    class Meta:
        constraints = [
            models.UniqueConstraint(fields=["user", "kind"], name="one_opt_out_per_kind")
        ]

    def __str__(self) -> str:
        return f"{self.user}: {self.get_kind_display()}"


class Notification(models.Model):
    """An in-app message to one person: a change on the other side of a flow (an event), or a
    reminder."""

    recipient = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="notifications"
    )
    event = models.ForeignKey(
        ActivityEvent,
        on_delete=models.CASCADE,
        related_name="notifications",
        null=True,
        blank=True,
    )
    reminder = models.OneToOneField(
        Reminder,
        on_delete=models.CASCADE,
        related_name="notification",
        null=True,
        blank=True,
    )
    read_at = models.DateTimeField(null=True, blank=True)
    created_at = models.DateTimeField(auto_now_add=True)

    objects = NotificationQuerySet.as_manager()

    class Meta:
        ordering = ["-created_at"]
        indexes = [
            models.Index(fields=["recipient", "read_at"]),
            # A person's notifications, newest first, a page at a time.
            models.Index(fields=["recipient", "created_at", "id"], name="notification_newest"),
        ]
        constraints = [
            models.UniqueConstraint(
                fields=["recipient", "event"], name="one_notification_per_event"
            ),
            models.CheckConstraint(
                condition=models.Q(event__isnull=False) | models.Q(reminder__isnull=False),
                name="notification_about_something",
            ),
        ]

    def __str__(self) -> str:
        return f"{self.recipient}: {self.event or self.reminder}"


def new_calendar_token() -> str:
    return secrets.token_urlsafe(32)


class CalendarFeed(models.Model):
    """A person's secret iCal address; regenerating the token locks out the old one."""

    user = models.OneToOneField(
        settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="calendar_feed"
    )
    token = models.CharField(max_length=64, unique=True, default=new_calendar_token)
    created_at = models.DateTimeField(auto_now=True)

    def __str__(self) -> str:
        return f"calendar of {self.user}"
