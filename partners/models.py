"""Organisations of the consortium, the people who work there, their roles and invitations."""

import secrets
from datetime import timedelta

from django.conf import settings
from django.contrib.auth.base_user import AbstractBaseUser, BaseUserManager
from django.contrib.auth.models import PermissionsMixin
from django.core.exceptions import ValidationError
from django.core.validators import RegexValidator
from django.db import models
from django.db.models.functions import Lower
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from partners.querysets import InvitationQuerySet, OrganisationQuerySet, UserQuerySet
from partners.validators import validate_logo


class OrganisationKind(models.TextChoices):
    WORK_FIELD = "work_field", _("Work field")
    EDUCATION = "education", _("Education")
    SUPPORT = "support", _("Support")
    GOVERNMENT = "government", _("Government")
    # An outside funding body (the national fund): it follows the project, it is not a partner.
    FUNDER = "funder", _("Funder")


class CofinancingCategory(models.TextChoices):
    """How an organisation's contribution counts under the RIF rules."""

    EMPLOYER = "employer", _("Employers and organised business (1/3 to 2/3 of the budget)")
    OTHER = "other", _("Other partners (at most 1/3 of the budget)")
    NOT_COUNTED = "not_counted", _("Does not count (the applicant school, funders)")


class Role(models.TextChoices):
    """What a person does in civbio; it decides what they see. Predicates live in civbio.rules."""

    COORDINATOR = "coordinator", _("Coordinator")
    SCHOOL_STAFF = "school_staff", _("School staff")
    INDUSTRY_STAFF = "industry_staff", _("Industry staff")
    FUNDER = "funder", _("Funder staff")


# Which kinds of organisation a role can belong to. Coordinators run the project office and may sit
# at any partner; everyone else works where their role makes sense.
ROLE_ORGANISATION_KINDS: dict[str, set[str]] = {
    Role.COORDINATOR: {
        OrganisationKind.EDUCATION,
        OrganisationKind.WORK_FIELD,
        OrganisationKind.SUPPORT,
        OrganisationKind.GOVERNMENT,
    },
    Role.SCHOOL_STAFF: {OrganisationKind.EDUCATION},
    Role.INDUSTRY_STAFF: {OrganisationKind.WORK_FIELD, OrganisationKind.SUPPORT},
    Role.FUNDER: {OrganisationKind.GOVERNMENT, OrganisationKind.FUNDER},
}

# The role someone usually has at an organisation of each kind: what an invitation gives when the
# inviter leaves the role open. Never the coordinator role, which is always chosen on purpose.
USUAL_ROLE_BY_KIND: dict[str, str] = {
    OrganisationKind.EDUCATION: Role.SCHOOL_STAFF,
    OrganisationKind.WORK_FIELD: Role.INDUSTRY_STAFF,
    OrganisationKind.SUPPORT: Role.INDUSTRY_STAFF,
    OrganisationKind.GOVERNMENT: Role.FUNDER,
    OrganisationKind.FUNDER: Role.FUNDER,
}

leerbedrijf_id_validator = RegexValidator(
    r"^\d{4,12}$", _("An SBB leerbedrijf-ID is a number of 4 to 12 digits.")
)


