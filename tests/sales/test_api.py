"""Shifts, sales, voids and refunds over HTTP, as API.md "Sales" says.

Every call is tried four ways: without identity (401), by the admin of another company (this
company's objects in the URL are 404, this company's register, product, customer or sale line in
a body are a 400 on that field, lists show nothing of this company; nothing changes), by a member
who holds every code but the one the call needs (403, nothing changed), and by a member holding
just that code (the effect is checked in the database). Then every rule of the section with its
answer. Amount tables are in test_pricing.py, the shift report in test_services.py, concurrency
and query counts elsewhere.
"""

import datetime as dt
from decimal import Decimal
from types import SimpleNamespace

import pytest
from rest_framework.test import APIRequestFactory

from accounts.models import AuditEvent
from accounts.selectors import holdable_permissions, permission_code
from catalog.models import Product
from config.models import IdempotencyKey
from inventory.models import StockLevel, StockMovement
from sales import permissions as perms
from sales.api.serializers import RefundSerializer
from sales.models import CashMovement, Payment, Refund, RefundLine, Sale, SaleLine, Shift
from tests.conftest import error_attrs, error_codes
from tests.sales.factories import (
    SALES,
    SHIFTS,
    audit_events,
    close_shift,
    configure,
    customer,
    open_shift,
    product,
    quantity,
    receive,
    refund,
    refund_movements,
    register,
    sale_movements,
    sales_state,
    sell,
    tax_rate,
    void,
)

D = Decimal

SHIFT_KEYS = {"id", "register", "opened_by", "opened_at", "opening_cash", "status"}
SALE_KEYS = {
    "id",
    "receipt_number",
    "receipt_sequence",
    "status",
    "register",
    "shift",
    "cashier",
    "customer",
    "created_at",
    "lines",
    "subtotal",
    "discount_total",
    "tax_total",
    "total",
    "paid_total",
    "change",
    "payments",
    "refunded_total",
}
SALE_LINE_KEYS = {
    "id",
    "product",
    "name",
    "quantity",
    "unit_price",
    "discount_amount",
    "tax_rate",
    "tax_amount",
    "total",
}
REFUND_KEYS = {
    "id",
    "sale",
    "register",
    "shift",
    "lines",
    "total",
    "method",
    "restock",
    "created_at",
}
REPORT_KEYS = {
    "shift",
    "register",
    "status",
    "opened_at",
    "closed_at",
    "opening_cash",
    "cash_in",
    "cash_out",
    "cash_sales",
    "cash_refunds",
    "expected_cash",
    "counted_cash",
    "difference",
    "sales_count",
    "voids_count",
    "gross_total",
    "discount_total",
    "tax_total",
    "refunds_total",
    "net_total",
    "by_payment_method",
}


# --- helpers ---------------------------------------------------------------------------------


def all_codes() -> set[str]:
    return {permission_code(p) for p in holdable_permissions()}


def member_without(tenant, *codes: str):
    """A member holding every code a role may hold except `codes`."""
    return tenant.member(codes=sorted(all_codes() - set(codes)))


def assert_paginated(body):
    assert set(body) == {"count", "next", "previous", "results"}
    assert isinstance(body["results"], list)


def assert_400(response, attr: str, code: str | None = None):
    assert response.status_code == 400, response.content
    assert response.json()["type"] == "validation_error"
    assert error_attrs(response) == [attr], response.content
    if code is not None:
        assert error_codes(response) == [code], response.content


def assert_409(response, code: str):
    assert response.status_code == 409, response.content
    assert response.json()["type"] == "client_error"
    assert error_codes(response) == [code], response.content


def assert_403(response):
    assert response.status_code == 403, response.content
    assert response.json()["type"] == "client_error"
    assert error_codes(response) == ["permission_denied"], response.content


def listed_ids(response) -> list[int]:
    assert response.status_code == 200, response.content
    assert_paginated(response.json())
    return [row["id"] for row in response.json()["results"]]


def line_of(sale, item) -> SaleLine:
    return SaleLine.objects.get(sale=sale, product=item)


# --- the world and the calls -------------------------------------------------------------------


@pytest.fixture
def world(tenant, other_tenant):
    """This company: a taxed coffee (50 in stock at 7.00), sugar by the kg (10 at 2.00), an
    untracked bag, a customer, a second register (R2) without a shift, the first register's
    shift opened with 500.00, and one sale on it:
        coffee 2 x 12.50 = 25.00 (16% inclusive: net r(25 / 1.16 = 21.55), tax 3.45)
        sugar 0.5 kg x 24.90 = 12.45 (no tax rate)
        total 37.45, tax 3.45, paid 50.00 cash, change 12.55; receipt R1-000001.
    The other company has its own product, customer, open shift and sale."""
    vat = tax_rate(tenant, "16.00")
    coffee = product(tenant, name="Café", price=D("12.50"), cost=D("7.00"), tax_rate=vat)
    sugar = product(tenant, name="Azúcar", unit="kg", price=D("24.90"), cost=D("2.00"))
    bag = product(tenant, name="Bolsa", price=D("1.00"), cost=D("0.20"), track_inventory=False)
    receive(tenant, (coffee, 50, "7.00"), (sugar, 10, "2.00"))
    client = customer(tenant, name="María López")
    second = register(tenant, name="Caja 2", receipt_prefix="R2")
    shift = open_shift(tenant, opening_cash="500.00")
    sale = sell(tenant, [(coffee, 2), (sugar, "0.5")], [("cash", "50.00")], customer=client)

    theirs = product(other_tenant, name="Ajeno", price=D("3.00"), track_inventory=False)
    their_customer = customer(other_tenant, name="Cliente ajeno")
    their_shift = open_shift(other_tenant, opening_cash="100.00")
    their_sale = sell(other_tenant, [(theirs, 1)], [("cash", "3.00")])
    return SimpleNamespace(
        tenant=tenant,
        other=other_tenant,
        coffee=coffee,
        sugar=sugar,
        bag=bag,
        customer=client,
        register=tenant.register,
        second=second,
        shift=shift,
        sale=sale,
        coffee_line=line_of(sale, coffee),
        sugar_line=line_of(sale, sugar),
        theirs=theirs,
        their_customer=their_customer,
        their_register=other_tenant.register,
        their_shift=their_shift,
        their_sale=their_sale,
    )


def sale_body(w, **fields):
    """A card sale of one coffee and two bags: 12.50 + 2 x 1.00 = 14.50
    (coffee net r(12.50 / 1.16 = 10.775) = 10.78, tax 1.72; bags untaxed)."""
    body = {
        "register": w.register.pk,
        "customer": w.customer.pk,
        "note": "mesa 4",
        "lines": [
            {"product": w.coffee.pk, "quantity": "1", "unit_price": None, "discount_percent": "0"},
            {"product": w.bag.pk, "quantity": "2"},
        ],
        "discount_percent": "0",
        "payments": [{"method": "card", "amount": "14.50", "reference": "AUTH123"}],
    }
    body.update(fields)
    return body


def refund_body(w, **fields):
    body = {
        "register": w.register.pk,
        "reason": "damaged",
        "restock": True,
        "method": "cash",
        "lines": [{"sale_line": w.coffee_line.pk, "quantity": "1"}],
    }
    body.update(fields)
    return body


# name: (method, path (a function of the world), body (a function of the world), code)
CALLS = {
    "shifts-create": (
        "post",
        lambda w: SHIFTS,
        lambda w: {"register": w.second.pk, "opening_cash": "300.00"},
        perms.MANAGE_SHIFT,
    ),
    "shifts-list": ("get", lambda w: SHIFTS, None, perms.VIEW_SHIFT),
    "shifts-retrieve": ("get", lambda w: f"{SHIFTS}/{w.shift.pk}", None, perms.VIEW_SHIFT),
    "shifts-cash-movements": (
        "post",
        lambda w: f"{SHIFTS}/{w.shift.pk}/cash-movements",
        lambda w: {"kind": "pay_out", "amount": "20.00", "reason": "ice"},
        perms.MANAGE_SHIFT,
    ),
    "shifts-report": ("get", lambda w: f"{SHIFTS}/{w.shift.pk}/report", None, perms.VIEW_SHIFT),
    "shifts-close": (
        "post",
        lambda w: f"{SHIFTS}/{w.shift.pk}/close",
        lambda w: {"counted_cash": "537.00"},
        perms.MANAGE_SHIFT,
    ),
    "sales-create": ("post", lambda w: SALES, sale_body, perms.ADD_SALE),
    "sales-list": ("get", lambda w: SALES, None, perms.VIEW_SALE),
    "sales-retrieve": ("get", lambda w: f"{SALES}/{w.sale.pk}", None, perms.VIEW_SALE),
    "sales-void": (
        "post",
        lambda w: f"{SALES}/{w.sale.pk}/void",
        lambda w: {"reason": "wrong item"},
        perms.VOID_SALE,
    ),
    "sales-refunds": (
        "post",
        lambda w: f"{SALES}/{w.sale.pk}/refunds",
        refund_body,
        perms.REFUND_SALE,
    ),
}
OBJECT_CALLS = [
    "shifts-retrieve",
    "shifts-cash-movements",
    "shifts-report",
    "shifts-close",
    "sales-retrieve",
    "sales-void",
    "sales-refunds",
]
LISTS = ["shifts-list", "sales-list"]


