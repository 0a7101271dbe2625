"""The inventory services: `stock_apply` and the four documents, their effect on levels, costs,
the ledger and the audit log, and `check_ledger`.

Every expected figure is computed by hand in the test (weighted averages rounded half-up to the
cent), never by calling the code under test.
"""

import re
from decimal import Decimal
from io import StringIO

import pytest
from django.core.management import CommandError, call_command
from django.db import connection, transaction
from django.test.utils import CaptureQueriesContext

from accounts.models import AuditEvent
from catalog.models import Product
from companies.models import CompanySettings
from config.api.errors import DomainError, DomainValidationError
from inventory import services
from inventory.models import StockDocument, StockLevel, StockMovement
from inventory.selectors import ledger_mismatches
from inventory.services import StockChange, StockLine
from tests.inventory.factories import (
    fresh,
    level,
    location,
    movements_of,
    product,
    quantity,
    receive,
    stock_state,
)

D = Decimal
Kind = StockMovement.Kind
SQLITE = connection.vendor == "sqlite"


@pytest.fixture
def clerk(tenant):
    return tenant.member("stock_clerk")


@pytest.fixture
def store(tenant):
    return tenant.location


@pytest.fixture
def warehouse(tenant):
    return location(tenant, name="Bodega", kind="warehouse")


def allow_negative(tenant, allowed=True):
    CompanySettings.objects.filter(company=tenant.company).update(allow_negative_stock=allowed)


def check_ledger(*args) -> tuple[str, str]:
    out, err = StringIO(), StringIO()
    call_command("check_ledger", *args, stdout=out, stderr=err)
    return out.getvalue(), err.getvalue()


def adjust(actor, where, *lines, reason="damage", note=""):
    return services.stock_adjust(
        actor=fresh(actor),
        location=where,
        reason=reason,
        note=note,
        lines=[StockLine(product=p, quantity=D(str(q))) for p, q in lines],
    )


def transfer(actor, source, destination, *lines):
    return services.stock_transfer(
        actor=fresh(actor),
        from_location=source,
        to_location=destination,
        lines=[StockLine(product=p, quantity=D(str(q))) for p, q in lines],
    )


def count(actor, where, *lines):
    return services.stock_count(
        actor=fresh(actor),
        location=where,
        lines=[StockLine(product=p, quantity=D(str(q))) for p, q in lines],
    )


def cost_of(item) -> Decimal:
    return Product.objects.get(pk=item.pk).cost


def movement_tuple(m):
    return (m.product_id, m.location_id, m.kind, m.quantity, m.unit_cost, m.balance_after)


# --- receipts ----------------------------------------------------------------------------------


def test_a_receipt_creates_the_level_the_movement_and_the_products_cost(tenant, clerk, store):
    coffee = product(tenant, cost=D("6.00"))
    document = services.stock_receive(
        actor=fresh(clerk),
        location=store,
        supplier="Café Veracruz",
        reference="FAC-881",
        lines=[StockLine(product=coffee, quantity=D("12"), unit_cost=D("7.25"))],
    )
    assert document.kind == StockDocument.Kind.RECEIPT
    stored = StockDocument.objects.get(pk=document.pk)
    assert (stored.company, stored.location, stored.user) == (tenant.company, store, clerk.user)
    assert (stored.supplier, stored.reference) == ("Café Veracruz", "FAC-881")
    found = level(coffee, store)
    assert (found.company, found.quantity, found.unit_cost) == (tenant.company, D("12"), D("7.25"))
    [movement] = movements_of(document)
    assert movement_tuple(movement) == (
        coffee.pk,
        store.pk,
        Kind.RECEIPT,
        D("12"),
        D("7.25"),
        D("12"),
    )
    assert movement.company == tenant.company
    assert movement.user == clerk.user
    assert movement.reason == "FAC-881"
    assert (movement.document_type, movement.document_id) == ("stock_document", document.pk)
    assert cost_of(coffee) == D("7.25")
    # The document carries its movements for the response.
    assert [m.pk for m in document.movements] == [movement.pk]


