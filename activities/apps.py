from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class ActivitiesConfig(AppConfig):
    name = "activities"
    verbose_name = _("Activities")

    def ready(self):
        # Keeps each enrolment's progress summary true when progress is saved or deleted.
        from activities.account import register
        from students import progress  # noqa: F401

        # The calendar address and reminder choices on the person's account page (partners').
        register()
