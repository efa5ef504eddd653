from allauth.account.forms import LoginForm as AllauthLoginForm
from django import forms
from django.conf import settings
from django.contrib.auth import password_validation
from django.utils.translation import gettext_lazy as _

from civbio import rules
from partners.models import Organisation, Role, User


class InvitationForm(forms.Form):
    email = forms.EmailField(label=_("E-mail address"), max_length=254)
    name = forms.CharField(label=_("Name"), max_length=150, required=False)
    organisation = forms.ModelChoiceField(
        label=_("Organisation"), queryset=Organisation.objects.none()
    )
    role = forms.ChoiceField(label=_("Role"), choices=())
    language = forms.ChoiceField(
        label=_("Language of the e-mail"), choices=settings.LANGUAGES, initial="nl"
    )

    def __init__(self, *args, actor: User, **kwargs):
        super().__init__(*args, **kwargs)
        self.actor = actor
        organisations = rules.invitable_organisations(actor)
        self.fields["organisation"].queryset = organisations
        roles = rules.invitable_roles(actor)
        self.fields["role"].choices = [(r, Role(r).label) for r in roles]
        if not rules.is_coordinator(actor):
            self.fields["organisation"].initial = actor.organisation_id
            self.fields["role"].initial = actor.role

    def clean_email(self) -> str:
        return self.cleaned_data["email"].strip().lower()

    def clean(self):
        cleaned = super().clean()
        organisation = cleaned.get("organisation")
        role = cleaned.get("role")
        if organisation and role and not rules.role_fits_organisation(role, organisation):
            self.add_error(
                "role",
                _("A %(role)s cannot work at an organisation of the kind “%(kind)s”.")
                % {"role": Role(role).label.lower(), "kind": organisation.get_kind_display()},
            )
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
        self.fields["logo"].widget.attrs["accept"] = "image/png,image/jpeg,image/webp,image/gif"
        self.fields["logo"].help_text = _("PNG, JPEG, WebP or GIF, at most 1 MB.")


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
