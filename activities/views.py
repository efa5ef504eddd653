from datetime import timedelta
from functools import wraps

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied, ValidationError
from django.http import Http404, HttpResponse, HttpResponseRedirect
from django.shortcuts import get_object_or_404, redirect, render
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext as _
from django.views.decorators.http import require_http_methods, require_POST
from icalendar import Calendar
from icalendar import Event as CalendarEvent

from activities import confirmations, exports, matching, selectors, services
from activities.filters import ActivityFilter, KindListFilter
from activities.forms import (
    FORM_FOR_KIND,
    AnswerNominationForm,
    AnswerRequestForm,
    ConfirmForm,
    DeliveryForm,
    NominationForm,
    PlacementAgreementForm,
    ReminderSettingsForm,
    RequestForm,
    ResearchOutputForm,
    StatusForm,
)
from activities.models import (
    STATUS_FLOW,
    Activity,
    ActivityKind,
    ActivityStatus,
    CalendarFeed,
    Nomination,
    NominationStatus,
    Placement,
    ReminderKind,
    ReminderOptOut,
    Request,
)
from civbio import rules
from civbio.confirmation import act_when_confirmed, back_url, confirmation_page, confirmed
from partners import audit
from partners.models import Organisation

# Coordinators, school and industry staff; funders read aggregates only.
staff_required = rules.role_required(rules.is_staff_member)
# Teachers and the project office (matching their students to places).
school_staff_required = rules.role_required(rules.can_run_editions)


def _error_text(error: ValidationError) -> str:
    return " ".join(error.messages)


# Opportunities board ----------------------------------------------------------------------------


def _board(request, base):
    filterset = ActivityFilter(request.GET, queryset=selectors.board_queryset(base))
    queryset = filterset.qs if filterset.is_valid() else filterset.queryset.none()
    page, activities = selectors.paginate(queryset, request.GET.get("page"))
    query = request.GET.copy()
    query.pop("page", None)
    # Said on the button that folds the filters away on phones.
    in_use = sum(
        1 for name in filterset.form.fields if name != "ordering" and request.GET.get(name)
    )
    return {
        "filter": filterset,
        "filters_in_use": in_use,
        "page": page,
        "activities": activities,
        "query": query.urlencode(),
    }


@staff_required
def board(request):
    context = _board(request, rules.visible_activities(request.user).open_opportunities())
    context["hostable_kinds"] = [
        (k, ActivityKind(k).label) for k in rules.hostable_kinds(request.user)
    ]
    context["all_kinds"] = ActivityKind.choices
    return render(request, "activities/board.html", context)


def public_board(request):
    """Open opportunities for students, parents and other companies: no contact details."""
    context = _board(request, Activity.objects.open_opportunities())
    # Staff open an activity's own page; everyone else gets its partner's opportunities.
    context["can_open_activities"] = rules.is_staff_member(request.user)
    return render(request, "activities/public_board.html", context)


@staff_required
def board_csv(request):
    """The board as filtered, as a CSV file (activities.exports)."""
    filterset = ActivityFilter(
        request.GET,
        queryset=rules.visible_activities(request.user).open_opportunities(),
    )
    queryset = filterset.qs if filterset.is_valid() else filterset.queryset.none()
    address = request.build_absolute_uri(reverse("activities:activity_detail", args=[0]))
    stamp = timezone.localdate().isoformat()
    return exports.board_csv(queryset, address, f"civbio-opportunities-{stamp}.csv")


# Lists, details, forms --------------------------------------------------------------------------


@staff_required
def activity_list(request, kind: str):
    if kind not in ActivityKind.values:
        raise Http404
    statuses = sorted(
        {s for flow in STATUS_FLOW[kind].items() for s in (flow[0], *flow[1])},
        key=list(ActivityStatus.values).index,
    )
    filterset = KindListFilter(
        request.GET,
        queryset=selectors.board_queryset(rules.visible_activities(request.user).of_kind(kind)),
        statuses=[(s, ActivityStatus(s).label) for s in statuses],
    )
    queryset = filterset.qs if filterset.is_valid() else filterset.queryset.none()
    page, activities = selectors.paginate(queryset, request.GET.get("page"))
    query = request.GET.copy()
    query.pop("page", None)
    return render(
        request,
        "activities/activity_list.html",
        {
            "kind": kind,
            "kind_label": ActivityKind(kind).label,
            "filter": filterset,
            "page": page,
            "activities": activities,
            "query": query.urlencode(),
            "can_create": rules.can_host(request.user, kind),
        },
    )