def test_the_weighted_average_over_several_receipts_rounds_half_up_to_the_cent(
    tenant, clerk, store
):
    item = product(tenant, cost=D("0"))
    steps = [
        # (quantity, unit cost or None, expected average, expected level)
        (1, D("10.00"), D("10.00"), D("1")),
        # (10.00 + 10.01) / 2 = 10.005 -> 10.01 (half-even would give 10.00)
        (1, D("10.01"), D("10.01"), D("2")),
        # (2 * 10.01 + 2 * 7.00) / 4 = 34.02 / 4 = 8.505 -> 8.51 (half-even: 8.50)
        (2, D("7.00"), D("8.51"), D("4")),
        # no unit cost: the current average is kept
        (4, None, D("8.51"), D("8")),
        # (8 * 8.51 + 3 * 5.00) / 11 = 83.08 / 11 = 7.5527... -> 7.55
        (3, D("5.00"), D("7.55"), D("11")),
        # (11 * 7.55 + 1 * 0.00) / 12 = 83.05 / 12 = 6.92083... -> 6.92 (a free sample)
        (1, D("0.00"), D("6.92"), D("12")),
    ]
    for qty, unit_cost, average, expected_level in steps:
        document = receive(clerk, store, (item, qty, unit_cost))
        found = level(item, store)
        assert (found.quantity, found.unit_cost) == (expected_level, average), (qty, unit_cost)
        assert cost_of(item) == average
        [movement] = movements_of(document)
        # The movement records the cost the goods came in at (the average when none is given).
        assert movement.unit_cost == (unit_cost if unit_cost is not None else D("8.51"))
        assert movement.balance_after == expected_level
    assert StockMovement.objects.filter(product=item).count() == len(steps)


def test_a_receipt_with_no_unit_cost_keeps_the_current_average_and_products_cost(
    tenant, clerk, store
):
    item = product(tenant, cost=D("3.00"))
    receive(clerk, store, (item, 10, D("4.40")))
    receive(clerk, store, (item, 5, None))
    found = level(item, store)
    assert (found.quantity, found.unit_cost) == (D("15"), D("4.40"))
    assert cost_of(item) == D("4.40")


def test_a_receipt_with_no_unit_cost_at_a_new_location_keeps_the_products_cost(
    tenant, clerk, store
):
    item = product(tenant, cost=D("6.00"))
    document = receive(clerk, store, (item, 5, None))
    assert quantity(item, store) == D("5")
    assert cost_of(item) == D("6.00")
    assert level(item, store).unit_cost == D("6.00")
    assert movements_of(document)[0].unit_cost == D("6.00")


def test_a_receipt_after_the_level_went_to_zero_takes_the_new_cost(tenant, clerk, store):
    item = product(tenant)
    receive(clerk, store, (item, 2, D("9.00")))
    adjust(clerk, store, (item, -2))
    receive(clerk, store, (item, 3, D("4.00")))
    found = level(item, store)
    assert (found.quantity, found.unit_cost) == (D("3"), D("4.00"))


def test_a_receipt_on_a_negative_level_takes_the_new_cost(tenant, clerk, store):
    allow_negative(tenant)
    item = product(tenant)
    adjust(clerk, store, (item, -4))
    assert quantity(item, store) == D("-4")
    receive(clerk, store, (item, 10, D("2.50")))
    found = level(item, store)
    assert (found.quantity, found.unit_cost) == (D("6"), D("2.50"))
    assert cost_of(item) == D("2.50")


def test_a_multi_line_receipt_moves_each_product(tenant, clerk, store):
    rice, beans = product(tenant), product(tenant, unit="kg")
    receive(clerk, store, (rice, 10, D("20.00")))
    document = receive(clerk, store, (rice, 10, D("21.00")), (beans, "2.750", D("30.00")))
    assert (quantity(rice, store), level(rice, store).unit_cost) == (D("20"), D("20.50"))
    assert (quantity(beans, store), level(beans, store).unit_cost) == (D("2.750"), D("30.00"))
    assert [movement_tuple(m) for m in movements_of(document)] == [
        (rice.pk, store.pk, Kind.RECEIPT, D("10"), D("21.00"), D("20")),
        (beans.pk, store.pk, Kind.RECEIPT, D("2.750"), D("30.00"), D("2.750")),
    ]
    assert (cost_of(rice), cost_of(beans)) == (D("20.50"), D("30.00"))


