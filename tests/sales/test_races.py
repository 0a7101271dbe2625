"""Races of sales between real threads on PostgreSQL (row locks do nothing on SQLite).

Every thread goes through the HTTP API with its own client and its own database connection
(closed when the thread ends), so each request is its own transaction, as in production.
"""

import random
import uuid
from decimal import Decimal

import pytest
from django.core.management import call_command
from django.db.models import Sum

from accounts.models import Membership
from catalog.models import Product
from companies.models import Register
from config.models import IdempotencyKey
from inventory.models import StockLevel, StockMovement
from inventory.services import StockLine, stock_receive
from sales import services
from sales.models import Payment, Sale, SaleLine, Shift
from tests.catalog.factories import ProductFactory
from tests.concurrency import run_together
from tests.conftest import Tenant, client_for
from tests.factories import LocationFactory, RegisterFactory

pytestmark = [pytest.mark.postgres, pytest.mark.django_db(transaction=True)]

D = Decimal


# Set-up, through the services (stock only ever changes through documents).


def fresh(membership: Membership) -> Membership:
    return Membership.objects.select_related("company__settings", "user").get(pk=membership.pk)


def shop(name: str) -> Tenant:
    return Tenant(name, f"{uuid.uuid4().hex[:10]}@example.com")


def product(tenant: Tenant, **fields) -> Product:
    return ProductFactory(company=tenant.company, price=D("10.00"), cost=D("6.00"), **fields)


def receive(tenant: Tenant, location, *lines) -> None:
    """`lines` are (product, quantity)."""
    stock_receive(
        actor=fresh(tenant.admin),
        location=location,
        lines=[StockLine(product=p, quantity=D(str(q)), unit_cost=D("6.00")) for p, q in lines],
    )


def open_shift(tenant: Tenant, register: Register, opening_cash="100.00") -> Shift:
    return services.shift_open(
        actor=fresh(tenant.admin), register=register, opening_cash=D(opening_cash)
    )


def level(product: Product, location) -> Decimal:
    return StockLevel.objects.get(product=product, location=location).quantity


def ledger_in_balance(tenant: Tenant) -> None:
    """`check_ledger` raises CommandError naming any level that differs from its movements."""
    call_command("check_ledger", company=tenant.company.pk)


# Requests, each from a new client (one per thread).


def sale_body(register: Register, *lines, payments=None) -> dict:
    """`lines` are (product, quantity); by default paid in cash, to the cent, at 10.00 each."""
    total = sum((D("10.00") * D(str(q)) for _, q in lines), D("0"))
    return {
        "register": register.pk,
        "lines": [{"product": p.pk, "quantity": str(q)} for p, q in lines],
        "payments": payments or [{"method": "cash", "amount": str(total)}],
    }


def post_sale(membership: Membership, body: dict, key: str | None = None):
    headers = {"HTTP_IDEMPOTENCY_KEY": key} if key else {}
    return lambda: client_for(membership).post("/api/v1/sales", body, format="json", **headers)


def codes(response) -> list[str]:
    return [error["code"] for error in response.json()["errors"]]


def outcome(response) -> tuple[int, str | None]:
    """(status, first error code or None) of a response; an exception fails the test."""
    assert not isinstance(response, BaseException), repr(response)
    code = codes(response)[0] if response.status_code >= 400 else None
    return response.status_code, code


def assert_no_server_error(results) -> None:
    """No exception, no 5xx, and no deadlock or serialization failure (which the error
    handler answers as a retryable 409 `conflict`, config/api/errors.py)."""
    for result in results:
        assert not isinstance(result, BaseException), repr(result)
        assert result.status_code < 500, result.content
        if result.status_code == 409:
            assert codes(result) != ["conflict"], f"a deadlock: {result.content}"


def assert_sales_add_up(tenant: Tenant) -> None:
    """Every sale of the company: its lines sum to its total, its payments to what was paid,
    and paid less change is the total."""
    sales = Sale.objects.filter(company=tenant.company)
    lines = dict(
        SaleLine.objects.filter(sale__in=sales)
        .values("sale")
        .annotate(total=Sum("total"))
        .values_list("sale", "total")
    )
    paid = dict(
        Payment.objects.filter(sale__in=sales)
        .values("sale")
        .annotate(total=Sum("amount"))
        .values_list("sale", "total")
    )
    for sale in sales:
        assert lines[sale.pk] == sale.total, sale.receipt_number
        assert paid[sale.pk] == sale.paid_total, sale.receipt_number
        assert sale.paid_total - sale.change == sale.total, sale.receipt_number