def send(client, w, name, **extra):
    _, path, body, _ = CALLS[name]
    if body is None:
        return client.get(path(w), **extra)
    return client.post(path(w), body(w), format="json", **extra)


def assert_effect(w, name, response, user):
    """The allowed call did what it says, in the database (figures computed by hand)."""
    tenant = w.tenant
    if name == "shifts-create":
        assert response.status_code == 201, response.content
        body = response.json()
        assert set(body) >= SHIFT_KEYS
        shift = Shift.objects.get(pk=body["id"])
        assert (shift.company, shift.register, shift.opened_by, shift.status) == (
            tenant.company,
            w.second,
            user,
            "open",
        )
        assert shift.opening_cash == D("300.00")
        assert (body["register"], body["opened_by"], body["opening_cash"], body["status"]) == (
            w.second.pk,
            user.pk,
            "300.00",
            "open",
        )
    elif name == "shifts-list":
        assert listed_ids(response) == [w.shift.pk]
        assert response.json()["count"] == 1
    elif name == "shifts-retrieve":
        assert response.status_code == 200, response.content
        body = response.json()
        assert set(body) >= SHIFT_KEYS
        assert (body["id"], body["register"], body["status"], body["opening_cash"]) == (
            w.shift.pk,
            w.register.pk,
            "open",
            "500.00",
        )
        assert body["opened_by"] == tenant.admin.user_id
    elif name == "shifts-cash-movements":
        assert response.status_code == 201, response.content
        [movement] = CashMovement.objects.filter(company=tenant.company)
        assert (movement.shift, movement.kind, movement.amount, movement.reason, movement.user) == (
            w.shift,
            "pay_out",
            D("20.00"),
            "ice",
            user,
        )
        assert response.json()["id"] == movement.pk
        assert response.json()["amount"] == "20.00"
    elif name == "shifts-report":
        assert response.status_code == 200, response.content
        body = response.json()
        assert set(body) == REPORT_KEYS
        # 500.00 + 37.45 (50.00 tendered - 12.55 change) = 537.45
        assert body == {
            **body,
            "shift": w.shift.pk,
            "register": w.register.pk,
            "status": "open",
            "closed_at": None,
            "opening_cash": "500.00",
            "cash_in": "0.00",
            "cash_out": "0.00",
            "cash_sales": "37.45",
            "cash_refunds": "0.00",
            "expected_cash": "537.45",
            "counted_cash": None,
            "difference": None,
            "sales_count": 1,
            "voids_count": 0,
            "gross_total": "37.45",
            "discount_total": "0.00",
            "tax_total": "3.45",
            "refunds_total": "0.00",
            "net_total": "37.45",
        }
        assert body["by_payment_method"]["cash"] == "37.45"
        assert body["by_payment_method"]["card"] == "0.00"
    elif name == "shifts-close":
        assert response.status_code == 200, response.content
        shift = Shift.objects.get(pk=w.shift.pk)
        # counted 537.00 - expected 537.45 = -0.45
        assert (shift.status, shift.closed_by) == ("closed", user)
        assert shift.closed_at is not None
        assert (shift.counted_cash, shift.expected_cash, shift.difference) == (
            D("537.00"),
            D("537.45"),
            D("-0.45"),
        )
        body = response.json()
        assert (
            body["status"],
            body["counted_cash"],
            body["expected_cash"],
            body["difference"],
        ) == ("closed", "537.00", "537.45", "-0.45")
        [event] = audit_events(tenant, "shift.close")
        assert (event.user, event.object_type, event.object_id) == (
            user,
            "sales.shift",
            str(shift.pk),
        )
    elif name == "sales-create":
        assert response.status_code == 201, response.content
        body = response.json()
        assert set(body) >= SALE_KEYS
        sale = Sale.objects.get(pk=body["id"])
        assert (sale.company, sale.register, sale.shift, sale.cashier, sale.customer) == (
            tenant.company,
            w.register,
            w.shift,
            user,
            w.customer,
        )
        assert (sale.receipt_sequence, sale.receipt_number, sale.status, sale.note) == (
            2,
            "R1-000002",
            "completed",
            "mesa 4",
        )
        assert (sale.subtotal, sale.tax_total, sale.total, sale.paid_total, sale.change) == (
            D("12.78"),
            D("1.72"),
            D("14.50"),
            D("14.50"),
            D("0"),
        )
        assert list(
            sale.lines.order_by("id").values_list(
                "product_id", "name", "quantity", "unit_price", "unit_cost", "tax_amount", "total"
            )
        ) == [
            (w.coffee.pk, "Café", D("1"), D("12.50"), D("7.00"), D("1.72"), D("12.50")),
            (w.bag.pk, "Bolsa", D("2"), D("1.00"), D("0.20"), D("0"), D("2.00")),
        ]
        assert list(sale.payments.values_list("method", "amount", "reference")) == [
            ("card", D("14.50"), "AUTH123")
        ]
        # One movement, for the tracked coffee only.
        assert sale_movements(sale) == [
            (w.coffee.pk, tenant.location.pk, "sale", D("-1"), D("7.00"))
        ]
        assert quantity(w.coffee, tenant.location) == D("47")
        w.register.refresh_from_db()
        assert w.register.receipt_counter == 2
        assert (body["receipt_number"], body["total"], body["shift"]) == (
            "R1-000002",
            "14.50",
            w.shift.pk,
        )
    elif name == "sales-list":
        assert listed_ids(response) == [w.sale.pk]
        assert response.json()["results"][0]["receipt_number"] == "R1-000001"
    elif name == "sales-retrieve":
        assert response.status_code == 200, response.content
        body = response.json()
        assert set(body) >= SALE_KEYS
        assert all(set(line) >= SALE_LINE_KEYS for line in body["lines"])
        assert (body["id"], body["receipt_number"], body["receipt_sequence"]) == (
            w.sale.pk,
            "R1-000001",
            1,
        )
        assert (body["total"], body["paid_total"], body["change"], body["tax_total"]) == (
            "37.45",
            "50.00",
            "12.55",
            "3.45",
        )
        assert (body["status"], body["refunded_total"], body["customer"]) == (
            "completed",
            "0.00",
            w.customer.pk,
        )
        assert [(x["product"], x["quantity"], x["total"]) for x in body["lines"]] == [
            (w.coffee.pk, "2.000", "25.00"),
            (w.sugar.pk, "0.500", "12.45"),
        ]
    elif name == "sales-void":
        assert response.status_code == 200, response.content
        assert response.json()["status"] == "voided"
        sale = Sale.objects.get(pk=w.sale.pk)
        assert (sale.status, sale.voided_by, sale.void_reason) == ("voided", user, "wrong item")
        assert sale.voided_at is not None
        assert sale_movements(sale) == [
            (w.coffee.pk, tenant.location.pk, "sale", D("-2"), D("7.00")),
            (w.sugar.pk, tenant.location.pk, "sale", D("-0.5"), D("2.00")),
            (w.coffee.pk, tenant.location.pk, "void", D("2"), D("7.00")),
            (w.sugar.pk, tenant.location.pk, "void", D("0.5"), D("2.00")),
        ]
        assert quantity(w.coffee, tenant.location) == D("50")
        assert quantity(w.sugar, tenant.location) == D("10")
        [event] = audit_events(tenant, "sale.void")
        assert (event.user, event.object_type, event.object_id) == (
            user,
            "sales.sale",
            str(sale.pk),
        )
    elif name == "sales-refunds":
        assert response.status_code == 201, response.content
        body = response.json()
        assert set(body) >= REFUND_KEYS
        created = Refund.objects.get(pk=body["id"])
        # one of two coffees of a 25.00 line: 12.50
        assert (created.sale, created.register, created.shift, created.user) == (
            w.sale,
            w.register,
            w.shift,
            user,
        )
        assert (created.method, created.restock, created.total, created.reason) == (
            "cash",
            True,
            D("12.50"),
            "damaged",
        )
        assert list(
            created.lines.values_list("sale_line_id", "product_id", "quantity", "total")
        ) == [(w.coffee_line.pk, w.coffee.pk, D("1"), D("12.50"))]
        assert body["lines"] == [
            {
                "sale_line": w.coffee_line.pk,
                "product": w.coffee.pk,
                "quantity": "1.000",
                "total": "12.50",
            }
        ]
        assert (body["total"], body["method"], body["restock"]) == ("12.50", "cash", True)
        sale = Sale.objects.get(pk=w.sale.pk)
        assert (sale.status, sale.refunded_total) == ("partially_refunded", D("12.50"))
        line = SaleLine.objects.get(pk=w.coffee_line.pk)
        assert (line.refunded_quantity, line.refunded_amount) == (D("1"), D("12.50"))
        assert refund_movements(created) == [
            (w.coffee.pk, tenant.location.pk, "return", D("1"), D("7.00"))
        ]
        assert quantity(w.coffee, tenant.location) == D("49")
        [event] = audit_events(tenant, "sale.refund")
        assert (event.user, event.object_type, event.object_id) == (
            user,
            "sales.refund",
            str(created.pk),
        )
    else:  # pragma: no cover
        raise AssertionError(name)


# --- the four cases of every call --------------------------------------------------------------