@staff_required
def activity_detail(request, pk: int):
    activity = get_object_or_404(
        rules.visible_activities(request.user).select_related("host", "programme_line", "contact"),
        pk=pk,
    )
    context = selectors.activity_detail(request.user, activity, request.GET)
    context["request_form"] = RequestForm() if context["can_request"] else None
    context["nomination_form"] = (
        NominationForm(
            actor=request.user, posting=context["activity"], find=request.GET.get("find", "")
        )
        if context["can_nominate"]
        else None
    )
    context["output_form"] = (
        ResearchOutputForm()
        if context["can_edit"] and activity.kind == ActivityKind.RESEARCH
        else None
    )
    context["history"] = audit.history_for(request.user, activity)
    context["can_reopen"] = rules.can_reopen_activity(request.user, activity, timezone.localdate())
    return render(request, "activities/activity_detail.html", context)


@staff_required
def activity_create(request, kind: str):
    if kind not in ActivityKind.values:
        raise Http404
    if not rules.can_host(request.user, kind):
        raise PermissionDenied
    host = request.user.organisation
    if rules.is_coordinator(request.user) and request.GET.get("host"):
        # Coordinators enter activities on behalf of a partner (?host=<id>).
        host = get_object_or_404(Organisation.objects.partners().active(), pk=request.GET["host"])
    form_class = FORM_FOR_KIND[kind]
    instance = services.MODEL_FOR_KIND[kind](kind=kind, host=host)
    form = form_class(
        request.POST if request.method == "POST" else None, instance=instance, host=host
    )
    if request.method == "POST" and form.is_valid():
        try:
            activity = services.create_activity(
                actor=request.user,
                kind=kind,
                host=host,
                submission_token=form.cleaned_data.get("submission_token"),
                fields=form.activity_fields(),
                qualifications=form.cleaned_data.get("qualifications", []),
                required_units=form.cleaned_data.get("required_units", []),
                partner_organisations=form.cleaned_data.get("partner_organisations", []),
                teacher_researchers=form.cleaned_data.get("teacher_researchers", []),
            )
        except ValidationError as error:
            form.add_error(None, error)
        else:
            messages.success(request, _("Saved as a draft. Publish it when it is ready."))
            return redirect(activity)
    return render(
        request,
        "activities/activity_form.html",
        {"form": form, "kind_label": ActivityKind(kind).label, "activity": None},
    )


@staff_required
def activity_edit(request, pk: int):
    base = get_object_or_404(rules.editable_activities(request.user), pk=pk)
    activity = selectors.activity_child(base)
    form_class = FORM_FOR_KIND[activity.kind]
    form = form_class(
        request.POST if request.method == "POST" else None, instance=activity, host=activity.host
    )
    if request.method == "POST" and form.is_valid():
        try:
            services.update_activity(
                actor=request.user,
                activity=activity,
                fields=form.activity_fields(),
                qualifications=form.cleaned_data.get("qualifications"),
                required_units=form.cleaned_data.get("required_units"),
                partner_organisations=form.cleaned_data.get("partner_organisations"),
                teacher_researchers=form.cleaned_data.get("teacher_researchers"),
                # An edit that names no version (an old page, a script) is judged as one
                # made over an unknown state: refused like a conflict, never saved blind.
                version=form.cleaned_data.get("version") or "",
            )
        except ValidationError as error:
            form.add_error(None, error)
            # The message says "save again": the next save is judged against what is stored now.
            form.data = form.data.copy()
            form.data["version"] = type(activity).objects.get(pk=activity.pk).updated_at.isoformat()
        else:
            messages.success(request, _("Your changes were saved."))
            return redirect(activity)
    return render(
        request,
        "activities/activity_form.html",
        {"form": form, "kind_label": activity.get_kind_display(), "activity": activity},
    )


# Statuses whose change reaches other people: the page asks first and says what will happen.
CONFIRMED_STATUSES = {ActivityStatus.CANCELLED, ActivityStatus.CLOSED}


