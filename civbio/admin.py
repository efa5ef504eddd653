from urllib.parse import urlencode

from django.contrib.admin import AdminSite
from django.core.exceptions import PermissionDenied
from django.shortcuts import redirect
from django.urls import reverse
from django.utils.translation import gettext_lazy as _


class CivbioAdminSite(AdminSite):
    """The admin is the coordinators' tool: their role, not a staff flag, opens it."""

    site_header = _("civbio administration")
    site_title = _("civbio administration")
    index_title = _("Consortium data")

    def login(self, request, extra_context=None):
        """Everyone logs in through allauth (rate limits, MFA). Someone logged in without access
        gets a plain 403 instead of a loop back to the login page."""
        if request.user.is_authenticated:
            raise PermissionDenied
        query = urlencode({"next": request.GET.get("next", reverse("admin:index"))})
        return redirect(f"{reverse('account_login')}?{query}")

    def has_permission(self, request) -> bool:
        user = request.user
        return user.is_active and (user.is_superuser or getattr(user, "is_coordinator", False))
