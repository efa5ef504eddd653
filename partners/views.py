import copy

from django.conf import settings
from django.contrib import messages
from django.contrib.auth import login
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied, ValidationError
from django.shortcuts import get_object_or_404, redirect, render
from django.urls import reverse, translate_url
from django.utils import formats, translation
from django.utils.translation import gettext as _
from django.utils.translation import ngettext
from django.views.decorators.http import require_POST

from civbio import rules, uploads
from civbio.confirmation import confirmation_page, confirmed
from civbio.forms import add_service_error
from partners import account as account_sections
from partners import audit, selectors, services
from partners.filters import OrganisationFilter
from partners.forms import (
    AcceptInvitationForm,
    AccountForm,
    CategoryForm,
    InvitationForm,
    LeaveForm,
    OrganisationAddForm,
    OrganisationProfileForm,
    TakeBackDepartureForm,
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
            "can_add": rules.can_manage_partners(request.user),
        },
    )


@login_required
def organisation_detail(request, slug: str):
    organisation = get_object_or_404(rules.visible_organisations(request.user), slug=slug)
    context = selectors.organisation_page(request.user, organisation)
    context["history"] = audit.history_for(request.user, organisation)
    if rules.can_manage_partners(request.user):
        can_leave = (
            organisation.active_until is None
            and organisation.pk != request.user.organisation_id
            and rules.may_leave(organisation)
        )
        context["manage"] = {
            "leave_form": LeaveForm() if can_leave else None,
            "category_form": CategoryForm(initial={"category": organisation.cofinancing_category}),
        }
    return render(request, "partners/organisation_detail.html", context)


# The project office runs the consortium: partners join, leave and change category.
manager_required = rules.role_required(rules.can_manage_partners)

# The first contact's fields on the add form, by the name the invitation's checks use.
CONTACT_ERRORS = {"email": "contact_email", "role": "contact_role", "name": "contact_name"}


@manager_required
def organisation_add(request):
    form = OrganisationAddForm(request.POST or None, request.FILES or None)
    if request.method == "POST" and form.is_valid():
        fields = {name: form.cleaned_data[name] for name in form.Meta.fields}
        try:
            organisation, invitation = services.add_organisation(
                actor=request.user,
                **{**fields, "logo": fields["logo"] or None},
                first_contact=form.first_contact(),
            )
        except ValidationError as error:
            add_service_error(form, error, CONTACT_ERRORS)
        else:
            if invitation:
                messages.success(
                    request,
                    _(
                        "%(name)s was added to the consortium. An invitation is on its way to "
                        "%(email)s."
                    )
                    % {"name": organisation.name, "email": invitation.email},
                )
            else:
                messages.success(
                    request,
                    _("%(name)s was added to the consortium.") % {"name": organisation.name},
                )
            return redirect(organisation)
    return render(
        request,
        "partners/organisation_add.html",
        {"form": form, "valid_days": settings.INVITATION_VALID_DAYS},
    )


def _short(day) -> str:
    return formats.date_format(day, "SHORT_DATE_FORMAT")


