from typing import TYPE_CHECKING, Self

from django.db import models

if TYPE_CHECKING:
    from students.models import Student


class StudentQuerySet(models.QuerySet["Student"]):
    def active(self) -> Self:
        """Still at school, and not erased."""
        return self.filter(left_on__isnull=True, erased_at__isnull=True)

    def of_school(self, organisation_id: int) -> Self:
        return self.filter(school_id=organisation_id)

    def erased(self) -> Self:
        return self.filter(erased_at__isnull=False)
