from django.contrib import admin

from reports.models import Report


@admin.register(Report)
class ReportAdmin(admin.ModelAdmin):
    """The reports and their versions, read-only: they are made by the worker and published on
    the reports page."""

    list_display = ["__str__", "period_start", "period_end", "state", "progress", "published_at"]
    list_filter = ["kind", "state"]
    readonly_fields = [f.name for f in Report._meta.fields]

    def has_add_permission(self, request):
        return False

    def has_change_permission(self, request, obj=None):
        return False

    def has_delete_permission(self, request, obj=None):
        # A published report is what the funder received: it never changes or goes away. A
        # failed or unpublished version may be cleared away, one at a time (no bulk delete,
        # which would not look at each report).
        if obj is None or obj.published_at is not None:
            return False
        return super().has_delete_permission(request, obj)
