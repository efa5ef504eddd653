from django.conf.urls.i18n import i18n_patterns
from django.contrib import admin
from django.urls import include, path

from activities import views as activity_views
from civbio import views as civbio_views
from reports import views as report_views

urlpatterns = [
    path("healthz", civbio_views.healthz, name="healthz"),
    # Calendar apps fetch this without a session or a language: the token is the key.
    path("calendar/<str:token>.ics", activity_views.calendar_feed, name="calendar_feed"),
]

urlpatterns += i18n_patterns(
    path("", report_views.home, name="home"),
    # Inside the language prefix, so the switcher knows which language the page it came from is
    # in and can translate that page's address.
    path("i18n/", include("django.conf.urls.i18n")),
    path("dashboard/", report_views.dashboard, name="dashboard"),
    path("admin/", admin.site.urls),
    path("accounts/", include("allauth.urls")),
    path("", include("partners.urls")),
    path("", include("students.urls")),
    path("", include("activities.urls")),
    path("", include("programmes.urls")),
    path("", include("ledger.urls")),
    path("", include("reports.urls")),
    prefix_default_language=False,
)

# A database that cannot be reached answers 503 with a page that needs no database.
handler500 = "civbio.views.server_error"
