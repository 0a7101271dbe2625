"""Tax rates, categories, products and customers over HTTP, as API.md "Catalog" says.

Every call is tried four ways: without identity (401), by the admin of another company on this
company's object (404, nothing changed), by a member who holds every code but the one the call
needs (403, nothing changed), and by a member holding just that code (the effect is checked in
the database). CSV import/export and query counts are tested elsewhere.
"""

from dataclasses import dataclass
from decimal import Decimal
from types import SimpleNamespace
from typing import Any

import pytest
from django.db import models

from accounts.models import AuditEvent
from accounts.selectors import holdable_permissions, permission_code
from catalog import permissions as perms
from catalog.models import Category, Customer, Product, TaxRate
from sales.services import PaymentRequest, SaleLineRequest, sale_complete, shift_open
from tests.catalog.factories import CategoryFactory, CustomerFactory, ProductFactory, TaxRateFactory
from tests.conftest import error_attrs, error_codes

TAX_RATES = "/api/v1/tax-rates"
CATEGORIES = "/api/v1/categories"
PRODUCTS = "/api/v1/products"
CUSTOMERS = "/api/v1/customers"
SETTINGS = "/api/v1/settings"

PRODUCT_KEYS = {
    "id",
    "sku",
    "barcode",
    "name",
    "category",
    "tax_rate",
    "price",
    "cost",
    "track_inventory",
    "is_active",
    "reorder_point",
    "unit",
}


# --- helpers ---------------------------------------------------------------------------------


def all_codes() -> set[str]:
    return {permission_code(p) for p in holdable_permissions()}


def member_without(tenant, code: str):
    """A member holding every code a role may hold except `code`."""
    return tenant.member(codes=sorted(all_codes() - {code}))


def rows(model, companies, *fields) -> list[tuple]:
    return sorted(model.objects.filter(company__in=companies).values_list("pk", *fields))


def state(*companies) -> dict:
    """Everything a catalog call could change, to assert that a refused call changed nothing."""
    return {
        "tax_rates": rows(TaxRate, companies, "company_id", "name", "rate"),
        "categories": rows(Category, companies, "company_id", "name", "parent_id"),
        "products": rows(
            Product,
            companies,
            "company_id",
            "sku",
            "barcode",
            "name",
            "category_id",
            "tax_rate_id",
            "price",
            "cost",
            "track_inventory",
            "is_active",
            "reorder_point",
            "unit",
        ),
        "customers": rows(Customer, companies, "company_id", "name", "email", "phone", "tax_id"),
        "audit": sorted(
            AuditEvent.objects.filter(company__in=companies).values_list("pk", flat=True)
        ),
    }


def ids(response) -> list[int]:
    assert response.status_code == 200, response.content
    return [item["id"] for item in response.json()["results"]]


def assert_paginated(body):
    assert set(body) == {"count", "next", "previous", "results"}
    assert isinstance(body["results"], list)


def assert_400(response, attr: str, code: str | None = None):
    assert response.status_code == 400, response.content
    assert response.json()["type"] == "validation_error"
    assert error_attrs(response) == [attr]
    if code is not None:
        assert error_codes(response) == [code]


def price_events(tenant) -> list[AuditEvent]:
    events = AuditEvent.objects.filter(company=tenant.company, action="product.price_change")
    return list(events.order_by("id"))


# --- the four cases of every call --------------------------------------------------------------


@pytest.fixture
def world(tenant, other_tenant):
    """This company's catalog; each deleted object is unused so that the allowed delete works."""
    company = tenant.company
    tax = TaxRateFactory(company=company, name="IVA 16", rate=Decimal("16.00"))
    spare_tax = TaxRateFactory(company=company, name="Exento", rate=Decimal("0"))
    category = CategoryFactory(company=company, name="Bebidas")
    spare_category = CategoryFactory(company=company, name="Vacía")
    product = ProductFactory(
        company=company,
        sku="CAF-001",
        barcode="7501000000017",
        name="Café de olla",
        category=category,
        tax_rate=tax,
        price=Decimal("12.50"),
        cost=Decimal("7.00"),
    )
    customer = CustomerFactory(
        company=company, name="María López", email="maria@example.com", phone="5512345678"
    )
    return SimpleNamespace(
        tax=tax,
        spare_tax=spare_tax,
        category=category,
        spare_category=spare_category,
        product=product,
        customer=customer,
    )


@dataclass(frozen=True)
class Call:
    method: str
    path: str
    code: str
    model: type[models.Model]
    target: str | None = None  # the world attribute the path addresses
    body: Any = None  # a function of the world

    def url(self, world) -> str:
        return f"{self.path}/{getattr(world, self.target).pk}" if self.target else self.path

    def data(self, world) -> dict | None:
        return self.body(world) if self.body else None


def crud(path, model, codes, target, spare, create, update) -> dict[str, Call]:
    view, add, change, delete = codes
    return {
        "list": Call("get", path, view, model),
        "retrieve": Call("get", path, view, model, target),
        "create": Call("post", path, add, model, body=create),
        "update": Call("patch", path, change, model, target, update),
        "delete": Call("delete", path, delete, model, spare),
    }


RESOURCES = {
    "tax-rates": crud(
        TAX_RATES,
        TaxRate,
        (perms.VIEW_TAXRATE, perms.ADD_TAXRATE, perms.CHANGE_TAXRATE, perms.DELETE_TAXRATE),
        "tax",
        "spare_tax",
        lambda w: {"name": "IVA 8", "rate": "8.00"},
        lambda w: {"name": "IVA general", "rate": "15.50"},
    ),
    "categories": crud(
        CATEGORIES,
        Category,
        (perms.VIEW_CATEGORY, perms.ADD_CATEGORY, perms.CHANGE_CATEGORY, perms.DELETE_CATEGORY),
        "category",
        "spare_category",
        lambda w: {"name": "Refrescos", "parent": w.category.pk},
        lambda w: {"name": "Bebidas calientes", "parent": w.spare_category.pk},
    ),
    "products": crud(
        PRODUCTS,
        Product,
        (perms.VIEW_PRODUCT, perms.ADD_PRODUCT, perms.CHANGE_PRODUCT, perms.DELETE_PRODUCT),
        "product",
        "product",
        lambda w: {
            "sku": "LEC-001",
            "barcode": "7501000000024",
            "name": "Leche entera",
            "category": w.category.pk,
            "tax_rate": w.spare_tax.pk,
            "price": "25.90",
            "cost": "18.00",
            "reorder_point": "4",
            "unit": "unit",
        },
        lambda w: {
            "name": "Café de olla 500 g",
            "price": "13.00",
            "tax_rate": w.spare_tax.pk,
            "track_inventory": False,
        },
    ),
    "customers": crud(
        CUSTOMERS,
        Customer,
        (perms.VIEW_CUSTOMER, perms.ADD_CUSTOMER, perms.CHANGE_CUSTOMER, perms.DELETE_CUSTOMER),
        "customer",
        "customer",
        lambda w: {"name": "Juan Pérez", "email": "juan@example.com", "tax_id": "PEJJ800101AAA"},
        lambda w: {"phone": "5587654321", "email": "maria.lopez@example.com"},
    ),
}
CALLS = {
    f"{resource}-{action}": call
    for resource, actions in RESOURCES.items()
    for action, call in actions.items()
}
OBJECT_CALLS = [name for name, call in CALLS.items() if call.target]


