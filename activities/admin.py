from django.contrib import admin
from django.utils.translation import gettext_lazy as _

from activities.models import (
    Activity,
    ActivityEvent,
    Contribution,
    Edition,
    Enrolment,
    Module,
    ModuleUnit,
    Nomination,
    Qualification,
    Reminder,
    Request,
    Student,
)
from partners.services import log_access


@admin.register(Qualification)
class QualificationAdmin(admin.ModelAdmin):
    list_display = ["crebo", "name", "level", "offers_bol", "offers_bbl", "is_active"]
    list_filter = ["level", "offers_bol", "offers_bbl", "is_active"]
    search_fields = ["crebo", "name"]


@admin.register(Student)
class StudentAdmin(admin.ModelAdmin):
    list_display = [
        "display_name",
        "student_number",
        "school",
        "qualification",
        "level",
        "route",
        "cohort",
        "left_on",
    ]
    list_filter = ["school", "route", "level", "cohort"]
    search_fields = ["display_name", "student_number"]
    list_select_related = ["school", "qualification"]
    readonly_fields = ["erased_at"]

    def change_view(self, request, object_id, form_url="", extra_context=None):
        # Opening a student in the admin is a view of a student's data like any other.
        if object_id and str(object_id).isdigit():
            log_access(
                actor=request.user, action="view", target_type="student", target_id=int(object_id)
            )
        return super().change_view(request, object_id, form_url, extra_context)


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


class UnitInline(admin.TabularInline):
    model = ModuleUnit
    extra = 1
    fields = ["position", "title", "hours"]


@admin.register(Module)
class ModuleAdmin(admin.ModelAdmin):
    list_display = [
        "code",
        "title",
        "level",
        "study_load_hours",
        "assessment",
        "version",
        "is_active",
    ]
    list_filter = ["programme_line", "level", "assessment", "is_active"]
    search_fields = ["code", "title", "description"]
    autocomplete_fields = ["qualifications", "partner_organisations"]
    inlines = [UnitInline]


@admin.register(ModuleUnit)
class ModuleUnitAdmin(admin.ModelAdmin):
    list_display = ["module", "position", "title", "hours"]
    search_fields = ["title", "module__code", "module__title"]
    list_select_related = ["module"]


class EnrolmentInline(admin.TabularInline):
    model = Enrolment
    extra = 0
    raw_id_fields = ["student"]


@admin.register(Edition)
class EditionAdmin(admin.ModelAdmin):
    list_display = ["module", "name", "school", "start_date", "end_date", "last_progress_at"]
    list_filter = ["school", "module"]
    search_fields = ["name", "module__code", "module__title"]
    list_select_related = ["module", "school"]
    filter_horizontal = ["teachers"]
    inlines = [EnrolmentInline]


@admin.register(Contribution)
class ContributionAdmin(admin.ModelAdmin):
    """Read only: figures change through approval and recorded corrections, never by hand."""

    list_display = ["organisation", "date", "kind", "hours", "amount", "status", "is_supervision"]
    list_filter = ["status", "kind", "is_supervision", "programme_line"]
    search_fields = ["organisation__name", "description"]
    list_select_related = ["organisation"]

    def has_change_permission(self, request, obj=None) -> bool:
        return False

    def has_add_permission(self, request) -> bool:
        return False

    def has_delete_permission(self, request, obj=None) -> bool:
        return False


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
