from django.db import models
from django.db.models.functions import Lower
from django.utils import timezone


class OrganisationQuerySet(models.QuerySet):
    def partners(self):
        """Consortium partners: every organisation but outside funding bodies."""
        return self.exclude(kind="funder")

    def active(self, day=None):
        day = day or timezone.localdate()
        return self.filter(
            models.Q(active_since__isnull=True) | models.Q(active_since__lte=day),
            models.Q(active_until__isnull=True) | models.Q(active_until__gte=day),
        )

    def with_people_count(self):
        return self.annotate(
            people_count=models.Count("people", filter=models.Q(people__is_active=True))
        )


class UserQuerySet(models.QuerySet):
    def active(self):
        return self.filter(is_active=True)

    def with_email(self, email: str):
        return self.annotate(email_lower=Lower("email")).filter(email_lower=email.strip().lower())


class InvitationQuerySet(models.QuerySet):
    def pending(self, moment=None):
        moment = moment or timezone.now()
        return self.filter(accepted_at=None, revoked_at=None, expires_at__gt=moment)

    def for_email(self, email: str):
        return self.annotate(email_lower=Lower("email")).filter(email_lower=email.strip().lower())
