"""The co-financing ledger: what partners contributed, in hours or euros, and its evidence."""

from decimal import Decimal

from django.conf import settings
from django.core.exceptions import ValidationError
from django.core.validators import MaxValueValidator, MinValueValidator
from django.db import models
from django.utils.translation import gettext_lazy as _
from django.utils.translation import pgettext_lazy

from activities.models import Activity
from civbio import uploads
from partners.models import Organisation
from programmes.models import ProgrammeLine


class ContributionKind(models.TextChoices):
    STAFF_HOURS = "staff_hours", _("Staff hours (in kind)")
    OTHER_IN_KIND = "other_in_kind", _("Other in kind (equipment, facilities, materials)")
    CASH = "cash", _("Cash")


class ContributionStatus(models.TextChoices):
    PROPOSED = "proposed", _("Proposed, to confirm")
    SUBMITTED = "submitted", _("Submitted")
    APPROVED = "approved", _("Approved")
    REJECTED = "rejected", _("Rejected")


# A quarter holds at most 92 days of 24 hours: one entry can never claim more.
MAX_HOURS_PER_ENTRY = Decimal("2208")


EVIDENCE_MAX_BYTES = 5 * 1024 * 1024
EVIDENCE_FAMILIES = frozenset(uploads.Family)


def validate_evidence(upload) -> None:
    """Evidence is a PDF, an image or an Office document of at most 5 MB, judged by its whole
    content (`civbio.uploads`): never by its name or first bytes."""
    # A file already stored was judged when it came in (and is judged again when served): an
    # edit that keeps it neither reads it back nor loses it.
    if getattr(upload, "_committed", False):
        return
    if upload.size > EVIDENCE_MAX_BYTES:
        raise ValidationError(_("The evidence file is larger than 5 MB."))
    try:
        uploads.detect(uploads.read_all(upload, EVIDENCE_MAX_BYTES), allowed=EVIDENCE_FAMILIES)
    except uploads.Refused as exc:
        raise ValidationError(
            _(
                "Upload the evidence as a PDF, an image (PNG, JPEG, WebP or GIF) or an Office "
                "document (Word, Excel or PowerPoint); this file is none of these."
            ),
            code="evidence_type",
        ) from exc


class Contribution(models.Model):
    """What a partner realised: hours or euros, in kind or cash, on a programme line."""

    organisation = models.ForeignKey(
        Organisation,
        verbose_name=_("partner"),
        on_delete=models.PROTECT,
        related_name="contributions",
    )
    programme_line = models.ForeignKey(
        ProgrammeLine,
        verbose_name=_("programme line"),
        on_delete=models.PROTECT,
        related_name="contributions",
    )
    activity = models.ForeignKey(
        Activity,
        verbose_name=_("activity"),
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="contributions",
    )
    kind = models.CharField(_("type"), max_length=20, choices=ContributionKind.choices)
    hours = models.DecimalField(
        _("hours"),
        max_digits=7,
        decimal_places=1,
        null=True,
        blank=True,
        validators=[MinValueValidator(Decimal("0.5")), MaxValueValidator(MAX_HOURS_PER_ENTRY)],
    )
    amount = models.DecimalField(
        _("amount (€)"),
        max_digits=12,
        decimal_places=2,
        null=True,
        blank=True,
        validators=[MinValueValidator(Decimal("0.01"))],
    )
    date = models.DateField(_("date"))
    # "Omschrijving", as the ledger, the forms beside it and the report annex name it.
    description = models.CharField(pgettext_lazy("contribution", "description"), max_length=300)
    is_supervision = models.BooleanField(
        _("supervising students in a placement, or their allowances"),
        default=False,
        help_text=_("Recorded, but it does not count as co-financing under the RIF rules."),
    )
    evidence = models.FileField(
        _("evidence"), upload_to="evidence/", blank=True, validators=[validate_evidence]
    )
    status = models.CharField(
        _("status"),
        max_length=20,
        choices=ContributionStatus.choices,
        default=ContributionStatus.SUBMITTED,
    )
    source = models.CharField(max_length=40, blank=True, editable=False)
    corrects = models.ForeignKey(
        "self",
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="corrections",
        editable=False,
    )
    submitted_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, blank=True, related_name="+"
    )
    decided_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, blank=True, related_name="+"
    )
    decided_at = models.DateTimeField(null=True, blank=True)
    rejection_reason = models.CharField(_("reason"), max_length=300, blank=True)
    created_at = models.DateTimeField(auto_now_add=True)
    updated_at = models.DateTimeField(auto_now=True)

    class Meta:
        ordering = ["-date", "-created_at"]
        verbose_name = _("contribution")
        verbose_name_plural = _("contributions")
        indexes = [
            models.Index(fields=["organisation", "status"]),
            models.Index(fields=["status", "date"]),
            models.Index(fields=["organisation", "date"]),
            # The approved contributions, last approved first, a page at a time.
            models.Index(fields=["status", "decided_at", "id"], name="contribution_decided"),
        ]
        constraints = [
            # A delivered activity proposes its hours once.
            models.UniqueConstraint(
                fields=["source"],
                condition=~models.Q(source=""),
                name="one_contribution_per_source",
            ),
            models.CheckConstraint(
                condition=(
                    models.Q(kind="staff_hours", hours__isnull=False, amount__isnull=True)
                    | (
                        ~models.Q(kind="staff_hours")
                        & models.Q(amount__isnull=False, hours__isnull=True)
                    )
                ),
                name="contribution_hours_or_amount",
            ),
        ]

    def __str__(self) -> str:
        return f"{self.organisation}: {self.description}"

    def clean(self) -> None:
        errors = {}
        if self.kind == ContributionKind.STAFF_HOURS:
            if self.hours is None:
                errors["hours"] = _("Give the number of hours.")
            self.amount = None
        elif self.kind:
            if self.amount is None:
                errors["amount"] = _("Give the amount in euros.")
            self.hours = None
        if errors:
            raise ValidationError(errors)

    @property
    def counts(self) -> bool:
        """Supervising students in placements does not count as co-financing."""
        return not self.is_supervision
