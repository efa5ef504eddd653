from allauth.account.forms import LoginForm as AllauthLoginForm
from django import forms
from django.conf import settings
from django.contrib.auth import password_validation
from django.utils import timezone
from django.utils.translation import get_language_info
from django.utils.translation import gettext_lazy as _

from civbio import rules
from civbio.widgets import DateInput
from partners import services
from partners.models import (
    USUAL_ROLE_BY_KIND,
    CofinancingCategory,
    Organisation,
    Role,
    User,
)

LOGO_TYPES = "image/png,image/jpeg,image/webp,image/gif"


class InvitationForm(forms.Form):
    email = forms.EmailField(label=_("E-mail address"), max_length=254)
    name = forms.CharField(label=_("Name"), max_length=150, required=False)
    organisation = forms.ModelChoiceField(
        label=_("Organisation"), queryset=Organisation.objects.none()
    )
    role = forms.ChoiceField(label=_("Role"), choices=(), required=False)
    language = forms.ChoiceField(
        label=_("Language of the e-mail"), choices=settings.LANGUAGES, initial="nl"
    )

    def __init__(self, *args, actor: User, **kwargs):
        super().__init__(*args, **kwargs)
        self.actor = actor
        organisations = rules.invitable_organisations(actor)
        self.fields["organisation"].queryset = organisations
        roles = rules.invitable_roles(actor)
        choices = [(r, Role(r).label) for r in roles]
        if rules.is_coordinator(actor):
            # No role is preselected: left open, the invitation gets the usual role at the chosen
            # organisation (industry staff at a company), never the coordinator role by accident.
            self.fields["role"].choices = [("", _("The usual role at this organisation")), *choices]
            self.fields["role"].help_text = _(
                "School staff at a school, industry staff at a company or support organisation, "
                "funder staff at a government. Coordinators only at the lead applicant."
            )
        else:
            self.fields["role"].choices = choices
            self.fields["role"].required = True
            self.fields["organisation"].initial = actor.organisation_id
            self.fields["role"].initial = actor.role

    def clean_email(self) -> str:
        return self.cleaned_data["email"].strip().lower()

    def clean(self):
        cleaned = super().clean()
        organisation = cleaned.get("organisation")
        if organisation is None or "role" not in cleaned:
            return cleaned
        role = cleaned["role"] or USUAL_ROLE_BY_KIND.get(organisation.kind, "")
        refusal = services.role_refusal(role, organisation)
        if refusal:
            self.add_error("role", refusal)
        else:
            cleaned["role"] = role
        return cleaned


class OrganisationProfileForm(forms.ModelForm):
    """What a partner keeps up to date itself; kind, dates and co-financing are for coordinators."""

    version = forms.CharField(widget=forms.HiddenInput)

    class Meta:
        model = Organisation
        fields = ["description", "website", "city", "logo"]
        widgets = {"description": forms.Textarea(attrs={"rows": 6})}

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["version"].initial = self.instance.updated_at.isoformat()
        self.fields["logo"].widget.attrs["accept"] = LOGO_TYPES
        self.fields["logo"].help_text = _("PNG, JPEG, WebP or GIF, at most 1 MB.")