# --- adjustments -------------------------------------------------------------------------------


def test_an_adjustment_moves_the_level_at_the_average_cost_and_is_audited(tenant, clerk, store):
    item, other = product(tenant), product(tenant)
    receive(clerk, store, (item, 10, D("5.00")), (other, 2, D("1.50")))
    document = adjust(clerk, store, (item, -3), (other, 4), reason="correction", note="recount")
    stored = StockDocument.objects.get(pk=document.pk)
    assert (stored.kind, stored.reason, stored.note, stored.user) == (
        "adjustment",
        "correction",
        "recount",
        clerk.user,
    )
    assert [movement_tuple(m) for m in movements_of(document)] == [
        (item.pk, store.pk, Kind.ADJUSTMENT, D("-3"), D("5.00"), D("7")),
        (other.pk, store.pk, Kind.ADJUSTMENT, D("4"), D("1.50"), D("6")),
    ]
    assert all(m.user == clerk.user and m.reason == "correction" for m in movements_of(document))
    # An adjustment does not move the average cost (nor the product's cost).
    assert level(item, store).unit_cost == D("5.00") and level(other, store).unit_cost == D("1.50")
    assert (cost_of(item), cost_of(other)) == (D("5.00"), D("1.50"))
    [event] = AuditEvent.objects.filter(company=tenant.company, action="stock.adjust")
    assert event.user == clerk.user
    assert (event.object_type, event.object_id) == ("inventory.stockdocument", str(document.pk))
    assert event.data["location"] == store.pk
    assert event.data["reason"] == "correction" and event.data["note"] == "recount"
    assert [(line["product"], D(line["quantity"])) for line in event.data["lines"]] == [
        (item.pk, D("-3")),
        (other.pk, D("4")),
    ]


def test_insufficient_stock_changes_no_level_and_no_ledger_row(tenant, clerk, store):
    plenty, short, fresh_product = product(tenant), product(tenant), product(tenant)
    receive(clerk, store, (plenty, 10, D("5.00")), (short, 2, D("3.00")))
    before = stock_state(tenant.company)
    with pytest.raises(DomainError) as caught:
        adjust(clerk, store, (plenty, -4), (short, -3), (fresh_product, 1))
    assert caught.value.code == "insufficient_stock" and caught.value.status == 409
    assert str(short.pk) in caught.value.detail
    assert stock_state(tenant.company) == before
    # The level that would have been created for the new product was not kept either.
    assert level(fresh_product, store) is None


def test_insufficient_stock_names_every_short_product(tenant, clerk, store):
    first, second, fine = product(tenant), product(tenant), product(tenant)
    receive(clerk, store, (first, 1, D("1.00")), (second, 1, D("1.00")), (fine, 5, D("1.00")))
    with pytest.raises(DomainError) as caught:
        adjust(clerk, store, (first, -2), (fine, -1), (second, -5))
    named = caught.value.detail
    assert str(first.pk) in named and str(second.pk) in named
    assert quantity(fine, store) == D("5")


def test_two_lines_of_one_product_are_checked_together(tenant, clerk, store):
    item = product(tenant)
    receive(clerk, store, (item, 5, D("1.00")))
    with pytest.raises(DomainError) as caught:
        adjust(clerk, store, (item, -3), (item, -3))
    assert caught.value.code == "insufficient_stock"
    assert quantity(item, store) == D("5")
    document = adjust(clerk, store, (item, -3), (item, -2))
    assert [m.balance_after for m in movements_of(document)] == [D("2"), D("0")]


def test_allow_negative_stock_lets_the_same_document_through(tenant, clerk, store):
    plenty, short = product(tenant), product(tenant)
    receive(clerk, store, (plenty, 10, D("5.00")), (short, 2, D("3.00")))
    allow_negative(tenant)
    document = adjust(clerk, store, (plenty, -4), (short, -3))
    assert (quantity(plenty, store), quantity(short, store)) == (D("6"), D("-1"))
    assert [m.balance_after for m in movements_of(document)] == [D("6"), D("-1")]
    assert check_ledger()[1] == ""