def send(client, world, name):
    call = CALLS[name]
    method = getattr(client, call.method)
    data = call.data(world)
    return method(call.url(world), data, format="json") if data else method(call.url(world))


def stored(row, field: str):
    """The value of `field` of a row as the API would take it on input."""
    model_field = row._meta.get_field(field)
    if model_field.is_relation:
        return getattr(row, model_field.attname)
    return getattr(row, field)


def assert_stored(row, body: dict):
    for field, sent in body.items():
        value = stored(row, field)
        if isinstance(value, Decimal):
            assert value == Decimal(sent), field
        else:
            assert value == sent, field


def assert_effect(tenant, world, name, response):
    """The allowed call did what it says, in the database."""
    call = CALLS[name]
    action = name.rsplit("-", 1)[1]
    company_rows = call.model.objects.filter(company=tenant.company)
    if action == "list":
        body = response.json()
        assert response.status_code == 200, response.content
        assert_paginated(body)
        assert sorted(ids(response)) == sorted(company_rows.values_list("pk", flat=True))
        assert body["count"] == company_rows.count() > 0
    elif action == "retrieve":
        assert response.status_code == 200, response.content
        target = getattr(world, call.target)
        assert response.json()["id"] == target.pk
        assert response.json()["name"] == target.name
    elif action == "create":
        assert response.status_code == 201, response.content
        row = company_rows.get(pk=response.json()["id"])
        assert_stored(row, call.data(world))
    elif action == "update":
        assert response.status_code == 200, response.content
        row = company_rows.get(pk=getattr(world, call.target).pk)
        assert_stored(row, call.data(world))
    else:
        assert response.status_code == 204, response.content
        assert not call.model.objects.filter(pk=getattr(world, call.target).pk).exists()


@pytest.mark.parametrize("name", list(CALLS))
def test_no_identity_is_401_and_changes_nothing(anonymous, tenant, other_tenant, world, name):
    before = state(tenant.company, other_tenant.company)
    response = send(anonymous, world, name)
    assert response.status_code == 401
    assert error_codes(response) == ["not_authenticated"]
    assert state(tenant.company, other_tenant.company) == before


@pytest.mark.parametrize("name", OBJECT_CALLS)
def test_another_companys_admin_gets_404_and_changes_nothing(tenant, other_tenant, world, name):
    before = state(tenant.company, other_tenant.company)
    response = send(other_tenant.client(), world, name)
    assert response.status_code == 404
    assert error_codes(response) == ["not_found"]
    content = response.content.decode()
    assert "Café" not in content and "María" not in content and "Bebidas" not in content
    assert state(tenant.company, other_tenant.company) == before


@pytest.mark.parametrize("resource", list(RESOURCES))
def test_another_companys_admin_lists_only_their_own(tenant, other_tenant, world, resource):
    response = send(other_tenant.client(), world, f"{resource}-list")
    assert response.status_code == 200
    assert response.json()["count"] == 0
    assert response.json()["results"] == []


@pytest.mark.parametrize("resource", ["tax-rates", "customers"])
def test_another_companys_admin_creates_in_their_own_company(tenant, other_tenant, world, resource):
    before = state(tenant.company)
    response = send(other_tenant.client(), world, f"{resource}-create")
    assert response.status_code == 201, response.content
    call = CALLS[f"{resource}-create"]
    assert call.model.objects.get(pk=response.json()["id"]).company == other_tenant.company
    assert state(tenant.company) == before


@pytest.mark.parametrize("name", list(CALLS))
def test_member_without_the_permission_gets_403_and_changes_nothing(tenant, world, name):
    actor = member_without(tenant, CALLS[name].code)
    before = state(tenant.company)
    response = send(tenant.client(actor), world, name)
    assert response.status_code == 403
    assert error_codes(response) == ["permission_denied"]
    assert state(tenant.company) == before


@pytest.mark.parametrize("name", list(CALLS))
def test_the_one_code_is_enough_and_the_effect_is_stored(tenant, world, name):
    actor = tenant.member(codes=[CALLS[name].code])
    response = send(tenant.client(actor), world, name)
    assert_effect(tenant, world, name, response)


VIEW_CATALOG = {
    f"{r}-{a}" for r in ("tax-rates", "categories", "products") for a in ("list", "retrieve")
}
ROLE_CALLS = {
    "admin": set(CALLS),
    "manager": set(CALLS),
    "cashier": VIEW_CATALOG
    | {"customers-list", "customers-retrieve", "customers-create", "customers-update"},
    "stock_clerk": VIEW_CATALOG,
}


@pytest.mark.parametrize("name", list(CALLS))
@pytest.mark.parametrize("role", list(ROLE_CALLS))
def test_role_defaults(tenant, world, role, name):
    actor = tenant.member(role)
    before = state(tenant.company)
    response = send(tenant.client(actor), world, name)
    if name in ROLE_CALLS[role]:
        assert_effect(tenant, world, name, response)
    else:
        assert response.status_code == 403, response.content
        assert error_codes(response) == ["permission_denied"]
        assert state(tenant.company) == before


# --- representations -------------------------------------------------------------------------


def test_product_retrieve_shape(tenant, world):
    response = tenant.client(tenant.member("cashier")).get(f"{PRODUCTS}/{world.product.pk}")
    assert response.status_code == 200
    assert response.json() == {
        "id": world.product.pk,
        "sku": "CAF-001",
        "barcode": "7501000000017",
        "name": "Café de olla",
        "category": world.category.pk,
        "tax_rate": world.tax.pk,
        "price": "12.50",
        "cost": "7.00",
        "track_inventory": True,
        "is_active": True,
        "reorder_point": "0.000",
        "unit": "unit",
    }
    assert tenant.client().get(f"{PRODUCTS}/{world.product.pk}/").json()["id"] == world.product.pk