def sequences(register: Register) -> list[int]:
    return sorted(Sale.objects.filter(register=register).values_list("receipt_sequence", flat=True))


# 1. The last units


def test_thirty_buyers_of_ten_units_give_ten_sales_and_twenty_refusals():
    """Three registers of one store, so that only the stock level's row lock (not a
    register's) stands between the buyers."""
    tenant = shop("Last Units")
    scarce = product(tenant)
    receive(tenant, tenant.location, (scarce, 10))
    registers = [
        tenant.register,
        *(
            RegisterFactory(
                company=tenant.company, location=tenant.location, name=p, receipt_prefix=p
            )
            for p in ("R2", "R3")
        ),
    ]
    for register in registers:
        open_shift(tenant, register)
    cashier = tenant.member("cashier")
    calls = [post_sale(cashier, sale_body(registers[i % 3], (scarce, 1))) for i in range(30)]

    results = run_together(*calls)

    outcomes = [outcome(r) for r in results]
    assert outcomes.count((201, None)) == 10, outcomes
    assert outcomes.count((409, "insufficient_stock")) == 20, outcomes
    assert level(scarce, tenant.location) == 0
    assert Sale.objects.filter(company=tenant.company).count() == 10
    sold = StockMovement.objects.filter(product=scarce, kind="sale")
    assert sold.count() == 10
    assert sorted(sold.values_list("balance_after", flat=True)) == [D(n) for n in range(10)]
    for register in registers:
        assert sequences(register) == list(range(1, len(sequences(register)) + 1))
    ledger_in_balance(tenant)


# 2. Receipt numbers


def test_forty_sales_on_one_register_number_their_receipts_one_to_forty():
    tenant = shop("Busy Register")
    plenty = product(tenant)
    untracked = product(tenant, track_inventory=False)
    receive(tenant, tenant.location, (plenty, 100))
    open_shift(tenant, tenant.register)
    cashiers = [tenant.member("cashier") for _ in range(4)]
    calls = [
        post_sale(
            cashiers[i % 4],
            sale_body(tenant.register, (plenty, 1), (untracked, 1 + i % 2)),
        )
        for i in range(40)
    ]

    results = run_together(*calls)

    assert [outcome(r) for r in results] == [(201, None)] * 40
    bodies = [r.json() for r in results]
    assert sorted(b["receipt_sequence"] for b in bodies) == list(range(1, 41))
    assert len({b["receipt_number"] for b in bodies}) == 40
    assert {b["receipt_number"] for b in bodies} == {f"R1-{n:06d}" for n in range(1, 41)}
    assert sequences(tenant.register) == list(range(1, 41))
    tenant.register.refresh_from_db()
    assert tenant.register.receipt_counter == 40
    assert level(plenty, tenant.location) == 60
    ledger_in_balance(tenant)


# 3. Retries with one Idempotency-Key


