from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class ActivitiesConfig(AppConfig):
    name = "activities"
    verbose_name = _("Activities")

    def ready(self):
        from activities import student_records
        from activities.account import register
        from students import records

        # The calendar address and reminder choices on the person's account page (partners').
        register()
        # A student's nominations, placements and their class's lessons: on the student's page,
        # in the export of everything stored, and gone with an erasure.
        records.register(student_records.RECORDS)
