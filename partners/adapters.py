from allauth.account.adapter import DefaultAccountAdapter
from django.urls import reverse

from civbio import rules


class AccountAdapter(DefaultAccountAdapter):
    """civbio has no open sign-up: people join through an invitation."""

    def is_open_for_signup(self, request) -> bool:
        return False

    def get_login_redirect_url(self, request) -> str:
        url_name = rules.dashboard_url_name(request.user)
        if url_name:
            return reverse(url_name)
        return super().get_login_redirect_url(request)
