from django.contrib import admin

from civbio import numbers
from programmes.models import (
    BudgetLine,
    Commitment,
    Indicator,
    IndicatorTarget,
    Milestone,
    Narrative,
    ProgrammeLine,
    Project,
)


class ProgrammeLineInline(admin.StackedInline):
    model = ProgrammeLine
    extra = 0
    prepopulated_fields = {"slug": ["name"]}


@admin.register(Project)
class ProjectAdmin(admin.ModelAdmin):
    formfield_overrides = numbers.ADMIN_OVERRIDES
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
    # Quarters close on the reports page, which stores their figures as they close
    # (reports.closing); set here, a quarter would close without its figures stored.
    readonly_fields = ["closed_until"]
    inlines = [ProgrammeLineInline]


@admin.register(ProgrammeLine)
class ProgrammeLineAdmin(admin.ModelAdmin):
    list_display = ["number", "name", "project"]
    list_filter = ["project"]
    search_fields = ["name", "name_en", "description"]
    prepopulated_fields = {"slug": ["name"]}


@admin.register(BudgetLine)
class BudgetLineAdmin(admin.ModelAdmin):
    formfield_overrides = numbers.ADMIN_OVERRIDES
    list_display = ["programme_line", "category", "year", "amount"]
    list_filter = ["programme_line", "category", "year"]


@admin.register(Commitment)
class CommitmentAdmin(admin.ModelAdmin):
    formfield_overrides = numbers.ADMIN_OVERRIDES
    list_display = ["organisation", "year", "hours", "hourly_rate", "in_kind_amount", "cash_amount"]
    list_filter = ["year", "organisation__cofinancing_category"]
    search_fields = ["organisation__name"]
    autocomplete_fields = ["organisation"]


class TargetInline(admin.TabularInline):
    model = IndicatorTarget
    formfield_overrides = numbers.ADMIN_OVERRIDES
    extra = 0


@admin.register(Indicator)
class IndicatorAdmin(admin.ModelAdmin):
    formfield_overrides = numbers.ADMIN_OVERRIDES
    list_display = [
        "name",
        "programme_line",
        "source",
        "measure",
        "counts_students",
        "target_2y",
        "target_4y",
    ]
    list_filter = ["programme_line", "source", "counts_students"]
    search_fields = ["name", "name_en"]
    inlines = [TargetInline]


@admin.register(Milestone)
class MilestoneAdmin(admin.ModelAdmin):
    list_display = ["title", "kind", "due_date", "status", "owner_organisation"]
    list_filter = ["kind", "status", "programme_line"]
    search_fields = ["title"]
    autocomplete_fields = ["owner_organisation", "owner"]


@admin.register(Narrative)
class NarrativeAdmin(admin.ModelAdmin):
    list_display = ["programme_line", "period_start", "updated_by", "updated_at"]
    list_filter = ["programme_line"]