@pytest.mark.parametrize("name", list(CALLS))
def test_no_identity_is_401_and_changes_nothing(anonymous, tenant, other_tenant, world, name):
    before = sales_state(tenant.company, other_tenant.company)
    response = send(anonymous, world, name)
    assert response.status_code == 401, response.content
    assert response.json()["type"] == "client_error"
    assert error_codes(response) == ["not_authenticated"]
    assert sales_state(tenant.company, other_tenant.company) == before


@pytest.mark.parametrize("name", OBJECT_CALLS)
def test_another_companys_admin_gets_404_for_our_objects_and_changes_nothing(
    tenant, other_tenant, world, name
):
    before = sales_state(tenant.company, other_tenant.company)
    response = send(other_tenant.client(), world, name)
    assert response.status_code == 404, response.content
    assert error_codes(response) == ["not_found"]
    content = response.content.decode()
    assert "R1-000001" not in content and "Café" not in content and "500.00" not in content
    assert sales_state(tenant.company, other_tenant.company) == before


@pytest.mark.parametrize("name", LISTS)
def test_another_companys_admin_lists_only_their_own(tenant, other_tenant, world, name):
    response = send(other_tenant.client(), world, name)
    theirs = world.their_shift if name == "shifts-list" else world.their_sale
    assert listed_ids(response) == [theirs.pk]
    assert response.json()["count"] == 1


def _their_sale_body(w, **fields):
    body = {
        "register": w.their_register.pk,
        "lines": [{"product": w.theirs.pk, "quantity": "1"}],
        "payments": [{"method": "cash", "amount": "3.00"}],
    }
    body.update(fields)
    return body


def _their_refund_body(w, **fields):
    body = {
        "register": w.their_register.pk,
        "reason": "r",
        "method": "card",
        "lines": [{"sale_line": w.their_sale.lines.get().pk, "quantity": "1"}],
    }
    body.update(fields)
    return body


# (path, body, attr): another company's admin naming this company's ids in a body.
FOREIGN_IDS = {
    "shift-register": (
        lambda w: SHIFTS,
        lambda w: {"register": w.register.pk, "opening_cash": "1.00"},
        "register",
    ),
    "sale-register": (
        lambda w: SALES,
        lambda w: _their_sale_body(w, register=w.register.pk),
        "register",
    ),
    "sale-product": (
        lambda w: SALES,
        lambda w: _their_sale_body(w, lines=[{"product": w.coffee.pk, "quantity": "1"}]),
        "lines.0.product",
    ),
    "sale-customer": (
        lambda w: SALES,
        lambda w: _their_sale_body(w, customer=w.customer.pk),
        "customer",
    ),
    "refund-register": (
        lambda w: f"{SALES}/{w.their_sale.pk}/refunds",
        lambda w: _their_refund_body(w, register=w.register.pk),
        "register",
    ),
    "refund-sale-line": (
        lambda w: f"{SALES}/{w.their_sale.pk}/refunds",
        lambda w: _their_refund_body(w, lines=[{"sale_line": w.coffee_line.pk, "quantity": "1"}]),
        "lines.0.sale_line",
    ),
}


@pytest.mark.parametrize("name", list(FOREIGN_IDS))
def test_another_companys_ids_in_a_body_are_400_on_that_field(tenant, other_tenant, world, name):
    path, body, attr = FOREIGN_IDS[name]
    before = sales_state(tenant.company, other_tenant.company)
    response = other_tenant.client().post(path(world), body(world), format="json")
    assert_400(response, attr, "does_not_exist")
    assert sales_state(tenant.company, other_tenant.company) == before


@pytest.mark.parametrize("name", ["sale-register", "refund-register"])
def test_the_same_bodies_with_their_own_ids_go_through(tenant, other_tenant, world, name):
    """The 400s above are for the foreign ids, not for anything else in the bodies."""
    path, body, _ = FOREIGN_IDS[name]
    fields = {"register": world.their_register.pk}
    response = other_tenant.client().post(path(world), body(world) | fields, format="json")
    assert response.status_code == 201, response.content


@pytest.mark.parametrize("name", list(CALLS))
def test_member_without_the_permission_gets_403_and_changes_nothing(tenant, world, name):
    actor = member_without(tenant, CALLS[name][3])
    before = sales_state(tenant.company)
    response = send(tenant.client(actor), world, name)
    assert_403(response)
    assert sales_state(tenant.company) == before


@pytest.mark.parametrize("name", list(CALLS))
def test_the_one_code_is_enough_and_the_effect_is_stored(tenant, world, name):
    actor = tenant.member(codes=[CALLS[name][3]])
    response = send(tenant.client(actor), world, name)
    assert_effect(world, name, response, actor.user)


ROLE_CALLS = {
    "admin": set(CALLS),
    "manager": set(CALLS),
    "cashier": set(CALLS) - {"sales-void", "sales-refunds"},
    "stock_clerk": set(),
}


@pytest.mark.parametrize("name", list(CALLS))
@pytest.mark.parametrize("role", list(ROLE_CALLS))
def test_role_defaults(tenant, world, role, name):
    actor = tenant.member(role)
    before = sales_state(tenant.company)
    response = send(tenant.client(actor), world, name)
    if name in ROLE_CALLS[role]:
        assert_effect(world, name, response, actor.user)
    else:
        assert_403(response)
        assert sales_state(tenant.company) == before


@pytest.mark.parametrize("name", ["shifts-retrieve", "sales-retrieve", "sales-list"])
def test_paths_answer_with_a_trailing_slash_too(tenant, world, name):
    _, path, _, _ = CALLS[name]
    assert tenant.client().get(path(world) + "/").status_code == 200


# --- payments ----------------------------------------------------------------------------------


def two_coffees(w, payments):
    """2 x 12.50 = 25.00."""
    return sale_body(
        w, lines=[{"product": w.coffee.pk, "quantity": "2"}], payments=payments, customer=None
    )


@pytest.mark.parametrize(
    "payments",
    [
        [],
        [{"method": "cash", "amount": "20.00"}],
        [{"method": "cash", "amount": "20.00"}, {"method": "card", "amount": "4.99"}],
    ],
)
def test_payments_below_the_total_are_400_insufficient_payment(tenant, world, payments):
    before = sales_state(tenant.company)
    response = tenant.client().post(SALES, two_coffees(world, payments), format="json")
    assert_400(response, "payments", "insufficient_payment")
    assert sales_state(tenant.company) == before


@pytest.mark.parametrize(
    "payments",
    [
        [{"method": "card", "amount": "30.00"}],
        [{"method": "transfer", "amount": "25.01"}],
        # change 27.00 - 25.00 = 2.00 is more than the 1.00 of cash tendered
        [{"method": "card", "amount": "26.00"}, {"method": "cash", "amount": "1.00"}],
    ],
)
def test_an_excess_beyond_the_cash_is_400_overpayment(tenant, world, payments):
    before = sales_state(tenant.company)
    response = tenant.client().post(SALES, two_coffees(world, payments), format="json")
    assert_400(response, "payments", "overpayment")
    assert sales_state(tenant.company) == before


@pytest.mark.parametrize(
    "payments, paid, change",
    [
        ([{"method": "cash", "amount": "30.00"}], "30.00", "5.00"),
        (
            [{"method": "card", "amount": "20.00"}, {"method": "cash", "amount": "10.00"}],
            "30.00",
            "5.00",
        ),
        (
            [{"method": "card", "amount": "24.00"}, {"method": "cash", "amount": "1.00"}],
            "25.00",
            "0.00",
        ),
        ([{"method": "other", "amount": "25.00"}], "25.00", "0.00"),
    ],
)
def test_cash_over_the_total_is_change(tenant, world, payments, paid, change):
    response = tenant.client().post(SALES, two_coffees(world, payments), format="json")
    assert response.status_code == 201, response.content
    body = response.json()
    assert (body["total"], body["paid_total"], body["change"]) == ("25.00", paid, change)
    sale = Sale.objects.get(pk=body["id"])
    assert (sale.paid_total, sale.change) == (D(paid), D(change))
    assert sale.paid_total - sale.change == sale.total
    assert list(sale.payments.order_by("id").values_list("method", "amount")) == [
        (p["method"], D(p["amount"])) for p in payments
    ]


def test_an_unknown_payment_method_is_400(tenant, world):
    response = tenant.client().post(
        SALES, two_coffees(world, [{"method": "voucher", "amount": "25.00"}]), format="json"
    )
    assert_400(response, "payments.0.method")


# --- lines, register, customer -----------------------------------------------------------------


@pytest.mark.parametrize(
    "change, attr",
    [
        (lambda w: {"lines": [{"product": 999_999, "quantity": "1"}]}, "lines.0.product"),
        (lambda w: {"lines": [{"product": w.theirs.pk, "quantity": "1"}]}, "lines.0.product"),
        (
            lambda w: {
                "lines": [
                    {"product": w.coffee.pk, "quantity": "1"},
                    {"product": w.theirs.pk, "quantity": "1"},
                ]
            },
            "lines.1.product",
        ),
        (lambda w: {"register": 999_999}, "register"),
        (lambda w: {"register": w.their_register.pk}, "register"),
        (lambda w: {"customer": 999_999}, "customer"),
        (lambda w: {"customer": w.their_customer.pk}, "customer"),
    ],
)
def test_unknown_or_another_companys_ids_are_400_on_the_field(tenant, world, change, attr):
    before = sales_state(tenant.company, world.other.company)
    response = tenant.client().post(SALES, sale_body(world, **change(world)), format="json")
    assert_400(response, attr, "does_not_exist")
    assert sales_state(tenant.company, world.other.company) == before


