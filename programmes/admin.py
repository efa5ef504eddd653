from django.contrib import admin

from programmes.models import ProgrammeLine, Project


class ProgrammeLineInline(admin.StackedInline):
    model = ProgrammeLine
    extra = 0
    prepopulated_fields = {"slug": ["name"]}


@admin.register(Project)
class ProjectAdmin(admin.ModelAdmin):
    list_display = [
        "short_name",
        "lead_organisation",
        "start_date",
        "end_date",
        "grant_amount",
        "total_budget",
    ]
    autocomplete_fields = ["lead_organisation", "funder"]
    search_fields = ["name", "short_name"]
    list_filter = ["start_date", "end_date"]
    inlines = [ProgrammeLineInline]


@admin.register(ProgrammeLine)
class ProgrammeLineAdmin(admin.ModelAdmin):
    list_display = ["number", "name", "project"]
    list_filter = ["project"]
    search_fields = ["name", "name_en", "description"]
    prepopulated_fields = {"slug": ["name"]}