@staff_required
@require_http_methods(["GET", "POST"])
def activity_status(request, pk: int):
    activity = get_object_or_404(rules.editable_activities(request.user), pk=pk)
    form = StatusForm(request.POST if request.method == "POST" else request.GET)
    if not form.is_valid():
        if request.method == "POST":
            messages.error(request, _error_text(ValidationError(next(iter(form.errors.values())))))
        return redirect(activity)
    status = form.cleaned_data["status"]
    if status in CONFIRMED_STATUSES:
        return _confirm_status(request, activity, status)
    if request.method == "GET":
        return redirect(activity)
    try:
        services.change_activity_status(
            actor=request.user,
            activity=activity,
            status=status,
            note=form.cleaned_data["note"],
            people_reached=form.cleaned_data["people_reached"],
        )
    except ValidationError as error:
        messages.error(request, _error_text(error))
    else:
        messages.success(request, _("The status was changed."))
    return redirect(activity)


def _confirm_status(request, activity: Activity, status: str):
    """Cancelling or closing: say what ends and who is told, take the reason, then act."""
    if not activity.can_move_to(status):
        messages.error(request, _("This activity cannot be given that status now."))
        return redirect(activity)
    effects = confirmations.status_change(activity, status)
    form = ConfirmForm(
        request.POST if confirmed(request) else None,
        required=effects.needs_reason,
        told=_("The schools are sent it, and it shows on the timeline."),
    )
    done = act_when_confirmed(
        request,
        form,
        lambda reason: services.change_activity_status(
            actor=request.user, activity=activity, status=status, note=reason
        ),
        success=(
            _("“%(title)s” was cancelled.")
            if status == ActivityStatus.CANCELLED
            else _("“%(title)s” was closed.")
        )
        % {"title": activity.title},
        then=activity,
    )
    if done:
        return done
    cancelling = status == ActivityStatus.CANCELLED
    return confirmation_page(
        request,
        heading=(_("Cancel “%(title)s”?") if cancelling else _("Close “%(title)s”?"))
        % {"title": activity.title},
        lines=effects.lines,
        action=reverse("activities:activity_status", args=[activity.pk]),
        confirm_label=_("Yes, cancel it") if cancelling else _("Yes, close it"),
        back=back_url(request, activity.get_absolute_url()),
        back_label=_("No, keep it as it is"),
        form=form,
        hidden=[("status", status)],
    )


@staff_required
@require_http_methods(["GET", "POST"])
def activity_reopen(request, pk: int):
    """Take a cancellation back, after a page that says what that does and who hears of it."""
    activity = get_object_or_404(rules.editable_activities(request.user), pk=pk)
    if not rules.can_reopen_activity(request.user, activity, timezone.localdate()):
        messages.error(
            request,
            _("Only a cancelled activity whose date has not passed can be reopened."),
        )
        return redirect(activity)
    form = ConfirmForm(
        request.POST if confirmed(request) else None,
        required=False,
        told=_("The people who were told of the cancellation are sent it."),
    )
    done = act_when_confirmed(
        request,
        form,
        lambda reason: services.reopen_activity(actor=request.user, activity=activity, note=reason),
        success=_("“%(title)s” is open again.") % {"title": activity.title},
        then=activity,
    )
    if done:
        return done
    return confirmation_page(
        request,
        heading=_("Reopen “%(title)s”?") % {"title": activity.title},
        lines=confirmations.reopen(activity).lines,
        action=reverse("activities:activity_reopen", args=[activity.pk]),
        confirm_label=_("Yes, reopen it"),
        back=back_url(request, activity.get_absolute_url()),
        back_label=_("No, leave it cancelled"),
        form=form,
        tone="primary",
    )


@staff_required
@require_POST
def research_output_add(request, pk: int):
    base = get_object_or_404(
        rules.editable_activities(request.user).of_kind(ActivityKind.RESEARCH), pk=pk
    )
    project = selectors.activity_child(base)
    form = ResearchOutputForm(request.POST)
    if form.is_valid():
        services.add_research_output(actor=request.user, project=project, fields=form.cleaned_data)
        messages.success(request, _("The output was added."))
    else:
        messages.error(request, _("Give the output a kind and a title, and a valid link."))
    return redirect(project)


# Requests ---------------------------------------------------------------------------------------