def test_product_create_defaults(tenant):
    response = tenant.client().post(
        PRODUCTS, {"sku": "A-1", "name": "Agua", "price": "9.5"}, format="json"
    )
    assert response.status_code == 201, response.content
    body = response.json()
    assert set(body) == PRODUCT_KEYS
    product = Product.objects.get(pk=body["id"])
    assert product.company == tenant.company
    assert body == {
        "id": product.pk,
        "sku": "A-1",
        "barcode": "",
        "name": "Agua",
        "category": None,
        "tax_rate": None,
        "price": "9.50",
        "cost": "0.00",
        "track_inventory": True,
        "is_active": True,
        "reorder_point": "0.000",
        "unit": "unit",
    }
    assert (product.price, product.cost, product.barcode) == (Decimal("9.50"), Decimal("0"), "")


def test_other_representations(tenant, world):
    client = tenant.client()
    assert client.get(f"{TAX_RATES}/{world.tax.pk}").json() == {
        "id": world.tax.pk,
        "name": "IVA 16",
        "rate": "16.00",
    }
    child = CategoryFactory(company=tenant.company, name="Café", parent=world.category)
    assert client.get(f"{CATEGORIES}/{child.pk}").json() == {
        "id": child.pk,
        "name": "Café",
        "parent": world.category.pk,
    }
    assert client.get(f"{CUSTOMERS}/{world.customer.pk}").json() == {
        "id": world.customer.pk,
        "name": "María López",
        "email": "maria@example.com",
        "phone": "5512345678",
        "tax_id": "",
    }


def test_read_only_fields_are_ignored_on_input(tenant, other_tenant, world):
    response = tenant.client().patch(
        f"{PRODUCTS}/{world.product.pk}",
        {"id": 999_999, "company": other_tenant.company.pk},
        format="json",
    )
    assert response.status_code == 200
    world.product.refresh_from_db()
    assert world.product.company == tenant.company
    assert Product.objects.filter(pk=world.product.pk).exists()


# --- uniqueness --------------------------------------------------------------------------------


def test_sku_is_unique_per_company(tenant, other_tenant, world):
    before = state(tenant.company)
    response = tenant.client().post(
        PRODUCTS, {"sku": "CAF-001", "name": "Otro", "price": "1.00"}, format="json"
    )
    assert_400(response, "sku", "unique")
    assert state(tenant.company) == before


def test_the_same_sku_in_another_company_is_fine(tenant, other_tenant, world):
    response = other_tenant.client().post(
        PRODUCTS,
        {"sku": "CAF-001", "barcode": "7501000000017", "name": "Suyo", "price": "1.00"},
        format="json",
    )
    assert response.status_code == 201, response.content
    theirs = Product.objects.get(company=other_tenant.company, sku="CAF-001")
    assert theirs.barcode == "7501000000017"
    world.product.refresh_from_db()
    assert world.product.name == "Café de olla"


def test_patching_a_sku_onto_another_products_is_refused(tenant, world):
    other = ProductFactory(company=tenant.company, sku="LEC-001")
    response = tenant.client().patch(f"{PRODUCTS}/{other.pk}", {"sku": "CAF-001"}, format="json")
    assert_400(response, "sku", "unique")
    other.refresh_from_db()
    assert other.sku == "LEC-001"


def test_patching_a_product_with_its_own_sku_and_barcode_is_fine(tenant, world):
    response = tenant.client().patch(
        f"{PRODUCTS}/{world.product.pk}",
        {"sku": "CAF-001", "barcode": "7501000000017", "name": "Café"},
        format="json",
    )
    assert response.status_code == 200, response.content
    world.product.refresh_from_db()
    assert world.product.name == "Café"


def test_barcode_is_unique_per_company_when_present(tenant, world):
    before = state(tenant.company)
    response = tenant.client().post(
        PRODUCTS,
        {"sku": "NEW-1", "barcode": "7501000000017", "name": "Otro", "price": "1.00"},
        format="json",
    )
    assert_400(response, "barcode", "unique")
    assert state(tenant.company) == before

    other = ProductFactory(company=tenant.company, sku="NEW-2", barcode="")
    response = tenant.client().patch(
        f"{PRODUCTS}/{other.pk}", {"barcode": "7501000000017"}, format="json"
    )
    assert_400(response, "barcode", "unique")
    other.refresh_from_db()
    assert other.barcode == ""


def test_several_products_without_barcode_are_fine(tenant):
    client = tenant.client()
    for sku in ("NB-1", "NB-2"):
        response = client.post(
            PRODUCTS, {"sku": sku, "barcode": "", "name": sku, "price": "1.00"}, format="json"
        )
        assert response.status_code == 201, response.content
    response = client.post(PRODUCTS, {"sku": "NB-3", "name": "NB-3", "price": "1"}, format="json")
    assert response.status_code == 201, response.content
    assert list(
        Product.objects.filter(company=tenant.company).order_by("sku").values_list("sku", "barcode")
    ) == [("NB-1", ""), ("NB-2", ""), ("NB-3", "")]


@pytest.mark.parametrize(
    "url, body",
    [(TAX_RATES, {"name": "IVA 16", "rate": "8.00"}), (CATEGORIES, {"name": "Bebidas"})],
)
def test_tax_rate_and_category_names_are_unique_per_company(tenant, other_tenant, world, url, body):
    before = state(tenant.company)
    assert_400(tenant.client().post(url, body, format="json"), "name", "unique")
    assert state(tenant.company) == before
    assert other_tenant.client().post(url, body, format="json").status_code == 201


# --- money, rates, units, quantities -----------------------------------------------------------


@pytest.mark.parametrize("field", ["price", "cost"])
@pytest.mark.parametrize("value", ["-0.01", "-5"])
def test_price_and_cost_are_not_negative(tenant, world, field, value):
    client = tenant.client()
    before = state(tenant.company)
    body = {"sku": "NEG", "name": "Negativo", "price": "1.00", field: value}
    assert_400(client.post(PRODUCTS, body, format="json"), field, "min_value")
    url = f"{PRODUCTS}/{world.product.pk}"
    assert_400(client.patch(url, {field: value}, format="json"), field, "min_value")
    assert state(tenant.company) == before


@pytest.mark.parametrize("field", ["price", "cost"])
def test_price_and_cost_have_at_most_the_currencys_decimals(tenant, world, field):
    client = tenant.client()
    before = state(tenant.company)
    body = {"sku": "DEC", "name": "Decimales", "price": "1.00", field: "10.555"}
    assert_400(client.post(PRODUCTS, body, format="json"), field)
    url = f"{PRODUCTS}/{world.product.pk}"
    assert_400(client.patch(url, {field: "10.555"}, format="json"), field)
    assert state(tenant.company) == before
    response = client.patch(url, {field: "10.5"}, format="json")
    assert response.status_code == 200
    assert response.json()[field] == "10.50"
    world.product.refresh_from_db()
    assert getattr(world.product, field) == Decimal("10.50")


