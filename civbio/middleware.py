import time
from urllib.parse import urlencode

from django.conf import settings
from django.contrib import messages
from django.contrib.auth import logout
from django.http import HttpResponse, HttpResponseRedirect
from django.urls import reverse
from django.utils.cache import add_never_cache_headers
from django.utils.translation import gettext as _

from civbio.rules import needs_second_factor
from civbio.views import healthz


class HealthzMiddleware:
    """Answers /healthz before host validation and HTTPS redirects, so a container health check
    or load balancer can probe the process by its internal address."""

    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        if request.path == "/healthz":
            return healthz(request)
        return self.get_response(request)


def stamp_session(sender, request, user, **kwargs):
    """At login: the moment the session began, and the last request so far."""
    now = int(time.time())
    request.session[SessionTimeoutMiddleware.STARTED] = now
    request.session[SessionTimeoutMiddleware.SEEN] = now


class SessionTimeoutMiddleware:
    """Ends a session after SESSION_IDLE_SECONDS without a request and SESSION_ABSOLUTE_SECONDS
    after it began, whatever the activity. The moments live in the session itself; the last-seen
    moment is written at most once a minute, so an active person's pages do not all save it."""

    STARTED, SEEN = "civbio_started", "civbio_seen"

    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        user = getattr(request, "user", None)
        if user is not None and user.is_authenticated:
            now = int(time.time())
            session = request.session
            started = session.setdefault(self.STARTED, now)
            seen = session.get(self.SEEN, now)
            if (
                now - seen > settings.SESSION_IDLE_SECONDS
                or now - started > settings.SESSION_ABSOLUTE_SECONDS
            ):
                logout(request)
                messages.info(request, _("Your session ended. Please log in again."))
                return _to(request, reverse("account_login"), next_path=request.get_full_path())
            if now - seen >= 60 or self.SEEN not in session:
                session[self.SEEN] = now
        return self.get_response(request)


class MfaRequiredMiddleware:
    """With MFA_REQUIRED on, people who must use a second factor (rules.needs_second_factor:
    coordinators, funders, anyone who can open the admin) reach nothing but the pages to set up
    an authenticator (and to log out) until they have one."""

    KEY = "civbio_mfa"

    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        user = getattr(request, "user", None)
        if user is not None and not request.session.get(self.KEY) and needs_second_factor(user):
            from allauth.mfa.utils import is_mfa_enabled

            if is_mfa_enabled(user):
                request.session[self.KEY] = True
            elif not self._allowed(request.path):
                messages.warning(
                    request,
                    _(
                        "Your role needs a second step at login. Set up an authenticator app "
                        "to continue."
                    ),
                )
                return _to(request, reverse("mfa_activate_totp"))
        return self.get_response(request)

    @staticmethod
    def _allowed(path: str) -> bool:
        bare = path
        for code, _name in settings.LANGUAGES:
            prefix = f"/{code}/"
            if path.startswith(prefix):
                bare = "/" + path[len(prefix) :]
        return bare.startswith(("/accounts/", "/i18n/", "/static/", "/set-language/"))


def _to(request, url: str, next_path: str | None = None):
    """A redirect that htmx follows as a whole-page visit."""
    if next_path:
        url = f"{url}?{urlencode({'next': next_path})}"
    if getattr(request, "htmx", False):
        response = HttpResponse(status=204)
        response["HX-Redirect"] = url
        return response
    return HttpResponseRedirect(url)


class PrivateResponsesMiddleware:
    """Every page and download a signed-in person gets may hold students' or partners' data
    (grids, exports, reports, finance): no browser, shared computer or proxy keeps a copy.
    Public pages (start page, board, logos) stay cacheable."""

    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        response = self.get_response(request)
        # An error page reads nobody (the database may be what failed) and sets its own headers.
        if response.status_code >= 500:
            return response
        user = getattr(request, "user", None)
        if user is not None and user.is_authenticated:
            add_never_cache_headers(response)
        return response
