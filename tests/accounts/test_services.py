"""System roles sync (accounts/services.py, the management command) and the RBAC backend."""

import io

import pytest
from django.contrib.auth.models import Permission
from django.core.management import call_command

from accounts import services
from accounts.backends import MembershipBackend
from accounts.models import Membership, Role, User
from accounts.roles import (
    ADMIN,
    CASHIER,
    MANAGER,
    STOCK_CLERK,
    SYSTEM_ROLES,
    default_grants,
    role_app_labels,
)
from accounts.selectors import holdable_permissions, permission_code
from accounts.services import system_roles_sync
from companies.models import Company, CompanySettings
from tests.factories import MembershipFactory, RoleFactory, UserFactory

VIEW_LOCATION = "companies.view_location"
VIEW_REGISTER = "companies.view_register"
VIEW_AUDITEVENT = "accounts.view_auditevent"


def all_codes() -> set[str]:
    return {permission_code(p) for p in holdable_permissions()}


def codes(role: Role) -> set[str]:
    return {permission_code(p) for p in role.permissions.select_related("content_type")}


def permission(code: str) -> Permission:
    app_label, codename = code.split(".")
    return Permission.objects.get(content_type__app_label=app_label, codename=codename)


def role(company, name) -> Role:
    return Role.objects.get(company=company, name=name)


def snapshot(company) -> dict:
    return {
        r.name: (
            r.pk,
            r.is_system,
            sorted(r.permissions.values_list("pk", flat=True)),
            sorted(r.seeded_permissions.values_list("pk", flat=True)),
        )
        for r in Role.objects.filter(company=company)
    }


def bare_company() -> Company:
    """A bare company with settings and no roles (tests.factories' one warns on every use)."""
    company = Company.objects.create(
        name=f"Company {Company.objects.count() + 1}",
        currency="MXN",
        timezone="America/Mexico_City",
    )
    CompanySettings.objects.create(company=company)
    return company


# --- system_roles_sync -------------------------------------------------------------------------


@pytest.mark.django_db
def test_sync_creates_the_four_system_roles():
    company = bare_company()
    assert not Role.objects.filter(company=company).exists()
    roles = system_roles_sync(company=company)
    assert [r.name for r in roles] == list(SYSTEM_ROLES)
    assert set(Role.objects.filter(company=company).values_list("name", "is_system")) == {
        (ADMIN, True),
        (MANAGER, True),
        (CASHIER, True),
        (STOCK_CLERK, True),
    }
    grants = default_grants()
    for name in (MANAGER, CASHIER, STOCK_CLERK):
        assert codes(role(company, name)) == grants[name], name
        assert grants[name], f"{name} should be granted some default codes"


@pytest.mark.django_db
def test_sync_touches_only_the_given_company():
    company, other = bare_company(), bare_company()
    system_roles_sync(company=company)
    assert not Role.objects.filter(company=other).exists()


@pytest.mark.django_db
def test_sync_twice_changes_nothing():
    company = bare_company()
    system_roles_sync(company=company)
    before = snapshot(company)
    again = system_roles_sync(company=company)
    assert snapshot(company) == before
    assert {r.name: r.pk for r in again} == {name: v[0] for name, v in before.items()}
    assert Role.objects.filter(company=company).count() == 4


@pytest.mark.django_db
def test_sync_keeps_custom_roles_untouched():
    company = bare_company()
    system_roles_sync(company=company)
    custom = RoleFactory(company=company, name="Supervisors", codes=[VIEW_REGISTER])
    system_roles_sync(company=company)
    custom.refresh_from_db()
    assert not custom.is_system
    assert codes(custom) == {VIEW_REGISTER}