def test_an_already_negative_level_refuses_more_decreases_once_disallowed(tenant, clerk, store):
    item = product(tenant)
    allow_negative(tenant)
    adjust(clerk, store, (item, -2))
    allow_negative(tenant, False)
    with pytest.raises(DomainError) as caught:
        adjust(clerk, store, (item, -1))
    assert caught.value.code == "insufficient_stock"
    adjust(clerk, store, (item, 1))  # an increase is always allowed
    assert quantity(item, store) == D("-1")


# --- transfers ---------------------------------------------------------------------------------


def test_a_transfer_moves_quantity_at_the_sources_average_into_the_destinations(
    tenant, clerk, store, warehouse
):
    item = product(tenant)
    receive(clerk, warehouse, (item, 10, D("7.01")))
    receive(clerk, store, (item, 3, D("10.00")))
    document = transfer(clerk, warehouse, store, (item, 4))
    stored = StockDocument.objects.get(pk=document.pk)
    assert (stored.kind, stored.location, stored.to_location, stored.user) == (
        "transfer",
        warehouse,
        store,
        clerk.user,
    )
    # Destination: (3 * 10.00 + 4 * 7.01) / 7 = 58.04 / 7 = 8.2914... -> 8.29
    assert quantity(item, store) == D("7")
    assert level(item, store).unit_cost == D("8.29")
    assert (quantity(item, warehouse), level(item, warehouse).unit_cost) == (D("6"), D("7.01"))
    assert [movement_tuple(m) for m in movements_of(document)] == [
        (item.pk, warehouse.pk, Kind.TRANSFER_OUT, D("-4"), D("7.01"), D("6")),
        (item.pk, store.pk, Kind.TRANSFER_IN, D("4"), D("7.01"), D("7")),
    ]
    assert all(m.user == clerk.user for m in movements_of(document))
    assert check_ledger()[1] == ""


def test_a_transfer_into_an_empty_location_takes_the_sources_cost(tenant, clerk, store, warehouse):
    first, second = product(tenant), product(tenant, unit="kg")
    receive(clerk, warehouse, (first, 10, D("8.00")), (second, "5.5", D("12.40")))
    document = transfer(clerk, warehouse, store, (first, 5), (second, "0.25"))
    assert (quantity(first, store), level(first, store).unit_cost) == (D("5"), D("8.00"))
    assert (quantity(second, store), level(second, store).unit_cost) == (D("0.25"), D("12.40"))
    assert quantity(second, warehouse) == D("5.25")
    assert len(movements_of(document)) == 4


def test_a_transfer_of_more_than_the_source_holds_changes_nothing(tenant, clerk, store, warehouse):
    ok, short = product(tenant), product(tenant)
    receive(clerk, warehouse, (ok, 10, D("1.00")), (short, 1, D("1.00")))
    before = stock_state(tenant.company)
    with pytest.raises(DomainError) as caught:
        transfer(clerk, warehouse, store, (ok, 2), (short, 2))
    assert caught.value.code == "insufficient_stock"
    assert str(short.pk) in caught.value.detail
    assert stock_state(tenant.company) == before


def test_a_transfer_needs_two_different_locations(tenant, clerk, store):
    item = product(tenant)
    receive(clerk, store, (item, 3, D("1.00")))
    before = stock_state(tenant.company)
    with pytest.raises(DomainError) as caught:
        transfer(clerk, store, store, (item, 1))
    assert (caught.value.code, caught.value.status, caught.value.attr) == (
        "same_location",
        400,
        "to_location",
    )
    assert stock_state(tenant.company) == before


@pytest.mark.parametrize("inactive", ["from_location", "to_location"])
def test_a_transfer_refuses_an_inactive_location(tenant, clerk, store, warehouse, inactive):
    item = product(tenant)
    receive(clerk, warehouse, (item, 3, D("1.00")))
    closed = warehouse if inactive == "from_location" else store
    closed.is_active = False
    closed.save()
    before = stock_state(tenant.company)
    with pytest.raises(DomainError) as caught:
        transfer(clerk, warehouse, store, (item, 1))
    assert (caught.value.code, caught.value.attr) == ("location_inactive", inactive)
    assert stock_state(tenant.company) == before


# --- counts ------------------------------------------------------------------------------------