def test_an_inactive_product_is_400_product_inactive(tenant, world):
    Product.objects.filter(pk=world.bag.pk).update(is_active=False)
    before = sales_state(tenant.company)
    response = tenant.client().post(SALES, sale_body(world), format="json")
    assert_400(response, "lines.1.product", "product_inactive")
    assert sales_state(tenant.company) == before


@pytest.mark.parametrize("lines", [[], None])
def test_empty_or_missing_lines_are_400(tenant, world, lines):
    body = sale_body(world, lines=lines)
    if lines is None:
        del body["lines"]
    before = sales_state(tenant.company)
    response = tenant.client().post(SALES, body, format="json")
    assert_400(response, "lines")
    assert sales_state(tenant.company) == before


@pytest.mark.parametrize("value", ["0", "0.000", "-1", "-0.5"])
def test_a_quantity_not_above_zero_is_400(tenant, world, value):
    body = sale_body(world, lines=[{"product": world.sugar.pk, "quantity": value}])
    before = sales_state(tenant.company)
    response = tenant.client().post(SALES, body, format="json")
    assert_400(response, "lines.0.quantity")
    assert sales_state(tenant.company) == before


def test_a_fraction_of_a_unit_product_is_400_whole_quantity(tenant, world):
    body = sale_body(world, lines=[{"product": world.coffee.pk, "quantity": "1.5"}])
    response = tenant.client().post(SALES, body, format="json")
    assert_400(response, "lines.0.quantity", "whole_quantity")


def test_an_inactive_register_is_400(tenant, world):
    type(world.second).objects.filter(pk=world.second.pk).update(is_active=False)
    response = tenant.client().post(
        SALES, sale_body(world, register=world.second.pk), format="json"
    )
    assert_400(response, "register", "register_inactive")


# --- shifts ------------------------------------------------------------------------------------


def test_no_open_shift_is_409_and_writes_nothing(tenant, world):
    close_shift(tenant, world.shift, "537.45")
    before = sales_state(tenant.company)
    response = tenant.client().post(SALES, sale_body(world), format="json")
    assert_409(response, "no_open_shift")
    assert sales_state(tenant.company) == before


def test_without_require_open_shift_a_sale_needs_no_shift(tenant, world):
    configure(tenant, require_open_shift=False)
    response = tenant.client().post(
        SALES, sale_body(world, register=world.second.pk), format="json"
    )
    assert response.status_code == 201, response.content
    sale = Sale.objects.get(pk=response.json()["id"])
    assert (sale.shift, sale.register, sale.receipt_number) == (None, world.second, "R2-000001")
    assert response.json()["shift"] is None


def test_one_open_shift_per_register_409_shift_already_open(tenant, world):
    before = sales_state(tenant.company)
    response = tenant.client().post(
        SHIFTS, {"register": world.register.pk, "opening_cash": "100.00"}, format="json"
    )
    assert_409(response, "shift_already_open")
    assert sales_state(tenant.company) == before
    # after closing, the register opens again
    close_shift(tenant, world.shift, "537.45")
    response = tenant.client().post(
        SHIFTS, {"register": world.register.pk, "opening_cash": "100.00"}, format="json"
    )
    assert response.status_code == 201, response.content
    assert Shift.objects.filter(register=world.register, status="open").count() == 1


@pytest.mark.parametrize(
    "body, attr",
    [
        ({"opening_cash": "100.00"}, "register"),
        ({"register": "REG", "opening_cash": "-1.00"}, "opening_cash"),
        ({"register": "REG", "opening_cash": "1.005"}, "opening_cash"),
        ({"register": "REG"}, "opening_cash"),
    ],
)
def test_bad_shift_bodies_are_400(tenant, world, body, attr):
    body = {k: (world.second.pk if v == "REG" else v) for k, v in body.items()}
    response = tenant.client().post(SHIFTS, body, format="json")
    assert_400(response, attr)
    assert not Shift.objects.filter(register=world.second).exists()


def test_a_closed_shift_refuses_cash_movements_and_a_second_close(tenant, world):
    client = tenant.client()
    assert (
        client.post(
            f"{SHIFTS}/{world.shift.pk}/close", {"counted_cash": "537.45"}, format="json"
        ).status_code
        == 200
    )
    before = sales_state(tenant.company)
    response = client.post(
        f"{SHIFTS}/{world.shift.pk}/cash-movements",
        {"kind": "pay_in", "amount": "10.00", "reason": "float"},
        format="json",
    )
    assert_409(response, "shift_closed")
    response = client.post(
        f"{SHIFTS}/{world.shift.pk}/close", {"counted_cash": "1.00"}, format="json"
    )
    assert_409(response, "shift_closed")
    assert sales_state(tenant.company) == before
    assert len(audit_events(tenant, "shift.close")) == 1


@pytest.mark.parametrize(
    "body, attr",
    [
        ({"kind": "tip", "amount": "1.00", "reason": "x"}, "kind"),
        ({"kind": "pay_in", "amount": "0", "reason": "x"}, "amount"),
        ({"kind": "pay_in", "amount": "-5.00", "reason": "x"}, "amount"),
        ({"kind": "pay_in", "amount": "5.00"}, "reason"),
    ],
)
def test_bad_cash_movements_are_400(tenant, world, body, attr):
    response = tenant.client().post(
        f"{SHIFTS}/{world.shift.pk}/cash-movements", body, format="json"
    )
    assert_400(response, attr)
    assert not CashMovement.objects.exists()


def test_shift_report_and_close_answer_the_x_then_the_z_report(tenant, world):
    client = tenant.client()
    client.post(
        f"{SHIFTS}/{world.shift.pk}/cash-movements",
        {"kind": "pay_in", "amount": "100.00", "reason": "float"},
        format="json",
    )
    # 500.00 + 100.00 + 37.45 = 637.45
    x = client.get(f"{SHIFTS}/{world.shift.pk}/report").json()
    assert (x["status"], x["expected_cash"], x["counted_cash"], x["difference"]) == (
        "open",
        "637.45",
        None,
        None,
    )
    z = client.post(f"{SHIFTS}/{world.shift.pk}/close", {"counted_cash": "640.00"}, format="json")
    assert z.status_code == 200, z.content
    z = z.json()
    assert set(z) == REPORT_KEYS
    assert (z["status"], z["cash_in"], z["expected_cash"], z["counted_cash"], z["difference"]) == (
        "closed",
        "100.00",
        "637.45",
        "640.00",
        "2.55",
    )
    assert z["closed_at"] is not None
    assert client.get(f"{SHIFTS}/{world.shift.pk}/report").json() == z


def test_shifts_filter_by_register_and_status(tenant, world):
    close_shift(tenant, world.shift, "537.45")
    reopened = open_shift(tenant, opening_cash="10.00")
    second = open_shift(tenant, on=world.second)
    client = tenant.client()

    def ids(**query):
        return set(listed_ids(client.get(SHIFTS, query)))

    assert ids() == {world.shift.pk, reopened.pk, second.pk}
    assert ids(register=world.register.pk) == {world.shift.pk, reopened.pk}
    assert ids(status="open") == {reopened.pk, second.pk}
    assert ids(status="closed") == {world.shift.pk}
    assert ids(register=world.second.pk, status="closed") == set()
    assert ids(register=world.their_register.pk) == set()
    assert_400(client.get(SHIFTS, {"status": "paused"}), "status")


# --- stock ---------------------------------------------------------------------------------------


def test_insufficient_stock_is_409_writes_nothing_and_uses_no_receipt_number(tenant, world):
    # sugar: 10 - 0.5 = 9.5 left; 10 kg asked
    body = sale_body(
        world,
        lines=[
            {"product": world.coffee.pk, "quantity": "1"},
            {"product": world.sugar.pk, "quantity": "10"},
        ],
        payments=[{"method": "cash", "amount": "500.00"}],
    )
    before = sales_state(tenant.company)
    response = tenant.client().post(SALES, body, format="json")
    assert_409(response, "insufficient_stock")
    assert str(world.sugar.pk) in response.json()["errors"][0]["detail"]
    assert sales_state(tenant.company) == before
    # the next sale takes the next number: no gap
    response = tenant.client().post(SALES, sale_body(world), format="json")
    assert response.status_code == 201, response.content
    assert (response.json()["receipt_number"], response.json()["receipt_sequence"]) == (
        "R1-000002",
        2,
    )


def test_with_negative_stock_allowed_the_sale_goes_through(tenant, world):
    configure(tenant, allow_negative_stock=True)
    body = sale_body(
        world,
        lines=[{"product": world.sugar.pk, "quantity": "10"}],
        payments=[{"method": "card", "amount": "249.00"}],
    )
    response = tenant.client().post(SALES, body, format="json")
    assert response.status_code == 201, response.content
    assert quantity(world.sugar, tenant.location) == D("-0.5")