@staff_required
@require_POST
def request_create(request, pk: int):
    activity = get_object_or_404(rules.visible_activities(request.user), pk=pk)
    activity = selectors.activity_child(activity)
    form = RequestForm(request.POST)
    if form.is_valid():
        try:
            services.request_activity(actor=request.user, activity=activity, **form.cleaned_data)
        except ValidationError as error:
            form.add_error(None, error)
        else:
            messages.success(
                request, _("Your request was sent to %(host)s.") % {"host": activity.host.name}
            )
            return redirect("activities:my_requests")
    context = selectors.activity_detail(request.user, activity, request.GET)
    context.update({"request_form": form, "nomination_form": None, "output_form": None})
    return render(request, "activities/activity_detail.html", context, status=400)


def _row_action(scope, template: str, name: str, back):
    """Decorator for the one-click actions on a request or nomination row: load the row through
    its scoping queryset (another organisation's row is a 404), run the action, and answer with the
    updated row (htmx) or a redirect with the outcome as a message."""

    def decorate(view):
        @staff_required
        @require_POST
        @wraps(view)
        def wrapped(request, pk: int):
            item = get_object_or_404(scope(request.user).with_list_data(), pk=pk)
            error = None
            try:
                view(request, item)
            except ValidationError as exc:
                error = _error_text(exc)
            if request.htmx:
                item = type(item).objects.with_list_data().get(pk=pk)
                return render(request, template, {name: item, "row_error": error})
            if error:
                messages.error(request, error)
            else:
                # Without htmx the row is not redrawn in place: say what the answer did.
                item = type(item).objects.get(pk=pk)
                messages.success(
                    request,
                    _("Saved: it is now “%(status)s”.") % {"status": item.get_status_display()},
                )
            return redirect(back(item))

        return wrapped

    return decorate


_request_action = _row_action(
    rules.visible_requests,
    "activities/partials/request_row.html",
    "r",
    lambda item: item.activity.get_absolute_url(),
)
_nomination_action = _row_action(
    rules.visible_nominations,
    "activities/partials/nomination_row.html",
    "n",
    lambda item: item.posting.get_absolute_url(),
)


@_request_action
def request_answer(request, item: Request):
    form = AnswerRequestForm(request.POST)
    if not form.is_valid():
        raise ValidationError([e for errors in form.errors.values() for e in errors])
    services.answer_request(actor=request.user, request=item, **form.cleaned_data)


@_request_action
def request_proposal(request, item: Request):
    services.respond_to_proposal(
        actor=request.user, request=item, accept=request.POST.get("accept") == "1"
    )


@staff_required
@require_http_methods(["GET", "POST"])
def request_cancel(request, pk: int):
    """Either side calls off a request, after a page that says whose it is and who is told."""
    item = get_object_or_404(
        rules.visible_requests(request.user).select_related("activity__host", "school"), pk=pk
    )
    if not rules.can_cancel_request(request.user, item):
        raise PermissionDenied
    back = back_url(request, item.activity.get_absolute_url())
    if not item.is_open:
        messages.error(request, _("Only an open request can be cancelled."))
        return redirect(back)
    school_side = rules.can_act_for_school(request.user, item)
    form = ConfirmForm(
        request.POST if confirmed(request) else None,
        required=True,
        told=_("The other side is sent it, and it shows on the timeline."),
    )
    done = act_when_confirmed(
        request,
        form,
        lambda reason: services.cancel_request(actor=request.user, request=item, reason=reason),
        success=_("The request was cancelled."),
        then=back,
    )
    if done:
        return done
    return confirmation_page(
        request,
        heading=_("Cancel this request?"),
        lines=confirmations.request_cancel(item, school_side=school_side).lines,
        action=reverse("activities:request_cancel", args=[item.pk]),
        confirm_label=_("Yes, cancel the request"),
        back=back,
        back_label=_("No, keep the request"),
        form=form,
    )


@_request_action
def request_deliver(request, item: Request):
    form = DeliveryForm(request.POST)
    if not form.is_valid():
        raise ValidationError([e for errors in form.errors.values() for e in errors])
    services.report_delivery(actor=request.user, request=item, **form.cleaned_data)


# Nominations ------------------------------------------------------------------------------------


