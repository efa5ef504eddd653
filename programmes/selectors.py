from django.utils import timezone

from programmes.models import Project


def current_project() -> Project | None:
    """The project civbio runs: the one under way today, else the most recent one."""
    today = timezone.localdate()
    projects = Project.objects.select_related("lead_organisation", "funder")
    return projects.filter(start_date__lte=today, end_date__gte=today).first() or projects.first()