def test_price_is_required_on_create(tenant):
    response = tenant.client().post(PRODUCTS, {"sku": "X", "name": "X"}, format="json")
    assert_400(response, "price", "required")
    assert not Product.objects.filter(company=tenant.company).exists()


@pytest.fixture
def yen(tenant):
    response = tenant.client().patch(SETTINGS, {"currency": "JPY"}, format="json")
    assert response.status_code == 200, response.content
    tenant.company.refresh_from_db()
    assert tenant.company.currency == "JPY"
    return tenant


@pytest.mark.parametrize("field", ["price", "cost"])
def test_a_zero_decimal_currency_refuses_fractions(yen, field):
    client = yen.client()
    body = {"sku": "YEN-1", "name": "Onigiri", "price": "10", field: "10.5"}
    response = client.post(PRODUCTS, body, format="json")
    assert_400(response, field, "currency_decimals")
    assert not Product.objects.filter(company=yen.company).exists()

    response = client.post(PRODUCTS, {**body, field: "10"}, format="json")
    assert response.status_code == 201, response.content
    product = Product.objects.get(company=yen.company, sku="YEN-1")
    assert getattr(product, field) == Decimal("10")

    response = client.patch(f"{PRODUCTS}/{product.pk}", {field: "12.5"}, format="json")
    assert_400(response, field, "currency_decimals")
    product.refresh_from_db()
    assert getattr(product, field) == Decimal("10")


def test_a_zero_decimal_currency_shows_no_decimals(yen):
    client = yen.client()
    response = client.post(
        PRODUCTS, {"sku": "YEN-1", "name": "Onigiri", "price": "150"}, format="json"
    )
    assert response.status_code == 201, response.content
    assert (response.json()["price"], response.json()["cost"]) == ("150", "0")
    listed = client.get(PRODUCTS).json()["results"]
    assert [(p["price"], p["cost"]) for p in listed] == [("150", "0")]
    retrieved = client.get(f"{PRODUCTS}/{response.json()['id']}").json()
    assert retrieved["price"] == "150"
    patched = client.patch(f"{PRODUCTS}/{retrieved['id']}", {"cost": "90"}, format="json").json()
    assert (patched["price"], patched["cost"]) == ("150", "90")


def test_a_currency_switch_never_leaves_prices_the_currency_cannot_show(tenant, world):
    client = tenant.client()
    client.patch(SETTINGS, {"currency": "JPY"}, format="json")
    world.product.refresh_from_db()
    shown = client.get(f"{PRODUCTS}/{world.product.pk}").json()
    # Either the switch was refused or the prices were brought to the new currency's decimals:
    # what the API shows is what is stored (and what a sale would charge).
    assert Decimal(shown["price"]) == world.product.price
    assert Decimal(shown["cost"]) == world.product.cost


def test_a_price_change_in_a_zero_decimal_currency_is_audited_without_decimals(yen):
    product = ProductFactory(company=yen.company, price=Decimal("150"), cost=Decimal("90"))
    response = yen.client().patch(f"{PRODUCTS}/{product.pk}", {"price": "180"}, format="json")
    assert response.status_code == 200, response.content
    [event] = price_events(yen)
    assert event.data == {"price": ["150", "180"]}


@pytest.mark.parametrize("rate", ["-0.01", "100.01", "250"])
def test_tax_rate_is_between_0_and_100(tenant, world, rate):
    client = tenant.client()
    before = state(tenant.company)
    assert_400(client.post(TAX_RATES, {"name": "Mala", "rate": rate}, format="json"), "rate")
    assert_400(client.patch(f"{TAX_RATES}/{world.tax.pk}", {"rate": rate}, format="json"), "rate")
    assert state(tenant.company) == before


@pytest.mark.parametrize("rate", ["0", "100", "99.99"])
def test_tax_rate_bounds_are_inclusive(tenant, rate):
    response = tenant.client().post(TAX_RATES, {"name": "Borde", "rate": rate}, format="json")
    assert response.status_code == 201, response.content
    assert TaxRate.objects.get(company=tenant.company, name="Borde").rate == Decimal(rate)


def test_unit_is_one_of_unit_kg_l(tenant, world):
    client = tenant.client()
    before = state(tenant.company)
    body = {"sku": "U-1", "name": "Caja", "price": "1.00", "unit": "box"}
    assert_400(client.post(PRODUCTS, body, format="json"), "unit", "invalid_choice")
    url = f"{PRODUCTS}/{world.product.pk}"
    assert_400(client.patch(url, {"unit": "g"}, format="json"), "unit", "invalid_choice")
    assert state(tenant.company) == before
    for unit in ("unit", "kg", "l"):
        response = client.post(PRODUCTS, {**body, "sku": f"U-{unit}", "unit": unit}, format="json")
        assert response.status_code == 201, response.content
        assert Product.objects.get(company=tenant.company, sku=f"U-{unit}").unit == unit


def test_a_fractional_reorder_point_is_refused_for_unit_products(tenant, world):
    client = tenant.client()
    before = state(tenant.company)
    body = {"sku": "R-1", "name": "Pieza", "price": "1.00", "reorder_point": "1.5"}
    assert_400(client.post(PRODUCTS, body, format="json"), "reorder_point", "whole_quantity")
    assert_400(
        client.post(PRODUCTS, {**body, "unit": "unit"}, format="json"),
        "reorder_point",
        "whole_quantity",
    )
    url = f"{PRODUCTS}/{world.product.pk}"
    response = client.patch(url, {"reorder_point": "2.250"}, format="json")
    assert_400(response, "reorder_point", "whole_quantity")
    assert state(tenant.company) == before
    response = client.patch(url, {"reorder_point": "3"}, format="json")
    assert response.status_code == 200
    assert response.json()["reorder_point"] == "3.000"
    world.product.refresh_from_db()
    assert world.product.reorder_point == Decimal("3")


@pytest.mark.parametrize("unit", ["kg", "l"])
def test_a_fractional_reorder_point_is_fine_for_weighed_products(tenant, unit):
    response = tenant.client().post(
        PRODUCTS,
        {"sku": "W-1", "name": "Queso", "price": "1.00", "unit": unit, "reorder_point": "1.5"},
        format="json",
    )
    assert response.status_code == 201, response.content
    assert response.json()["reorder_point"] == "1.500"
    assert Product.objects.get(company=tenant.company, sku="W-1").reorder_point == Decimal("1.5")


