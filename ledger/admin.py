from django.contrib import admin

from ledger.models import Contribution


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