def test_a_count_sets_each_level_and_records_the_difference(tenant, clerk, store):
    lower, higher, same, new = (product(tenant) for _ in range(4))
    receive(clerk, store, (lower, 10, D("5.00")), (higher, 4, D("2.00")), (same, 6, D("1.10")))
    document = count(clerk, store, (lower, 7), (higher, 6), (same, 6), (new, 3))
    assert [quantity(p, store) for p in (lower, higher, same, new)] == [
        D("7"),
        D("6"),
        D("6"),
        D("3"),
    ]
    assert [movement_tuple(m) for m in movements_of(document)] == [
        (lower.pk, store.pk, Kind.COUNT, D("-3"), D("5.00"), D("7")),
        (higher.pk, store.pk, Kind.COUNT, D("2"), D("2.00"), D("6")),
        (same.pk, store.pk, Kind.COUNT, D("0"), D("1.10"), D("6")),
        # Found stock of a product never stocked here is valued at the product's cost.
        (new.pk, store.pk, Kind.COUNT, D("3"), new.cost, D("3")),
    ]
    assert level(new, store).unit_cost == new.cost
    # A count does not move the average cost.
    assert level(higher, store).unit_cost == D("2.00")
    assert cost_of(higher) == D("2.00")
    [event] = AuditEvent.objects.filter(company=tenant.company, action="stock.count")
    assert event.user == clerk.user
    assert (event.object_type, event.object_id) == ("inventory.stockdocument", str(document.pk))
    assert event.data["location"] == store.pk
    assert [
        (line["product"], D(line["counted"]), D(line["difference"])) for line in event.data["lines"]
    ] == [
        (lower.pk, D("7"), D("-3")),
        (higher.pk, D("6"), D("2")),
        (same.pk, D("6"), D("0")),
        (new.pk, D("3"), D("3")),
    ]
    assert check_ledger()[1] == ""


def test_a_count_of_zero_empties_the_level_and_never_is_insufficient(tenant, clerk, store):
    item = product(tenant)
    receive(clerk, store, (item, 4, D("1.00")))
    document = count(clerk, store, (item, 0))
    assert quantity(item, store) == D("0")
    assert movements_of(document)[0].quantity == D("-4")


def test_a_count_of_a_negative_level_brings_it_up(tenant, clerk, store):
    allow_negative(tenant)
    item = product(tenant)
    adjust(clerk, store, (item, -3))
    allow_negative(tenant, False)
    document = count(clerk, store, (item, 2))
    assert quantity(item, store) == D("2")
    assert movements_of(document)[0].quantity == D("5")


def test_a_count_refuses_a_product_twice(tenant, clerk, store):
    item = product(tenant)
    before = stock_state(tenant.company)
    with pytest.raises(DomainError) as caught:
        count(clerk, store, (item, 1), (item, 2))
    assert (caught.value.code, caught.value.status, caught.value.attr) == (
        "duplicate_product",
        400,
        "lines",
    )
    assert stock_state(tenant.company) == before


# --- what every document refuses ---------------------------------------------------------------


DOCUMENTS = ["receipt", "adjustment", "transfer", "count"]


def write(kind, actor, store, warehouse, lines):
    """Write a document of `kind` with `lines` [(product, quantity)] at the store."""
    if kind == "receipt":
        return receive(actor, store, *[(p, q, D("1.00")) for p, q in lines])
    if kind == "adjustment":
        return adjust(actor, store, *lines)
    if kind == "transfer":
        return transfer(actor, warehouse, store, *lines)
    return count(actor, store, *lines)


@pytest.mark.parametrize("kind", DOCUMENTS)
def test_a_product_that_does_not_track_inventory_is_refused(tenant, clerk, store, warehouse, kind):
    tracked = product(tenant)
    service_fee = product(tenant, track_inventory=False)
    receive(clerk, warehouse, (tracked, 5, D("1.00")))
    before = stock_state(tenant.company)
    with pytest.raises(DomainValidationError) as caught:
        write(kind, clerk, store, warehouse, [(tracked, 1), (service_fee, 1)])
    assert ("lines.1.product", "not_tracked") in [(a, c) for a, c, _ in caught.value.errors]
    assert stock_state(tenant.company) == before


