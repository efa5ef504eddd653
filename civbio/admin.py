from urllib.parse import urlencode

from django.contrib.admin import AdminSite
from django.core.exceptions import PermissionDenied
from django.shortcuts import redirect
from django.urls import reverse
from django.utils.http import url_has_allowed_host_and_scheme
from django.utils.translation import gettext_lazy as _


class CivbioAdminSite(AdminSite):
    """The admin is the coordinators' tool: their role, not a staff flag, opens it."""

    site_header = _("civbio administration")
    site_title = _("civbio administration")
    index_title = _("Consortium data")

    def login(self, request, extra_context=None):
        """Everyone logs in through allauth (rate limits, MFA). A coordinator already logged in
        goes on to where they were headed; someone logged in without access gets a plain 403
        instead of a loop back to the login page."""
        target = request.GET.get("next", "")
        if not url_has_allowed_host_and_scheme(
            target, allowed_hosts={request.get_host()}, require_https=request.is_secure()
        ):
            target = reverse("admin:index")
        if request.user.is_authenticated:
            if self.has_permission(request):
                return redirect(target)
            raise PermissionDenied
        return redirect(f"{reverse('account_login')}?{urlencode({'next': target})}")

    def has_permission(self, request) -> bool:
        user = request.user
        return user.is_active and (user.is_superuser or getattr(user, "is_coordinator", False))
