"""Signing in, choosing a company, and the dashboard."""

import datetime as dt
import zoneinfo
from decimal import Decimal

import pytest
from django.contrib import admin
from django.test import Client

from accounts.permissions import ACCESS_BACKOFFICE
from analytics.selectors import dashboard
from catalog.models import Product
from config.backoffice.tenancy import SESSION_KEY
from inventory.services import StockLine, stock_receive
from sales.models import Sale
from sales.services import PaymentRequest, SaleLineRequest, sale_complete, shift_open
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


def coffee_in_stock(tenant, *, price):
    product = Product.objects.create(company=tenant.company, sku="C1", name="Coffee", price=price)
    stock_receive(
        actor=tenant.admin,
        location=tenant.location,
        lines=[StockLine(product=product, quantity=Decimal(10), unit_cost=Decimal(5))],
    )
    return product


def sell(tenant, product, quantity):
    shift = shift_open(actor=tenant.admin, register=tenant.register, opening_cash=Decimal(0))
    sale_complete(
        actor=tenant.admin,
        register=tenant.register,
        lines=[SaleLineRequest(product_id=product.pk, quantity=Decimal(quantity))],
        payments=[PaymentRequest(method="cash", amount=Decimal(1000))],
    )
    return shift


def test_the_dashboard_shows_todays_sales_and_top_products(tenant):
    product = coffee_in_stock(tenant, price=25)
    sell(tenant, product, 2)
    response = backoffice_client(tenant.member("manager")).get("/admin/dashboard/")
    assert response.status_code == 200
    figures = response.context["figures"]
    assert figures["today"]["net_total"] == Decimal("50.00")
    assert figures["week"]["net_total"] == Decimal("50.00")
    assert len(figures["daily"]) == 30
    assert [row["label"] for row in figures["top_products"]] == ["Coffee"]
    body = response.content.decode()
    assert '<svg id="daily-sales-chart"' in body and "<script" not in body.split("content-main")[1]
    assert max(bar["height"] for bar in response.context["bars"]) > 0


def test_the_dashboard_needs_the_reports_permission(tenant):
    member = tenant.member(codes=[ACCESS_BACKOFFICE])
    assert backoffice_client(member).get("/admin/dashboard/").status_code == 403


def test_a_superuser_is_asked_to_choose_a_company_for_the_dashboard(db):
    client = Client()
    client.force_login(UserFactory(is_superuser=True))
    response = client.get("/admin/dashboard/")
    assert response.status_code == 200
    assert response.context["choose_company"]


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


def test_the_dashboards_week_starts_on_monday_in_the_companys_time_zone(tenant):
    product = coffee_in_stock(tenant, price=10)
    shift = sell(tenant, product, 1)
    sale_complete(
        actor=tenant.admin,
        register=tenant.register,
        lines=[SaleLineRequest(product_id=product.pk, quantity=Decimal(2))],
        payments=[PaymentRequest(method="cash", amount=Decimal(100))],
    )
    sunday_night, monday_morning = Sale.objects.filter(shift=shift).order_by("pk")
    local = zoneinfo.ZoneInfo(tenant.company.timezone)
    # Sunday 23:30 in Mexico City is already Monday in UTC; it is last week's.
    Sale.objects.filter(pk=sunday_night.pk).update(
        created_at=dt.datetime(2026, 11, 29, 23, 30, tzinfo=local)
    )
    Sale.objects.filter(pk=monday_morning.pk).update(
        created_at=dt.datetime(2026, 11, 30, 0, 30, tzinfo=local)
    )
    figures = dashboard(company=tenant.company, today=dt.date(2026, 12, 2))
    assert figures["week"] == {
        "from": dt.date(2026, 11, 30),
        "sales_count": 1,
        "net_total": Decimal("20.00"),
    }
    assert figures["today"]["sales_count"] == 0
    assert sum(row["sales_count"] for row in figures["daily"]) == 2
