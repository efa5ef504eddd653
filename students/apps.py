from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class StudentsConfig(AppConfig):
    name = "students"
    verbose_name = _("Students")

    def ready(self):
        # Keeps each enrolment's progress summary true when progress is saved or deleted.
        from students import progress  # noqa: F401