def test_sale_movements_are_negative_sale_movements_at_the_registers_location(tenant, world):
    assert sale_movements(world.sale) == [
        (world.coffee.pk, tenant.location.pk, "sale", D("-2"), D("7.00")),
        (world.sugar.pk, tenant.location.pk, "sale", D("-0.5"), D("2.00")),
    ]
    movement = StockMovement.objects.filter(document_type="sale", document_id=world.sale.pk)[0]
    assert movement.reason == "R1-000001"
    assert (quantity(world.coffee, tenant.location), quantity(world.sugar, tenant.location)) == (
        D("48"),
        D("9.5"),
    )


def test_a_product_without_inventory_sells_without_any_movement(tenant, world):
    body = sale_body(
        world,
        lines=[{"product": world.bag.pk, "quantity": "3"}],
        payments=[{"method": "cash", "amount": "3.00"}],
    )
    levels = list(StockLevel.objects.values_list("pk", "quantity"))
    response = tenant.client().post(SALES, body, format="json")
    assert response.status_code == 201, response.content
    sale = Sale.objects.get(pk=response.json()["id"])
    assert sale_movements(sale) == []
    assert not StockLevel.objects.filter(product=world.bag).exists()
    assert list(StockLevel.objects.values_list("pk", "quantity")) == levels
    assert sale.lines.get().unit_cost == D("0.20")  # the catalog cost


def test_a_void_restocks_with_void_movements(tenant, world):
    response = tenant.client().post(f"{SALES}/{world.sale.pk}/void", {"reason": "x"}, format="json")
    assert response.status_code == 200, response.content
    assert [m[2:] for m in sale_movements(world.sale)] == [
        ("sale", D("-2"), D("7.00")),
        ("sale", D("-0.5"), D("2.00")),
        ("void", D("2"), D("7.00")),
        ("void", D("0.5"), D("2.00")),
    ]
    assert (quantity(world.coffee, tenant.location), quantity(world.sugar, tenant.location)) == (
        D("50"),
        D("10"),
    )


@pytest.mark.parametrize("restock", [True, False])
def test_a_refund_restocks_only_when_asked(tenant, world, restock):
    body = refund_body(
        world,
        restock=restock,
        lines=[
            {"sale_line": world.coffee_line.pk, "quantity": "1"},
            {"sale_line": world.sugar_line.pk, "quantity": "0.25"},
        ],
    )
    response = tenant.client().post(f"{SALES}/{world.sale.pk}/refunds", body, format="json")
    assert response.status_code == 201, response.content
    created = Refund.objects.get(pk=response.json()["id"])
    assert created.restock is restock
    if restock:
        assert refund_movements(created) == [
            (world.coffee.pk, tenant.location.pk, "return", D("1"), D("7.00")),
            (world.sugar.pk, tenant.location.pk, "return", D("0.25"), D("2.00")),
        ]
        expected = (D("49"), D("9.75"))
    else:
        assert refund_movements(created) == []
        expected = (D("48"), D("9.5"))
    assert (quantity(world.coffee, tenant.location), quantity(world.sugar, tenant.location)) == (
        expected
    )


# --- receipt numbers ---------------------------------------------------------------------------


def test_receipt_numbers_are_per_register_from_1(tenant, world):
    client = tenant.client()
    open_shift(tenant, on=world.second)
    numbers = []
    for where in (world.register, world.second, world.register, world.second, world.second):
        response = client.post(SALES, sale_body(world, register=where.pk), format="json")
        assert response.status_code == 201, response.content
        numbers.append((response.json()["receipt_number"], response.json()["receipt_sequence"]))
    assert numbers == [
        ("R1-000002", 2),
        ("R2-000001", 1),
        ("R1-000003", 3),
        ("R2-000002", 2),
        ("R2-000003", 3),
    ]
    stored = Sale.objects.filter(company=tenant.company).order_by("id")
    assert list(stored.values_list("register__receipt_prefix", "receipt_sequence")) == [
        ("R1", 1),
        ("R1", 2),
        ("R2", 1),
        ("R1", 3),
        ("R2", 2),
        ("R2", 3),
    ]
    world.register.refresh_from_db()
    world.second.refresh_from_db()
    assert (world.register.receipt_counter, world.second.receipt_counter) == (3, 3)


def test_a_refused_sale_uses_no_receipt_number(tenant, world):
    client = tenant.client(tenant.member("cashier"))
    refused = [
        (two_coffees(world, [{"method": "cash", "amount": "1.00"}]), "insufficient_payment"),
        (
            sale_body(
                world, lines=[{"product": world.coffee.pk, "quantity": "1", "unit_price": "1"}]
            ),
            "permission_denied",
        ),
        (
            sale_body(
                world,
                lines=[{"product": world.coffee.pk, "quantity": "999"}],
                payments=[{"method": "card", "amount": "12487.50"}],  # 999 x 12.50
            ),
            "insufficient_stock",
        ),
        (sale_body(world, lines=[{"product": 999_999, "quantity": "1"}]), "does_not_exist"),
    ]
    before = sales_state(tenant.company)
    for body, code in refused:
        assert error_codes(client.post(SALES, body, format="json")) == [code]
    assert sales_state(tenant.company) == before
    response = client.post(SALES, sale_body(world), format="json")
    assert response.json()["receipt_number"] == "R1-000002"


# --- price overrides and discounts ---------------------------------------------------------------


def coffee_at(w, unit_price=None, discount="0", order_discount="0", payments=None):
    line = {"product": w.coffee.pk, "quantity": "1", "discount_percent": discount}
    if unit_price is not None:
        line["unit_price"] = unit_price
    return sale_body(
        w,
        lines=[line],
        discount_percent=order_discount,
        payments=payments or [{"method": "cash", "amount": "20.00"}],
    )


def test_a_price_override_without_the_code_is_403(tenant, world):
    before = sales_state(tenant.company)
    response = tenant.client(tenant.member("cashier")).post(
        SALES, coffee_at(world, unit_price="10.00"), format="json"
    )
    assert_403(response)
    assert sales_state(tenant.company) == before


def test_a_price_override_with_the_code_is_sold_at_that_price_and_audited(tenant, world):
    manager = tenant.member("manager")
    response = tenant.client(manager).post(
        SALES, coffee_at(world, unit_price="10.00"), format="json"
    )
    assert response.status_code == 201, response.content
    sale = Sale.objects.get(pk=response.json()["id"])
    # 10.00 at 16% inclusive: net r(8.6206) = 8.62, tax 1.38
    line = sale.lines.get()
    assert (line.unit_price, line.tax_amount, line.total) == (D("10.00"), D("1.38"), D("10.00"))
    assert (sale.total, sale.change) == (D("10.00"), D("10.00"))
    [event] = audit_events(tenant, "sale.price_and_discount")
    assert (event.user, event.object_type, event.object_id) == (
        manager.user,
        "sales.sale",
        str(sale.pk),
    )
    [item] = event.data["items"]
    assert item["kind"] == "price_override"
    assert (item["product"], D(item["catalog"]), D(item["sold"])) == (
        world.coffee.pk,
        D("12.50"),
        D("10.00"),
    )


def test_the_catalog_price_sent_as_unit_price_is_no_override(tenant, world):
    response = tenant.client(tenant.member("cashier")).post(
        SALES, coffee_at(world, unit_price="12.50"), format="json"
    )
    assert response.status_code == 201, response.content
    assert audit_events(tenant, "sale.price_and_discount") == []


@pytest.mark.parametrize("discount, order_discount", [("5", "0"), ("0", "5")])
def test_a_discount_without_apply_discount_is_403(tenant, world, discount, order_discount):
    seller = tenant.member(codes=[perms.ADD_SALE, perms.APPROVE_LARGE_DISCOUNT])
    before = sales_state(tenant.company)
    response = tenant.client(seller).post(
        SALES, coffee_at(world, discount=discount, order_discount=order_discount), format="json"
    )
    assert_403(response)
    assert sales_state(tenant.company) == before


@pytest.mark.parametrize(
    "discount, order_discount, total",
    [
        # 12.50 - r(12.50 x 20% = 2.50) = 10.00: exactly the limit is within it
        ("20", "0", "10.00"),
        # 12.50 - r(12.50 x 15% = 1.875) = 12.50 - 1.88 = 10.62
        ("0", "15", "10.62"),
    ],
)
def test_a_cashier_discounts_up_to_the_limit_audited(
    tenant, world, discount, order_discount, total
):
    cashier = tenant.member("cashier")
    response = tenant.client(cashier).post(
        SALES, coffee_at(world, discount=discount, order_discount=order_discount), format="json"
    )
    assert response.status_code == 201, response.content
    sale = Sale.objects.get(pk=response.json()["id"])
    assert sale.total == D(total)
    assert sale.discount_total == D("12.50") - D(total)
    [event] = audit_events(tenant, "sale.price_and_discount")
    assert (event.user, event.object_id) == (cashier.user, str(sale.pk))
    [item] = event.data["items"]
    assert (item["kind"], item["large"], D(item["percent"])) == (
        "discount",
        False,
        D(discount) + D(order_discount),
    )