def test_ten_concurrent_retries_with_one_key_make_one_sale():
    tenant = shop("Flaky Network")
    first, second = product(tenant), product(tenant)
    untracked = product(tenant, track_inventory=False)
    receive(tenant, tenant.location, (first, 50), (second, 50))
    open_shift(tenant, tenant.register)
    cashier = tenant.member("cashier")
    body = sale_body(
        tenant.register,
        (first, 2),
        (second, 1),
        (untracked, 3),
        payments=[
            {"method": "card", "amount": "20.00", "reference": "AUTH9"},
            {"method": "cash", "amount": "50.00"},
        ],
    )
    key = str(uuid.uuid4())

    results = run_together(*[post_sale(cashier, body, key)] * 10)

    outcomes = [outcome(r) for r in results]
    assert set(outcomes) <= {(201, None), (409, "idempotency_key_in_use")}, outcomes
    created = [r for r in results if r.status_code == 201]
    assert created, outcomes
    originals = [r for r in created if r.headers.get("Idempotent-Replayed") != "true"]
    assert len(originals) == 1, [dict(r.headers) for r in created]
    assert all(r.json() == originals[0].json() for r in created)

    sales = Sale.objects.filter(company=tenant.company)
    assert sales.count() == 1
    sale = sales.get()
    assert originals[0].json()["id"] == sale.pk
    assert sale.total == D("60.00") and sale.change == D("10.00")
    assert sale.receipt_sequence == 1
    movements = StockMovement.objects.filter(document_type="sale", document_id=sale.pk)
    assert sorted(movements.values_list("product_id", "quantity")) == sorted(
        [(first.pk, D("-2")), (second.pk, D("-1"))]
    )
    assert (level(first, tenant.location), level(second, tenant.location)) == (48, 49)
    key_row = IdempotencyKey.objects.get(company=tenant.company, key=key)
    assert key_row.state == IdempotencyKey.State.DONE

    retry = post_sale(cashier, body, key)()
    assert retry.status_code == 201
    assert retry.headers["Idempotent-Replayed"] == "true"
    assert retry.json() == originals[0].json()
    assert Sale.objects.filter(company=tenant.company).count() == 1
    tenant.register.refresh_from_db()
    assert tenant.register.receipt_counter == 1
    ledger_in_balance(tenant)


# 4. Everything at once


def test_sales_refund_void_and_transfer_at_once_neither_deadlock_nor_unbalance():
    tenant = shop("Two Stores")
    store, warehouse = tenant.location, LocationFactory(company=tenant.company, name="Second")
    front = tenant.register
    back = RegisterFactory(
        company=tenant.company, location=warehouse, name="Back", receipt_prefix="R2"
    )
    a, b = product(tenant), product(tenant)
    receive(tenant, store, (a, 200), (b, 200))
    receive(tenant, warehouse, (a, 200), (b, 200))
    open_shift(tenant, front)
    open_shift(tenant, back)
    admin = fresh(tenant.admin)
    # A sale of the front register refunded (cash, restocked) at the back one; a sale of the
    # back register voided; both while new sales and a transfer run.
    to_refund = services.sale_complete(
        actor=admin,
        register=front,
        lines=[
            services.SaleLineRequest(product_id=a.pk, quantity=D("3")),
            services.SaleLineRequest(product_id=b.pk, quantity=D("2")),
        ],
        payments=[services.PaymentRequest(method="cash", amount=D("50.00"))],
    )
    to_void = services.sale_complete(
        actor=admin,
        register=back,
        lines=[
            services.SaleLineRequest(product_id=b.pk, quantity=D("4")),
            services.SaleLineRequest(product_id=a.pk, quantity=D("1")),
        ],
        payments=[services.PaymentRequest(method="card", amount=D("50.00"))],
    )
    refund_lines = [
        {"sale_line": line.pk, "quantity": str(line.quantity)}
        for line in to_refund.lines.order_by("-id")
    ]
    cashiers = [tenant.member("cashier") for _ in range(4)]
    split = [
        {"method": "card", "amount": "7.00", "reference": "AUTH"},
        {"method": "cash", "amount": "20.00"},
    ]  # 27.00 for a total of 20.00: 7.00 of change

    def sale(i):
        register = front if i % 2 else back
        lines = [(a, 1), (b, 1)] if i % 4 < 2 else [(b, 1), (a, 1)]  # both orders
        return post_sale(cashiers[i % 4], sale_body(register, *lines, payments=split))

    def refund():
        body = {
            "register": back.pk,
            "reason": "damaged",
            "restock": True,
            "method": "cash",
            "lines": refund_lines,
        }
        return client_for(admin).post(f"/api/v1/sales/{to_refund.pk}/refunds", body, format="json")

    def void():
        return client_for(admin).post(
            f"/api/v1/sales/{to_void.pk}/void", {"reason": "wrong items"}, format="json"
        )

    def transfer():
        body = {
            "from_location": store.pk,
            "to_location": warehouse.pk,
            "lines": [{"product": b.pk, "quantity": "5"}, {"product": a.pk, "quantity": "5"}],
        }
        return client_for(admin).post("/api/v1/stock/transfers", body, format="json")

    calls = [sale(i) for i in range(16)]
    calls[3:3] = [refund]
    calls[9:9] = [transfer]
    calls[14:14] = [void]
    results = run_together(*calls)

    assert_no_server_error(results)
    outcomes = [outcome(r) for r in results]
    assert [o for o in outcomes if o[0] != 201] == [(200, None)], outcomes  # only the void
    # Levels follow from the documents: front sales take from the store, back sales, the
    # refund's restock and the void's return come into or out of the warehouse.
    assert level(a, store) == 200 - 3 - 8 - 5
    assert level(b, store) == 200 - 2 - 8 - 5
    assert level(a, warehouse) == 200 - 1 - 8 + 5 + 3 + 1
    assert level(b, warehouse) == 200 - 4 - 8 + 5 + 2 + 4
    ledger_in_balance(tenant)
    assert_sales_add_up(tenant)
    assert sequences(front) == list(range(1, 10))
    assert sequences(back) == list(range(1, 10))
    to_refund.refresh_from_db()
    to_void.refresh_from_db()
    assert to_refund.status == Sale.Status.REFUNDED
    assert to_refund.refunded_total == to_refund.total
    assert to_void.status == Sale.Status.VOIDED