class OrganisationAddForm(forms.ModelForm):
    """A new partner and, optionally, the first contact invited with it (the contact fields are
    all left empty, or the e-mail address is given)."""

    # Fields of the first contact, under the organisation's own.
    CONTACT_FIELDS = ("contact_email", "contact_name", "contact_role", "contact_language")

    contact_email = forms.EmailField(label=_("E-mail address"), max_length=254, required=False)
    contact_name = forms.CharField(label=_("Name"), max_length=150, required=False)
    contact_role = forms.ChoiceField(label=_("Role"), required=False)
    contact_language = forms.ChoiceField(
        label=_("Language of the e-mail"), choices=settings.LANGUAGES, initial="nl"
    )

    class Meta:
        model = Organisation
        fields = [
            "name",
            "kind",
            "cofinancing_category",
            "sbb_leerbedrijf_id",
            "website",
            "logo",
            "active_since",
        ]
        labels = {
            "active_since": _("Joined on"),
            "cofinancing_category": _("Co-financing counts as"),
        }
        widgets = {"active_since": DateInput()}

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["active_since"].required = True
        self.fields["active_since"].initial = timezone.localdate
        self.fields["logo"].widget.attrs["accept"] = LOGO_TYPES
        self.fields["logo"].help_text = _("PNG, JPEG, WebP or GIF, at most 1 MB.")
        # A new organisation is never where the project office sits: no coordinator role.
        self.fields["contact_role"].choices = [
            ("", _("The usual role at this organisation")),
            *[(r.value, r.label) for r in Role if r != Role.COORDINATOR],
        ]
        self.fields["contact_email"].help_text = _(
            "Optional. They receive an invitation and become the organisation's contact person: "
            "they keep its profile up to date and invite colleagues."
        )

    def clean_name(self) -> str:
        name = self.cleaned_data["name"].strip()
        if Organisation.objects.filter(name__iexact=name).exists():
            raise forms.ValidationError(_("An organisation with this name is already in civbio."))
        return name

    def clean_contact_email(self) -> str:
        return self.cleaned_data["contact_email"].strip().lower()

    def clean(self):
        cleaned = super().clean()
        email = cleaned.get("contact_email")
        if not email:
            if cleaned.get("contact_name") or cleaned.get("contact_role"):
                self.add_error(
                    "contact_email",
                    _("Give the first contact's e-mail address, or leave the contact empty."),
                )
            return cleaned
        kind, role = cleaned.get("kind"), cleaned.get("contact_role")
        if kind and role:
            refusal = services.role_refusal(role, Organisation(kind=kind))
            if refusal:
                self.add_error("contact_role", refusal)
        return cleaned

    def first_contact(self) -> dict | None:
        """The first contact to invite, as `services.add_organisation` takes it; None without."""
        if not self.cleaned_data.get("contact_email"):
            return None
        return {
            "email": self.cleaned_data["contact_email"],
            "name": self.cleaned_data["contact_name"],
            "role": self.cleaned_data["contact_role"],
            "language": self.cleaned_data["contact_language"],
        }


class LeaveForm(forms.Form):
    """When a partner leaves the consortium, and why (kept in its history)."""

    last_day = forms.DateField(
        label=_("Last day as a partner"),
        widget=DateInput(),
        help_text=_("From the next day it is a former partner."),
    )
    reason = forms.CharField(label=_("Reason"), max_length=300)

    def __init__(self, *args, **kwargs):
        kwargs.setdefault("auto_id", "leave_%s")
        super().__init__(*args, **kwargs)
        self.fields["last_day"].initial = timezone.localdate


class TakeBackDepartureForm(forms.Form):
    reason = forms.CharField(label=_("Reason"), max_length=300)


class CategoryForm(forms.Form):
    """A new co-financing category for a partner, with the reason (kept in its history)."""

    category = forms.ChoiceField(
        label=_("Co-financing counts as"), choices=CofinancingCategory.choices
    )
    reason = forms.CharField(label=_("Reason"), max_length=300)

    def __init__(self, *args, **kwargs):
        kwargs.setdefault("auto_id", "category_%s")
        super().__init__(*args, **kwargs)


class LoginForm(AllauthLoginForm):
    """allauth's login without its password help text: the page links to the reset itself, and a
    described-by pointing at text that is not shown confuses screen readers."""

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["password"].help_text = ""


class AcceptInvitationForm(forms.Form):
    name = forms.CharField(label=_("Your name"), max_length=150)
    password1 = forms.CharField(
        label=_("Password"),
        strip=False,
        widget=forms.PasswordInput(attrs={"autocomplete": "new-password"}),
        help_text=password_validation.password_validators_help_text_html(),
    )
    password2 = forms.CharField(
        label=_("Password (again)"),
        strip=False,
        widget=forms.PasswordInput(attrs={"autocomplete": "new-password"}),
    )

    def __init__(self, *args, email: str, **kwargs):
        super().__init__(*args, **kwargs)
        self.email = email

    def clean(self):
        cleaned = super().clean()
        password1, password2 = cleaned.get("password1"), cleaned.get("password2")
        if password1 and password2 and password1 != password2:
            self.add_error("password2", _("The two passwords differ."))
        elif password1:
            candidate = User(email=self.email, name=cleaned.get("name", ""))
            try:
                password_validation.validate_password(password1, candidate)
            except forms.ValidationError as error:
                self.add_error("password1", error)
        return cleaned


class AccountForm(forms.ModelForm):
    """What a person changes about themselves: how they are named and the language civbio uses
    with them."""

    class Meta:
        model = User
        fields = ["name", "language"]
        labels = {"name": _("Your name"), "language": _("Language")}
        help_texts = {
            "language": _("The pages after you log in and the e-mails civbio sends you."),
        }
        widgets = {"name": forms.TextInput(attrs={"autocomplete": "name"})}

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        # Each language named in itself, as the switcher in the header does.
        self.fields["language"].choices = [
            (code, get_language_info(code)["name_local"]) for code, _name in settings.LANGUAGES
        ]
