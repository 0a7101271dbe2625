"""Races between real threads on PostgreSQL (row locks do nothing on SQLite, and nothing visible
inside a single test transaction): concurrent decreases of one level, opposite transfers, and
concurrent requests with one Idempotency-Key."""

import time
from decimal import ROUND_HALF_UP, Decimal
from io import StringIO

import pytest
from django.core.management import call_command

from config.api.errors import DomainError
from config.models import IdempotencyKey
from inventory import locks, services
from inventory.models import StockDocument, StockLevel, StockMovement
from inventory.services import StockLine
from tests.concurrency import run_together
from tests.conftest import Tenant, client_for, error_codes
from tests.inventory.factories import fresh, location, product, quantity, receive

pytestmark = [pytest.mark.postgres, pytest.mark.django_db(transaction=True)]

D = Decimal
ADJUSTMENTS = "/api/v1/stock/adjustments"
RECEIPTS = "/api/v1/stock/receipts"


def ledger_is_balanced():
    out, err = StringIO(), StringIO()
    call_command("check_ledger", stdout=out, stderr=err)  # raises CommandError otherwise
    return "ledger ok" in out.getvalue() and err.getvalue() == ""


@pytest.fixture
def shop():
    tenant = Tenant("Race Shop", "race@example.com")
    clerk = tenant.member("stock_clerk")
    return tenant, clerk


def test_twenty_concurrent_decreases_of_a_level_of_ten_leave_exactly_zero(shop):
    tenant, clerk = shop
    item = product(tenant)
    receive(clerk, tenant.location, (item, 10, D("4.00")))

    def take_one():
        return services.stock_adjust(
            actor=fresh(clerk),
            location=tenant.location,
            reason="loss",
            note="",
            lines=[StockLine(product=item, quantity=D("-1"))],
        )

    results = run_together(*[take_one] * 20)
    done = [r for r in results if isinstance(r, StockDocument)]
    refused = [r for r in results if isinstance(r, DomainError)]
    assert len(done) == 10 and len(refused) == 10, results
    assert {r.code for r in refused} == {"insufficient_stock"}
    assert quantity(item, tenant.location) == D("0")
    adjustments = StockMovement.objects.filter(product=item, kind="adjustment")
    assert adjustments.count() == 10
    # Each success saw the level the previous one left: every balance from 9 down to 0 once.
    assert sorted(adjustments.values_list("balance_after", flat=True)) == [D(n) for n in range(10)]
    assert StockDocument.objects.filter(company=tenant.company, kind="adjustment").count() == 10
    assert ledger_is_balanced()


def test_twenty_concurrent_decrease_requests_over_http_leave_exactly_zero(shop):
    tenant, clerk = shop
    item = product(tenant)
    receive(clerk, tenant.location, (item, 10, D("4.00")))
    body = {
        "location": tenant.location.pk,
        "reason": "damage",
        "lines": [{"product": item.pk, "quantity": "-1"}],
    }
    clients = [client_for(clerk) for _ in range(20)]
    results = run_together(*[lambda c=c: c.post(ADJUSTMENTS, body, format="json") for c in clients])
    statuses = sorted(r.status_code for r in results)
    assert statuses == [201] * 10 + [409] * 10, results
    assert {error_codes(r)[0] for r in results if r.status_code == 409} == {"insufficient_stock"}
    assert quantity(item, tenant.location) == D("0")
    assert StockMovement.objects.filter(product=item, kind="adjustment").count() == 10
    assert ledger_is_balanced()


def test_concurrent_first_receipts_of_a_new_level_serialise_quantity_and_cost(shop):
    """Ten receipts create and raise the same (new) level at once: no duplicate level, no
    integrity error, no lost update of the quantity or of the weighted average."""
    tenant, clerk = shop
    item = product(tenant)
    where = location(tenant, name="Nueva")

    def receipt(i):
        return lambda: receive(clerk, where, (item, i + 1, D("1.00") + i))

    results = run_together(*[receipt(i) for i in range(10)])
    assert all(isinstance(r, StockDocument) for r in results), results
    assert quantity(item, where) == D(sum(range(1, 11)))
    # Replay the receipts in the order they took the lock (their balances rise strictly).
    movements = StockMovement.objects.filter(product=item, location=where).order_by("balance_after")
    held, average = D("0"), D("0")
    for m in movements:
        assert m.balance_after == held + m.quantity
        average = (
            m.unit_cost
            if held == 0
            else ((held * average + m.quantity * m.unit_cost) / (held + m.quantity)).quantize(
                D("0.01"), rounding=ROUND_HALF_UP
            )
        )
        held = m.balance_after
    stored = StockLevel.objects.get(product=item, location=where)
    assert stored.unit_cost == average
    assert ledger_is_balanced()