# 5. Failures use no receipt number


def test_refused_sales_interleaved_with_good_ones_use_no_receipt_number():
    tenant = shop("Gapless")
    scarce, plenty = product(tenant), product(tenant)
    inactive = product(tenant, is_active=False)
    receive(tenant, tenant.location, (scarce, 5), (plenty, 100))
    open_shift(tenant, tenant.register)
    cashier = tenant.member("cashier")
    override = sale_body(tenant.register, (plenty, 1))
    override["lines"][0]["unit_price"] = "1.00"
    override["payments"] = [{"method": "cash", "amount": "1.00"}]
    calls = [
        *[post_sale(cashier, sale_body(tenant.register, (plenty, 1), (scarce, 1)))] * 10,
        *[post_sale(cashier, sale_body(tenant.register, (plenty, 2)))] * 10,
        *[post_sale(cashier, sale_body(tenant.register, (inactive, 1)))] * 3,  # 400
        *[post_sale(cashier, override)] * 3,  # a cashier may not override a price: 403
        *[post_sale(cashier, sale_body(tenant.register, (plenty, 1), (scarce, 6)))] * 3,  # 409
    ]
    random.Random(5).shuffle(calls)  # noqa: S311 - a fixed interleaving, not a secret

    results = run_together(*calls)

    outcomes = [outcome(r) for r in results]
    assert outcomes.count((201, None)) == 15, outcomes
    assert outcomes.count((409, "insufficient_stock")) == 8, outcomes
    assert outcomes.count((400, "product_inactive")) == 3, outcomes
    assert outcomes.count((403, "permission_denied")) == 3, outcomes
    successful = sorted(r.json()["receipt_sequence"] for r in results if r.status_code == 201)
    assert successful == list(range(1, 16))
    assert sequences(tenant.register) == list(range(1, 16))
    tenant.register.refresh_from_db()
    assert tenant.register.receipt_counter == 15
    assert level(scarce, tenant.location) == 0
    assert level(plenty, tenant.location) == 100 - 5 - 20
    ledger_in_balance(tenant)


# 6. A sale against the close of its shift


def test_a_sale_racing_the_close_of_its_shift_is_in_the_z_report_or_refused():
    tenant = shop("Closing Time")
    plenty = product(tenant)
    receive(tenant, tenant.location, (plenty, 500))
    cashier = tenant.member("cashier")
    manager = tenant.member("manager")
    body = sale_body(tenant.register, (plenty, 1))

    for round_ in range(6):
        shift = open_shift(tenant, tenant.register)

        def close(shift=shift):
            return client_for(manager).post(
                f"/api/v1/shifts/{shift.pk}/close", {"counted_cash": "100.00"}, format="json"
            )

        calls = [post_sale(cashier, body) for _ in range(5)]
        calls.insert(round_ % 6, close)
        results = run_together(*calls)

        assert_no_server_error(results)
        z_report = results[round_ % 6]
        assert z_report.status_code == 200, z_report.content
        sales = [r for r in results if r is not z_report]
        outcomes = [outcome(r) for r in sales]
        assert set(outcomes) <= {(201, None), (409, "no_open_shift")}, outcomes
        landed = [r.json() for r in sales if r.status_code == 201]
        assert all(sale["shift"] == shift.pk for sale in landed)
        report = z_report.json()
        # Every sale of the shift is in its Z report, and none came after the close.
        on_shift = Sale.objects.filter(shift=shift)
        assert report["sales_count"] == len(landed) == on_shift.count()
        assert D(report["cash_sales"]) == D("10.00") * len(landed)
        assert D(report["expected_cash"]) == D("100.00") + D("10.00") * len(landed)
        shift.refresh_from_db()
        assert shift.status == Shift.Status.CLOSED
        assert not on_shift.filter(created_at__gt=shift.closed_at).exists()
        stored = client_for(manager).get(f"/api/v1/shifts/{shift.pk}/report").json()
        assert stored == report

    tenant.register.refresh_from_db()
    total = Sale.objects.filter(register=tenant.register).count()
    assert tenant.register.receipt_counter == total
    assert sequences(tenant.register) == list(range(1, total + 1))
    ledger_in_balance(tenant)