@manager_required
def organisation_leave(request, slug: str):
    """The partner page's form sends the last day and the reason here; this page says what
    happens and asks for confirmation, and only its own button marks the partner as left."""
    organisation = get_object_or_404(rules.visible_organisations(request.user), slug=slug)
    if organisation.active_until is not None:
        messages.info(
            request,
            _("%(name)s is already marked as a partner until %(day)s.")
            % {"name": organisation.name, "day": _short(organisation.active_until)},
        )
        return redirect(organisation)
    form = LeaveForm(request.POST if request.method == "POST" else None)
    if confirmed(request) and form.is_valid():
        try:
            services.mark_organisation_left(
                actor=request.user,
                organisation=organisation,
                last_day=form.cleaned_data["last_day"],
                reason=form.cleaned_data["reason"],
            )
        except ValidationError as error:
            form.add_error(None, error)
        else:
            messages.success(
                request,
                _("%(name)s is a partner until %(day)s; its history stays.")
                % {"name": organisation.name, "day": _short(form.cleaned_data["last_day"])},
            )
            return redirect(organisation)
    elif request.method == "POST" and form.is_valid():
        # Sent from the partner page: filled in, waiting for the confirmation.
        form = LeaveForm(initial=form.cleaned_data)
    people = organisation.people.active().count()
    return confirmation_page(
        request,
        heading=_("Mark %(name)s as left?") % {"name": organisation.name},
        lines=[
            _(
                "From the day after its last day, %(name)s shows as a former partner on the "
                "partners list and its page, and the project page and the public start page no "
                "longer count it."
            )
            % {"name": organisation.name},
            ngettext(
                "Its %(count)d person in civbio can no longer log in from that day.",
                "Its %(count)d people in civbio can no longer log in from that day.",
                people,
            )
            % {"count": people},
            _("Open invitations into it are withdrawn when that day has already passed."),
            _(
                "Its contributions, activities and change history stay; the funder report of "
                "that quarter names it among the partners that left."
            ),
            _("You can take this back on its page."),
        ],
        action=reverse("partners:organisation_leave", args=[organisation.slug]),
        confirm_label=_("Yes, mark as left"),
        back=organisation.get_absolute_url(),
        back_label=_("No, keep it as a partner"),
        form=form,
    )


@manager_required
def organisation_rejoin(request, slug: str):
    """Take a recorded departure back (the way back from organisation_leave)."""
    organisation = get_object_or_404(rules.visible_organisations(request.user), slug=slug)
    if organisation.active_until is None:
        messages.info(
            request, _("%(name)s is not marked as leaving.") % {"name": organisation.name}
        )
        return redirect(organisation)
    form = TakeBackDepartureForm(request.POST if confirmed(request) else None)
    if form.is_bound and form.is_valid():
        try:
            services.take_back_departure(
                actor=request.user, organisation=organisation, reason=form.cleaned_data["reason"]
            )
        except ValidationError as error:
            form.add_error(None, error)
        else:
            messages.success(
                request,
                _("%(name)s is a partner again, without an end date.")
                % {"name": organisation.name},
            )
            return redirect(organisation)
    return confirmation_page(
        request,
        heading=_("Take back the departure of %(name)s?") % {"name": organisation.name},
        lines=[
            _(
                "%(name)s is a partner again without an end date (it was a partner until "
                "%(day)s): the project page and the public start page count it again."
            )
            % {"name": organisation.name, "day": _short(organisation.active_until)},
            _("Its people can log in again."),
            _("Invitations that were withdrawn stay withdrawn: invite again where needed."),
        ],
        action=reverse("partners:organisation_rejoin", args=[organisation.slug]),
        confirm_label=_("Yes, it stays a partner"),
        back=organisation.get_absolute_url(),
        back_label=_("No, leave it as it is"),
        form=form,
        tone="primary",
    )


@manager_required
def organisation_category(request, slug: str):
    organisation = get_object_or_404(rules.visible_organisations(request.user), slug=slug)
    form = CategoryForm(
        request.POST or None, initial={"category": organisation.cofinancing_category}
    )
    if request.method == "POST" and form.is_valid():
        try:
            changed = services.change_cofinancing_category(
                actor=request.user,
                organisation=organisation,
                category=form.cleaned_data["category"],
                reason=form.cleaned_data["reason"],
            )
        except ValidationError as error:
            form.add_error(None, error)
        else:
            messages.success(
                request,
                _("The co-financing of %(name)s now counts as: %(category)s.")
                % {"name": changed.name, "category": changed.get_cofinancing_category_display()},
            )
            return redirect(organisation)
    return render(
        request,
        "partners/organisation_category.html",
        {"category_form": form, "organisation": organisation},
    )


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
