"""Stock levels, the ledger and the four stock documents over HTTP, as API.md "Inventory" says.

Every call is tried four ways: without identity (401), by the admin of another company (lists
show nothing of this company; a body naming this company's location or product is a 400 on
that field; nothing changes), by a member who holds every code but the one the call needs
(403, nothing changed), and by a member holding just that code (the effect is checked in the
database). Business rules are tested in test_services.py; here the status codes, the envelope
and the contract.
"""

import datetime as dt
import re
import zoneinfo
from decimal import Decimal
from types import SimpleNamespace

import pytest
from django.conf import settings
from django.db import connection
from django.test.utils import CaptureQueriesContext

from accounts.models import AuditEvent
from accounts.selectors import holdable_permissions, permission_code
from catalog.models import Product
from companies.models import CompanySettings
from inventory import permissions as perms
from inventory.models import StockDocument, StockLevel, StockMovement
from tests.conftest import error_attrs, error_codes
from tests.inventory.factories import (
    level,
    location,
    movements_of,
    product,
    quantity,
    receive,
    stock_state,
)
from tests.query_budgets import AUTHENTICATION_QUERIES

D = Decimal
MEXICO = zoneinfo.ZoneInfo("America/Mexico_City")

STOCK = "/api/v1/stock"
MOVEMENTS = "/api/v1/stock/movements"
RECEIPTS = "/api/v1/stock/receipts"
ADJUSTMENTS = "/api/v1/stock/adjustments"
TRANSFERS = "/api/v1/stock/transfers"
COUNTS = "/api/v1/stock/counts"

LEVEL_KEYS = {"product", "location", "quantity", "unit_cost", "reorder_point"}
MOVEMENT_KEYS = {
    "id",
    "product",
    "location",
    "kind",
    "quantity",
    "unit_cost",
    "reason",
    "user",
    "document_type",
    "document_id",
    "created_at",
}


# --- helpers ---------------------------------------------------------------------------------


def all_codes() -> set[str]:
    return {permission_code(p) for p in holdable_permissions()}


def member_without(tenant, code: str):
    """A member holding every code a role may hold except `code`."""
    return tenant.member(codes=sorted(all_codes() - {code}))


def assert_paginated(body):
    assert set(body) == {"count", "next", "previous", "results"}
    assert isinstance(body["results"], list)


def assert_400(response, attr: str, code: str | None = None):
    assert response.status_code == 400, response.content
    assert response.json()["type"] == "validation_error"
    assert error_attrs(response) == [attr], response.content
    if code is not None:
        assert error_codes(response) == [code], response.content


def ints_in(text: str) -> set[int]:
    return {int(n) for n in re.findall(r"\d+", text)}


def allow_negative(tenant, allowed=True):
    CompanySettings.objects.filter(company=tenant.company).update(allow_negative_stock=allowed)


# --- the world and the calls -------------------------------------------------------------------


@pytest.fixture
def world(tenant):
    """This company's store and warehouse with stock of a unit product and a weighed one."""
    store = tenant.location
    warehouse = location(tenant, name="Bodega", kind="warehouse")
    coffee = product(tenant, name="Café", cost=D("6.00"))
    sugar = product(tenant, name="Azúcar", unit="kg", cost=D("2.00"))
    receive(tenant.admin, warehouse, (coffee, 20, D("5.00")), (sugar, 10, D("2.00")))
    receive(tenant.admin, store, (coffee, 5, D("6.00")))
    return SimpleNamespace(
        tenant=tenant, store=store, warehouse=warehouse, coffee=coffee, sugar=sugar
    )


@pytest.fixture
def theirs(world, other_tenant):
    """The other company, with stock of its own; `world` gains its product and location."""
    world.theirs = product(other_tenant, name="Ajeno")
    world.their_location = other_tenant.location
    receive(other_tenant.admin, other_tenant.location, (world.theirs, 7, D("3.00")))
    return other_tenant