@staff_required
@require_POST
def nominate(request, pk: int):
    activity = get_object_or_404(
        rules.visible_activities(request.user).of_kind(ActivityKind.INTERNSHIP), pk=pk
    )
    posting = selectors.activity_child(activity)
    if not rules.may_nominate_to(request.user, posting):
        # Checked before the form: a company's staff have no students to choose from, so the
        # form would answer with a misleading "choose a student" instead of a refusal.
        raise PermissionDenied
    form = NominationForm(
        request.POST, actor=request.user, posting=posting, find=request.GET.get("find", "")
    )
    if form.is_valid():
        try:
            services.nominate_student(actor=request.user, posting=posting, **form.cleaned_data)
        except ValidationError as error:
            form.add_error(None, error)
        else:
            messages.success(
                request,
                _("%(name)s was nominated.") % {"name": form.cleaned_data["student"].display_name},
            )
            return redirect(posting)
    context = selectors.activity_detail(request.user, activity, request.GET)
    context.update({"request_form": None, "nomination_form": form, "output_form": None})
    return render(request, "activities/activity_detail.html", context, status=400)


@_nomination_action
def nomination_answer(request, item: Nomination):
    form = AnswerNominationForm(request.POST)
    if not form.is_valid():
        raise ValidationError(next(iter(form.errors.values())))
    data = form.cleaned_data
    services.answer_nomination(
        actor=request.user,
        nomination=item,
        accept=data["decision"] == "accept",
        message=data["message"],
        start_date=data["start_date"],
        end_date=data["end_date"],
    )


@staff_required
@require_http_methods(["GET", "POST"])
def nomination_withdraw(request, pk: int):
    """The school takes a nomination back, after a page that says who is told."""
    item = get_object_or_404(
        rules.visible_nominations(request.user).select_related(
            "student", "posting", "posting__host"
        ),
        pk=pk,
    )
    if not rules.can_withdraw_nomination(request.user, item):
        raise PermissionDenied
    back = back_url(request, item.posting.get_absolute_url())
    # Unanswered, on the waiting list, or accepted (the service refuses a started placement).
    if item.status not in (
        NominationStatus.NOMINATED,
        NominationStatus.WAITING,
        NominationStatus.ACCEPTED,
    ):
        messages.error(
            request,
            _(
                "This nomination can no longer be withdrawn: it was declined, or its "
                "placement has started."
            ),
        )
        return redirect(back)
    form = ConfirmForm(
        request.POST if confirmed(request) else None,
        required=True,
        told=_("The company is sent it."),
    )
    done = act_when_confirmed(
        request,
        form,
        lambda reason: services.withdraw_nomination(
            actor=request.user, nomination=item, reason=reason
        ),
        success=_("The nomination of %(name)s was withdrawn.")
        % {"name": item.student.display_name},
        then=back,
    )
    if done:
        return done
    return confirmation_page(
        request,
        heading=_("Withdraw this nomination?"),
        lines=confirmations.nomination_withdraw(item).lines,
        action=reverse("activities:nomination_withdraw", args=[item.pk]),
        confirm_label=_("Yes, withdraw it"),
        back=back,
        back_label=_("No, keep the nomination"),
        form=form,
    )


@staff_required
@require_POST
def placement_agreement(request, pk: int):
    placement = get_object_or_404(
        Placement.objects.select_related(
            "nomination", "nomination__student", "nomination__posting"
        ).filter(nomination__in=rules.visible_nominations(request.user)),
        pk=pk,
    )
    form = PlacementAgreementForm(request.POST, instance=placement)
    if form.is_valid():
        services.record_placement_agreement(
            actor=request.user,
            placement=placement,
            pok_reference=form.cleaned_data["pok_reference"],
        )
        messages.success(request, _("The agreement reference was saved."))
    else:
        messages.error(request, _error_text(ValidationError(form.errors["pok_reference"])))
    return redirect(placement.nomination.posting)


# My requests, notifications, calendar -----------------------------------------------------------


@staff_required
def my_requests(request):
    return render(
        request,
        "activities/my_requests.html",
        selectors.my_requests_page(request.user, request.GET),
    )


@login_required
def notifications(request):
    pager = selectors.notifications_page(request.user, request.GET)
    return render(
        request,
        "activities/notifications.html",
        {"notifications": pager.rows, "pager": pager},
    )


