"""The bench's data is what the services would have written (bench/seed.py, bench/history.py)."""

import datetime as dt
from decimal import Decimal

import pytest
from django.core.management import call_command
from django.db.models import Count, Max, Sum

from bench.history import history_write
from bench.seed import seed_shop
from sales.models import Payment, Refund, Sale, SaleLine, Shift
from sales.selectors import shift_report

pytestmark = pytest.mark.postgres

TODAY = dt.date(2026, 6, 15)


@pytest.fixture
def shop(db):
    return seed_shop(products=30, registers=3)


def test_the_shop_has_its_catalog_registers_and_open_shifts(shop):
    assert len(shop.products) == 30 and len(shop.tills) == 3
    assert len({barcode for _, _, barcode in shop.products}) == 30
    assert Shift.objects.filter(status="open").count() == 3
    call_command("check_ledger", company=shop.company_id)


def test_the_history_adds_up_like_the_services_do(shop):
    made = history_write(shop=shop, lines=400, days=10, today=TODAY, timezone="America/Mexico_City")
    assert made == SaleLine.objects.count() and 350 < made < 450
    sales = Sale.objects.annotate(lines_total=Sum("lines__total"))
    assert all(sale.total == sale.lines_total for sale in sales)
    # Lines and payments hold their sale's time and void, as sale_complete and sale_void do.
    for model in (SaleLine, Payment):
        rows = model.objects.values_list("sold_at", "voided", "sale__created_at", "sale__status")
        assert all((at, off) == (sold, status == "voided") for at, off, sold, status in rows)
    paid = dict(Payment.objects.values("sale").annotate(s=Sum("amount")).values_list("sale", "s"))
    assert all(paid[sale.pk] == sale.paid_total == sale.total + sale.change for sale in sales)
    # Gapless receipts per register, and each register's counter at its last receipt.
    for till in shop.tills:
        numbers = Sale.objects.filter(register_id=till.register_id)
        assert numbers.aggregate(n=Count("pk"), last=Max("receipt_sequence")) == {
            "n": numbers.count(),
            "last": numbers.count(),
        }
    assert {sale.created_at.date() for sale in sales} <= {
        TODAY - dt.timedelta(days=n) for n in range(-1, 12)
    }
    refunded = Sale.objects.filter(refunded_total__gt=0)
    assert refunded.exists()
    assert (
        Refund.objects.aggregate(t=Sum("total"))["t"]
        == refunded.aggregate(t=Sum("refunded_total"))["t"]
    )
    # Each closed shift expects what its sales kept, as the shift report computes it.
    for shift in Shift.objects.filter(status="closed", sales__isnull=False).distinct()[:5]:
        assert shift.expected_cash == shift_report(shift=shift)["expected_cash"]
        assert shift.difference == Decimal("0")