@pytest.mark.parametrize(
    "discount, order_discount",
    [
        ("20.01", "0"),
        ("0", "25"),
        ("100", "0"),
        # 10% then 15% off: 1 - 0.90 x 0.85 = 23.5% off in all, above the 20% limit
        ("10", "15"),
    ],
)
def test_a_discount_above_the_limit_needs_approve_large_discount(
    tenant, world, discount, order_discount
):
    body = coffee_at(world, discount=discount, order_discount=order_discount)
    before = sales_state(tenant.company)
    assert_403(tenant.client(tenant.member("cashier")).post(SALES, body, format="json"))
    assert sales_state(tenant.company) == before

    approver = tenant.member(
        codes=[perms.ADD_SALE, perms.APPLY_DISCOUNT, perms.APPROVE_LARGE_DISCOUNT]
    )
    response = tenant.client(approver).post(SALES, body, format="json")
    assert response.status_code == 201, response.content
    [event] = audit_events(tenant, "sale.price_and_discount")
    assert event.user == approver.user
    assert [(i["kind"], i["large"]) for i in event.data["items"]] == [("discount", True)]


def test_the_limit_is_the_companys_setting(tenant, world):
    configure(tenant, max_discount_percent=D("5.00"))
    cashier = tenant.client(tenant.member("cashier"))
    assert_403(cashier.post(SALES, coffee_at(world, discount="6"), format="json"))
    assert cashier.post(SALES, coffee_at(world, discount="5"), format="json").status_code == 201


def test_an_override_with_a_discount_is_audited_once_with_both(tenant, world):
    response = tenant.client(tenant.member("manager")).post(
        SALES, coffee_at(world, unit_price="10.00", discount="50"), format="json"
    )
    assert response.status_code == 201, response.content
    # 10.00 - 50% = 5.00
    assert response.json()["total"] == "5.00"
    [event] = audit_events(tenant, "sale.price_and_discount")
    assert [i["kind"] for i in event.data["items"]] == ["price_override", "discount"]
    assert event.data["receipt_number"] == "R1-000002"


def test_a_sale_without_override_or_discount_is_not_audited(tenant, world):
    assert tenant.client().post(SALES, sale_body(world), format="json").status_code == 201
    assert not AuditEvent.objects.filter(
        company=tenant.company, action="sale.price_and_discount"
    ).exists()


@pytest.mark.parametrize("value", ["-1", "100.01", "abc"])
def test_a_discount_out_of_range_is_400(tenant, world, value):
    assert_400(
        tenant.client().post(SALES, coffee_at(world, discount=value), format="json"),
        "lines.0.discount_percent",
    )
    assert_400(
        tenant.client().post(SALES, coffee_at(world, order_discount=value), format="json"),
        "discount_percent",
    )


# --- voids -------------------------------------------------------------------------------------


def post_void(client, sale):
    return client.post(f"{SALES}/{sale.pk}/void", {"reason": "mistake"}, format="json")


def test_a_sale_is_voided_once(tenant, world):
    client = tenant.client(tenant.member("manager"))
    assert post_void(client, world.sale).status_code == 200
    before = sales_state(tenant.company)
    assert_409(post_void(client, world.sale), "sale_not_voidable")
    assert sales_state(tenant.company) == before
    assert len(audit_events(tenant, "sale.void")) == 1


def test_a_sale_of_a_closed_shift_is_not_voidable(tenant, world):
    close_shift(tenant, world.shift, "537.45")
    open_shift(tenant)  # a new shift on the same register does not make it voidable
    before = sales_state(tenant.company)
    assert_409(post_void(tenant.client(), world.sale), "sale_not_voidable")
    assert sales_state(tenant.company) == before


def test_refund_then_void_is_409(tenant, world):
    refund(tenant, world.sale, [(world.coffee_line, 1)])
    before = sales_state(tenant.company)
    assert_409(post_void(tenant.client(), world.sale), "sale_not_voidable")
    assert sales_state(tenant.company) == before


def test_void_then_refund_is_409_sale_not_refundable(tenant, world):
    void(tenant, world.sale)
    before = sales_state(tenant.company)
    response = tenant.client().post(
        f"{SALES}/{world.sale.pk}/refunds", refund_body(world), format="json"
    )
    assert_409(response, "sale_not_refundable")
    assert sales_state(tenant.company) == before


def test_a_void_needs_a_reason(tenant, world):
    response = tenant.client().post(f"{SALES}/{world.sale.pk}/void", {}, format="json")
    assert_400(response, "reason")
    assert Sale.objects.get(pk=world.sale.pk).status == "completed"


# --- refunds -----------------------------------------------------------------------------------


def post_refund(client, w, sale, lines, **fields):
    body = refund_body(w, lines=[{"sale_line": x.pk, "quantity": q} for x, q in lines], **fields)
    return client.post(f"{SALES}/{sale.pk}/refunds", body, format="json")


@pytest.mark.parametrize(
    "first, second",
    [
        (None, "3"),  # 3 of 2 sold
        ("1", "2"),  # 1 + 2 of 2
        ("2", "1"),  # all refunded already
    ],
)
def test_refunding_more_than_remains_is_409(tenant, world, first, second):
    client = tenant.client()
    if first is not None:
        assert (
            post_refund(client, world, world.sale, [(world.coffee_line, first)]).status_code == 201
        )
    before = sales_state(tenant.company)
    response = post_refund(client, world, world.sale, [(world.coffee_line, second)])
    assert_409(response, "refund_exceeds_sale")
    assert sales_state(tenant.company) == before


def test_one_line_twice_in_a_refund_counts_both_times(tenant, world):
    before = sales_state(tenant.company)
    response = post_refund(
        tenant.client(), world, world.sale, [(world.coffee_line, "1"), (world.coffee_line, "2")]
    )
    assert_409(response, "refund_exceeds_sale")
    assert sales_state(tenant.company) == before


def test_a_sale_line_of_another_sale_is_400(tenant, world):
    other_sale = sell(tenant, [(world.coffee, 1)], [("cash", "12.50")])
    response = post_refund(tenant.client(), world, world.sale, [(other_sale.lines.get(), "1")])
    assert_400(response, "lines.0.sale_line", "does_not_exist")


@pytest.mark.parametrize(
    "lines, attr",
    [
        ([], "lines"),
        ([{"sale_line": "LINE", "quantity": "0"}], "lines.0.quantity"),
        ([{"sale_line": "LINE", "quantity": "-1"}], "lines.0.quantity"),
        ([{"sale_line": "LINE"}], "lines.0.quantity"),
    ],
)
def test_bad_refund_lines_are_400(tenant, world, lines, attr):
    lines = [{k: (world.coffee_line.pk if v == "LINE" else v) for k, v in x.items()} for x in lines]
    before = sales_state(tenant.company)
    response = tenant.client().post(
        f"{SALES}/{world.sale.pk}/refunds", refund_body(world, lines=lines), format="json"
    )
    assert_400(response, attr)
    assert sales_state(tenant.company) == before


def test_a_cash_refund_needs_an_open_shift_on_its_register(tenant, world):
    client = tenant.client()
    before = sales_state(tenant.company)
    # the second register has no shift
    response = post_refund(
        client, world, world.sale, [(world.coffee_line, "1")], register=world.second.pk
    )
    assert_409(response, "no_open_shift")
    assert sales_state(tenant.company) == before
    # by card it is fine, and belongs to no shift
    response = post_refund(
        client,
        world,
        world.sale,
        [(world.coffee_line, "1")],
        register=world.second.pk,
        method="card",
    )
    assert response.status_code == 201, response.content
    created = Refund.objects.get(pk=response.json()["id"])
    assert (created.register, created.shift, created.method) == (world.second, None, "card")
    assert response.json()["shift"] is None


def test_a_cash_refund_after_the_shift_closed_is_409(tenant, world):
    close_shift(tenant, world.shift, "537.45")
    response = post_refund(tenant.client(), world, world.sale, [(world.coffee_line, "1")])
    assert_409(response, "no_open_shift")
    assert not Refund.objects.exists()


def test_a_cash_refund_counts_against_the_open_shift_of_its_register(tenant, world):
    second_shift = open_shift(tenant, on=world.second)
    response = post_refund(
        tenant.client(), world, world.sale, [(world.coffee_line, "1")], register=world.second.pk
    )
    assert response.status_code == 201, response.content
    created = Refund.objects.get(pk=response.json()["id"])
    assert (created.register, created.shift) == (world.second, second_shift)


@pytest.fixture
def odd_sale(tenant, world):
    """coffee 3 x 12.50 = 37.50; sugar 1.235 kg x 24.90 = 30.7515 -> 30.75;
    order discount r(68.25 x 3.33% = 2.2727) = 2.27: coffee r(37.50 x 2.27 / 68.25 = 1.2473)
    = 1.25, sugar 2.27 - 1.25 = 1.02. Line totals 36.25 and 29.73; total 65.98, by card."""
    response = tenant.client().post(
        SALES,
        sale_body(
            world,
            lines=[
                {"product": world.coffee.pk, "quantity": "3"},
                {"product": world.sugar.pk, "quantity": "1.235"},
            ],
            discount_percent="3.33",
            payments=[{"method": "card", "amount": "65.98"}],
        ),
        format="json",
    )
    assert response.status_code == 201, response.content
    sale = Sale.objects.get(pk=response.json()["id"])
    assert [line.total for line in sale.lines.order_by("id")] == [D("36.25"), D("29.73")]
    assert sale.total == D("65.98")
    return sale


