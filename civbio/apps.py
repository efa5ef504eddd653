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

        from civbio import figure_cache

        # Kept figures go when the data under them changes.
        figure_cache.connect()

        from django.db import connections
        from django.db.backends.signals import connection_created
        from django.db.models.signals import post_delete
        from django.test.signals import setting_changed

        from civbio import kept_pages

        # Kept pages go at every write to the database.
        connection_created.connect(kept_pages.watch_writes, dispatch_uid="kept_pages_writes")
        setting_changed.connect(kept_pages.settings_changed, dispatch_uid="kept_pages_settings")
        # Kept pages may show a student's name: a deleted student's go at once.
        post_delete.connect(
            kept_pages.forget_all_on_commit,
            sender="activities.Student",
            dispatch_uid="kept_pages_student_deleted",
        )
        for connection in connections.all(initialized_only=True):
            kept_pages.watch_writes(None, connection)


class CivbioAdminConfig(admin_apps.AdminConfig):
    default = False
    default_site = "civbio.admin.CivbioAdminSite"


# Texts of Django 6.1 that its own Dutch catalogue does not translate yet; listed here so they are
# extracted into ours.
UPSTREAM_TEXTS = [gettext_noop("- Select an option -")]