# name: (method, path, body (a function of the world), code needed)
CALLS = {
    "stock-list": ("get", STOCK, None, perms.VIEW_STOCKLEVEL),
    "movements-list": ("get", MOVEMENTS, None, perms.VIEW_STOCKMOVEMENT),
    "receipts-create": (
        "post",
        RECEIPTS,
        lambda w: {
            "location": w.store.pk,
            "supplier": "Azúcares del Sur",
            "reference": "FAC-1001",
            "lines": [
                {"product": w.coffee.pk, "quantity": "10", "unit_cost": "7.00"},
                {"product": w.sugar.pk, "quantity": "2.5", "unit_cost": "2.40"},
            ],
        },
        perms.RECEIVE_STOCK,
    ),
    "adjustments-create": (
        "post",
        ADJUSTMENTS,
        lambda w: {
            "location": w.warehouse.pk,
            "reason": "damage",
            "note": "dropped a box",
            "lines": [
                {"product": w.coffee.pk, "quantity": "-2"},
                {"product": w.sugar.pk, "quantity": "0.5"},
            ],
        },
        perms.ADJUST_STOCK,
    ),
    "transfers-create": (
        "post",
        TRANSFERS,
        lambda w: {
            "from_location": w.warehouse.pk,
            "to_location": w.store.pk,
            "lines": [{"product": w.coffee.pk, "quantity": "5"}],
        },
        perms.TRANSFER_STOCK,
    ),
    "counts-create": (
        "post",
        COUNTS,
        lambda w: {
            "location": w.store.pk,
            "lines": [
                {"product": w.coffee.pk, "counted_quantity": "3"},
                {"product": w.sugar.pk, "counted_quantity": "1.250"},
            ],
        },
        perms.COUNT_STOCK,
    ),
}
POSTS = [name for name, call in CALLS.items() if call[0] == "post"]
LISTS = [name for name, call in CALLS.items() if call[0] == "get"]


def send(client, world, name, **extra):
    _, path, body, _ = CALLS[name]
    if body is None:
        return client.get(path, **extra)
    return client.post(path, body(world), format="json", **extra)


def level_rows(tenant) -> set[tuple]:
    return set(
        StockLevel.objects.filter(company=tenant.company).values_list(
            "product_id", "location_id", "quantity", "unit_cost"
        )
    )


def assert_document(response, world, kind: str, user) -> StockDocument:
    assert response.status_code == 201, response.content
    body = response.json()
    assert {"id", "kind", "location", "lines", "created_at"} <= set(body)
    assert body["kind"] == kind
    document = StockDocument.objects.get(pk=body["id"])
    assert (document.company, document.kind, document.user) == (
        world.tenant.company,
        kind,
        user,
    )
    stored = movements_of(document)
    assert [line["id"] for line in body["lines"]] == [m.pk for m in stored]
    assert [
        (line["product"], line["location"], line["kind"], D(line["quantity"]))
        for line in body["lines"]
    ] == [(m.product_id, m.location_id, m.kind, m.quantity) for m in stored]
    assert all(m.user == user for m in stored)
    return document


def movement_rows(document) -> list[tuple]:
    return [
        (m.product_id, m.location_id, m.kind, m.quantity, m.unit_cost, m.balance_after)
        for m in movements_of(document)
    ]