def test_partial_refunds_then_the_rest_refund_exactly_the_total(tenant, world, odd_sale):
    client = tenant.client()
    coffee_line, sugar_line = odd_sale.lines.order_by("id")
    steps = [
        # 1 of 3 coffees: r(36.25 / 3 = 12.083) = 12.08
        (coffee_line, "1", "12.08", "12.08", "partially_refunded"),
        # 0.5 of 1.235 kg: r(29.73 x 0.5 / 1.235 = 12.036) = 12.04
        (sugar_line, "0.5", "12.04", "24.12", "partially_refunded"),
        # the 2 coffees left: 36.25 - 12.08 = 24.17
        (coffee_line, "2", "24.17", "48.29", "partially_refunded"),
        # the 0.735 kg left: 29.73 - 12.04 = 17.69; 48.29 + 17.69 = 65.98, the sale's total
        (sugar_line, "0.735", "17.69", "65.98", "refunded"),
    ]
    for line, qty, amount, refunded, status in steps:
        response = post_refund(client, world, odd_sale, [(line, qty)], method="card")
        assert response.status_code == 201, response.content
        assert response.json()["total"] == amount
        assert response.json()["lines"][0]["total"] == amount
        odd_sale.refresh_from_db()
        assert (odd_sale.refunded_total, odd_sale.status) == (D(refunded), status)
        shown = client.get(f"{SALES}/{odd_sale.pk}").json()
        assert (shown["refunded_total"], shown["status"]) == (refunded, status)
    assert odd_sale.refunded_total == odd_sale.total
    assert sum(Refund.objects.filter(sale=odd_sale).values_list("total", flat=True)) == D("65.98")
    assert list(
        SaleLine.objects.filter(sale=odd_sale)
        .order_by("id")
        .values_list("refunded_quantity", "refunded_amount")
    ) == [(D("3"), D("36.25")), (D("1.235"), D("29.73"))]
    # nothing is left to refund
    assert_409(
        post_refund(client, world, odd_sale, [(coffee_line, "1")], method="card"),
        "refund_exceeds_sale",
    )


def test_refunding_every_line_at_once_refunds_exactly_the_total(tenant, world, odd_sale):
    coffee_line, sugar_line = odd_sale.lines.order_by("id")
    response = post_refund(
        tenant.client(),
        world,
        odd_sale,
        [(coffee_line, "3"), (sugar_line, "1.235")],
        method="card",
    )
    assert response.status_code == 201, response.content
    assert response.json()["total"] == "65.98"
    odd_sale.refresh_from_db()
    assert (odd_sale.status, odd_sale.refunded_total) == ("refunded", D("65.98"))
    assert list(
        RefundLine.objects.filter(refund__sale=odd_sale).values_list("total", flat=True)
    ) == [
        D("36.25"),
        D("29.73"),
    ]


# --- idempotency -------------------------------------------------------------------------------


def test_a_sale_replayed_with_its_key_is_one_sale(tenant, world):
    client = tenant.client(tenant.member("cashier"))
    body = sale_body(
        world,
        lines=[
            {"product": world.coffee.pk, "quantity": "1"},
            {"product": world.sugar.pk, "quantity": "0.25"},
            {"product": world.bag.pk, "quantity": "1"},
        ],
        # 12.50 + r(0.25 x 24.90 = 6.225) = 6.23 + 1.00 = 19.73
        payments=[{"method": "cash", "amount": "20.00"}],
    )
    first = client.post(SALES, body, format="json", HTTP_IDEMPOTENCY_KEY="sale-key-1")
    assert first.status_code == 201, first.content
    assert "Idempotent-Replayed" not in first
    assert first.json()["total"] == "19.73"
    state = sales_state(tenant.company)
    again = client.post(SALES, body, format="json", HTTP_IDEMPOTENCY_KEY="sale-key-1")
    assert again.status_code == 201, again.content
    assert again["Idempotent-Replayed"] == "true"
    assert again.json() == first.json()
    assert sales_state(tenant.company) == state
    [sale] = Sale.objects.filter(company=tenant.company, receipt_sequence=2)
    assert sale.pk == first.json()["id"]
    assert Sale.objects.filter(company=tenant.company).count() == 2
    # one movement per tracked line (coffee and sugar, not the bag)
    assert [m[:4] for m in sale_movements(sale)] == [
        (world.coffee.pk, tenant.location.pk, "sale", D("-1")),
        (world.sugar.pk, tenant.location.pk, "sale", D("-0.25")),
    ]
    assert Payment.objects.filter(sale=sale).count() == 1
    world.register.refresh_from_db()
    assert world.register.receipt_counter == 2


def test_a_sale_key_reused_with_another_body_is_422(tenant, world):
    client = tenant.client()
    assert (
        client.post(SALES, sale_body(world), format="json", HTTP_IDEMPOTENCY_KEY="k").status_code
        == 201
    )
    before = sales_state(tenant.company)
    other = sale_body(world, note="another note")
    response = client.post(SALES, other, format="json", HTTP_IDEMPOTENCY_KEY="k")
    assert response.status_code == 422, response.content
    assert response.json()["type"] == "client_error"
    assert error_codes(response) == ["idempotency_key_reused"]
    assert sales_state(tenant.company) == before


def test_a_refused_sale_releases_its_key(tenant, world):
    client = tenant.client()
    short = sale_body(
        world,
        lines=[{"product": world.coffee.pk, "quantity": "999"}],
        payments=[{"method": "card", "amount": "12487.50"}],  # 999 x 12.50
    )
    assert_409(
        client.post(SALES, short, format="json", HTTP_IDEMPOTENCY_KEY="k"), "insufficient_stock"
    )
    assert not IdempotencyKey.objects.filter(company=tenant.company).exists()
    response = client.post(SALES, sale_body(world), format="json", HTTP_IDEMPOTENCY_KEY="k")
    assert response.status_code == 201, response.content
    assert response.json()["receipt_number"] == "R1-000002"


def test_keys_are_per_company(tenant, other_tenant, world):
    ours = tenant.client().post(SALES, sale_body(world), format="json", HTTP_IDEMPOTENCY_KEY="k")
    theirs = other_tenant.client().post(
        SALES, _their_sale_body(world), format="json", HTTP_IDEMPOTENCY_KEY="k"
    )
    assert (ours.status_code, theirs.status_code) == (201, 201)
    assert "Idempotent-Replayed" not in theirs
    assert Sale.objects.get(pk=theirs.json()["id"]).company == other_tenant.company


def test_a_refund_replayed_with_its_key_is_one_refund(tenant, world):
    client = tenant.client()
    url = f"{SALES}/{world.sale.pk}/refunds"
    first = client.post(url, refund_body(world), format="json", HTTP_IDEMPOTENCY_KEY="refund-1")
    assert first.status_code == 201, first.content
    state = sales_state(tenant.company)
    again = client.post(url, refund_body(world), format="json", HTTP_IDEMPOTENCY_KEY="refund-1")
    assert again.status_code == 201, again.content
    assert again["Idempotent-Replayed"] == "true"
    assert again.json() == first.json()
    assert sales_state(tenant.company) == state
    [created] = Refund.objects.filter(sale=world.sale)
    assert len(refund_movements(created)) == 1
    sale = Sale.objects.get(pk=world.sale.pk)
    assert sale.refunded_total == D("12.50")

    other = refund_body(world, reason="another reason")
    response = client.post(url, other, format="json", HTTP_IDEMPOTENCY_KEY="refund-1")
    assert response.status_code == 422, response.content
    assert error_codes(response) == ["idempotency_key_reused"]
    assert sales_state(tenant.company) == state


# --- shapes --------------------------------------------------------------------------------------


def test_sale_create_shape(tenant, world):
    response = tenant.client().post(SALES, sale_body(world), format="json")
    assert response.status_code == 201, response.content
    body = response.json()
    assert set(body) >= SALE_KEYS
    sale = Sale.objects.get(pk=body["id"])
    coffee, bag = sale.lines.order_by("id")
    [payment] = sale.payments.all()
    assert {k: body[k] for k in SALE_KEYS - {"created_at"}} == {
        "id": sale.pk,
        "receipt_number": "R1-000002",
        "receipt_sequence": 2,
        "status": "completed",
        "register": world.register.pk,
        "shift": world.shift.pk,
        "cashier": tenant.admin.user_id,
        "customer": world.customer.pk,
        "lines": [
            {
                **body["lines"][0],
                "id": coffee.pk,
                "product": world.coffee.pk,
                "name": "Café",
                "quantity": "1.000",
                "unit_price": "12.50",
                "discount_amount": "0.00",
                "tax_rate": "16.00",
                "tax_amount": "1.72",
                "total": "12.50",
            },
            {
                **body["lines"][1],
                "id": bag.pk,
                "product": world.bag.pk,
                "name": "Bolsa",
                "quantity": "2.000",
                "unit_price": "1.00",
                "discount_amount": "0.00",
                "tax_rate": "0.00",
                "tax_amount": "0.00",
                "total": "2.00",
            },
        ],
        "subtotal": "12.78",
        "discount_total": "0.00",
        "tax_total": "1.72",
        "total": "14.50",
        "paid_total": "14.50",
        "change": "0.00",
        "payments": [
            {"id": payment.pk, "method": "card", "amount": "14.50", "reference": "AUTH123"}
        ],
        "refunded_total": "0.00",
    }
    assert dt.datetime.fromisoformat(body["created_at"]) == sale.created_at