@login_required
@require_POST
def notifications_read(request):
    services.mark_notifications_read(actor=request.user)
    return redirect("activities:notifications")


@staff_required
def calendar_settings(request):
    feed = services.calendar_feed_for(actor=request.user)
    url = request.build_absolute_uri(reverse("calendar_feed", args=[feed.token]))
    return render(request, "activities/calendar.html", {"feed_url": url})


@staff_required
@require_POST
def calendar_regenerate(request):
    services.calendar_feed_for(actor=request.user, regenerate=True)
    messages.success(request, _("You have a new calendar address; the old one no longer works."))
    # Back to where it was asked for: the calendar page or the account page.
    # A redirect to the address itself: redirect() would read a relative `next` as a view name.
    return HttpResponseRedirect(back_url(request, reverse("activities:calendar")))


def calendar_feed(request, token: str):
    """The iCal feed: the secret in the address is the only key, so it works in any calendar app."""
    feed = (
        CalendarFeed.objects.select_related("user", "user__organisation")
        .filter(token=token)
        .first()
    )
    if feed is None or not rules.can_use_calendar_feed(feed.user):
        raise Http404
    calendar = Calendar()
    calendar.add("prodid", "-//civbio//CIV Bio Sciences//NL")
    calendar.add("version", "2.0")
    calendar.add("x-wr-calname", f"civbio — {feed.user.organisation.display_name}")
    stamp = timezone.now()
    for item in selectors.calendar_items(feed.user):
        entry = CalendarEvent()
        entry.add("uid", item["uid"])
        entry.add("dtstamp", stamp)
        entry.add("dtstart", item["start"])
        if item.get("end") and item["end"] > item["start"]:
            # All-day events end on the (exclusive) day after their last day.
            entry.add("dtend", item["end"] + timedelta(days=1))
        entry.add("summary", item["summary"])
        if item["description"]:
            entry.add("description", item["description"])
        if item["location"]:
            entry.add("location", item["location"])
        entry.add("url", request.build_absolute_uri(item["url_path"]))
        entry.add("status", "CANCELLED" if item["status"] == "cancelled" else "CONFIRMED")
        calendar.add_component(entry)
    response = HttpResponse(calendar.to_ical(), content_type="text/calendar; charset=utf-8")
    response["Content-Disposition"] = 'inline; filename="civbio.ics"'
    return response


@login_required
def reminder_settings(request):
    """Each person chooses which kinds of reminders they get (by e-mail and in the app)."""
    off = set(ReminderOptOut.objects.filter(user=request.user).values_list("kind", flat=True))
    form = ReminderSettingsForm(
        request.POST or None, initial={"kinds": [k for k in ReminderKind.values if k not in off]}
    )
    if request.method == "POST" and form.is_valid():
        services.set_reminder_kinds(actor=request.user, enabled=set(form.cleaned_data["kinds"]))
        messages.success(request, _("Your reminder choices are saved."))
        return redirect("activities:reminder_settings")
    return render(request, "activities/reminder_settings.html", {"form": form})


# Matching ---------------------------------------------------------------------------------------


@school_staff_required
def matches(request):
    return render(
        request, "activities/matches.html", selectors.matches_page(request.user, request.GET)
    )


@school_staff_required
def opportunity_matches(request, pk: int):
    """Every student who fits one open place or assignment, a page at a time."""
    activity = get_object_or_404(
        matching.matchable_opportunities().filter(
            pk__in=rules.visible_activities(request.user).values("pk")
        ),
        pk=pk,
    )
    context = selectors.opportunity_matches_page(request.user, activity, request.GET)
    return render(request, "activities/opportunity_matches.html", context)


@school_staff_required
@require_POST
def match_nominate(request, pk: int, student_pk: int):
    """Nominate a fitting student straight from the matches page."""
    posting = get_object_or_404(
        rules.visible_activities(request.user).of_kind("internship"), pk=pk
    ).posting
    student = get_object_or_404(rules.visible_students(request.user), pk=student_pk)
    try:
        services.nominate_student(actor=request.user, posting=posting, student=student)
    except ValidationError as error:
        messages.error(request, " ".join(error.messages))
    else:
        messages.success(request, _("%(name)s was nominated.") % {"name": student.display_name})
    # Back to the page of matches the button was on.
    return HttpResponseRedirect(back_url(request, reverse("activities:matches")))