@pytest.mark.django_db
def test_admin_holds_every_holdable_permission():
    company = bare_company()
    system_roles_sync(company=company)
    admin = role(company, ADMIN)
    assert codes(admin) == all_codes()
    assert {"accounts.change_role", "companies.change_companysettings"} <= codes(admin)
    # only codes a role may hold: nothing of Django's own apps
    assert {c.split(".")[0] for c in codes(admin)} == set(role_app_labels())
    assert not {"auth", "admin", "contenttypes", "sessions", "knox"} & set(role_app_labels())


@pytest.mark.django_db
def test_admin_gets_back_every_code_on_resync():
    company = bare_company()
    system_roles_sync(company=company)
    admin = role(company, ADMIN)
    admin.permissions.remove(permission("accounts.change_role"), permission(VIEW_LOCATION))
    system_roles_sync(company=company)
    assert codes(admin) == all_codes()


@pytest.mark.django_db
def test_a_default_code_an_admin_removed_stays_removed():
    company = bare_company()
    system_roles_sync(company=company)
    cashier = role(company, CASHIER)
    assert VIEW_LOCATION in codes(cashier)
    cashier.permissions.remove(permission(VIEW_LOCATION))
    system_roles_sync(company=company)
    assert VIEW_LOCATION not in codes(cashier)
    assert codes(cashier) == default_grants()[CASHIER] - {VIEW_LOCATION}


@pytest.mark.django_db
def test_a_code_an_admin_added_stays_added():
    company = bare_company()
    system_roles_sync(company=company)
    cashier = role(company, CASHIER)
    cashier.permissions.add(permission("accounts.view_role"))
    system_roles_sync(company=company)
    assert "accounts.view_role" in codes(cashier)


@pytest.mark.django_db
def test_a_newly_introduced_default_code_is_added_on_resync(monkeypatch):
    company = bare_company()
    system_roles_sync(company=company)
    cashier = role(company, CASHIER)
    cashier.permissions.remove(permission(VIEW_LOCATION))  # an admin's edit
    assert VIEW_AUDITEVENT not in codes(cashier)

    original = default_grants

    def grants_with_a_new_code():
        grants = original()
        grants[CASHIER] = grants[CASHIER] | {VIEW_AUDITEVENT}
        return grants

    monkeypatch.setattr(services, "default_grants", grants_with_a_new_code)
    system_roles_sync(company=company)
    assert VIEW_AUDITEVENT in codes(cashier)
    assert VIEW_LOCATION not in codes(cashier)  # the admin's removal still holds
    assert VIEW_AUDITEVENT not in codes(role(company, STOCK_CLERK))
    # and once granted it is seeded: removing it survives the next sync
    cashier.permissions.remove(permission(VIEW_AUDITEVENT))
    system_roles_sync(company=company)
    assert VIEW_AUDITEVENT not in codes(cashier)


@pytest.mark.django_db
def test_sync_command_syncs_every_company():
    first, second = bare_company(), bare_company()
    system_roles_sync(company=first)
    cashier = role(first, CASHIER)
    cashier.permissions.remove(permission(VIEW_LOCATION))
    before = snapshot(first)
    out = io.StringIO()
    call_command("sync_system_roles", stdout=out)
    assert "system roles synced for 2 companies" in out.getvalue()
    assert snapshot(first) == before
    assert set(Role.objects.filter(company=second).values_list("name", flat=True)) == set(
        SYSTEM_ROLES
    )
    assert codes(role(second, ADMIN)) == all_codes()


@pytest.mark.django_db
def test_sync_command_for_one_company():
    first, second = bare_company(), bare_company()
    out = io.StringIO()
    call_command("sync_system_roles", "--company", str(second.pk), stdout=out)
    assert "system roles synced for 1 companies" in out.getvalue()
    assert not Role.objects.filter(company=first).exists()
    assert Role.objects.filter(company=second, is_system=True).count() == 4