def assert_effect(world, name, response, user):
    """The allowed call did what it says, in the database (figures computed by hand)."""
    w, tenant = world, world.tenant
    if name == "stock-list":
        assert response.status_code == 200, response.content
        body = response.json()
        assert_paginated(body)
        assert body["count"] == 3
        listed = {
            (r["product"], r["location"], D(r["quantity"]), D(r["unit_cost"]))
            for r in body["results"]
        }
        assert listed == level_rows(tenant)
        return
    if name == "movements-list":
        assert response.status_code == 200, response.content
        body = response.json()
        assert_paginated(body)
        expected = StockMovement.objects.filter(company=tenant.company).order_by("-id")
        assert [r["id"] for r in body["results"]] == list(expected.values_list("pk", flat=True))
        assert body["count"] == 3
        return
    if name == "receipts-create":
        document = assert_document(response, w, "receipt", user)
        assert (document.location, document.supplier, document.reference) == (
            w.store,
            "Azúcares del Sur",
            "FAC-1001",
        )
        # coffee at the store: (5 * 6.00 + 10 * 7.00) / 15 = 6.666... -> 6.67
        assert movement_rows(document) == [
            (w.coffee.pk, w.store.pk, "receipt", D("10"), D("7.00"), D("15")),
            (w.sugar.pk, w.store.pk, "receipt", D("2.5"), D("2.40"), D("2.5")),
        ]
        assert (quantity(w.coffee, w.store), level(w.coffee, w.store).unit_cost) == (
            D("15"),
            D("6.67"),
        )
        assert (quantity(w.sugar, w.store), level(w.sugar, w.store).unit_cost) == (
            D("2.5"),
            D("2.40"),
        )
        costs = dict(Product.objects.filter(company=tenant.company).values_list("pk", "cost"))
        assert (costs[w.coffee.pk], costs[w.sugar.pk]) == (D("6.67"), D("2.40"))
        assert quantity(w.coffee, w.warehouse) == D("20")
    elif name == "adjustments-create":
        document = assert_document(response, w, "adjustment", user)
        assert (document.location, document.reason, document.note) == (
            w.warehouse,
            "damage",
            "dropped a box",
        )
        assert movement_rows(document) == [
            (w.coffee.pk, w.warehouse.pk, "adjustment", D("-2"), D("5.00"), D("18")),
            (w.sugar.pk, w.warehouse.pk, "adjustment", D("0.5"), D("2.00"), D("10.5")),
        ]
        assert quantity(w.coffee, w.warehouse) == D("18")
        assert quantity(w.sugar, w.warehouse) == D("10.5")
        [event] = AuditEvent.objects.filter(company=tenant.company, action="stock.adjust")
        assert (event.user, event.object_id) == (user, str(document.pk))
    elif name == "transfers-create":
        document = assert_document(response, w, "transfer", user)
        assert response.json()["to_location"] == w.store.pk
        assert (document.location, document.to_location) == (w.warehouse, w.store)
        # store: (5 * 6.00 + 5 * 5.00) / 10 = 5.50
        assert movement_rows(document) == [
            (w.coffee.pk, w.warehouse.pk, "transfer_out", D("-5"), D("5.00"), D("15")),
            (w.coffee.pk, w.store.pk, "transfer_in", D("5"), D("5.00"), D("10")),
        ]
        assert (quantity(w.coffee, w.store), level(w.coffee, w.store).unit_cost) == (
            D("10"),
            D("5.50"),
        )
        assert (quantity(w.coffee, w.warehouse), level(w.coffee, w.warehouse).unit_cost) == (
            D("15"),
            D("5.00"),
        )
    else:
        document = assert_document(response, w, "count", user)
        assert movement_rows(document) == [
            (w.coffee.pk, w.store.pk, "count", D("-2"), D("6.00"), D("3")),
            # sugar was never stocked here: the found stock is valued at the product's cost
            (w.sugar.pk, w.store.pk, "count", D("1.25"), w.sugar.cost, D("1.25")),
        ]
        assert quantity(w.coffee, w.store) == D("3")
        assert quantity(w.sugar, w.store) == D("1.25")
        [event] = AuditEvent.objects.filter(company=tenant.company, action="stock.count")
        assert (event.user, event.object_id) == (user, str(document.pk))


# --- the four cases of every call --------------------------------------------------------------


# Refusals change nothing, so one test tries every call in turn (a world per test is the
# expensive part); allowed calls get a fresh world each.


def test_no_identity_is_401_and_changes_nothing(anonymous, tenant, world, theirs):
    other_tenant = theirs
    before = stock_state(tenant.company, other_tenant.company)
    for name in CALLS:
        response = send(anonymous, world, name)
        assert response.status_code == 401, name
        assert response.json()["type"] == "client_error", name
        assert error_codes(response) == ["not_authenticated"], name
    assert stock_state(tenant.company, other_tenant.company) == before


@pytest.mark.parametrize("name", LISTS)
def test_another_companys_admin_lists_only_their_own(tenant, world, theirs, name):
    other_tenant = theirs
    response = send(other_tenant.client(), world, name)
    assert response.status_code == 200
    results = response.json()["results"]
    assert response.json()["count"] == 1
    assert [(r["product"], r["location"]) for r in results] == [
        (world.theirs.pk, world.their_location.pk)
    ]
    # Filtering by this company's ids matches nothing rather than leaking.
    for query in (
        {"product": world.coffee.pk},
        {"location": world.store.pk},
        {"location": world.warehouse.pk, "product": world.sugar.pk},
    ):
        filtered = other_tenant.client().get(CALLS[name][1], query)
        assert filtered.status_code == 200
        assert filtered.json()["count"] == 0, query


POST_FIELDS = {
    "receipts-create": {"location", "lines.0.product", "lines.1.product"},
    "adjustments-create": {"location", "lines.0.product", "lines.1.product"},
    "transfers-create": {"from_location", "to_location", "lines.0.product"},
    "counts-create": {"location", "lines.0.product", "lines.1.product"},
}


