"""Numbers typed and shown as each language writes them (civbio/numbers.py)."""

import importlib
import inspect
import re
from decimal import Decimal
from pathlib import Path

import pytest
from django import forms
from django.conf import settings
from django.contrib import admin
from django.core.exceptions import ValidationError
from django.db import models
from django.test import RequestFactory
from django.urls import reverse
from django.utils import translation

from civbio import numbers
from ledger.models import Contribution
from partners.models import Role
from programmes.models import Indicator, IndicatorValue, Project
from tests.browser import submit
from tests.conftest import days
from tests.factories import UserFactory

APPS = ("activities", "partners", "programmes", "reports", "civbio")


@pytest.fixture
def grade():
    return numbers.DecimalField(max_digits=3, decimal_places=1, required=False)


@pytest.mark.parametrize("language", ["nl", "en"])
@pytest.mark.parametrize("typed", ["7,5", "7.5", " 7,5 ", "7,50"])
def test_a_grade_is_read_with_either_separator_in_either_language(grade, language, typed):
    with translation.override(language):
        assert grade.clean(typed) == Decimal("7.5")


@pytest.mark.parametrize(
    ("language", "typed", "value"),
    [
        ("nl", "1.500", "1500"),  # a Dutch thousands separator
        ("en", "1,500", "1500"),  # an English one
        ("nl", "1,5", "1.5"),
        ("en", "1.5", "1.5"),
        ("nl", "1.250,50", "1250.50"),
        ("en", "1.250,50", "1250.50"),
        ("nl", "1,250.50", "1250.50"),
        ("en", "10,000,000", "10000000"),
        ("nl", "0,125", "0.125"),  # a leading zero groups nothing
        ("nl", ",5", "0.5"),
        ("nl", "-2,5", "-2.5"),
        ("nl", "12", "12"),
    ],
)
def test_thousands_are_read_where_they_cannot_be_mistaken(language, typed, value):
    field = numbers.DecimalField()
    with translation.override(language):
        assert field.clean(typed) == Decimal(value)


@pytest.mark.parametrize(
    ("language", "typed"), [("nl", "1,500"), ("en", "1.500"), ("nl", "-2,250"), ("en", "12.000")]
)
def test_thousands_written_the_other_languages_way_are_refused_not_guessed(language, typed):
    """ "1,500" on a Dutch page is fifteen hundred to an English reader and one and a half to a
    Dutch one: asked again, never read a thousand times too small."""
    field = numbers.DecimalField(decimal_places=2)
    with translation.override(language), pytest.raises(ValidationError) as refused:
        field.clean(typed)
    assert refused.value.code == "ambiguous"
    with translation.override("nl"), pytest.raises(ValidationError) as dutch:
        field.clean("1,500")
    assert "zonder scheidingsteken voor duizendtallen" in dutch.value.messages[0]


@pytest.mark.parametrize("typed", ["abc", "7,5,5", "1.2.3", "1.000.5", "7 5", "1,00.000,5"])
def test_what_is_no_number_either_way_is_refused_in_the_persons_language(typed):
    field = numbers.DecimalField()
    with translation.override("nl"), pytest.raises(ValidationError) as refused:
        field.clean(typed)
    assert refused.value.messages == ["Voer een getal in."]


def test_a_value_is_shown_as_the_pages_language_writes_it(grade):
    with translation.override("nl"):
        dutch = grade.widget.render("grade", Decimal("6.8"))
    with translation.override("en"):
        english = grade.widget.render("grade", Decimal("6.8"))
    assert 'value="6,8"' in dutch
    assert 'value="6.8"' in english
    # A number input cannot show a comma; phones still show the digits and a separator.
    assert 'type="text"' in dutch
    assert 'inputmode="decimal"' in dutch


def test_what_was_typed_comes_back_as_typed_when_the_form_is_shown_again():
    class Form(forms.Form):
        hours = numbers.DecimalField(max_digits=4, decimal_places=1, max_value=24)

    with translation.override("nl"):
        form = Form({"hours": "30,5"})
        assert not form.is_valid()
        assert 'value="30,5"' in str(form["hours"])


