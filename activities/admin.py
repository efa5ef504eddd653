from django.contrib import admin
from django.utils.translation import gettext_lazy as _

from activities.models import (
    Activity,
    ActivityEvent,
    Nomination,
    Reminder,
    Request,
)


class EventInline(admin.TabularInline):
    model = ActivityEvent
    fields = ["at", "actor", "verb", "to_status", "note"]
    readonly_fields = fields
    extra = 0
    can_delete = False

    def has_add_permission(self, request, obj=None) -> bool:
        return False

    def get_queryset(self, request):
        return super().get_queryset(request).select_related("actor")


@admin.register(Activity)
class ActivityAdmin(admin.ModelAdmin):
    list_display = ["title", "kind", "host", "status", "start_date", "programme_line"]
    list_filter = ["kind", "status", "programme_line", "host__kind"]
    search_fields = ["title", "description", "host__name"]
    list_select_related = ["host", "programme_line"]
    # Status moves only through the flows (which check them and write the timeline).
    readonly_fields = ["kind", "status", "created_by", "created_at", "updated_at"]
    autocomplete_fields = [
        "host",
        "partner_organisations",
        "contact",
        "qualifications",
        "required_units",
    ]
    inlines = [EventInline]


@admin.register(Request)
class RequestAdmin(admin.ModelAdmin):
    list_display = ["activity", "school", "date", "group_name", "student_count", "status"]
    list_filter = ["status", "activity__kind"]
    search_fields = ["activity__title", "school__name", "group_name"]
    list_select_related = ["activity", "school"]
    raw_id_fields = ["activity", "requested_by"]
    readonly_fields = ["status"]


@admin.register(Nomination)
class NominationAdmin(admin.ModelAdmin):
    list_display = ["student", "posting", "status", "created_at"]
    list_filter = ["status"]
    search_fields = ["student__display_name", "posting__title"]
    list_select_related = ["student", "posting"]
    raw_id_fields = ["posting", "student", "nominated_by"]
    readonly_fields = ["status"]


class FailedEmailFilter(admin.SimpleListFilter):
    title = _("e-mail")
    parameter_name = "failed"

    def lookups(self, request, model_admin):
        return [("yes", _("failed, not sent")), ("sent", _("sent"))]

    def queryset(self, request, queryset):
        if self.value() == "yes":
            return queryset.filter(emailed_at=None, email_attempts__gt=0)
        if self.value() == "sent":
            return queryset.exclude(emailed_at=None)
        return queryset


@admin.register(Reminder)
class ReminderAdmin(admin.ModelAdmin):
    """The reminder log: what went to whom, and which e-mails failed (retried every hour)."""

    list_display = [
        "kind",
        "title",
        "recipient",
        "due",
        "emailed_at",
        "email_attempts",
        "last_error",
    ]
    list_filter = [FailedEmailFilter, "kind"]
    search_fields = ["title", "recipient__name", "recipient__email"]
    list_select_related = ["recipient"]
    date_hierarchy = "due"
    readonly_fields = [f.name for f in Reminder._meta.fields]

    def has_add_permission(self, request):
        return False