def test_changing_to_unit_with_a_fractional_reorder_point_is_refused(tenant):
    product = ProductFactory(company=tenant.company, unit="kg", reorder_point=Decimal("1.5"))
    client = tenant.client()
    response = client.patch(f"{PRODUCTS}/{product.pk}", {"unit": "unit"}, format="json")
    assert_400(response, "reorder_point", "whole_quantity")
    product.refresh_from_db()
    assert product.unit == "kg"
    response = client.patch(
        f"{PRODUCTS}/{product.pk}", {"unit": "unit", "reorder_point": "2"}, format="json"
    )
    assert response.status_code == 200, response.content
    product.refresh_from_db()
    assert (product.unit, product.reorder_point) == ("unit", Decimal("2"))


def test_a_negative_reorder_point_is_refused(tenant, world):
    response = tenant.client().patch(
        f"{PRODUCTS}/{world.product.pk}", {"reorder_point": "-1"}, format="json"
    )
    assert_400(response, "reorder_point", "min_value")
    world.product.refresh_from_db()
    assert world.product.reorder_point == Decimal("0")


# --- required names ----------------------------------------------------------------------------

MINIMAL = {
    TAX_RATES: {"name": "IVA", "rate": "16"},
    CATEGORIES: {"name": "Varios"},
    PRODUCTS: {"sku": "MIN-1", "name": "Mínimo", "price": "1.00"},
    CUSTOMERS: {"name": "Cliente"},
}
MODELS = {TAX_RATES: TaxRate, CATEGORIES: Category, PRODUCTS: Product, CUSTOMERS: Customer}


@pytest.mark.parametrize("url, field", [*((url, "name") for url in MINIMAL), (PRODUCTS, "sku")])
def test_names_are_required(tenant, url, field):
    client = tenant.client()
    without = {k: v for k, v in MINIMAL[url].items() if k != field}
    assert_400(client.post(url, without, format="json"), field, "required")
    assert_400(client.post(url, {**MINIMAL[url], field: "  "}, format="json"), field, "blank")
    assert not MODELS[url].objects.filter(company=tenant.company).exists()
    assert client.post(url, MINIMAL[url], format="json").status_code == 201


@pytest.mark.parametrize(
    "url, target", [(TAX_RATES, "tax"), (CATEGORIES, "category"), (CUSTOMERS, "customer")]
)
def test_a_name_cannot_be_blanked(tenant, world, url, target):
    obj = getattr(world, target)
    before = state(tenant.company)
    response = tenant.client().patch(f"{url}/{obj.pk}", {"name": ""}, format="json")
    assert_400(response, "name", "blank")
    assert state(tenant.company) == before


def test_a_product_name_and_sku_cannot_be_blanked(tenant, world):
    before = state(tenant.company)
    for field in ("name", "sku"):
        response = tenant.client().patch(
            f"{PRODUCTS}/{world.product.pk}", {field: ""}, format="json"
        )
        assert_400(response, field, "blank")
    assert state(tenant.company) == before


def test_a_customer_email_must_be_an_email(tenant, world):
    response = tenant.client().patch(
        f"{CUSTOMERS}/{world.customer.pk}", {"email": "not-an-email"}, format="json"
    )
    assert_400(response, "email", "invalid")
    world.customer.refresh_from_db()
    assert world.customer.email == "maria@example.com"


# --- related ids are scoped to the company -----------------------------------------------------


@pytest.fixture
def theirs(other_tenant):
    return SimpleNamespace(
        tax=TaxRateFactory(company=other_tenant.company, name="Their tax"),
        category=CategoryFactory(company=other_tenant.company, name="Their category"),
    )


@pytest.mark.parametrize("field", ["category", "tax_rate"])
def test_another_companys_category_or_tax_rate_is_a_400(tenant, other_tenant, world, theirs, field):
    their_id = (theirs.category if field == "category" else theirs.tax).pk
    client = tenant.client()
    before = state(tenant.company, other_tenant.company)
    body = {"sku": "REL-1", "name": "Relacionado", "price": "1.00", field: their_id}
    assert_400(client.post(PRODUCTS, body, format="json"), field, "does_not_exist")
    response = client.patch(f"{PRODUCTS}/{world.product.pk}", {field: their_id}, format="json")
    assert_400(response, field, "does_not_exist")
    assert "Their" not in response.content.decode()
    assert_400(
        client.patch(f"{PRODUCTS}/{world.product.pk}", {field: 999_999}, format="json"), field
    )
    assert state(tenant.company, other_tenant.company) == before


def test_related_ids_can_be_cleared(tenant, world):
    response = tenant.client().patch(
        f"{PRODUCTS}/{world.product.pk}", {"category": None, "tax_rate": None}, format="json"
    )
    assert response.status_code == 200, response.content
    world.product.refresh_from_db()
    assert (world.product.category, world.product.tax_rate) == (None, None)


def test_a_parent_category_of_another_company_is_a_400(tenant, other_tenant, world, theirs):
    client = tenant.client()
    before = state(tenant.company, other_tenant.company)
    body = {"name": "Hija", "parent": theirs.category.pk}
    assert_400(client.post(CATEGORIES, body, format="json"), "parent", "does_not_exist")
    url = f"{CATEGORIES}/{world.category.pk}"
    response = client.patch(url, {"parent": theirs.category.pk}, format="json")
    assert_400(response, "parent", "does_not_exist")
    assert state(tenant.company, other_tenant.company) == before


# --- category cycles ---------------------------------------------------------------------------


def test_a_category_cannot_be_its_own_parent(tenant, world):
    before = state(tenant.company)
    url = f"{CATEGORIES}/{world.category.pk}"
    response = tenant.client().patch(url, {"parent": world.category.pk}, format="json")
    assert_400(response, "parent", "category_cycle")
    assert state(tenant.company) == before


def test_a_category_cannot_go_under_its_child(tenant):
    a = CategoryFactory(company=tenant.company, name="A")
    b = CategoryFactory(company=tenant.company, name="B", parent=a)
    before = state(tenant.company)
    response = tenant.client().patch(f"{CATEGORIES}/{a.pk}", {"parent": b.pk}, format="json")
    assert_400(response, "parent", "category_cycle")
    assert state(tenant.company) == before


def test_a_category_cannot_go_under_its_grandchild(tenant):
    a = CategoryFactory(company=tenant.company, name="A")
    b = CategoryFactory(company=tenant.company, name="B", parent=a)
    c = CategoryFactory(company=tenant.company, name="C", parent=b)
    before = state(tenant.company)
    response = tenant.client().patch(
        f"{CATEGORIES}/{a.pk}", {"name": "A2", "parent": c.pk}, format="json"
    )
    assert_400(response, "parent", "category_cycle")
    assert state(tenant.company) == before