def test_another_companys_admin_naming_our_ids_gets_400_and_changes_nothing(tenant, world, theirs):
    other_tenant = theirs
    before = stock_state(tenant.company, other_tenant.company)
    for name in POSTS:
        response = send(other_tenant.client(), world, name)
        assert response.status_code == 400, (name, response.content)
        assert response.json()["type"] == "validation_error"
        assert set(error_attrs(response)) == POST_FIELDS[name], name
        assert set(error_codes(response)) == {"does_not_exist"}, name
        assert "Café" not in response.content.decode()
    assert stock_state(tenant.company, other_tenant.company) == before


def with_their(world, name, field):
    body = CALLS[name][2](world)
    if field.startswith("lines."):
        body["lines"][0]["product"] = world.theirs.pk
    else:
        body[field] = world.their_location.pk
    return body


def test_another_companys_location_or_product_in_a_body_is_a_400_on_that_field(
    tenant, world, theirs
):
    other_tenant = theirs
    before = stock_state(tenant.company, other_tenant.company)
    cases = [(n, f) for n in POSTS for f in sorted(POST_FIELDS[n]) if ".1." not in f]
    assert len(cases) == 9
    for name, field in cases:
        body = with_their(world, name, field)
        response = tenant.client().post(CALLS[name][1], body, format="json")
        assert_400(response, field, "does_not_exist")
    assert stock_state(tenant.company, other_tenant.company) == before


def test_member_without_the_permission_gets_403_and_changes_nothing(tenant, world):
    before = stock_state(tenant.company)
    for name, (_, _, _, code) in CALLS.items():
        response = send(tenant.client(member_without(tenant, code)), world, name)
        assert response.status_code == 403, name
        assert response.json()["type"] == "client_error"
        assert error_codes(response) == ["permission_denied"], name
    assert stock_state(tenant.company) == before


@pytest.mark.parametrize("name", list(CALLS))
def test_the_one_code_is_enough_and_the_effect_is_stored(tenant, world, name):
    actor = tenant.member(codes=[CALLS[name][3]])
    response = send(tenant.client(actor), world, name)
    assert_effect(world, name, response, actor.user)


@pytest.mark.parametrize("name", list(CALLS))
@pytest.mark.parametrize("role", ["manager", "stock_clerk"])
def test_managers_and_stock_clerks_may_do_everything(tenant, world, role, name):
    actor = tenant.member(role)
    response = send(tenant.client(actor), world, name)
    assert_effect(world, name, response, actor.user)


def test_a_cashier_only_sees_stock_levels(tenant, world):
    cashier = tenant.member("cashier")
    before = stock_state(tenant.company)
    for name in CALLS:
        if name == "stock-list":
            continue
        response = send(tenant.client(cashier), world, name)
        assert response.status_code == 403, (name, response.content)
        assert error_codes(response) == ["permission_denied"], name
    assert stock_state(tenant.company) == before
    assert_effect(world, "stock-list", send(tenant.client(cashier), world, "stock-list"), None)


def test_documents_answer_with_a_trailing_slash_too(tenant, world):
    for name in POSTS:
        response = tenant.client().post(CALLS[name][1] + "/", CALLS[name][2](world), format="json")
        assert response.status_code == 201, (name, response.content)
    assert StockDocument.objects.filter(company=tenant.company).count() == 2 + len(POSTS)


def test_documents_are_post_only(tenant, world):
    for name in POSTS:
        for method in ("get", "patch", "delete"):
            assert getattr(tenant.client(), method)(CALLS[name][1]).status_code == 405, name


# --- representations -------------------------------------------------------------------------


def test_stock_level_shape(tenant, world):
    Product.objects.filter(pk=world.coffee.pk).update(reorder_point=D("4"))
    response = tenant.client(tenant.member("cashier")).get(
        STOCK, {"location": world.store.pk, "product": world.coffee.pk}
    )
    assert response.status_code == 200
    assert response.json()["results"] == [
        {
            "product": world.coffee.pk,
            "location": world.store.pk,
            "quantity": "5.000",
            "unit_cost": "6.00",
            "reorder_point": "4.000",
        }
    ]
    assert set(response.json()["results"][0]) == LEVEL_KEYS


