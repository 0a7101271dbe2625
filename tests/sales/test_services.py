"""The sales services and the shift report, figures computed by hand: the X and Z reports of a
busy shift, what closing stores, and the unit cost a sale line keeps."""

import datetime as dt
import importlib
from decimal import Decimal
from types import SimpleNamespace

import pytest
from django.apps import apps as django_apps
from django.utils import timezone

from sales.models import Payment, Sale, SaleLine, Shift
from sales.selectors import shift_report
from sales.services import shift_cash_movement
from tests.sales.factories import (
    actor,
    close_shift,
    level,
    open_shift,
    product,
    receive,
    refund,
    register,
    sale_movements,
    sell,
    tax_rate,
    void,
)

D = Decimal


def money(report: dict) -> dict:
    """The report with its amounts as strings with two decimals, for exact comparison."""
    out = {}
    for key, value in report.items():
        if isinstance(value, Decimal):
            out[key] = f"{value:.2f}"
        elif isinstance(value, dict):
            out[key] = {k: f"{v:.2f}" for k, v in value.items()}
        else:
            out[key] = value
    return out


@pytest.fixture
def busy_shift(tenant):
    """A shift opened with 1000.00 on a tax-inclusive company, and everything a day brings.

    Sales (coffee 12.50 at 16% inclusive, sugar 24.90 a kg untaxed, bag 1.00 untaxed):
      S1 cash:  2 coffees = 25.00 (net r(21.551) = 21.55, tax 3.45); 30.00 cash, change 5.00
      S2 card:  1.235 kg sugar = r(30.7515) = 30.75, no tax; 30.75 by card
      S3 split: 1 coffee - 10% = 12.50 - 1.25 = 11.25 (net r(9.698) = 9.70, tax 1.55)
                + 3 bags = 3.00: total 14.25; card 10.00 + cash 5.00, change 0.75
      S4 void:  4 coffees = 50.00 cash, then voided
      S5 cash:  3 coffees = 37.50, order discount 10% = 3.75: 33.75 (net r(29.094) = 29.09,
                tax 4.66); 40.00 cash, change 6.25
      S6 transfer: 2 bags = 2.00
    Cash: pay-in 200.00; pay-outs 50.00 and 25.50.
    Refunds on this register: R1 cash, 1 of S1's 2 coffees = 25.00 / 2 = 12.50;
      R2 card, 0.5 of S2's 1.235 kg = r(30.75 x 0.5 / 1.235 = 12.449) = 12.45.
    Elsewhere, which must not count: a sale and a card refund of S3 on a second register's
    shift, and a card refund of S5 on a register without a shift."""
    vat = tax_rate(tenant, "16.00")
    coffee = product(tenant, name="Café", price=D("12.50"), tax_rate=vat)
    sugar = product(tenant, name="Azúcar", unit="kg", price=D("24.90"))
    bag = product(tenant, name="Bolsa", price=D("1.00"), track_inventory=False)
    receive(tenant, (coffee, 100, "7.00"), (sugar, 10, "2.00"))
    shift = open_shift(tenant, opening_cash="1000.00")
    member = actor(tenant.admin)

    s1 = sell(tenant, [(coffee, 2)], [("cash", "30.00")])
    s2 = sell(tenant, [(sugar, "1.235")], [("card", "30.75")])
    s3 = sell(tenant, [(coffee, 1, "10"), (bag, 3)], [("card", "10.00"), ("cash", "5.00")])
    s4 = sell(tenant, [(coffee, 4)], [("cash", "50.00")])
    s5 = sell(tenant, [(coffee, 3)], [("cash", "40.00")], discount_percent="10")
    s6 = sell(tenant, [(bag, 2)], [("transfer", "2.00")])
    void(tenant, s4)
    shift_cash_movement(actor=member, shift=shift, kind="pay_in", amount=D("200.00"), reason="f")
    shift_cash_movement(actor=member, shift=shift, kind="pay_out", amount=D("50.00"), reason="a")
    shift_cash_movement(actor=member, shift=shift, kind="pay_out", amount=D("25.50"), reason="b")
    r1 = refund(tenant, s1, [(s1.lines.get(), 1)], method="cash")
    r2 = refund(tenant, s2, [(s2.lines.get(), "0.5")], method="card", restock=False)

    elsewhere = register(tenant, name="Caja 2", receipt_prefix="R2")
    other_shift = open_shift(tenant, on=elsewhere, opening_cash="50.00")
    sell(tenant, [(coffee, 1)], [("cash", "20.00")], on=elsewhere)
    refund(tenant, s3, [(s3.lines.get(product=bag), 1)], method="card", on=elsewhere)
    nowhere = register(tenant, name="Caja 3", receipt_prefix="R3")
    refund(tenant, s5, [(s5.lines.get(), 1)], method="card", on=nowhere)
    return SimpleNamespace(
        shift=shift,
        other_shift=other_shift,
        sales=[s1, s2, s3, s4, s5, s6],
        refunds=[r1, r2],
        coffee=coffee,
    )


