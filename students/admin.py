from django.contrib import admin

from partners.services import log_access
from students.models import Edition, Enrolment, Module, ModuleUnit, Qualification, Student


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