def test_moving_a_category_elsewhere_in_the_tree_is_fine(tenant):
    a = CategoryFactory(company=tenant.company, name="A")
    b = CategoryFactory(company=tenant.company, name="B", parent=a)
    c = CategoryFactory(company=tenant.company, name="C", parent=b)
    client = tenant.client()
    # C moves up under A, then B (no longer C's parent) moves under C.
    assert client.patch(f"{CATEGORIES}/{c.pk}", {"parent": a.pk}, format="json").status_code == 200
    assert client.patch(f"{CATEGORIES}/{b.pk}", {"parent": c.pk}, format="json").status_code == 200
    assert client.patch(f"{CATEGORIES}/{a.pk}", {"parent": None}, format="json").status_code == 200
    parents = dict(Category.objects.filter(company=tenant.company).values_list("name", "parent"))
    assert parents == {"A": None, "B": c.pk, "C": a.pk}


# --- deletes -----------------------------------------------------------------------------------


def test_a_tax_rate_in_use_cannot_be_deleted(tenant, world):
    before = state(tenant.company)
    response = tenant.client().delete(f"{TAX_RATES}/{world.tax.pk}")
    assert response.status_code == 409
    assert error_codes(response) == ["tax_rate_in_use"]
    assert state(tenant.company) == before


def test_a_tax_rate_used_only_by_an_inactive_product_is_still_in_use(tenant, world):
    Product.objects.filter(pk=world.product.pk).update(is_active=False)
    response = tenant.client().delete(f"{TAX_RATES}/{world.tax.pk}")
    assert response.status_code == 409
    assert TaxRate.objects.filter(pk=world.tax.pk).exists()


def test_an_unused_tax_rate_is_deleted(tenant, world):
    response = tenant.client().delete(f"{TAX_RATES}/{world.spare_tax.pk}")
    assert response.status_code == 204
    assert not TaxRate.objects.filter(pk=world.spare_tax.pk).exists()
    assert TaxRate.objects.filter(pk=world.tax.pk).exists()


def test_a_category_with_products_cannot_be_deleted(tenant, world):
    before = state(tenant.company)
    response = tenant.client().delete(f"{CATEGORIES}/{world.category.pk}")
    assert response.status_code == 409
    assert error_codes(response) == ["category_in_use"]
    assert state(tenant.company) == before


def test_a_category_with_subcategories_cannot_be_deleted(tenant, world):
    CategoryFactory(company=tenant.company, name="Hija", parent=world.spare_category)
    before = state(tenant.company)
    response = tenant.client().delete(f"{CATEGORIES}/{world.spare_category.pk}")
    assert response.status_code == 409
    assert error_codes(response) == ["category_in_use"]
    assert state(tenant.company) == before


def test_an_unused_category_is_deleted(tenant, world):
    response = tenant.client().delete(f"{CATEGORIES}/{world.spare_category.pk}")
    assert response.status_code == 204
    assert not Category.objects.filter(pk=world.spare_category.pk).exists()
    assert Category.objects.filter(pk=world.category.pk).exists()


def test_an_unused_product_is_deleted(tenant, world):
    keep = ProductFactory(company=tenant.company, category=world.category)
    response = tenant.client().delete(f"{PRODUCTS}/{world.product.pk}")
    assert response.status_code == 204
    assert not Product.objects.filter(pk=world.product.pk).exists()
    assert Product.objects.filter(pk=keep.pk).exists()
    assert Category.objects.filter(pk=world.category.pk).exists()
    assert TaxRate.objects.filter(pk=world.tax.pk).exists()


def test_deactivating_a_product_works(tenant, world):
    actor = tenant.member(codes=[perms.CHANGE_PRODUCT])
    response = tenant.client(actor).patch(
        f"{PRODUCTS}/{world.product.pk}", {"is_active": False}, format="json"
    )
    assert response.status_code == 200, response.content
    assert response.json()["is_active"] is False
    world.product.refresh_from_db()
    assert world.product.is_active is False
    response = tenant.client(actor).patch(
        f"{PRODUCTS}/{world.product.pk}", {"is_active": True}, format="json"
    )
    assert response.status_code == 200
    world.product.refresh_from_db()
    assert world.product.is_active is True


def test_deactivating_works_whatever_else_is_stored(tenant):
    product = ProductFactory(company=tenant.company, unit="unit", reorder_point=Decimal("1.5"))
    response = tenant.client().patch(
        f"{PRODUCTS}/{product.pk}", {"is_active": False}, format="json"
    )
    assert response.status_code == 200, response.content
    product.refresh_from_db()
    assert product.is_active is False


def test_put_is_not_offered(tenant, world):
    body = {"sku": "CAF-001", "name": "Reemplazo", "price": "1.00"}
    response = tenant.client().put(f"{PRODUCTS}/{world.product.pk}", body, format="json")
    assert response.status_code == 405
    world.product.refresh_from_db()
    assert world.product.name == "Café de olla"


# --- price audit -------------------------------------------------------------------------------


def test_a_price_change_is_audited(tenant, world):
    actor = tenant.member("manager")
    response = tenant.client(actor).patch(
        f"{PRODUCTS}/{world.product.pk}", {"price": "13.90", "name": "Café"}, format="json"
    )
    assert response.status_code == 200, response.content
    [event] = price_events(tenant)
    assert (event.user_id, event.object_type, event.object_id) == (
        actor.user_id,
        "catalog.product",
        str(world.product.pk),
    )
    assert event.data == {"price": ["12.50", "13.90"]}


def test_a_price_and_cost_change_is_one_event_with_both(tenant, world):
    response = tenant.client().patch(
        f"{PRODUCTS}/{world.product.pk}", {"price": "14", "cost": "8.25"}, format="json"
    )
    assert response.status_code == 200, response.content
    [event] = price_events(tenant)
    assert event.user_id == tenant.admin.user_id
    assert event.data == {"price": ["12.50", "14.00"], "cost": ["7.00", "8.25"]}


def test_a_cost_change_is_audited_alone(tenant, world):
    response = tenant.client().patch(
        f"{PRODUCTS}/{world.product.pk}", {"cost": "6.5", "price": "12.50"}, format="json"
    )
    assert response.status_code == 200, response.content
    [event] = price_events(tenant)
    assert event.data == {"cost": ["7.00", "6.50"]}


@pytest.mark.parametrize(
    "body", [{"name": "Café"}, {"price": "12.5"}, {"price": "12.50", "cost": "7"}, {"unit": "kg"}]
)
def test_no_price_event_when_price_and_cost_are_unchanged(tenant, world, body):
    response = tenant.client().patch(f"{PRODUCTS}/{world.product.pk}", body, format="json")
    assert response.status_code == 200, response.content
    assert price_events(tenant) == []