class Organisation(models.Model):
    name = models.CharField(_("name"), max_length=200, unique=True)
    short_name = models.CharField(_("short name"), max_length=60, blank=True)
    slug = models.SlugField(_("slug"), max_length=80, unique=True)
    kind = models.CharField(_("kind"), max_length=20, choices=OrganisationKind.choices)
    is_lead_applicant = models.BooleanField(_("lead applicant"), default=False)
    city = models.CharField(_("city"), max_length=100, blank=True)
    website = models.URLField(_("website"), blank=True)
    description = models.TextField(_("description"), blank=True)
    logo = models.ImageField(_("logo"), upload_to="logos/", blank=True, validators=[validate_logo])
    active_since = models.DateField(_("partner since"), null=True, blank=True)
    active_until = models.DateField(_("partner until"), null=True, blank=True)
    sbb_leerbedrijf_id = models.CharField(
        _("SBB leerbedrijf-ID"),
        max_length=12,
        blank=True,
        validators=[leerbedrijf_id_validator],
        help_text=_("The recognition number of an SBB-recognised training company."),
    )
    cofinancing_category = models.CharField(
        _("co-financing counts as"),
        max_length=20,
        choices=CofinancingCategory.choices,
        default=CofinancingCategory.OTHER,
    )
    created_at = models.DateTimeField(auto_now_add=True)
    updated_at = models.DateTimeField(auto_now=True)

    objects = OrganisationQuerySet.as_manager()

    class Meta:
        ordering = ["name"]
        verbose_name = _("organisation")
        verbose_name_plural = _("organisations")
        constraints = [
            models.UniqueConstraint(
                fields=["is_lead_applicant"],
                condition=models.Q(is_lead_applicant=True),
                name="one_lead_applicant",
            ),
            models.CheckConstraint(
                condition=models.Q(active_until__isnull=True)
                | models.Q(active_since__isnull=True)
                | models.Q(active_until__gte=models.F("active_since")),
                name="organisation_active_period_in_order",
            ),
        ]

    def __str__(self) -> str:
        return self.name

    def get_absolute_url(self) -> str:
        return reverse("partners:organisation_detail", args=[self.slug])

    @property
    def display_name(self) -> str:
        return self.short_name or self.name

    @property
    def is_partner(self) -> bool:
        return self.kind != OrganisationKind.FUNDER

    def is_active_on(self, day) -> bool:
        started = self.active_since is None or self.active_since <= day
        return started and (self.active_until is None or self.active_until >= day)

    @property
    def is_active(self) -> bool:
        return self.is_active_on(timezone.localdate())

    @property
    def has_left(self) -> bool:
        """A former partner: its last day as a partner has passed."""
        return self.active_until is not None and self.active_until < timezone.localdate()

    @property
    def joins_later(self) -> bool:
        """Added ahead of the day it joins."""
        return self.active_since is not None and self.active_since > timezone.localdate()


class UserManager(BaseUserManager.from_queryset(UserQuerySet)):
    use_in_migrations = True

    def create_user(self, email: str, password: str | None = None, **fields) -> "User":
        if not email:
            raise ValueError("A user needs an e-mail address.")
        user = self.model(email=self.normalize_email(email).lower(), **fields)
        user.set_password(password)
        user.save(using=self._db)
        return user

    def create_superuser(self, email: str, password: str | None = None, **fields) -> "User":
        fields["is_superuser"] = True
        return self.create_user(email, password, **fields)


class User(AbstractBaseUser, PermissionsMixin):
    """A person who logs in. Students are not users: they are records kept by their teachers."""

    email = models.EmailField(_("e-mail address"), unique=True)
    name = models.CharField(_("name"), max_length=150)
    organisation = models.ForeignKey(
        Organisation,
        verbose_name=_("organisation"),
        on_delete=models.PROTECT,
        related_name="people",
        null=True,
        blank=True,
    )
    role = models.CharField(_("role"), max_length=20, choices=Role.choices, blank=True)
    is_contact = models.BooleanField(
        _("contact person"),
        default=False,
        help_text=_("The organisation's contact for the consortium; may invite colleagues."),
    )
    job_title = models.CharField(_("job title"), max_length=120, blank=True)
    phone = models.CharField(_("phone"), max_length=40, blank=True)
    language = models.CharField(
        _("language"), max_length=8, choices=settings.LANGUAGES, default=settings.LANGUAGE_CODE
    )
    is_active = models.BooleanField(_("active"), default=True)
    date_joined = models.DateTimeField(_("joined"), default=timezone.now)

    objects = UserManager()

    USERNAME_FIELD = "email"
    EMAIL_FIELD = "email"
    REQUIRED_FIELDS = ["name"]

    class Meta:
        ordering = ["name"]
        verbose_name = _("person")
        verbose_name_plural = _("people")
        constraints = [
            models.UniqueConstraint(Lower("email"), name="user_email_unique_ci"),
            # Everyone but a technical superuser belongs to an organisation and has a role.
            models.CheckConstraint(
                condition=models.Q(is_superuser=True)
                | (models.Q(organisation__isnull=False) & ~models.Q(role="")),
                name="user_has_organisation_and_role",
            ),
        ]

    def __str__(self) -> str:
        return self.name or self.email

    def clean(self) -> None:
        super().clean()
        if self.organisation_id and self.role:
            allowed = ROLE_ORGANISATION_KINDS.get(self.role, set())
            if self.organisation.kind not in allowed:
                raise ValidationError(
                    {"role": _("This role does not fit an organisation of this kind.")}
                )

    def get_full_name(self) -> str:
        return self.name

    def get_short_name(self) -> str:
        return self.name.split(" ")[0] if self.name else self.email

    @property
    def is_coordinator(self) -> bool:
        return self.role == Role.COORDINATOR

    @property
    def is_staff(self) -> bool:
        # The admin asks for is_staff; in civbio the coordinator role opens it.
        return self.is_active and (self.is_superuser or self.is_coordinator)