def test_movement_shape(tenant, world):
    clerk = tenant.member("stock_clerk")
    tenant.client(clerk).post(
        ADJUSTMENTS,
        {
            "location": world.store.pk,
            "reason": "theft",
            "lines": [{"product": world.coffee.pk, "quantity": -1}],
        },
        format="json",
    )
    response = tenant.client(clerk).get(MOVEMENTS, {"page_size": 1})
    assert response.status_code == 200
    [row] = response.json()["results"]
    assert set(row) >= MOVEMENT_KEYS
    movement = StockMovement.objects.get(pk=row["id"])
    assert row["product"] == world.coffee.pk and row["location"] == world.store.pk
    assert (row["kind"], row["quantity"], row["unit_cost"]) == ("adjustment", "-1.000", "6.00")
    assert (row["reason"], row["user"]) == ("theft", clerk.user_id)
    assert (row["document_type"], row["document_id"]) == ("stock_document", movement.document_id)
    created = dt.datetime.fromisoformat(row["created_at"])
    assert created.utcoffset() is not None
    assert created == movement.created_at


def test_a_receipt_line_without_unit_cost_is_accepted(tenant, world):
    response = tenant.client().post(
        RECEIPTS,
        {
            "location": world.store.pk,
            "lines": [
                {"product": world.coffee.pk, "quantity": 5},
                {"product": world.coffee.pk, "quantity": "5", "unit_cost": None},
            ],
        },
        format="json",
    )
    assert response.status_code == 201, response.content
    assert (quantity(world.coffee, world.store), level(world.coffee, world.store).unit_cost) == (
        D("15"),
        D("6.00"),
    )
    assert [line["unit_cost"] for line in response.json()["lines"]] == ["6.00", "6.00"]


# --- errors ------------------------------------------------------------------------------------


def post(tenant, path, body):
    return tenant.client().post(path, body, format="json")


def test_a_transfer_to_the_same_location_is_400_on_to_location(tenant, world):
    before = stock_state(tenant.company)
    response = post(
        tenant,
        TRANSFERS,
        {
            "from_location": world.store.pk,
            "to_location": world.store.pk,
            "lines": [{"product": world.coffee.pk, "quantity": "1"}],
        },
    )
    assert_400(response, "to_location", "same_location")
    assert stock_state(tenant.company) == before


def test_a_product_that_does_not_track_inventory_is_400(tenant, world):
    service = product(tenant, track_inventory=False)
    before = stock_state(tenant.company)
    for name in POSTS:
        body = CALLS[name][2](world)
        body["lines"][0]["product"] = service.pk
        assert_400(post(tenant, CALLS[name][1], body), "lines.0.product", "not_tracked")
    assert stock_state(tenant.company) == before


def test_a_fraction_of_a_unit_product_is_400_whole_quantity(tenant, world):
    before = stock_state(tenant.company)
    for name in POSTS:
        body = CALLS[name][2](world)
        field = "counted_quantity" if name == "counts-create" else "quantity"
        body["lines"][0][field] = "1.5"  # coffee is sold by the unit (the sugar line is by kg)
        assert_400(post(tenant, CALLS[name][1], body), f"lines.0.{field}", "whole_quantity")
    assert stock_state(tenant.company) == before


def test_an_adjustment_of_zero_is_400(tenant, world):
    before = stock_state(tenant.company)
    for value in ("0", "0.000", 0, "-0"):
        body = CALLS["adjustments-create"][2](world)
        body["lines"][1]["quantity"] = value
        assert_400(post(tenant, ADJUSTMENTS, body), "lines.1.quantity")
    assert stock_state(tenant.company) == before


BAD_LINE_VALUES = [
    ("receipts-create", "quantity", "0"),
    ("receipts-create", "quantity", "-1"),
    ("receipts-create", "unit_cost", "-1.00"),
    ("receipts-create", "unit_cost", "1.005"),
    ("transfers-create", "quantity", "0"),
    ("transfers-create", "quantity", "-2"),
    ("counts-create", "counted_quantity", "-1"),
    ("adjustments-create", "quantity", "1.0001"),
    ("adjustments-create", "quantity", "abc"),
    ("adjustments-create", "quantity", None),
]


def test_bad_line_values_are_400_on_the_line(tenant, world):
    before = stock_state(tenant.company)
    for name, field, value in BAD_LINE_VALUES:
        body = CALLS[name][2](world)
        body["lines"][0][field] = value
        assert_400(post(tenant, CALLS[name][1], body), f"lines.0.{field}")
    assert stock_state(tenant.company) == before