@pytest.mark.django_db
def test_sync_command_adds_new_default_codes(monkeypatch):
    company = bare_company()
    system_roles_sync(company=company)
    original = default_grants

    def grants_with_a_new_code():
        grants = original()
        grants[CASHIER] = grants[CASHIER] | {VIEW_AUDITEVENT}
        return grants

    monkeypatch.setattr(services, "default_grants", grants_with_a_new_code)
    call_command("sync_system_roles", stdout=io.StringIO())
    assert VIEW_AUDITEVENT in codes(role(company, CASHIER))


# --- the RBAC backend --------------------------------------------------------------------------


@pytest.fixture
def two_companies(db):
    """One user: cashier in the first company, admin in the second."""
    first, second = bare_company(), bare_company()
    system_roles_sync(company=first)
    system_roles_sync(company=second)
    user = UserFactory()
    as_cashier = MembershipFactory(user=user, company=first, roles=[role(first, CASHIER)])
    as_admin = MembershipFactory(user=user, company=second, roles=[role(second, ADMIN)])
    return user, as_cashier, as_admin


def fresh(user) -> User:
    return User.objects.get(pk=user.pk)


def test_has_perm_answers_from_the_attached_membership(two_companies):
    user, as_cashier, as_admin = two_companies

    in_first = fresh(user)
    in_first.membership = as_cashier
    assert in_first.has_perm(VIEW_LOCATION)
    assert not in_first.has_perm("accounts.view_role")
    assert not in_first.has_perms([VIEW_LOCATION, "accounts.view_role"])
    assert in_first.get_all_permissions() == default_grants()[CASHIER]

    in_second = fresh(user)
    in_second.membership = as_admin
    assert in_second.has_perm("accounts.view_role")
    assert in_second.get_all_permissions() == all_codes()


def test_has_perm_without_a_membership_is_nothing(two_companies):
    user, _, _ = two_companies
    user = fresh(user)
    assert not user.has_perm(VIEW_LOCATION)
    assert user.get_all_permissions() == set()
    user.membership = None
    assert not user.has_perm(VIEW_LOCATION)


def test_has_perm_with_an_inactive_membership_is_nothing(two_companies):
    user, _, as_admin = two_companies
    as_admin.is_active = False
    as_admin.save()
    user = fresh(user)
    user.membership = Membership.objects.get(pk=as_admin.pk)
    assert not user.has_perm("accounts.view_role")
    assert user.get_all_permissions() == set()


def test_has_perm_of_an_inactive_user_is_nothing(two_companies):
    user, _, as_admin = two_companies
    user = fresh(user)
    user.is_active = False
    user.membership = as_admin
    assert not user.has_perm("accounts.view_role")


def test_django_user_and_group_permissions_are_ignored(two_companies):
    user, as_cashier, _ = two_companies
    user.user_permissions.add(permission("accounts.view_role"))
    user = fresh(user)
    assert not user.has_perm("accounts.view_role")
    user.membership = as_cashier
    assert not user.has_perm("accounts.view_role")
    backend = MembershipBackend()
    assert backend.get_user_permissions(user) == set()
    assert backend.get_group_permissions(user) == set()


def test_object_permissions_are_not_granted(two_companies):
    user, _, as_admin = two_companies
    user = fresh(user)
    user.membership = as_admin
    assert not user.has_perm("accounts.view_role", obj=as_admin)


def test_a_role_edit_shows_in_a_newly_loaded_membership(two_companies):
    user, as_cashier, _ = two_companies
    cashier = as_cashier.roles.get()
    cashier.permissions.add(permission("accounts.view_role"))
    user = fresh(user)
    user.membership = Membership.objects.get(pk=as_cashier.pk)
    assert user.has_perm("accounts.view_role")


def test_a_superuser_member_holds_only_the_codes_of_the_attached_membership(two_companies):
    user, as_cashier, _ = two_companies
    User.objects.filter(pk=user.pk).update(is_superuser=True, is_staff=True)
    user = fresh(user)
    user.membership = as_cashier
    assert user.has_perm(VIEW_LOCATION)
    assert not user.has_perm("accounts.view_role")
