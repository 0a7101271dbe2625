import factory
from django.contrib.auth.models import Permission

from accounts.models import AuditEvent, Membership, Role, User
from companies.models import Company, CompanySettings, Location, Register


class CompanyFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Company

    name = factory.Sequence(lambda n: f"Company {n}")
    currency = "MXN"
    timezone = "America/Mexico_City"
    settings = factory.RelatedFactory("tests.factories.CompanySettingsFactory", "company")


class CompanySettingsFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = CompanySettings

    company = factory.SubFactory(CompanyFactory, settings=None)


class LocationFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Location

    company = factory.SubFactory(CompanyFactory)
    name = factory.Sequence(lambda n: f"Location {n}")


class RegisterFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Register

    company = factory.SubFactory(CompanyFactory)
    location = factory.SubFactory(LocationFactory, company=factory.SelfAttribute("..company"))
    name = factory.Sequence(lambda n: f"Register {n}")
    receipt_prefix = factory.Sequence(lambda n: f"T{n}")


PASSWORD = "correct horse battery"


class UserFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = User

    email = factory.Sequence(lambda n: f"user{n}@example.com")
    full_name = factory.Faker("name")
    password = factory.django.Password(PASSWORD)


class RoleFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Role
        skip_postgeneration_save = True

    company = factory.SubFactory(CompanyFactory)
    name = factory.Sequence(lambda n: f"role {n}")

    @factory.post_generation
    def codes(obj, create, extracted, **kwargs):
        """`codes=["app.codename", ...]` grants those permissions."""
        for code in extracted or ():
            app_label, codename = code.split(".")
            obj.permissions.add(
                Permission.objects.get(content_type__app_label=app_label, codename=codename)
            )


class MembershipFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Membership
        skip_postgeneration_save = True

    user = factory.SubFactory(UserFactory)
    company = factory.SubFactory(CompanyFactory)

    @factory.post_generation
    def roles(obj, create, extracted, **kwargs):
        if extracted:
            obj.roles.set(extracted)


class AuditEventFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = AuditEvent

    company = factory.SubFactory(CompanyFactory)
    action = "test.event"
    object_type = "companies.company"
    object_id = factory.SelfAttribute("company.pk")