def test_opposite_transfers_at_once_do_not_deadlock(shop, monkeypatch):
    tenant, clerk = shop
    store, warehouse = tenant.location, location(tenant, name="Bodega")
    items = [product(tenant) for _ in range(4)]
    receive(clerk, store, *[(p, 50, D("3.00")) for p in items])
    receive(clerk, warehouse, *[(p, 50, D("5.00")) for p in items])
    lock = locks.stock_levels_lock

    def slow_lock(company, places):
        levels = lock(company, places)
        time.sleep(0.05)  # hold the locks a while so the documents overlap
        return levels

    monkeypatch.setattr(services, "stock_levels_lock", slow_lock)

    def move(source, destination, lines):
        return lambda: services.stock_transfer(
            actor=fresh(clerk),
            from_location=source,
            to_location=destination,
            lines=[StockLine(product=p, quantity=D("2")) for p in lines],
        )

    backwards = list(reversed(items))
    rounds = 3
    for _ in range(rounds):
        # Both directions at once, with the lines in the same and in the opposite order.
        results = run_together(
            move(store, warehouse, items),
            move(warehouse, store, items),
            move(store, warehouse, backwards),
            move(warehouse, store, backwards),
        )
        assert all(isinstance(r, StockDocument) for r in results), results
    for p in items:
        assert quantity(p, store) == D("50") and quantity(p, warehouse) == D("50")
    transfers = StockDocument.objects.filter(company=tenant.company, kind="transfer")
    assert transfers.count() == 4 * rounds
    assert StockMovement.objects.filter(kind="transfer_out").count() == 4 * rounds * len(items)
    assert ledger_is_balanced()


def test_twenty_concurrent_requests_with_one_key_create_one_document(shop, monkeypatch):
    tenant, clerk = shop
    item = product(tenant)
    receive_service = services.stock_receive

    def slow_receive(**kwargs):
        time.sleep(0.2)  # the first request is still running when the others arrive
        return receive_service(**kwargs)

    monkeypatch.setattr(services, "stock_receive", slow_receive)
    body = {
        "location": tenant.location.pk,
        "lines": [{"product": item.pk, "quantity": "3", "unit_cost": "2.00"}],
    }
    clients = [client_for(clerk) for _ in range(20)]
    results = run_together(
        *[
            lambda c=c: c.post(RECEIPTS, body, format="json", HTTP_IDEMPOTENCY_KEY="one")
            for c in clients
        ]
    )
    assert not [r for r in results if isinstance(r, Exception)], results
    created = [r for r in results if r.status_code == 201 and "Idempotent-Replayed" not in r]
    replayed = [r for r in results if r.status_code == 201 and "Idempotent-Replayed" in r]
    in_use = [r for r in results if r.status_code == 409]
    assert len(created) == 1, [r.status_code for r in results]
    assert len(created) + len(replayed) + len(in_use) == 20, [r.status_code for r in results]
    assert all(error_codes(r) == ["idempotency_key_in_use"] for r in in_use)
    assert all(r.json() == created[0].json() for r in replayed)
    assert StockDocument.objects.filter(company=tenant.company).count() == 1
    assert quantity(item, tenant.location) == D("3")
    assert IdempotencyKey.objects.get(company=tenant.company, key="one").state == "done"
    later = client_for(clerk).post(RECEIPTS, body, format="json", HTTP_IDEMPOTENCY_KEY="one")
    assert later.headers["Idempotent-Replayed"] == "true"
    assert later.json() == created[0].json()
    assert ledger_is_balanced()
