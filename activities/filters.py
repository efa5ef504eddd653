from datetime import date

import django_filters
from django import forms
from django.db.models import Q
from django.utils.translation import gettext_lazy as _

from activities.choices import OPPORTUNITY_KINDS, REQUESTABLE_KINDS
from activities.models import Activity, ActivityKind, Placement, Request, took_place_itself
from civbio.widgets import LongSelect
from partners.models import Organisation
from programmes.models import ProgrammeLine
from students.models import Qualification, Route

DATE_INPUT = forms.DateInput(attrs={"type": "date"}, format="%Y-%m-%d")


def happened_between(activities, start, end):
    """The activities that took place in [start, end]: a request delivered (lessons,
    assignments, visits), a placement starting (internships), or the activity itself delivered
    (trainings, image activities) or started (research: activities.models.took_place_itself).
    The dashboards count the same events (reports.figures.activities_happened)."""
    delivered = Request.objects.filter(status="delivered", date__range=(start, end))
    placed = Placement.objects.filter(start_date__range=(start, end))
    return activities.filter(
        Q(kind__in=REQUESTABLE_KINDS, pk__in=delivered.values("activity_id"))
        | Q(kind="internship", pk__in=placed.values("nomination__posting_id"))
        | (took_place_itself() & Q(start_date__range=(start, end)))
    )


class ActivityFilter(django_filters.FilterSet):
    """The board's filters: all optional, all combinable, all in the address (shareable)."""

    q = django_filters.CharFilter(label=_("Search"), method="search")
    programme_line = django_filters.ModelChoiceFilter(
        label=_("Programme line"), queryset=ProgrammeLine.objects.all(), empty_label=_("All lines")
    )
    kind = django_filters.ChoiceFilter(
        label=_("Kind"),
        choices=[(k, ActivityKind(k).label) for k in OPPORTUNITY_KINDS],
        empty_label=_("All kinds"),
        method="of_kind",
    )
    host = django_filters.ModelChoiceFilter(
        label=_("Organisation"),
        # The partners with something on this board (see __init__): only what an option shows
        # is read, as rows.
        queryset=Organisation.objects.partners().order_by("name"),
        empty_label=_("All organisations"),
        widget=LongSelect(label_field="name"),
    )
    qualification = django_filters.ModelChoiceFilter(
        label=_("Qualification"),
        queryset=Qualification.objects.filter(is_active=True),
        empty_label=_("All qualifications"),
        method="asks_for",
    )
    level = django_filters.ChoiceFilter(
        label=_("Level"), choices=[(n, str(n)) for n in range(1, 5)], empty_label=_("All levels")
    )
    route = django_filters.ChoiceFilter(
        label=_("BOL/BBL"),
        field_name="posting__route",
        choices=Route.choices,
        empty_label=_("Both"),
    )
    starts_after = django_filters.DateFilter(
        label=_("Starts from"), field_name="start_date", lookup_expr="gte", widget=DATE_INPUT
    )
    starts_before = django_filters.DateFilter(
        label=_("Starts until"), field_name="start_date", lookup_expr="lte", widget=DATE_INPUT
    )
    ordering = django_filters.OrderingFilter(
        label=_("Sort by"),
        fields=(
            ("created_at", "created"),
            ("start_date", "start"),
            ("posting__application_deadline", "deadline"),
        ),
        field_labels={
            "-created": _("Newest first"),
            "start": _("Start date"),
            "deadline": _("Application deadline"),
        },
        choices=[
            ("-created", _("Newest first")),
            ("start", _("Start date")),
            ("deadline", _("Application deadline")),
        ],
        empty_label=None,
    )

    class Meta:
        model = Activity
        fields = []

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        # A partner with nothing on the board is no option: choosing it could only show an empty
        # board, and the list would grow with every organisation that ever joined.
        self.filters["host"].queryset = (
            Organisation.objects.partners()
            .filter(pk__in=self.queryset.order_by().values("host_id"))
            .order_by("name")
        )

    def of_kind(self, queryset, name, value):
        queryset = queryset.filter(kind=value)
        if value == ActivityKind.INTERNSHIP:
            # Every internship has its place: said outright, the join with the places is an
            # inner one, so sorted by deadline the page is read from that index in order.
            queryset = queryset.filter(posting__isnull=False)
        return queryset

    def asks_for(self, queryset, name, value):
        # A subquery, not a join with the qualifications: no DISTINCT over the board, and the
        # export's list of the qualifications an activity asks for still holds all of them.
        return queryset.filter(
            pk__in=Activity.qualifications.through.objects.filter(qualification=value).values(
                "activity_id"
            )
        )

    def search(self, queryset, name, value):
        value = value.strip()
        if not value:
            return queryset
        # The matching partners first (a few hundred rows), so that every arm of the search is a
        # condition on the activity itself and each can use its index (trigram indexes on title
        # and description on PostgreSQL, migration activities 0003; make bench).
        hosts = list(
            Organisation.objects.filter(
                Q(name__icontains=value) | Q(short_name__icontains=value)
            ).values_list("pk", flat=True)
        )
        return queryset.filter(
            Q(title__icontains=value) | Q(description__icontains=value) | Q(host_id__in=hosts)
        )


class KindListFilter(django_filters.FilterSet):
    q = django_filters.CharFilter(label=_("Search"), method="search")
    status = django_filters.ChoiceFilter(
        label=_("Status"), choices=(), empty_label=_("All statuses")
    )
    host = django_filters.ModelChoiceFilter(
        label=_("Organisation"),
        queryset=Organisation.objects.partners().order_by("name"),
        empty_label=_("All organisations"),
        widget=LongSelect(label_field="name"),
    )
    programme_line = django_filters.ModelChoiceFilter(
        label=_("Programme line"), queryset=ProgrammeLine.objects.all(), empty_label=_("All lines")
    )
    happened_from = django_filters.DateFilter(
        label=_("Took place from"), method="happened", widget=DATE_INPUT
    )
    happened_until = django_filters.DateFilter(
        label=_("Took place until"), method="happened", widget=DATE_INPUT
    )

    class Meta:
        model = Activity
        fields = []

    def happened(self, queryset, name, value):
        start = self.form.cleaned_data.get("happened_from")
        end = self.form.cleaned_data.get("happened_until")
        if name == "happened_until" and start:
            return queryset  # both bounds were applied with the first
        return happened_between(queryset, start or date.min, end or date.max)

    def __init__(self, *args, statuses=(), **kwargs):
        super().__init__(*args, **kwargs)
        self.filters["status"].extra["choices"] = statuses

    search = ActivityFilter.search