def test_a_refused_price_change_is_not_audited(tenant, world):
    response = tenant.client().patch(
        f"{PRODUCTS}/{world.product.pk}", {"price": "13.00", "sku": ""}, format="json"
    )
    assert response.status_code == 400
    assert price_events(tenant) == []
    world.product.refresh_from_db()
    assert world.product.price == Decimal("12.50")


def test_successive_price_changes_each_record_old_and_new(tenant, world):
    client = tenant.client()
    url = f"{PRODUCTS}/{world.product.pk}"
    for price in ("13.00", "11.75"):
        assert client.patch(url, {"price": price}, format="json").status_code == 200
    assert [e.data for e in price_events(tenant)] == [
        {"price": ["12.50", "13.00"]},
        {"price": ["13.00", "11.75"]},
    ]


# --- product filters, search, ordering, pagination ---------------------------------------------


@pytest.fixture
def shelf(tenant, other_tenant):
    """A small catalog: a category tree, two tax rates, active and inactive products."""
    company = tenant.company
    food = CategoryFactory(company=company, name="Abarrotes")
    dairy = CategoryFactory(company=company, name="Lácteos", parent=food)
    cheese = CategoryFactory(company=company, name="Quesos", parent=dairy)
    drinks = CategoryFactory(company=company, name="Bebidas")
    vat = TaxRateFactory(company=company, name="IVA 16", rate=Decimal("16"))
    zero = TaxRateFactory(company=company, name="Tasa 0", rate=Decimal("0"))

    def product(sku, name, price, **kwargs):
        return ProductFactory(company=company, sku=sku, name=name, price=Decimal(price), **kwargs)

    p = SimpleNamespace(
        rice=product("ARR-01", "Arroz", "30.00", barcode="7501111", category=food, tax_rate=zero),
        milk=product("LEC-01", "Leche entera", "25.50", barcode="7502222", category=dairy),
        cheese=product("QUE-01", "Queso Oaxaca", "89.90", barcode="75022221", category=cheese),
        cola=product("REF-01", "Refresco cola", "18.00", category=drinks, tax_rate=vat),
        old=product("REF-02", "Refresco viejo", "15.00", category=drinks, is_active=False),
        loose=product("SUE-01", "Suelto", "5.00"),
    )
    # Another company's lookalikes, never listed here.
    ProductFactory(company=other_tenant.company, sku="ARR-01", name="Arroz", barcode="7501111")
    return SimpleNamespace(
        food=food, dairy=dairy, cheese=cheese, drinks=drinks, vat=vat, zero=zero, p=p
    )


def product_ids(tenant, **params) -> list[int]:
    return ids(tenant.client(tenant.member("cashier")).get(PRODUCTS, params))


def test_product_list_is_this_companys_by_name(tenant, shelf):
    p = shelf.p
    assert product_ids(tenant) == [
        p.rice.pk,
        p.milk.pk,
        p.cheese.pk,
        p.cola.pk,
        p.old.pk,
        p.loose.pk,
    ]


def test_filter_by_exact_barcode_and_sku(tenant, shelf):
    p = shelf.p
    assert product_ids(tenant, barcode="7502222") == [p.milk.pk]
    assert product_ids(tenant, barcode="75022221") == [p.cheese.pk]
    assert product_ids(tenant, barcode="750222") == []
    assert product_ids(tenant, sku="REF-01") == [p.cola.pk]
    assert product_ids(tenant, sku="REF") == []
    assert product_ids(tenant, sku="ARR-01") == [p.rice.pk]


def test_filter_by_category_includes_subcategories(tenant, shelf):
    p = shelf.p
    assert product_ids(tenant, category=shelf.food.pk) == [p.rice.pk, p.milk.pk, p.cheese.pk]
    assert product_ids(tenant, category=shelf.dairy.pk) == [p.milk.pk, p.cheese.pk]
    assert product_ids(tenant, category=shelf.cheese.pk) == [p.cheese.pk]
    assert product_ids(tenant, category=shelf.drinks.pk) == [p.cola.pk, p.old.pk]


def test_filter_by_active(tenant, shelf):
    p = shelf.p
    assert product_ids(tenant, is_active="false") == [p.old.pk]
    assert p.old.pk not in product_ids(tenant, is_active="true")
    assert len(product_ids(tenant, is_active="true")) == 5


def test_filter_by_tax_rate(tenant, shelf):
    assert product_ids(tenant, tax_rate=shelf.vat.pk) == [shelf.p.cola.pk]
    assert product_ids(tenant, tax_rate=shelf.zero.pk) == [shelf.p.rice.pk]


def test_filters_combine(tenant, shelf):
    assert product_ids(tenant, category=shelf.drinks.pk, is_active="true") == [shelf.p.cola.pk]
    assert product_ids(tenant, category=shelf.food.pk, search="queso") == [shelf.p.cheese.pk]


def test_filter_ids_of_another_company_find_nothing(tenant, other_tenant, shelf, theirs):
    response = tenant.client().get(PRODUCTS, {"category": theirs.category.pk})
    assert response.status_code == 200
    assert response.json()["count"] == 0 and response.json()["results"] == []
    assert product_ids(tenant, tax_rate=theirs.tax.pk) == []
    assert product_ids(tenant, category=999_999) == []


@pytest.mark.parametrize("field", ["category", "tax_rate"])
@pytest.mark.parametrize("value", ["abc", "1.5", "0", "99999999999999999999"])
def test_a_filter_id_that_cannot_be_an_id_is_a_400(tenant, shelf, field, value):
    response = tenant.client().get(PRODUCTS, {field: value})
    assert_400(response, field)


@pytest.mark.parametrize(
    "term, expected",
    [
        ("leche", ["milk"]),  # name, lower case
        ("QUESO", ["cheese"]),  # name, upper case
        ("refresco", ["cola", "old"]),
        ("lec-0", ["milk"]),  # sku, case-insensitive
        ("ref-", ["cola", "old"]),
        ("7502222", ["milk", "cheese"]),  # barcode, partial
        ("1111", ["rice"]),
        ("nada", []),
    ],
)
def test_search_name_sku_barcode(tenant, shelf, term, expected):
    assert product_ids(tenant, search=term) == [getattr(shelf.p, name).pk for name in expected]


@pytest.mark.postgres
@pytest.mark.parametrize("term", ["cafe", "CAFE", "Café", "CAFÉ", "olla"])
def test_search_is_accent_insensitive_on_postgresql(tenant, term):
    cafe = ProductFactory(company=tenant.company, sku="CAF-1", name="Café de olla")
    plain = ProductFactory(company=tenant.company, sku="CAF-2", name="Cafetera")
    ProductFactory(company=tenant.company, sku="TE-1", name="Té verde")
    expected = {cafe.pk} if term == "olla" else {cafe.pk, plain.pk}
    # A set: how "Café" sorts against "Cafetera" depends on the database collation.
    assert set(product_ids(tenant, search=term)) == expected