@pytest.mark.parametrize("kind", DOCUMENTS)
def test_a_fraction_of_a_unit_product_is_refused(tenant, clerk, store, warehouse, kind):
    by_unit, by_kg = product(tenant), product(tenant, unit="kg")
    receive(clerk, warehouse, (by_unit, 5, D("1.00")), (by_kg, 5, D("1.00")))
    before = stock_state(tenant.company)
    with pytest.raises(DomainValidationError) as caught:
        write(kind, clerk, store, warehouse, [(by_kg, "1.5"), (by_unit, "1.5")])
    field = "counted_quantity" if kind == "count" else "quantity"
    assert [(a, c) for a, c, _ in caught.value.errors] == [(f"lines.1.{field}", "whole_quantity")]
    assert stock_state(tenant.company) == before
    write(kind, clerk, store, warehouse, [(by_kg, "1.5"), (by_unit, "2.000")])


@pytest.mark.parametrize("kind", ["receipt", "adjustment", "count"])
def test_an_inactive_location_is_refused(tenant, clerk, store, warehouse, kind):
    item = product(tenant)
    store.is_active = False
    store.save()
    before = stock_state(tenant.company)
    with pytest.raises(DomainError) as caught:
        write(kind, clerk, store, warehouse, [(item, 1)])
    assert (caught.value.code, caught.value.status, caught.value.attr) == (
        "location_inactive",
        400,
        "location",
    )
    assert stock_state(tenant.company) == before


# --- stock_apply, the one function every document (and sales) calls -----------------------------


def apply(tenant, changes, document_id=1, user=None):
    return services.stock_apply(
        company=tenant.company,
        user=user,
        changes=changes,
        document_type="test_document",
        document_id=document_id,
    )


def test_stock_apply_keeps_the_average_on_the_way_out_and_moves_it_on_costed_inbound(
    tenant, clerk, store
):
    item = product(tenant)
    receive(clerk, store, (item, 10, D("4.00")))
    movements = apply(
        tenant,
        [
            StockChange(product=item, location_id=store.pk, kind=Kind.SALE, quantity=D("-4")),
            # (6 * 4.00 + 2 * 5.00) / 8 = 4.25
            StockChange(
                product=item,
                location_id=store.pk,
                kind=Kind.RETURN,
                quantity=D("2"),
                unit_cost=D("5.00"),
            ),
        ],
        document_id=77,
    )
    assert [movement_tuple(m) for m in movements] == [
        (item.pk, store.pk, Kind.SALE, D("-4"), D("4.00"), D("6")),
        (item.pk, store.pk, Kind.RETURN, D("2"), D("5.00"), D("8")),
    ]
    stored = StockMovement.objects.filter(document_type="test_document", document_id=77)
    assert stored.count() == 2
    assert (quantity(item, store), level(item, store).unit_cost) == (D("8"), D("4.25"))
    assert cost_of(item) == D("4.00")  # the product's cost follows receipts only


def test_stock_apply_counted_sets_the_level(tenant, clerk, store):
    item = product(tenant)
    receive(clerk, store, (item, 9, D("1.00")))
    [movement] = apply(
        tenant,
        [StockChange(product=item, location_id=store.pk, kind=Kind.COUNT, counted=D("4"))],
    )
    assert (movement.quantity, movement.balance_after) == (D("-5"), D("4"))
    assert quantity(item, store) == D("4")


def test_stock_apply_is_all_or_nothing_and_creates_no_level_when_refused(tenant, clerk, store):
    present, absent = product(tenant), product(tenant)
    receive(clerk, store, (present, 1, D("1.00")))
    before = stock_state(tenant.company)
    # It takes no savepoint of its own: a refusal fails the caller's transaction, here this one.
    with pytest.raises(DomainError) as caught, transaction.atomic():
        apply(
            tenant,
            [
                StockChange(
                    product=present, location_id=store.pk, kind=Kind.SALE, quantity=D("-1")
                ),
                StockChange(product=absent, location_id=store.pk, kind=Kind.SALE, quantity=D("-1")),
            ],
        )
    assert caught.value.code == "insufficient_stock"
    assert str(absent.pk) in caught.value.detail
    assert stock_state(tenant.company) == before
    assert not StockLevel.objects.filter(product=absent).exists()


