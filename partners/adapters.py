from allauth.account.adapter import DefaultAccountAdapter
from allauth.mfa.adapter import DefaultMFAAdapter
from django.conf import settings
from django.urls import reverse
from django.utils import translation

from civbio import rules


class AccountAdapter(DefaultAccountAdapter):
    """civbio has no open sign-up: people join through an invitation."""

    def is_open_for_signup(self, request) -> bool:
        return False

    def get_login_redirect_url(self, request) -> str:
        url_name = rules.dashboard_url_name(request.user)
        if not url_name:
            return super().get_login_redirect_url(request)
        # Logging in on the default (Dutch) page leads to the dashboard in the person's own
        # language, chosen on their account page; a login page they switched to English keeps it.
        language = translation.get_language()
        if language == settings.LANGUAGE_CODE:
            language = getattr(request.user, "language", "") or language
        with translation.override(language):
            return reverse(url_name)


class MFAAdapter(DefaultMFAAdapter):
    """Whoever must log in with a second factor (rules.needs_second_factor) cannot switch theirs
    off: without it the rest of their session would go on with none."""

    def can_delete_authenticator(self, authenticator) -> bool:
        return not rules.needs_second_factor(authenticator.user)