def test_empty_or_missing_lines_are_400(tenant, world):
    before = stock_state(tenant.company)
    for name in POSTS:
        for lines in ([], None, "x", [None]):
            body = CALLS[name][2](world)
            if lines is None:
                del body["lines"]
            else:
                body["lines"] = lines
            response = post(tenant, CALLS[name][1], body)
            assert response.status_code == 400, (name, lines, response.content)
            assert error_attrs(response)[0].startswith("lines"), (name, lines)
    assert stock_state(tenant.company) == before


def test_more_lines_than_the_maximum_is_400(tenant, world):
    many = [
        {"product": world.coffee.pk, "quantity": "1", "unit_cost": "1.00"}
        for _ in range(settings.DOCUMENT_MAX_LINES + 1)
    ]
    before = stock_state(tenant.company)
    response = post(tenant, RECEIPTS, {"location": world.store.pk, "lines": many})
    assert_400(response, "lines", "max_length")
    assert stock_state(tenant.company) == before


def test_an_inactive_location_is_400_location_inactive(tenant, world):
    for closed in (world.store, world.warehouse):
        closed.is_active = False
        closed.save()
    before = stock_state(tenant.company)
    for name in POSTS:
        attr = "from_location" if name == "transfers-create" else "location"
        assert_400(post(tenant, CALLS[name][1], CALLS[name][2](world)), attr, "location_inactive")
    world.warehouse.is_active = True
    world.warehouse.save()
    response = post(tenant, TRANSFERS, CALLS["transfers-create"][2](world))
    assert_400(response, "to_location", "location_inactive")
    assert stock_state(tenant.company) == before


def test_a_count_naming_a_product_twice_is_400(tenant, world):
    before = stock_state(tenant.company)
    response = post(
        tenant,
        COUNTS,
        {
            "location": world.store.pk,
            "lines": [
                {"product": world.coffee.pk, "counted_quantity": "1"},
                {"product": world.coffee.pk, "counted_quantity": "2"},
            ],
        },
    )
    assert_400(response, "lines", "duplicate_product")
    assert stock_state(tenant.company) == before


def test_an_unknown_adjustment_reason_is_400(tenant, world):
    body = CALLS["adjustments-create"][2](world)
    body["reason"] = "gift"
    response = post(tenant, ADJUSTMENTS, body)
    assert_400(response, "reason", "invalid_choice")


SHORT_DOCUMENTS = {
    # Only the sugar line is short: the warehouse holds 10 kg of sugar and 20 of coffee.
    "adjustments-create": (
        ADJUSTMENTS,
        lambda w: {
            "location": w.warehouse.pk,
            "reason": "loss",
            "lines": [
                {"product": w.coffee.pk, "quantity": "-3"},
                {"product": w.sugar.pk, "quantity": "-10.5"},
            ],
        },
    ),
    "transfers-create": (
        TRANSFERS,
        lambda w: {
            "from_location": w.warehouse.pk,
            "to_location": w.store.pk,
            "lines": [
                {"product": w.coffee.pk, "quantity": "3"},
                {"product": w.sugar.pk, "quantity": "10.5"},
            ],
        },
    ),
}


@pytest.mark.parametrize("name", list(SHORT_DOCUMENTS))
def test_insufficient_stock_is_409_naming_the_product_and_changes_nothing(tenant, world, name):
    path, body = SHORT_DOCUMENTS[name]
    before = stock_state(tenant.company)
    response = post(tenant, path, body(world))
    assert response.status_code == 409, response.content
    assert response.json()["type"] == "client_error"
    [error] = response.json()["errors"]
    assert error["code"] == "insufficient_stock"
    assert world.sugar.pk in ints_in(error["detail"])
    assert world.coffee.pk not in ints_in(error["detail"])
    assert stock_state(tenant.company) == before
    assert quantity(world.coffee, world.warehouse) == D("20")
    assert quantity(world.sugar, world.warehouse) == D("10")


@pytest.mark.parametrize("name", list(SHORT_DOCUMENTS))
def test_with_negative_stock_allowed_the_same_document_goes_through(tenant, world, name):
    allow_negative(tenant)
    path, body = SHORT_DOCUMENTS[name]
    response = post(tenant, path, body(world))
    assert response.status_code == 201, response.content
    assert quantity(world.coffee, world.warehouse) == D("17")
    assert quantity(world.sugar, world.warehouse) == D("-0.5")


# --- GET /stock filters ------------------------------------------------------------------------


