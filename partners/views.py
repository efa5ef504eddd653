import copy

from django.conf import settings
from django.contrib import messages
from django.contrib.auth import login
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied, ValidationError
from django.shortcuts import get_object_or_404, redirect, render
from django.urls import translate_url
from django.utils import translation
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST

from civbio import rules, uploads
from partners import account as account_sections
from partners import audit, selectors, services
from partners.filters import OrganisationFilter
from partners.forms import (
    AcceptInvitationForm,
    AccountForm,
    InvitationForm,
    OrganisationProfileForm,
)
from partners.models import Organisation
from partners.tokens import invitation_from_token


@login_required
def organisation_list(request):
    filterset = OrganisationFilter(request.GET, queryset=rules.visible_organisations(request.user))
    groups = selectors.directory_groups(
        filterset.qs if filterset.is_valid() else filterset.queryset
    )
    return render(
        request,
        "partners/organisation_list.html",
        {
            "filter": filterset,
            "groups": groups,
            "result_count": sum(len(g["organisations"]) for g in groups),
        },
    )


@login_required
def organisation_detail(request, slug: str):
    organisation = get_object_or_404(rules.visible_organisations(request.user), slug=slug)
    context = selectors.organisation_page(request.user, organisation)
    context["history"] = audit.history_for(request.user, organisation)
    return render(request, "partners/organisation_detail.html", context)


@login_required
def account(request):
    """The person's own account: name and language here; e-mail, password and second factor on
    allauth's pages, linked with their current state; the sections other apps add."""
    # A copy: the form writes what was typed onto its instance, and the header must keep showing
    # the saved name if the input is refused.
    form = AccountForm(request.POST or None, instance=copy.copy(request.user))
    if request.method == "POST" and form.is_valid():
        try:
            person = services.update_account(
                actor=request.user,
                name=form.cleaned_data["name"],
                language=form.cleaned_data["language"],
            )
        except ValidationError as error:
            form.add_error(None, error)
        else:
            # The page comes back in the language just chosen, with the switcher's cookie.
            response = redirect(translate_url(request.path, person.language))
            with translation.override(person.language):
                messages.success(request, _("Your account details are saved."))
            response.set_cookie(
                settings.LANGUAGE_COOKIE_NAME,
                person.language,
                max_age=settings.LANGUAGE_COOKIE_AGE,
                path=settings.LANGUAGE_COOKIE_PATH,
                domain=settings.LANGUAGE_COOKIE_DOMAIN,
                secure=settings.LANGUAGE_COOKIE_SECURE,
                httponly=settings.LANGUAGE_COOKIE_HTTPONLY,
                samesite=settings.LANGUAGE_COOKIE_SAMESITE,
            )
            return response
    context = selectors.account_page(request.user)
    context.update(form=form, sections=account_sections.sections_for(request))
    return render(request, "partners/account.html", context)


@login_required
def invitation_list(request):
    if not rules.can_invite(request.user):
        raise PermissionDenied
    invitations = list(rules.visible_invitations(request.user)[:200])
    return render(
        request,
        "partners/invitation_list.html",
        {"invitations": invitations, "valid_days": settings.INVITATION_VALID_DAYS},
    )


@login_required
def invitation_create(request):
    if not rules.can_invite(request.user):
        raise PermissionDenied
    form = InvitationForm(
        request.POST or None,
        actor=request.user,
        initial={"organisation": request.GET.get("organisation")},
    )
    if request.method == "POST" and form.is_valid():
        try:
            invitation = services.invite_person(actor=request.user, **form.cleaned_data)
        except ValidationError as error:
            form.add_error(None, error)
        else:
            messages.success(
                request,
                _("Invitation sent to %(email)s.") % {"email": invitation.email},
            )
            return redirect("partners:invitation_list")
    return render(
        request,
        "partners/invitation_form.html",
        {"form": form, "valid_days": settings.INVITATION_VALID_DAYS},
    )


