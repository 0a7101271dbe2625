"""Signing in, choosing a company, the platform pages, the low-stock list."""

from decimal import Decimal

import pytest
from django.contrib import admin
from django.test import Client

from catalog.models import Product
from config.backoffice.tenancy import SESSION_KEY
from inventory.services import StockLine, stock_receive
from tests.factories import PASSWORD, MembershipFactory, UserFactory

from .conftest import admin_url, backoffice_client

pytestmark = pytest.mark.django_db


def sign_in(email, password=PASSWORD):
    client = Client()
    response = client.post("/admin/login/?next=/admin/", {"username": email, "password": password})
    return client, response


def test_a_manager_signs_in_with_email_and_password(tenant):
    manager = tenant.member("manager")
    client, response = sign_in(manager.user.email.upper())
    assert response.status_code == 302
    assert client.get("/admin/").status_code == 200


@pytest.mark.parametrize("role", ["cashier", "stock_clerk"])
def test_members_without_backoffice_access_cant_sign_in(tenant, role):
    client, response = sign_in(tenant.member(role).user.email)
    assert response.status_code == 200
    assert "back-office access" in response.content.decode()
    assert client.get("/admin/").status_code == 302


def test_existing_companies_get_the_code_from_sync(tenant):
    from django.core.management import call_command

    manager = tenant.role("manager")
    manager.permissions.remove(manager.permissions.get(codename="access_backoffice"))
    manager.seeded_permissions.remove(manager.seeded_permissions.get(codename="access_backoffice"))
    call_command("sync_system_roles")
    assert manager.permissions.filter(codename="access_backoffice").exists()
    assert not tenant.role("cashier").permissions.filter(codename="access_backoffice").exists()


def test_an_inactive_membership_gives_no_access(tenant):
    manager = tenant.member("manager")
    manager.is_active = False
    manager.save()
    assert sign_in(manager.user.email)[1].status_code == 200


@pytest.fixture
def two_company_manager(tenant, other_tenant):
    manager = tenant.member("manager")
    MembershipFactory(
        user=manager.user, company=other_tenant.company, roles=[other_tenant.role("manager")]
    )
    return manager.user


def test_the_switcher_keeps_the_chosen_company(tenant, other_tenant, two_company_manager):
    Product.objects.create(company=tenant.company, sku="A1", name="Only in A", price=1)
    Product.objects.create(company=other_tenant.company, sku="B1", name="Only in B", price=1)
    client = Client()
    client.force_login(two_company_manager)
    changelist = admin_url(admin.site._registry[Product], "changelist")
    first = client.get(changelist).content.decode()  # the first by name: Tienda Dos, B
    assert "Only in B" in first and "Only in A" not in first
    assert 'id="company-switcher"' in first
    response = client.post("/admin/company/", {"company": tenant.company.pk})
    assert response.status_code == 302
    assert client.session[SESSION_KEY] == tenant.company.pk
    second = client.get(changelist).content.decode()
    assert "Only in A" in second and "Only in B" not in second


def test_a_company_without_backoffice_access_cant_be_chosen(tenant, other_tenant):
    manager = tenant.member("manager")
    MembershipFactory(
        user=manager.user, company=other_tenant.company, roles=[other_tenant.role("cashier")]
    )
    client = backoffice_client(manager)
    client.post("/admin/company/", {"company": other_tenant.company.pk})
    assert client.session[SESSION_KEY] == tenant.company.pk
    assert client.get("/admin/company/").status_code == 405


def test_a_superuser_sees_every_company_until_choosing_one(tenant, other_tenant):
    Product.objects.create(company=tenant.company, sku="A1", name="Only in A", price=1)
    Product.objects.create(company=other_tenant.company, sku="B1", name="Only in B", price=1)
    client = Client()
    client.force_login(UserFactory(is_superuser=True))
    changelist = admin_url(admin.site._registry[Product], "changelist")
    everything = client.get(changelist).content.decode()
    assert "Only in A" in everything and "Only in B" in everything
    assert client.get(admin_url(admin.site._registry[Product], "add")).status_code == 403
    client.post("/admin/company/", {"company": other_tenant.company.pk})
    chosen = client.get(changelist).content.decode()
    assert "Only in B" in chosen and "Only in A" not in chosen
    assert client.get(admin_url(admin.site._registry[Product], "add")).status_code == 200


def test_platform_pages_are_for_superusers_only(tenant):
    client = backoffice_client(tenant.admin)
    for url in (
        "/admin/accounts/user/",
        "/admin/companies/company/",
        "/admin/config/idempotencykey/",
    ):
        assert client.get(url).status_code == 403, url


def test_the_low_stock_list(tenant):
    low = Product.objects.create(company=tenant.company, sku="L1", name="Low one", price=1)
    plenty = Product.objects.create(company=tenant.company, sku="P1", name="Plenty", price=1)
    stock_receive(
        actor=tenant.admin,
        location=tenant.location,
        lines=[
            StockLine(product=low, quantity=Decimal(2), unit_cost=Decimal(1)),
            StockLine(product=plenty, quantity=Decimal(50), unit_cost=Decimal(1)),
        ],
    )
    response = backoffice_client(tenant.member("manager")).get(
        "/admin/inventory/stocklevel/?low=yes"
    )
    assert [level.product for level in response.context["cl"].result_list] == [low]