def _project_form_classes():
    for app in APPS:
        for path in (settings.BASE_DIR / app).glob("*.py"):
            if path.stem in ("forms", "views", "admin", "filters") or path.stem.endswith("_views"):
                importlib.import_module(f"{app}.{path.stem}")
    found, todo = set(), [forms.BaseForm]
    while todo:
        for sub in todo.pop().__subclasses__():
            todo.append(sub)
            if sub.__module__.split(".")[0] in APPS:
                found.add(sub)
    return sorted(found, key=lambda cls: f"{cls.__module__}.{cls.__qualname__}")


def test_every_number_with_decimals_a_person_types_is_read_as_their_language_writes_it():
    """A form field of Django's own DecimalField or FloatField refuses 7,5 on an English page
    (and 7.5 on a Dutch one shows as 7.5): the project's forms use civbio.numbers."""
    wrong = [
        f"{cls.__module__}.{cls.__qualname__}.{name}"
        for cls in _project_form_classes()
        for name, field in cls.base_fields.items()
        if isinstance(field, forms.DecimalField | forms.FloatField)
        and not isinstance(field, numbers.DecimalField)
    ]
    assert wrong == []
    # Fields made in a form's __init__ are not in base_fields: none is made from Django's own.
    made = re.compile(r"\bforms\.(DecimalField|FloatField)\(")
    sources = [
        path
        for app in APPS
        for path in (settings.BASE_DIR / app).rglob("*.py")
        if "migrations" not in path.parts and path != Path(inspect.getfile(numbers))
    ]
    assert [str(p) for p in sources if made.search(p.read_text())] == []


class _Coordinator:
    is_active = True

    def has_perm(self, perm, obj=None) -> bool:
        return True


def test_the_admins_decimal_fields_are_typed_as_the_persons_language_writes_them():
    request = RequestFactory().get("/")
    request.user = _Coordinator()
    wrong = []
    for model, model_admin in admin.site._registry.items():
        if model._meta.app_label not in APPS:
            continue
        admins = [model_admin, *(inline(model, admin.site) for inline in model_admin.inlines)]
        for each in admins:
            if not each.has_change_permission(request):
                continue  # read only: nothing is typed
            for field in each.model._meta.get_fields():
                if isinstance(field, models.DecimalField):
                    formfield = each.formfield_for_dbfield(field, request)
                    if not isinstance(formfield, numbers.DecimalField):
                        wrong.append(f"{type(each).__name__}.{field.name}")
    assert wrong == []


@pytest.fixture
def running_project(consortium):
    project = Project.objects.get()
    project.start_date, project.end_date = days(-400), days(1060)
    project.save()
    return project


@pytest.mark.django_db
def test_a_kpi_figure_typed_with_a_comma_is_saved(client, running_project, dirk):
    line = running_project.lines.get(number=3)
    inflow = Indicator.objects.create(
        project=running_project,
        programme_line=line,
        name="Instroom",
        unit="x",
        source="reported",
        target_2y=100,
        target_4y=200,
    )
    client.force_login(dirk)

    response = submit(
        client,
        reverse("reports:kpis_line", args=[3]),
        {"indicator": inflow.pk, "value": "12,5"},
        button="Versturen",
    )

    assert response.status_code == 302
    assert IndicatorValue.objects.get().value == Decimal("12.5")


@pytest.mark.django_db
def test_hours_typed_with_a_comma_are_logged_and_shown_with_one(client, running_project, company):
    host = UserFactory(organisation=company, role=Role.INDUSTRY_STAFF)
    client.force_login(host)
    url = reverse("ledger:my_contributions")

    response = submit(
        client,
        url,
        {
            "programme_line": running_project.lines.get(number=1).pk,
            "kind": "staff_hours",
            "hours": "3,5",
            "date": running_project.start_date.isoformat(),
            "description": "Practicum voorbereid",
        },
        button="Registreren",
    )

    assert response.status_code == 302
    assert Contribution.objects.get().hours == Decimal("3.5")
    assert "3,5 u" in client.get(url).text
