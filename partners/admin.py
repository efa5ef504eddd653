from django import forms
from django.contrib import admin
from django.db.models import Count, Q
from django.utils import timezone
from django.utils.translation import gettext_lazy as _
from django.utils.translation import ngettext

from partners.models import Invitation, InvitationStatus, Organisation, User
from partners.services import role_refusal


class PersonAdminForm(forms.ModelForm):
    """A role changed in the admin follows the invitation rules: the coordinator role only at the
    lead applicant, every role at an organisation of a fitting kind."""

    def clean(self):
        cleaned = super().clean()
        if not {"role", "organisation"} & set(self.changed_data):
            return cleaned
        role = cleaned.get("role", self.instance.role)
        organisation = cleaned.get("organisation") or (
            self.instance.organisation if self.instance.organisation_id else None
        )
        if role and organisation:
            refusal = role_refusal(role, organisation)
            if refusal:
                self.add_error("role" if "role" in self.fields else None, refusal)
        return cleaned


class PersonInline(admin.TabularInline):
    model = User
    form = PersonAdminForm
    fields = ["name", "email", "role", "is_contact", "job_title", "is_active"]
    readonly_fields = ["email"]
    extra = 0
    show_change_link = True
    can_delete = False


class ActiveFilter(admin.SimpleListFilter):
    title = _("partnership")
    parameter_name = "partnership"

    def lookups(self, request, model_admin):
        return [("active", _("Active partners")), ("retired", _("Former partners"))]

    def queryset(self, request, queryset):
        if self.value() == "active":
            return queryset.active()
        if self.value() == "retired":
            return queryset.exclude(pk__in=Organisation.objects.active().values("pk"))
        return queryset


@admin.register(Organisation)
class OrganisationAdmin(admin.ModelAdmin):
    list_display = [
        "name",
        "short_name",
        "kind",
        "cofinancing_category",
        "city",
        "is_lead_applicant",
        "active_since",
        "active_until",
        "people_count",
    ]
    list_filter = ["kind", "cofinancing_category", ActiveFilter, "is_lead_applicant"]
    search_fields = ["name", "short_name", "city", "sbb_leerbedrijf_id"]
    # Explicit: the people count annotation drops the model's ordering, and autocomplete pages
    # (an activity's host) must page an ordered list.
    ordering = ["name"]
    prepopulated_fields = {"slug": ["name"]}
    inlines = [PersonInline]
    actions = ["retire_today"]
    fieldsets = [
        (None, {"fields": ["name", "short_name", "slug", "kind", "is_lead_applicant"]}),
        (_("Profile"), {"fields": ["city", "website", "description", "logo"]}),
        (
            _("Partnership"),
            {
                "fields": [
                    "active_since",
                    "active_until",
                    "cofinancing_category",
                    "sbb_leerbedrijf_id",
                ]
            },
        ),
    ]

    @admin.action(description=_("Mark as former partners from today"))
    def retire_today(self, request, queryset):
        today = timezone.localdate()
        # A partner that has not started yet cannot end before it starts: those are left alone.
        count = (
            queryset.filter(active_until__isnull=True)
            .filter(Q(active_since__isnull=True) | Q(active_since__lte=today))
            .update(active_until=today)
        )
        self.message_user(
            request,
            ngettext(
                "%(count)d organisation is now a former partner.",
                "%(count)d organisations are now former partners.",
                count,
            )
            % {"count": count},
        )

    def get_queryset(self, request):
        return (
            super()
            .get_queryset(request)
            .annotate(_people=Count("people", filter=Q(people__is_active=True)))
        )

    @admin.display(description=_("people"), ordering="_people")
    def people_count(self, obj) -> int:
        return obj._people


@admin.register(User)
class UserAdmin(admin.ModelAdmin):
    form = PersonAdminForm
    list_display = [
        "name",
        "email",
        "organisation",
        "role",
        "is_contact",
        "is_active",
        "last_login",
    ]
    list_filter = ["role", "is_contact", "is_active", "organisation__kind"]
    search_fields = ["name", "email", "organisation__name", "organisation__short_name"]
    list_select_related = ["organisation"]
    autocomplete_fields = ["organisation"]
    # The e-mail address is the login: people change it themselves (verified) in their account.
    readonly_fields = ["email", "last_login", "date_joined"]
    fieldsets = [
        (None, {"fields": ["name", "email", "organisation", "role", "is_contact"]}),
        (_("Details"), {"fields": ["job_title", "phone", "language"]}),
        (_("Access"), {"fields": ["is_active", "last_login", "date_joined"]}),
    ]

    actions = ["deactivate"]

    def has_add_permission(self, request) -> bool:
        # People join through an invitation, which sets their password themselves.
        return False

    def get_queryset(self, request):
        people = super().get_queryset(request)
        # Technical superusers are out of coordinators' reach: no takeover through the admin.
        return people if request.user.is_superuser else people.filter(is_superuser=False)

    @admin.action(description=_("Deactivate: they can no longer log in"))
    def deactivate(self, request, queryset):
        count = queryset.exclude(pk=request.user.pk).update(is_active=False)
        self.message_user(
            request,
            ngettext(
                "%(count)d person was deactivated.", "%(count)d people were deactivated.", count
            )
            % {"count": count},
        )


class InvitationStatusFilter(admin.SimpleListFilter):
    title = _("status")
    parameter_name = "status"

    def lookups(self, request, model_admin):
        return InvitationStatus.choices

    def queryset(self, request, queryset):
        now = timezone.now()
        match self.value():
            case InvitationStatus.PENDING:
                return queryset.pending(now)
            case InvitationStatus.ACCEPTED:
                return queryset.filter(accepted_at__isnull=False)
            case InvitationStatus.REVOKED:
                return queryset.filter(accepted_at=None, revoked_at__isnull=False)
            case InvitationStatus.EXPIRED:
                return queryset.filter(accepted_at=None, revoked_at=None, expires_at__lte=now)
        return queryset


@admin.register(Invitation)
class InvitationAdmin(admin.ModelAdmin):
    list_display = [
        "email",
        "organisation",
        "role",
        "invited_by",
        "created_at",
        "expires_at",
        "status",
    ]
    list_filter = [InvitationStatusFilter, "role", "organisation__kind"]
    search_fields = ["email", "name", "organisation__name"]
    list_select_related = ["organisation", "invited_by"]
    readonly_fields = [
        "email",
        "name",
        "organisation",
        "role",
        "makes_contact",
        "language",
        "invited_by",
        "created_at",
        "sent_at",
        "accepted_at",
        "accepted_by",
        "revoked_at",
    ]
    fields = [*readonly_fields, "expires_at"]

    def has_add_permission(self, request) -> bool:
        # Invitations are made on the invitations page, which checks roles and sends the mail.
        return False

    @admin.display(description=_("status"))
    def status(self, obj) -> str:
        return obj.get_status_display()