def listed_places(response) -> list[tuple]:
    assert response.status_code == 200, response.content
    return [(r["product"], r["location"]) for r in response.json()["results"]]


def test_stock_filters_by_location_and_product(tenant, world):
    client = tenant.client()
    w = world
    assert sorted(listed_places(client.get(STOCK, {"location": w.warehouse.pk}))) == sorted(
        [(w.coffee.pk, w.warehouse.pk), (w.sugar.pk, w.warehouse.pk)]
    )
    assert sorted(listed_places(client.get(STOCK, {"product": w.coffee.pk}))) == sorted(
        [(w.coffee.pk, w.store.pk), (w.coffee.pk, w.warehouse.pk)]
    )
    assert listed_places(client.get(STOCK, {"product": w.sugar.pk, "location": w.store.pk})) == []
    assert client.get(STOCK, {"location": "abc"}).status_code == 400


def test_stock_below_reorder_uses_the_products_point_or_the_company_threshold(tenant, world):
    w = world
    # Levels: coffee 20 (warehouse) and 5 (store), sugar 10 (warehouse); two more products.
    low = product(tenant, name="Low")
    fine = product(tenant, name="Fine")
    receive(tenant.admin, w.store, (low, 4, D("1.00")), (fine, 6, D("1.00")))
    CompanySettings.objects.filter(company=tenant.company).update(low_stock_threshold=D("5"))
    Product.objects.filter(pk=w.coffee.pk).update(reorder_point=D("5"))
    Product.objects.filter(pk=w.sugar.pk).update(reorder_point=D("12"))
    client = tenant.client()
    below = set(listed_places(client.get(STOCK, {"below_reorder": "true"})))
    assert below == {
        (w.coffee.pk, w.store.pk),  # 5 <= its reorder point 5
        (w.sugar.pk, w.warehouse.pk),  # 10 <= 12
        (low.pk, w.store.pk),  # 4 <= the company's threshold 5 (its own point is 0)
    }
    # The company's threshold changes only products without a reorder point of their own.
    CompanySettings.objects.filter(company=tenant.company).update(low_stock_threshold=D("3"))
    below = set(listed_places(client.get(STOCK, {"below_reorder": "true"})))
    assert below == {(w.coffee.pk, w.store.pk), (w.sugar.pk, w.warehouse.pk)}
    everything = set(listed_places(client.get(STOCK)))
    assert len(everything) == 5
    above = set(listed_places(client.get(STOCK, {"below_reorder": "false"})))
    assert above == everything - below
    both = client.get(STOCK, {"below_reorder": "true", "location": w.warehouse.pk})
    assert listed_places(both) == [(w.sugar.pk, w.warehouse.pk)]


def test_stock_lists_only_tracked_products(tenant, world):
    Product.objects.filter(pk=world.sugar.pk).update(track_inventory=False)
    places = listed_places(tenant.client().get(STOCK))
    assert world.sugar.pk not in {p for p, _ in places}
    assert world.coffee.pk in {p for p, _ in places}


# --- GET /stock/movements filters --------------------------------------------------------------


def listed_ids(response) -> list[int]:
    assert response.status_code == 200, response.content
    return [r["id"] for r in response.json()["results"]]


def test_movements_are_newest_first_and_filter_by_product_location_and_kind(tenant, world):
    w = world
    client = tenant.client()
    post(tenant, TRANSFERS, CALLS["transfers-create"][2](w))
    post(tenant, ADJUSTMENTS, CALLS["adjustments-create"][2](w))
    ours = StockMovement.objects.filter(company=tenant.company)
    newest_first = list(ours.order_by("-created_at", "-id").values_list("pk", flat=True))
    assert listed_ids(client.get(MOVEMENTS)) == newest_first
    assert newest_first == sorted(newest_first, reverse=True)

    def expect(query, **lookup):
        wanted = list(ours.filter(**lookup).order_by("-id").values_list("pk", flat=True))
        assert wanted, lookup
        assert listed_ids(client.get(MOVEMENTS, query)) == wanted, query

    expect({"product": w.sugar.pk}, product=w.sugar)
    expect({"location": w.store.pk}, location=w.store)
    expect({"kind": "transfer_in"}, kind="transfer_in")
    expect({"kind": "adjustment", "product": w.coffee.pk}, kind="adjustment", product=w.coffee)
    expect({"location": w.warehouse.pk, "kind": "receipt"}, location=w.warehouse, kind="receipt")
    assert listed_ids(client.get(MOVEMENTS, {"kind": "sale"})) == []
    assert_400(client.get(MOVEMENTS, {"kind": "gift"}), "kind")
    assert client.get(MOVEMENTS, {"from": "2024-13-01"}).status_code == 400