@login_required
@require_POST
def invitation_revoke(request, pk: int):
    invitation = get_object_or_404(rules.visible_invitations(request.user), pk=pk)
    if services.revoke_invitation(actor=request.user, invitation=invitation):
        messages.success(
            request, _("The invitation to %(email)s was revoked.") % {"email": invitation.email}
        )
    else:
        messages.info(request, _("This invitation was no longer pending; nothing changed."))
    return redirect("partners:invitation_list")


@login_required
@require_POST
def invitation_resend(request, pk: int):
    invitation = get_object_or_404(rules.visible_invitations(request.user), pk=pk)
    if services.resend_invitation(actor=request.user, invitation=invitation):
        messages.success(
            request,
            _("The invitation to %(email)s is being sent again.") % {"email": invitation.email},
        )
    else:
        messages.info(request, _("This invitation was no longer pending; nothing was sent."))
    return redirect("partners:invitation_list")


def invitation_accept(request, token: str):
    invitation = invitation_from_token(token)
    if invitation is None:
        return render(
            request, "partners/invitation_unavailable.html", {"reason": "invalid"}, status=404
        )
    if invitation.status != "pending":
        return render(
            request,
            "partners/invitation_unavailable.html",
            {"reason": invitation.status, "invitation": invitation},
            status=410,
        )
    if request.user.is_authenticated:
        return render(
            request, "partners/invitation_unavailable.html", {"reason": "logged_in"}, status=409
        )
    if not rules.role_allowed_at(invitation.role, invitation.organisation):
        # Made before the rule, or the lead applicant changed since: the service refuses it too.
        return render(
            request,
            "partners/invitation_unavailable.html",
            {"reason": "role_not_allowed", "invitation": invitation},
            status=403,
        )
    form = AcceptInvitationForm(
        request.POST or None, email=invitation.email, initial={"name": invitation.name}
    )
    if request.method == "POST" and form.is_valid():
        try:
            user = services.accept_invitation(
                invitation=invitation,
                name=form.cleaned_data["name"],
                password=form.cleaned_data["password1"],
            )
        except services.InvitationUnavailable as unavailable:
            return render(
                request,
                "partners/invitation_unavailable.html",
                {"reason": unavailable.invitation.status, "invitation": invitation},
                status=410,
            )
        except ValidationError as error:
            form.add_error(None, error)
        else:
            login(request, user, backend="partners.backends.AuthenticationBackend")
            messages.success(request, _("Welcome to civbio, %(name)s.") % {"name": user.name})
            return redirect("dashboard")
    return render(
        request, "partners/invitation_accept.html", {"form": form, "invitation": invitation}
    )


def organisation_logo(request, slug: str):
    """Serve a partner's logo. Uploads are never served from a public media directory; a logo is
    shown inline (in an <img>), as the image type its content is, or not at all."""
    organisation = get_object_or_404(Organisation.objects.exclude(logo=""), slug=slug)
    response = uploads.stored_response(
        organisation.logo,
        allowed={uploads.Family.IMAGE},
        as_attachment=False,
        stem=organisation.slug,
    )
    response["Cache-Control"] = "public, max-age=3600"
    return response


@login_required
def organisation_edit(request, slug: str):
    organisation = get_object_or_404(rules.visible_organisations(request.user), slug=slug)
    if not rules.can_edit_organisation(request.user, organisation):
        raise PermissionDenied
    form = OrganisationProfileForm(
        request.POST or None, request.FILES or None, instance=organisation
    )
    if request.method == "POST" and form.is_valid():
        changes = {field: form.cleaned_data[field] for field in form.Meta.fields}
        try:
            services.update_organisation_profile(
                actor=request.user,
                organisation=organisation,
                changes=changes,
                version=form.cleaned_data["version"],
            )
        except services.EditConflict:
            form.add_error(
                None,
                _(
                    "Someone else saved this profile while you were editing it. Your changes "
                    "are still in the form: check them against the page and save again."
                ),
            )
            form.data = form.data.copy()
            form.data["version"] = Organisation.objects.get(
                pk=organisation.pk
            ).updated_at.isoformat()
        else:
            messages.success(
                request, _("The profile of %(name)s was saved.") % {"name": organisation.name}
            )
            return redirect(organisation)
    return render(
        request, "partners/organisation_form.html", {"form": form, "organisation": organisation}
    )
