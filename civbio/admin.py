from django.contrib.admin import AdminSite
from django.utils.translation import gettext_lazy as _


class CivbioAdminSite(AdminSite):
    """The admin is the coordinators' tool: their role, not a staff flag, opens it."""

    site_header = _("civbio administration")
    site_title = _("civbio administration")
    index_title = _("Consortium data")

    def has_permission(self, request) -> bool:
        user = request.user
        return user.is_active and (user.is_superuser or getattr(user, "is_coordinator", False))