def test_the_sales_of_the_busy_shift_are_as_worked_out(busy_shift):
    s1, s2, s3, s4, s5, s6 = (Sale.objects.get(pk=s.pk) for s in busy_shift.sales)
    figures = [
        (s.total, s.discount_total, s.tax_total, s.paid_total, s.change, s.quantity, s.status)
        for s in (s1, s2, s3, s4, s5, s6)
    ]
    assert figures == [
        (D("25.00"), D("0"), D("3.45"), D("30.00"), D("5.00"), D("2"), "partially_refunded"),
        (D("30.75"), D("0"), D("0"), D("30.75"), D("0"), D("1.235"), "partially_refunded"),
        (D("14.25"), D("1.25"), D("1.55"), D("15.00"), D("0.75"), D("4"), "partially_refunded"),
        (D("50.00"), D("0"), D("3.45") * 2, D("50.00"), D("0"), D("4"), "voided"),
        (D("33.75"), D("3.75"), D("4.66"), D("40.00"), D("6.25"), D("3"), "partially_refunded"),
        (D("2.00"), D("0"), D("0"), D("2.00"), D("0"), D("2"), "completed"),
    ]
    assert [r.total for r in busy_shift.refunds] == [D("12.50"), D("12.45")]


def as_their_sales(sales, related: str) -> bool:
    """Whether every line (or payment) holds its sale's time and void, what reports filter on."""
    return all(
        (item.sold_at, item.voided) == (sale.created_at, sale.status == Sale.Status.VOIDED)
        for sale in Sale.objects.filter(pk__in=[s.pk for s in sales])
        for item in getattr(sale, related).all()
    )


def test_lines_and_payments_keep_their_sale_s_time_and_void(busy_shift):
    """Written by the sale, turned by the void, left as they were by the refunds."""
    statuses = Sale.objects.filter(pk__in=[s.pk for s in busy_shift.sales]).values("status")
    assert {row["status"] for row in statuses} == {"completed", "voided", "partially_refunded"}
    assert as_their_sales(busy_shift.sales, "lines")
    assert as_their_sales(busy_shift.sales, "payments")


@pytest.mark.parametrize(
    ("migration", "model", "related"),
    [
        ("0003_saleline_sold_at_voided", SaleLine, "lines"),
        ("0004_payment_sold_at_voided", Payment, "payments"),
    ],
)
def test_the_migrations_copy_each_sale_s_time_and_void(busy_shift, migration, model, related):
    module = importlib.import_module(f"sales.migrations.{migration}")
    model.objects.update(sold_at=timezone.now() - dt.timedelta(days=400), voided=True)
    assert not as_their_sales(busy_shift.sales, related)
    module.copy_from_the_sales(django_apps, None)
    assert as_their_sales(busy_shift.sales, related)


# Sales kept (not voided): S1, S2, S3, S5, S6.
#   total 25.00 + 30.75 + 14.25 + 33.75 + 2.00 = 105.75
#   discounts 1.25 + 3.75 = 5.00; gross 105.75 + 5.00 = 110.75
#     (= 25.00 + 30.75 + 15.50 + 37.50 + 2.00, the prices before discounts)
#   tax 3.45 + 0 + 1.55 + 4.66 + 0 = 9.66
#   cash tendered 30.00 + 5.00 + 40.00 = 75.00, change 5.00 + 0.75 + 6.25 = 12.00:
#     cash_sales 63.00 (= 25.00 + 4.25 + 33.75)
#   card 30.75 + 10.00 = 40.75; transfer 2.00; other 0.00 (63.00 + 40.75 + 2.00 = 105.75)
# Refunds of this shift: cash 12.50, card 12.45: refunds_total 24.95; net 105.75 - 24.95 = 80.80
# Expected cash: 1000.00 + 200.00 - 75.50 + 63.00 - 12.50 = 1175.00
BUSY_FIGURES = {
    "opening_cash": "1000.00",
    "cash_in": "200.00",
    "cash_out": "75.50",
    "cash_sales": "63.00",
    "cash_refunds": "12.50",
    "expected_cash": "1175.00",
    "sales_count": 5,
    "voids_count": 1,
    "gross_total": "110.75",
    "discount_total": "5.00",
    "tax_total": "9.66",
    "refunds_total": "24.95",
    "net_total": "80.80",
    "by_payment_method": {"cash": "63.00", "card": "40.75", "transfer": "2.00", "other": "0.00"},
}


def test_the_x_report_of_the_open_shift(tenant, busy_shift):
    shift = Shift.objects.get(pk=busy_shift.shift.pk)
    report = money(shift_report(shift=shift))
    assert report == {
        "shift": shift.pk,
        "register": tenant.register.pk,
        "status": "open",
        "opened_at": shift.opened_at,
        "closed_at": None,
        "counted_cash": None,
        "difference": None,
        **BUSY_FIGURES,
    }


