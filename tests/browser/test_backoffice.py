"""The back office in Chromium: sign in, switch company, find and edit a product, refusals,
another company's URL, and the dashboard (its screenshot is kept in test-artifacts/)."""

import re
from decimal import Decimal

import pytest
from playwright.sync_api import expect

from accounts.models import AuditEvent
from accounts.permissions import ACCESS_BACKOFFICE
from catalog.models import Product
from inventory.services import StockLine, stock_receive
from sales.services import PaymentRequest, SaleLineRequest, sale_complete, shift_open
from tests.conftest import Tenant
from tests.factories import PASSWORD, MembershipFactory

pytestmark = pytest.mark.browser


@pytest.fixture
def shops(transactional_db):
    """Two companies; a manager of both; a coffee in each, sold in the first."""
    uno = Tenant("Tienda Uno", "ana@example.com")
    dos = Tenant("Tienda Dos", "beto@example.com")
    manager = uno.member("manager")
    MembershipFactory(user=manager.user, company=dos.company, roles=[dos.role("manager")])
    coffee = Product.objects.create(
        company=uno.company, sku="CAF-1", name="Coffee beans", price=120
    )
    Product.objects.create(company=uno.company, sku="TEA-1", name="Green tea", price=80)
    theirs = Product.objects.create(company=dos.company, sku="CAF-9", name="Dos coffee", price=99)
    stock_receive(
        actor=uno.admin,
        location=uno.location,
        lines=[StockLine(product=coffee, quantity=Decimal(20), unit_cost=Decimal(60))],
    )
    shift_open(actor=uno.admin, register=uno.register, opening_cash=Decimal(0))
    for quantity in (1, 3):
        sale_complete(
            actor=uno.admin,
            register=uno.register,
            lines=[SaleLineRequest(product_id=coffee.pk, quantity=Decimal(quantity))],
            payments=[PaymentRequest(method="cash", amount=Decimal(500))],
        )
    return {"uno": uno, "dos": dos, "manager": manager, "coffee": coffee, "theirs": theirs}


def sign_in(page, email, password=PASSWORD):
    page.goto("/admin/login/?next=/admin/")
    page.fill("#id_username", email)
    page.fill("#id_password", password)
    page.click("input[type=submit]")


def work_in(page, company_name):
    page.select_option("#company-choice", label=company_name)
    page.click("#company-switcher button")
    expect(page.locator(".messagelist")).to_contain_text(f"Now working in {company_name}")


def test_a_manager_signs_in_switches_company_finds_and_reprices_a_product(page, shops):
    sign_in(page, shops["manager"].user.email)
    expect(page).to_have_url(re.compile(r"/admin/$"))
    work_in(page, "Tienda Uno")
    page.click("text=Products")
    page.fill("#searchbar", "coffee")
    page.click("#changelist-search input[type=submit]")
    rows = page.locator("#result_list tbody tr")
    expect(rows).to_have_count(1)
    expect(rows).to_contain_text("Coffee beans")
    rows.locator("a", has_text="CAF-1").click()
    page.fill("#id_price", "135.50")
    page.click("input[name=_save]")
    expect(page.locator(".messagelist")).to_contain_text("was changed successfully")
    shops["coffee"].refresh_from_db()
    assert shops["coffee"].price == Decimal("135.50")
    event = AuditEvent.objects.get(action="product.price_change")
    assert event.user == shops["manager"].user
    assert event.data == {"price": ["120.00", "135.50"]}

    work_in(page, "Tienda Dos")
    page.goto("/admin/catalog/product/")
    expect(page.locator("#result_list tbody tr")).to_have_count(1)
    expect(page.locator("#result_list")).to_contain_text("Dos coffee")


def test_another_companys_product_url_answers_404(page, shops):
    sign_in(page, shops["manager"].user.email)
    work_in(page, "Tienda Uno")
    response = page.goto(f"/admin/catalog/product/{shops['theirs'].pk}/change/")
    assert response.status == 404
    assert "Dos coffee" not in page.content()


def test_a_cashier_is_refused(page, shops):
    uno = shops["uno"]
    cashier = uno.member("cashier")
    sign_in(page, cashier.user.email)
    expect(page.locator(".errornote")).to_contain_text("back-office access")
    page.goto("/admin/catalog/product/")
    expect(page).to_have_url(re.compile(r"/admin/login/\?next="))

    # With back-office access but not the audit's permission, that page is refused.
    clerk = uno.member("cashier", codes=[ACCESS_BACKOFFICE])
    sign_in(page, clerk.user.email)
    expect(page.locator("#content")).to_contain_text("Products")
    response = page.goto("/admin/accounts/auditevent/")
    assert response.status == 403


def test_the_dashboard(page, shops, artifacts):
    sign_in(page, shops["manager"].user.email)
    work_in(page, "Tienda Uno")
    page.click("#user-tools >> text=Dashboard")
    expect(page.locator("#figure-today")).to_contain_text("2 sales")
    expect(page.locator("#top-products")).to_contain_text("Coffee beans")
    expect(page.locator("#daily-sales-chart rect.bar")).to_have_count(30)
    header = page.evaluate("getComputedStyle(document.querySelector('#header')).backgroundColor")
    assert header not in ("", "rgba(0, 0, 0, 0)"), "the admin's CSS did not load"
    page.screenshot(path=artifacts / "backoffice-dashboard.png", full_page=True)
    assert (artifacts / "backoffice-dashboard.png").stat().st_size > 10_000