def test_stock_apply_runs_a_constant_number_of_queries(tenant, clerk, store):
    items = [product(tenant) for _ in range(12)]
    receive(clerk, store, *[(p, 5, D("1.00")) for p in items])
    company = fresh(clerk).company

    def queries_for(some):
        changes = [
            StockChange(product=p, location_id=store.pk, kind=Kind.SALE, quantity=D("-1"))
            for p in some
        ] + [
            StockChange(
                product=p,
                location_id=store.pk,
                kind=Kind.RETURN,
                quantity=D("1"),
                unit_cost=D("2.00"),
            )
            for p in some
        ]
        with CaptureQueriesContext(connection) as captured:
            services.stock_apply(
                company=company,
                user=None,
                changes=changes,
                document_type="test_document",
                document_id=1,
            )
        return len(captured)

    assert queries_for(items[:1]) == queries_for(items[:2]) == queries_for(items)


# --- check_ledger ------------------------------------------------------------------------------


def test_check_ledger_passes_after_every_kind_of_document(tenant, clerk, store, warehouse):
    item, weighed = product(tenant), product(tenant, unit="kg")
    receive(clerk, warehouse, (item, 10, D("3.00")), (weighed, "2.5", D("1.00")))
    receive(clerk, warehouse, (weighed, "1.5", D("1.00")))
    adjust(clerk, warehouse, (item, -1))
    transfer(clerk, warehouse, store, (item, 4), (weighed, "0.5"))
    count(clerk, store, (item, 3))
    out, err = check_ledger()
    assert err == ""
    assert "ledger ok" in out
    assert ledger_mismatches() == []


def test_check_ledger_passes_with_weighed_fractions(tenant, clerk, store):
    weighed = product(tenant, unit="kg")
    receive(clerk, store, (weighed, "0.1", D("1.00")))
    receive(clerk, store, (weighed, "0.2", D("1.00")))
    assert quantity(weighed, store) == D("0.3")
    assert ledger_mismatches() == []
    assert "ledger ok" in check_ledger()[0]


def test_check_ledger_names_a_level_edited_behind_its_back(tenant, clerk, store):
    item, untouched = product(tenant), product(tenant)
    receive(clerk, store, (item, 10, D("3.00")), (untouched, 2, D("1.00")))
    StockLevel.objects.filter(product=item, location=store).update(quantity=D("11"))
    with pytest.raises(CommandError):
        check_ledger()
    err = StringIO()
    with pytest.raises(CommandError):
        call_command("check_ledger", stdout=StringIO(), stderr=err)
    [line] = err.getvalue().strip().splitlines()
    assert re.fullmatch(
        rf"company {tenant.company.pk} product {item.pk} location {store.pk}: "
        r"level 11\.000, movements sum to 10(\.0+)?",
        line,
    ), line


def test_check_ledger_names_movements_whose_level_is_missing(tenant, clerk, store):
    item = product(tenant)
    receive(clerk, store, (item, 2, D("3.00")))
    StockLevel.objects.filter(product=item).delete()
    err = StringIO()
    with pytest.raises(CommandError):
        call_command("check_ledger", stdout=StringIO(), stderr=err)
    assert f"product {item.pk} location {store.pk}: level missing" in err.getvalue()


def test_check_ledger_company_limits_it(tenant, other_tenant, clerk, store):
    item = product(tenant)
    receive(clerk, store, (item, 2, D("3.00")))
    theirs = product(other_tenant)
    receive(other_tenant.admin, other_tenant.location, (theirs, 5, D("1.00")))
    StockLevel.objects.filter(product=theirs).update(quantity=D("0"))
    out, err = check_ledger("--company", str(tenant.company.pk))
    assert err == "" and "ledger ok" in out
    with pytest.raises(CommandError):
        check_ledger("--company", str(other_tenant.company.pk))
    err = StringIO()
    with pytest.raises(CommandError):
        call_command("check_ledger", stdout=StringIO(), stderr=err)
    assert f"company {other_tenant.company.pk} product {theirs.pk}" in err.getvalue()
    assert f"company {tenant.company.pk} " not in err.getvalue()