def test_the_z_report_and_what_closing_stores(tenant, busy_shift):
    # counted 1170.25 - expected 1175.00 = -4.75
    report = money(close_shift(tenant, busy_shift.shift, "1170.25"))
    shift = Shift.objects.get(pk=busy_shift.shift.pk)
    assert report == {
        "shift": shift.pk,
        "register": tenant.register.pk,
        "status": "closed",
        "opened_at": shift.opened_at,
        "closed_at": shift.closed_at,
        "counted_cash": "1170.25",
        "difference": "-4.75",
        **BUSY_FIGURES,
    }
    assert (shift.status, shift.closed_by) == ("closed", tenant.admin.user)
    assert shift.closed_at is not None and shift.closed_at >= shift.opened_at
    assert (shift.expected_cash, shift.counted_cash, shift.difference) == (
        D("1175.00"),
        D("1170.25"),
        D("-4.75"),
    )
    # the Z report reads the same afterwards
    assert money(shift_report(shift=shift)) == report


def test_the_z_report_over_http_matches(tenant, busy_shift):
    client = tenant.client()
    url = f"/api/v1/shifts/{busy_shift.shift.pk}"
    response = client.post(f"{url}/close", {"counted_cash": "1180.00"}, format="json")
    assert response.status_code == 200, response.content
    body = response.json()
    # 1180.00 - 1175.00 = 5.00
    assert (body["counted_cash"], body["difference"]) == ("1180.00", "5.00")
    assert {k: body[k] for k in BUSY_FIGURES} == BUSY_FIGURES
    assert client.get(f"{url}/report").json() == body


def test_the_other_registers_shift_has_only_its_own(tenant, busy_shift):
    # one coffee 12.50 for 20.00 cash (change 7.50); the card refund of a bag of S3: 1.00
    # expected 50.00 + 12.50 = 62.50
    report = money(shift_report(shift=Shift.objects.get(pk=busy_shift.other_shift.pk)))
    assert (report["sales_count"], report["cash_sales"], report["expected_cash"]) == (
        1,
        "12.50",
        "62.50",
    )
    assert (report["refunds_total"], report["cash_refunds"], report["net_total"]) == (
        "1.00",
        "0.00",
        "11.50",
    )


def test_an_empty_shift_expects_its_opening_cash(tenant):
    shift = open_shift(tenant, opening_cash="150.00")
    report = money(close_shift(tenant, shift, "150.00"))
    assert (report["expected_cash"], report["difference"], report["sales_count"]) == (
        "150.00",
        "0.00",
        0,
    )
    assert report["by_payment_method"] == {
        "cash": "0.00",
        "card": "0.00",
        "transfer": "0.00",
        "other": "0.00",
    }
    shift.refresh_from_db()
    assert (shift.expected_cash, shift.counted_cash, shift.difference) == (
        D("150.00"),
        D("150.00"),
        D("0"),
    )


# --- the unit cost a sale line keeps -------------------------------------------------------------


def test_a_sale_line_keeps_the_average_cost_at_the_time_of_sale(tenant):
    coffee = product(tenant, name="Café", price=D("12.50"), cost=D("1.00"))
    bag = product(tenant, name="Bolsa", price=D("1.00"), cost=D("0.30"), track_inventory=False)
    open_shift(tenant)
    # 10 at 5.00 and 10 at 7.00: (50.00 + 70.00) / 20 = 6.00
    receive(tenant, (coffee, 10, "5.00"))
    receive(tenant, (coffee, 10, "7.00"))
    first = sell(tenant, [(coffee, 5), (bag, 1)], [("cash", "63.50")])
    first_coffee, first_bag = first.lines.order_by("id")
    assert first_coffee.unit_cost == D("6.00")
    assert first_bag.unit_cost == D("0.30")  # untracked: the catalog cost
    assert sale_movements(first) == [(coffee.pk, tenant.location.pk, "sale", D("-5"), D("6.00"))]
    # 15 left at 6.00, 15 more at 9.00: (90.00 + 135.00) / 30 = 7.50
    receive(tenant, (coffee, 15, "9.00"))
    second = sell(tenant, [(coffee, 1)], [("cash", "12.50")])
    assert second.lines.get().unit_cost == D("7.50")
    assert SaleLine.objects.get(pk=first_coffee.pk).unit_cost == D("6.00")
    # 2 of the first sale come back at the 6.00 they left at:
    # (29 x 7.50 + 2 x 6.00) / 31 = 229.50 / 31 = 7.4032... -> 7.40
    refund(tenant, first, [(first_coffee, 2)], method="cash")
    stock = level(coffee, tenant.location)
    assert (stock.quantity, stock.unit_cost) == (D("31"), D("7.40"))


def test_a_weighed_line_keeps_a_rounded_average(tenant):
    sugar = product(tenant, name="Azúcar", unit="kg", price=D("24.90"))
    shift = open_shift(tenant)
    # 3 kg at 1.00 and 3 kg at 2.01: (3.00 + 6.03) / 6 = 1.505 -> 1.51 (half up)
    receive(tenant, (sugar, 3, "1.00"))
    receive(tenant, (sugar, 3, "2.01"))
    sale = sell(tenant, [(sugar, "0.250")], [("cash", "6.23")])
    line = sale.lines.get()
    assert (line.unit_cost, line.quantity, line.total) == (D("1.51"), D("0.25"), D("6.23"))
    assert sale.shift == shift