# 7. Refunds and voids of one sale at once


def refund_call(membership, sale, register, lines, method="cash"):
    body = {
        "register": register.pk,
        "reason": "returned",
        "restock": True,
        "method": method,
        "lines": lines,
    }
    return lambda: client_for(membership).post(
        f"/api/v1/sales/{sale.pk}/refunds", body, format="json"
    )


def test_concurrent_refunds_of_one_line_never_refund_more_than_was_sold():
    tenant = shop("Many Returns")
    item = product(tenant)
    receive(tenant, tenant.location, (item, 10))
    open_shift(tenant, tenant.register)
    manager = tenant.member("manager")
    sale = services.sale_complete(
        actor=fresh(tenant.admin),
        register=tenant.register,
        lines=[services.SaleLineRequest(product_id=item.pk, quantity=D("3"))],
        payments=[services.PaymentRequest(method="cash", amount=D("30.00"))],
    )
    line = sale.lines.get()
    one = [{"sale_line": line.pk, "quantity": "1"}]

    results = run_together(*[refund_call(manager, sale, tenant.register, one)] * 6)

    outcomes = [outcome(r) for r in results]
    assert outcomes.count((201, None)) == 3, outcomes
    assert outcomes.count((409, "refund_exceeds_sale")) == 3, outcomes
    sale.refresh_from_db()
    line.refresh_from_db()
    assert line.refunded_quantity == 3 and line.refunded_amount == line.total
    assert sale.refunded_total == sale.total and sale.status == Sale.Status.REFUNDED
    assert level(item, tenant.location) == 10
    ledger_in_balance(tenant)


def test_a_void_racing_a_refund_of_the_same_sale_lets_exactly_one_win():
    tenant = shop("Void Or Refund")
    item = product(tenant)
    receive(tenant, tenant.location, (item, 10))
    open_shift(tenant, tenant.register)
    manager = tenant.member("manager")
    expected = D("10")
    for _ in range(5):
        sale = services.sale_complete(
            actor=fresh(tenant.admin),
            register=tenant.register,
            lines=[services.SaleLineRequest(product_id=item.pk, quantity=D("2"))],
            payments=[services.PaymentRequest(method="cash", amount=D("20.00"))],
        )
        lines = [{"sale_line": sale.lines.get().pk, "quantity": "1"}]

        def void(sale=sale):
            return client_for(manager).post(
                f"/api/v1/sales/{sale.pk}/void", {"reason": "mistake"}, format="json"
            )

        voided, refunded = run_together(void, refund_call(manager, sale, tenant.register, lines))

        outcomes = {outcome(voided), outcome(refunded)}
        sale.refresh_from_db()
        if outcome(voided) == (200, None):
            assert outcomes == {(200, None), (409, "sale_not_refundable")}
            assert sale.status == Sale.Status.VOIDED and sale.refunded_total == 0
        else:
            assert outcomes == {(201, None), (409, "sale_not_voidable")}
            assert sale.status == Sale.Status.PARTIALLY_REFUNDED
        # The stock comes back once: the sale's 2 units for a void, 1 for the refund.
        expected += -2 + (2 if sale.status == Sale.Status.VOIDED else 1)
        assert level(item, tenant.location) == expected
    ledger_in_balance(tenant)