def new_invitation_nonce() -> str:
    return secrets.token_hex(16)


def default_invitation_expiry():
    return timezone.now() + timedelta(days=settings.INVITATION_VALID_DAYS)


class InvitationStatus(models.TextChoices):
    PENDING = "pending", _("Pending")
    ACCEPTED = "accepted", _("Accepted")
    EXPIRED = "expired", _("Expired")
    REVOKED = "revoked", _("Revoked")


class Invitation(models.Model):
    """An invitation to join an organisation with a role; the only way into civbio.

    The link carries a signed (id, nonce) pair: nothing secret is stored in clear, and revoking or
    re-issuing changes nothing an old link could still open.
    """

    email = models.EmailField(_("e-mail address"))
    name = models.CharField(_("name"), max_length=150, blank=True)
    organisation = models.ForeignKey(
        Organisation,
        verbose_name=_("organisation"),
        on_delete=models.CASCADE,
        related_name="invitations",
    )
    role = models.CharField(_("role"), max_length=20, choices=Role.choices)
    language = models.CharField(
        _("language"), max_length=8, choices=settings.LANGUAGES, default=settings.LANGUAGE_CODE
    )
    invited_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("invited by"),
        on_delete=models.SET_NULL,
        null=True,
        related_name="invitations_sent",
    )
    nonce = models.CharField(max_length=32, default=new_invitation_nonce, editable=False)
    created_at = models.DateTimeField(_("invited at"), auto_now_add=True)
    expires_at = models.DateTimeField(_("expires at"), default=default_invitation_expiry)
    sent_at = models.DateTimeField(_("e-mail sent at"), null=True, blank=True)
    accepted_at = models.DateTimeField(_("accepted at"), null=True, blank=True)
    accepted_by = models.OneToOneField(
        settings.AUTH_USER_MODEL,
        verbose_name=_("accepted by"),
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="accepted_invitation",
    )
    revoked_at = models.DateTimeField(_("revoked at"), null=True, blank=True)
    # The first contact of a partner that was just added: the account made from this invitation
    # is the organisation's contact person, who keeps its profile and invites colleagues.
    makes_contact = models.BooleanField(_("as contact person"), default=False)
    send_attempts = models.PositiveSmallIntegerField(_("send attempts"), default=0)
    last_send_error = models.CharField(_("last sending error"), max_length=300, blank=True)

    objects = InvitationQuerySet.as_manager()

    class Meta:
        ordering = ["-created_at"]
        verbose_name = _("invitation")
        verbose_name_plural = _("invitations")
        indexes = [models.Index(Lower("email"), name="invitation_email_ci")]

    def __str__(self) -> str:
        return f"{self.email} → {self.organisation}"

    def status_on(self, moment) -> str:
        if self.accepted_at:
            return InvitationStatus.ACCEPTED
        if self.revoked_at:
            return InvitationStatus.REVOKED
        if self.expires_at <= moment:
            return InvitationStatus.EXPIRED
        return InvitationStatus.PENDING

    @property
    def status(self) -> str:
        return self.status_on(timezone.now())

    def get_status_display(self) -> str:
        return InvitationStatus(self.status).label


class AccessLog(models.Model):
    """Who looked at or took away personal data or reports, and when (kept apart from the data, so
    it survives the data's erasure without holding anything identifying)."""

    actor = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, related_name="+"
    )
    action = models.CharField(_("action"), max_length=40)
    target_type = models.CharField(_("what"), max_length=40)
    target_id = models.PositiveBigIntegerField(_("which"))
    at = models.DateTimeField(_("when"), auto_now_add=True)

    class Meta:
        ordering = ["-at"]
        verbose_name = _("access log entry")
        verbose_name_plural = _("access log")
        indexes = [models.Index(fields=["target_type", "target_id"])]

    def __str__(self) -> str:
        return f"{self.actor} {self.action} {self.target_type} {self.target_id}"