@pytest.mark.parametrize(
    "ordering, expected",
    [
        ("name", ["rice", "milk", "cheese", "cola", "old", "loose"]),
        ("-name", ["loose", "old", "cola", "cheese", "milk", "rice"]),
        ("sku", ["rice", "milk", "cheese", "cola", "old", "loose"]),
        ("-sku", ["loose", "old", "cola", "cheese", "milk", "rice"]),
        ("price", ["loose", "old", "cola", "milk", "rice", "cheese"]),
        ("-price", ["cheese", "rice", "milk", "cola", "old", "loose"]),
    ],
)
def test_ordering(tenant, shelf, ordering, expected):
    assert product_ids(tenant, ordering=ordering) == [getattr(shelf.p, n).pk for n in expected]


def test_product_list_pagination(tenant, shelf):
    client = tenant.client()
    body = client.get(PRODUCTS, {"page_size": 4}).json()
    assert_paginated(body)
    assert body["count"] == 6
    assert len(body["results"]) == 4
    assert body["previous"] is None
    assert "page=2" in body["next"]
    second = client.get(body["next"]).json()
    assert second["count"] == 6
    assert second["next"] is None
    assert second["previous"] is not None
    listed = [item["id"] for item in body["results"] + second["results"]]
    assert sorted(listed) == sorted(
        Product.objects.filter(company=tenant.company).values_list("pk", flat=True)
    )
    assert all(set(item) == PRODUCT_KEYS for item in body["results"])


def test_a_short_filtered_page_counts_right(tenant, shelf):
    body = tenant.client().get(PRODUCTS, {"barcode": "7501111"}).json()
    assert_paginated(body)
    assert (body["count"], body["next"], body["previous"]) == (1, None, None)
    assert [item["sku"] for item in body["results"]] == ["ARR-01"]


@pytest.mark.parametrize(
    "url, factory",
    [(TAX_RATES, TaxRateFactory), (CATEGORIES, CategoryFactory), (CUSTOMERS, CustomerFactory)],
)
def test_other_lists_are_paginated_by_name(tenant, other_tenant, url, factory):
    made = [factory(company=tenant.company, name=name) for name in ("C", "A", "B")]
    factory(company=other_tenant.company, name="AA")
    client = tenant.client()
    body = client.get(url, {"page_size": 2}).json()
    assert_paginated(body)
    assert body["count"] == 3
    assert [item["name"] for item in body["results"]] == ["A", "B"]
    assert "page=2" in body["next"]
    second = client.get(body["next"]).json()
    assert [item["id"] for item in second["results"]] == [made[0].pk]


# --- customers ---------------------------------------------------------------------------------


@pytest.fixture
def customers(tenant, other_tenant):
    make = CustomerFactory
    company = tenant.company
    found = SimpleNamespace(
        ana=make(company=company, name="Ana Ramírez", email="ana@correo.mx", phone="5511110000"),
        beto=make(company=company, name="Beto Salas", email="b.salas@ejemplo.com", tax_id="SAB900"),
        carla=make(company=company, name="Carla Núñez", phone="3322220000", tax_id="NUC850"),
    )
    make(company=other_tenant.company, name="Ana Ramírez", email="ana@correo.mx")
    return found


def customer_ids(tenant, **params) -> list[int]:
    return ids(tenant.client(tenant.member("cashier")).get(CUSTOMERS, params))


@pytest.mark.parametrize(
    "term, expected",
    [
        ("ana", ["ana"]),  # name
        ("SALAS", ["beto"]),  # name, upper case
        ("correo.mx", ["ana"]),  # email
        ("EJEMPLO", ["beto"]),  # email, case-insensitive
        ("3322", ["carla"]),  # phone
        ("0000", ["ana", "carla"]),
        ("sab9", ["beto"]),  # tax id, case-insensitive
        ("nuc850", ["carla"]),
        ("zzz", []),
    ],
)
def test_customer_search(tenant, customers, term, expected):
    assert customer_ids(tenant, search=term) == [getattr(customers, n).pk for n in expected]


def test_customer_list_is_this_companys(tenant, customers):
    assert customer_ids(tenant) == [customers.ana.pk, customers.beto.pk, customers.carla.pk]


@pytest.mark.postgres
def test_customer_search_is_accent_insensitive_on_postgresql(tenant, customers):
    assert customer_ids(tenant, search="nunez") == [customers.carla.pk]
    assert customer_ids(tenant, search="RAMIREZ") == [customers.ana.pk]


def test_a_cashier_adds_and_changes_customers_but_cannot_delete_them(tenant, world):
    cashier = tenant.member("cashier")
    client = tenant.client(cashier)
    response = client.post(CUSTOMERS, {"name": "Nuevo", "phone": "5500000000"}, format="json")
    assert response.status_code == 201, response.content
    created = Customer.objects.get(pk=response.json()["id"])
    assert (created.company, created.phone) == (tenant.company, "5500000000")
    response = client.patch(f"{CUSTOMERS}/{created.pk}", {"tax_id": "XAXX010101000"}, format="json")
    assert response.status_code == 200
    created.refresh_from_db()
    assert created.tax_id == "XAXX010101000"
    response = client.delete(f"{CUSTOMERS}/{created.pk}")
    assert response.status_code == 403
    assert Customer.objects.filter(pk=created.pk).exists()


def test_a_cashier_cannot_change_products(tenant, world):
    client = tenant.client(tenant.member("cashier"))
    before = state(tenant.company)
    response = client.patch(f"{PRODUCTS}/{world.product.pk}", {"price": "0.01"}, format="json")
    assert response.status_code == 403
    response = client.patch(f"{PRODUCTS}/{world.product.pk}", {"is_active": False}, format="json")
    assert response.status_code == 403
    assert state(tenant.company) == before


def test_a_customer_named_by_a_sale_is_in_use(tenant):
    customer = CustomerFactory(company=tenant.company)
    item = ProductFactory(company=tenant.company, price=Decimal("5.00"), track_inventory=False)
    shift_open(actor=tenant.admin, register=tenant.register, opening_cash=Decimal(0))
    sale_complete(
        actor=tenant.admin,
        register=tenant.register,
        customer=customer,
        lines=[SaleLineRequest(product_id=item.pk, quantity=Decimal(1))],
        payments=[PaymentRequest(method="cash", amount=Decimal("5.00"))],
    )
    response = tenant.client().delete(f"{CUSTOMERS}/{customer.pk}")
    assert response.status_code == 409
    assert error_codes(response) == ["customer_in_use"]
    assert Customer.objects.filter(pk=customer.pk).exists()