def test_movements_from_and_to_are_days_in_the_companys_time_zone(tenant, world):
    client = tenant.client()
    ours = StockMovement.objects.filter(company=tenant.company).order_by("id")
    first, second, third = ours
    # Mexico City is UTC-6: 05:30 UTC on the 10th is still 23:30 on the 9th there.
    at = {
        first.pk: dt.datetime(2024, 3, 9, 6, 0, tzinfo=dt.UTC),  # the 9th, 00:00 local
        second.pk: dt.datetime(2024, 3, 10, 5, 30, tzinfo=dt.UTC),  # the 9th, 23:30 local
        third.pk: dt.datetime(2024, 3, 10, 6, 0, tzinfo=dt.UTC),  # the 10th, 00:00 local
    }
    for pk, when in at.items():
        StockMovement.objects.filter(pk=pk).update(created_at=when)

    def ids_for(**query):
        return set(listed_ids(client.get(MOVEMENTS, query)))

    assert ids_for(**{"from": "2024-03-10"}) == {third.pk}
    assert ids_for(to="2024-03-09") == {first.pk, second.pk}
    assert ids_for(**{"from": "2024-03-09", "to": "2024-03-09"}) == {first.pk, second.pk}
    assert ids_for(to="2024-03-08") == set()
    assert ids_for(**{"from": "2024-03-11"}) == set()
    assert ids_for(**{"from": "2024-03-09", "to": "2024-03-10"}) == set(at)
    # created_at comes back with the offset, and is the instant stored.
    row = next(r for r in client.get(MOVEMENTS).json()["results"] if r["id"] == second.pk)
    assert dt.datetime.fromisoformat(row["created_at"]) == at[second.pk]


# --- pagination and query counts ---------------------------------------------------------------


@pytest.fixture
def many(tenant, world):
    """30 more products received at the store in one document: 33 levels, 33 movements."""
    items = [product(tenant, name=f"Item {i}") for i in range(30)]
    receive(tenant.admin, world.store, *[(p, i + 1, D("1.00")) for i, p in enumerate(items)])
    return items


@pytest.mark.parametrize("path", [STOCK, MOVEMENTS])
def test_lists_are_paginated(tenant, world, many, path):
    client = tenant.client()
    first = client.get(path, {"page_size": 10})
    body = first.json()
    assert_paginated(body)
    assert body["count"] == 33 and len(body["results"]) == 10
    assert body["previous"] is None and "page=2" in body["next"]
    last = client.get(path, {"page_size": 10, "page": 4}).json()
    assert len(last["results"]) == 3 and last["next"] is None
    pages = [client.get(path, {"page_size": 10, "page": n}).json()["results"] for n in (1, 2, 3, 4)]
    seen = [tuple(sorted(r.items())) for page in pages for r in page]
    assert len(set(seen)) == 33
    assert len(client.get(path, {"page_size": 1000}).json()["results"]) == 33
    assert client.get(path, {"page": 99}).status_code == 404


def count_queries(client, path, query):
    with CaptureQueriesContext(connection) as captured:
        response = client.get(path, query)
    assert response.status_code == 200, response.content
    return len(captured), response.json()


@pytest.mark.parametrize(
    "path, query",
    [
        (STOCK, {}),
        (STOCK, {"below_reorder": "true"}),
        (STOCK, {"location": "LOCATION"}),
        (MOVEMENTS, {}),
        (MOVEMENTS, {"kind": "receipt", "from": "2000-01-01", "to": "2999-01-01"}),
    ],
)
def test_list_queries_do_not_grow_with_the_page(tenant, world, many, path, query):
    query = {k: (world.store.pk if v == "LOCATION" else v) for k, v in query.items()}
    CompanySettings.objects.filter(company=tenant.company).update(low_stock_threshold=D("100"))
    client = tenant.client(tenant.member("stock_clerk"))
    small, body_small = count_queries(client, path, {**query, "page_size": 2})
    large, body_large = count_queries(client, path, {**query, "page_size": 25})
    assert len(body_small["results"]) == 2 and len(body_large["results"]) == 25
    assert small == large == AUTHENTICATION_QUERIES + 2  # the page and its COUNT
