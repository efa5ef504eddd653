from datetime import date

from django.db.models import Q, QuerySet


class IndicatorQuerySet(QuerySet):
    def active_on(self, day: date) -> "IndicatorQuerySet":
        """The indicators not retired by `day`: a report or page for a period before the
        retirement still shows it, one from that day on leaves it out."""
        return self.filter(Q(retired_on__isnull=True) | Q(retired_on__gt=day))
