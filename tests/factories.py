import factory
from allauth.account.models import EmailAddress
from django.utils import timezone

from partners.models import Invitation, Organisation, OrganisationKind, Role, User
from programmes.models import ProgrammeLine

PASSWORD = "correct-horse-battery-staple"


class OrganisationFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Organisation

    name = factory.Sequence(lambda n: f"Organisatie {n}")
    short_name = factory.LazyAttribute(lambda o: o.name[:20])
    slug = factory.Sequence(lambda n: f"organisatie-{n}")
    kind = OrganisationKind.WORK_FIELD
    city = "Leiden"


class SchoolFactory(OrganisationFactory):
    kind = OrganisationKind.EDUCATION
    cofinancing_category = "other"


class CompanyFactory(OrganisationFactory):
    kind = OrganisationKind.WORK_FIELD
    cofinancing_category = "employer"


class GovernmentFactory(OrganisationFactory):
    kind = OrganisationKind.GOVERNMENT


class UserFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = User
        skip_postgeneration_save = True

    email = factory.Sequence(lambda n: f"person{n}@example.nl")
    name = factory.Sequence(lambda n: f"Persoon {n}")
    organisation = factory.SubFactory(CompanyFactory)
    role = Role.INDUSTRY_STAFF

    @factory.post_generation
    def password(obj, create, extracted, **kwargs):
        obj.set_password(extracted or PASSWORD)
        if create:
            obj.save(update_fields=["password"])
            EmailAddress.objects.create(user=obj, email=obj.email, verified=True, primary=True)


class InvitationFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Invitation

    email = factory.Sequence(lambda n: f"invitee{n}@example.nl")
    organisation = factory.SubFactory(CompanyFactory)
    role = Role.INDUSTRY_STAFF
    expires_at = factory.LazyFunction(lambda: timezone.now() + timezone.timedelta(days=14))


class QualificationFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = "students.Qualification"
        django_get_or_create = ("crebo",)

    crebo = factory.Sequence(lambda n: f"{25000 + n:05d}")
    name = factory.Sequence(lambda n: f"Laborant {n}")
    level = 3


class StudentFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = "students.Student"

    school = factory.SubFactory(SchoolFactory)
    student_number = factory.Sequence(lambda n: f"S{n:06d}")
    display_name = factory.Sequence(lambda n: f"Student {n}")
    qualification = factory.SubFactory(QualificationFactory)
    level = 3
    route = "bol"
    cohort = 2025


class ModuleFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = "students.Module"
        skip_postgeneration_save = True

    code = factory.Sequence(lambda n: f"MM-{n}")
    title = factory.Sequence(lambda n: f"Module {n}")
    programme_line = factory.LazyFunction(lambda: ProgrammeLine.objects.get(number=1))
    level = 3
    study_load_hours = 40

    @factory.post_generation
    def units(obj, create, extracted, **kwargs):
        if create:
            for position, hours in enumerate(extracted or (10, 20, 10), start=1):
                obj.units.create(position=position, title=f"Unit {position}", hours=hours)
