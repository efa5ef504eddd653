from django.apps import AppConfig
from django.contrib.admin import apps as admin_apps
from django.utils.translation import gettext_noop


class CivbioConfig(AppConfig):
    default = True
    name = "civbio"
    verbose_name = "civbio"

    def ready(self):
        from django.contrib.auth.signals import user_logged_in

        from civbio.middleware import stamp_session

        # The session's start is written with the login itself (see SessionTimeoutMiddleware).
        user_logged_in.connect(stamp_session, dispatch_uid="civbio.stamp_session")


class CivbioAdminConfig(admin_apps.AdminConfig):
    default = False
    default_site = "civbio.admin.CivbioAdminSite"


# Texts of Django 6.1 that its own Dutch catalogue does not translate yet; listed here so they are
# extracted into ours.
UPSTREAM_TEXTS = [gettext_noop("- Select an option -")]
