"""The project office's pages for the catalogues: qualifications, and the custom modules with their
units. Everyone else is refused before anything is read (rules.can_manage_catalogues)."""

from django.contrib import messages
from django.core.exceptions import ValidationError
from django.shortcuts import get_object_or_404, redirect, render
from django.urls import reverse
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST

from civbio import rules
from civbio.confirmation import confirmation_page, confirmed
from civbio.forms import add_service_error
from students import services
from students.forms import ModuleForm, QualificationForm, UnitForm
from students.models import Module, ModuleUnit, Qualification, UnitProgress

manager_required = rules.role_required(rules.can_manage_catalogues)


# Qualifications ---------------------------------------------------------------------------------


@manager_required
def qualification_list(request):
    qualifications = list(Qualification.objects.order_by("-is_active", "name", "level"))
    return render(request, "students/qualification_list.html", {"qualifications": qualifications})


@manager_required
def qualification_edit(request, pk: int | None = None):
    qualification = get_object_or_404(Qualification, pk=pk) if pk else None
    form = QualificationForm(request.POST or None, instance=qualification)
    if request.method == "POST" and form.is_valid():
        try:
            saved = services.save_qualification(
                actor=request.user, fields=form.cleaned_data, qualification=qualification
            )
        except ValidationError as error:
            add_service_error(form, error)
        else:
            messages.success(request, _("%(qualification)s was saved.") % {"qualification": saved})
            return redirect("students:qualification_list")
    return render(
        request,
        "students/qualification_form.html",
        {"form": form, "qualification": qualification},
    )


@manager_required
@require_POST
def qualification_retire(request, pk: int):
    """The list's button: retire a qualification, or take that back (`active=1`)."""
    qualification = get_object_or_404(Qualification, pk=pk)
    active = request.POST.get("active") == "1"
    services.set_qualification_active(
        actor=request.user, qualification=qualification, active=active
    )
    if active:
        message = _("%(qualification)s is offered again.")
    else:
        message = _(
            "%(qualification)s is retired: no longer offered for new students and modules. "
            "Those that name it keep it."
        )
    messages.success(request, message % {"qualification": qualification})
    return redirect("students:qualification_list")


# Modules and their units ------------------------------------------------------------------------


@manager_required
def module_edit(request, pk: int | None = None):
    module = (
        get_object_or_404(
            Module.objects.prefetch_related("qualifications", "partner_organisations"), pk=pk
        )
        if pk
        else None
    )
    form = ModuleForm(request.POST or None, instance=module)
    if request.method == "POST" and form.is_valid():
        fields = {name: form.cleaned_data[name] for name in services.MODULE_FIELDS}
        try:
            saved = services.save_module(
                actor=request.user,
                fields=fields,
                qualifications=form.cleaned_data["qualifications"],
                partner_organisations=form.cleaned_data["partner_organisations"],
                module=module,
            )
        except ValidationError as error:
            add_service_error(form, error)
        else:
            messages.success(request, _("The module %(module)s was saved.") % {"module": saved})
            return redirect("students:module_edit", pk=saved.pk)
    return _module_page(request, module, form, UnitForm(prefix="unit") if module else None)


def _module_page(request, module, form, unit_form, status: int = 200):
    units = list(module.units.all()) if module else []
    used = (
        set(
            UnitProgress.objects.filter(unit__module=module)
            .values_list("unit_id", flat=True)
            .distinct()
        )
        if module
        else set()
    )
    for unit in units:
        unit.has_progress = unit.pk in used
    return render(
        request,
        "students/module_form.html",
        {"form": form, "module": module, "units": units, "unit_form": unit_form},
        status=status,
    )


@manager_required
@require_POST
def unit_add(request, pk: int):
    module = get_object_or_404(
        Module.objects.prefetch_related("qualifications", "partner_organisations"), pk=pk
    )
    unit_form = UnitForm(request.POST, prefix="unit")
    if unit_form.is_valid():
        try:
            unit = services.add_unit(actor=request.user, module=module, **unit_form.cleaned_data)
        except ValidationError as error:
            add_service_error(unit_form, error)
        else:
            messages.success(request, _("The unit %(unit)s was added.") % {"unit": unit.title})
            return redirect(reverse("students:module_edit", args=[module.pk]) + "#units")
    return _module_page(request, module, ModuleForm(instance=module), unit_form, status=400)


def _unit(pk: int) -> ModuleUnit:
    return get_object_or_404(ModuleUnit.objects.select_related("module"), pk=pk)


@manager_required
def unit_edit(request, pk: int):
    unit = _unit(pk)
    form = UnitForm(request.POST or None, instance=unit)
    if request.method == "POST" and form.is_valid():
        try:
            services.save_unit(actor=request.user, unit=unit, **form.cleaned_data)
        except ValidationError as error:
            add_service_error(form, error)
        else:
            messages.success(request, _("The unit %(unit)s was saved.") % {"unit": unit.title})
            return redirect(reverse("students:module_edit", args=[unit.module_id]) + "#units")
    return render(request, "students/unit_form.html", {"form": form, "unit": unit})


@manager_required
@require_POST
def unit_move(request, pk: int):
    """The up and down buttons of the module's units."""
    unit = _unit(pk)
    services.move_unit(actor=request.user, unit=unit, up=request.POST.get("direction") != "down")
    return redirect(reverse("students:module_edit", args=[unit.module_id]) + "#units")


@manager_required
def unit_remove(request, pk: int):
    """Asks first: a unit without progress is deleted, one with progress retired."""
    unit = _unit(pk)
    back = reverse("students:module_edit", args=[unit.module_id]) + "#units"
    if unit.retired_on is not None:
        messages.info(request, _("This unit is already retired."))
        return redirect(back)
    if confirmed(request):
        retired = services.remove_unit(actor=request.user, unit=unit)
        if retired:
            message = _(
                "The unit %(unit)s is retired. Editions that had started keep it with their "
                "progress; editions starting from today leave it out."
            )
        else:
            message = _("The unit %(unit)s was removed from the module.")
        messages.success(request, message % {"unit": unit.title})
        return redirect(back)
    if UnitProgress.objects.filter(unit=unit).exists():
        lines = [
            _("Progress was recorded on this unit, so it is retired rather than deleted."),
            _("Editions that had started keep it, with their students' progress and figures."),
            _("Editions that start from today leave it out."),
        ]
    else:
        lines = [_("Nobody recorded progress on this unit: it is deleted from the module.")]
    return confirmation_page(
        request,
        heading=_("Take %(unit)s out of the module?") % {"unit": unit.title},
        lines=lines,
        action=reverse("students:unit_remove", args=[unit.pk]),
        confirm_label=_("Yes, take the unit out"),
        back=back,
        back_label=_("No, keep it"),
    )