def test_a_catalog_change_after_the_sale_does_not_change_it(tenant, world):
    Product.objects.filter(pk=world.coffee.pk).update(name="Café nuevo", price=D("99.00"))
    body = tenant.client().get(f"{SALES}/{world.sale.pk}").json()
    assert (body["lines"][0]["name"], body["lines"][0]["unit_price"]) == ("Café", "12.50")


# --- sale list filters ---------------------------------------------------------------------------


def test_sales_filter_by_register_cashier_and_status(tenant, world):
    cashier = tenant.member("cashier")
    open_shift(tenant, on=world.second)
    on_second = sell(tenant, [(world.bag, 1)], [("cash", "1.00")], on=world.second)
    by_cashier = sell(tenant, [(world.bag, 1)], [("cash", "1.00")], by=cashier)
    voided = sell(tenant, [(world.bag, 1)], [("cash", "1.00")])
    void(tenant, voided)
    refunded = sell(tenant, [(world.bag, 2)], [("card", "2.00")])
    refund(tenant, refunded, [(refunded.lines.get(), 1)], method="card")
    client = tenant.client()

    def ids(**query):
        return set(listed_ids(client.get(SALES, query)))

    everything = {world.sale.pk, on_second.pk, by_cashier.pk, voided.pk, refunded.pk}
    assert ids() == everything
    assert ids(register=world.second.pk) == {on_second.pk}
    assert ids(register=world.register.pk) == everything - {on_second.pk}
    assert ids(cashier=cashier.user_id) == {by_cashier.pk}
    assert ids(status="voided") == {voided.pk}
    assert ids(status="partially_refunded") == {refunded.pk}
    assert ids(status="completed") == {world.sale.pk, on_second.pk, by_cashier.pk}
    assert ids(status="completed", register=world.second.pk) == {on_second.pk}
    assert ids(register=world.their_register.pk) == set()
    assert_400(client.get(SALES, {"status": "lost"}), "status")
    assert client.get(SALES, {"cashier": "abc"}).status_code == 400
    # newest first
    assert listed_ids(client.get(SALES))[0] == refunded.pk


def test_sales_from_and_to_are_days_in_the_companys_time_zone(tenant, world):
    second = sell(tenant, [(world.bag, 1)], [("cash", "1.00")])
    third = sell(tenant, [(world.bag, 1)], [("cash", "1.00")])
    # Mexico City is UTC-6: 05:30 UTC on the 10th is still 23:30 on the 9th there.
    at = {
        world.sale.pk: dt.datetime(2024, 3, 9, 6, 0, tzinfo=dt.UTC),  # the 9th, 00:00 local
        second.pk: dt.datetime(2024, 3, 10, 5, 30, tzinfo=dt.UTC),  # the 9th, 23:30 local
        third.pk: dt.datetime(2024, 3, 10, 6, 0, tzinfo=dt.UTC),  # the 10th, 00:00 local
    }
    for pk, when in at.items():
        Sale.objects.filter(pk=pk).update(created_at=when)
    client = tenant.client()

    def ids(**query):
        return set(listed_ids(client.get(SALES, query)))

    assert ids(**{"from": "2024-03-10"}) == {third.pk}
    assert ids(to="2024-03-09") == {world.sale.pk, second.pk}
    assert ids(**{"from": "2024-03-09", "to": "2024-03-09"}) == {world.sale.pk, second.pk}
    assert ids(to="2024-03-08") == set()
    assert ids(**{"from": "2024-03-11"}) == set()
    assert ids(**{"from": "2024-03-09", "to": "2024-03-10"}) == set(at)
    assert client.get(SALES, {"from": "2024-13-01"}).status_code == 400
    row = next(r for r in client.get(SALES).json()["results"] if r["id"] == second.pk)
    assert dt.datetime.fromisoformat(row["created_at"]) == at[second.pk]


def test_sales_lists_are_paginated(tenant, world):
    for _ in range(4):
        sell(tenant, [(world.bag, 1)], [("cash", "1.00")])
    body = tenant.client().get(SALES, {"page_size": 2}).json()
    assert_paginated(body)
    assert body["count"] == 5 and len(body["results"]) == 2
    assert body["previous"] is None and "page=2" in body["next"]


# --- more rules ----------------------------------------------------------------------------------


def test_two_lines_of_one_product_are_short_together(tenant, world):
    # 9.5 kg of sugar left: 5 + 5 is more, each alone is not
    body = sale_body(
        world,
        lines=[
            {"product": world.sugar.pk, "quantity": "5"},
            {"product": world.sugar.pk, "quantity": "5"},
        ],
        payments=[{"method": "card", "amount": "249.00"}],
    )
    before = sales_state(tenant.company)
    assert_409(tenant.client().post(SALES, body, format="json"), "insufficient_stock")
    assert sales_state(tenant.company) == before
    body["lines"][1]["quantity"] = "4.5"
    body["payments"] = [{"method": "card", "amount": "236.55"}]  # 124.50 + r(112.05)
    response = tenant.client().post(SALES, body, format="json")
    assert response.status_code == 201, response.content
    sale = Sale.objects.get(pk=response.json()["id"])
    assert [m[2:4] for m in sale_movements(sale)] == [("sale", D("-5")), ("sale", D("-4.5"))]
    assert quantity(world.sugar, tenant.location) == D("0")


def test_opening_a_shift_on_an_inactive_register_is_400(tenant, world):
    type(world.second).objects.filter(pk=world.second.pk).update(is_active=False)
    response = tenant.client().post(
        SHIFTS, {"register": world.second.pk, "opening_cash": "1.00"}, format="json"
    )
    assert_400(response, "register", "register_inactive")
    assert not Shift.objects.filter(register=world.second).exists()


@pytest.mark.parametrize("key", ["", "x" * 256])
def test_a_bad_idempotency_key_is_400(tenant, world, key):
    before = sales_state(tenant.company)
    response = tenant.client().post(
        SALES, sale_body(world), format="json", HTTP_IDEMPOTENCY_KEY=key
    )
    assert response.status_code == 400, response.content
    assert error_codes(response) == ["invalid_idempotency_key"]
    assert sales_state(tenant.company) == before


@pytest.mark.parametrize(
    "method, path",
    [
        ("put", lambda w: f"{SALES}/{w.sale.pk}"),
        ("patch", lambda w: f"{SALES}/{w.sale.pk}"),
        ("delete", lambda w: f"{SALES}/{w.sale.pk}"),
        ("delete", lambda w: f"{SHIFTS}/{w.shift.pk}"),
        ("patch", lambda w: f"{SHIFTS}/{w.shift.pk}"),
    ],
)
def test_sales_and_shifts_are_not_edited_or_deleted(tenant, world, method, path):
    before = sales_state(tenant.company)
    response = getattr(tenant.client(), method)(path(world), {}, format="json")
    assert response.status_code == 405, response.content
    assert sales_state(tenant.company) == before


def test_a_fraction_of_a_unit_product_in_a_refund_is_400_on_its_quantity(tenant, world):
    before = sales_state(tenant.company)
    body = refund_body(
        world,
        lines=[
            {"sale_line": world.sugar_line.pk, "quantity": "0.25"},
            {"sale_line": world.coffee_line.pk, "quantity": "0.5"},
        ],
    )
    response = tenant.client().post(f"{SALES}/{world.sale.pk}/refunds", body, format="json")
    assert sales_state(tenant.company) == before
    assert_400(response, "lines.1.quantity", "whole_quantity")


def test_a_new_sale_answers_what_reading_it_back_answers(tenant, world):
    """The 201 is built from the rows sale_complete wrote, not read back: it must be the
    sale exactly as GET /sales/{id} shows it (weighed, untracked, discounted and taxed lines,
    a customer, a card and a cash payment with change)."""
    body = sale_body(
        world,
        lines=[
            {"product": world.coffee.pk, "quantity": "3", "discount_percent": "10"},
            {"product": world.sugar.pk, "quantity": "1.250"},
            {"product": world.bag.pk, "quantity": "2"},
        ],
        discount_percent="5",
        payments=[
            {"method": "card", "amount": "20.00", "reference": "AUTH9"},
            {"method": "cash", "amount": "100.00"},
        ],
    )
    client = tenant.client()
    created = client.post(SALES, body, format="json")
    assert created.status_code == 201, created.content
    read = client.get(f"{SALES}/{created.json()['id']}")
    assert read.status_code == 200
    assert created.json() == read.json()
    assert len(created.json()["lines"]) == 3 and len(created.json()["payments"]) == 2


def test_a_new_refund_answers_what_is_stored(tenant, world):
    """The 201 is built from the rows refund_create wrote: it must be the refund as read back
    from the database (two lines, one of them weighed)."""
    body = refund_body(
        world,
        lines=[
            {"sale_line": world.coffee_line.pk, "quantity": "1"},
            {"sale_line": world.sugar_line.pk, "quantity": "0.25"},
        ],
    )
    client = tenant.client()
    created = client.post(f"{SALES}/{world.sale.pk}/refunds", body, format="json")
    assert created.status_code == 201, created.content
    stored = Refund.objects.prefetch_related("lines").get(pk=created.json()["id"])
    request = APIRequestFactory().get("/")
    request.company = tenant.company
    assert created.json() == RefundSerializer(stored, context={"request": request}).data
    assert len(created.json()["lines"]) == 2
