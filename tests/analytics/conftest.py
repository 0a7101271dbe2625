"""Analytics test helpers: every row a test starts from is written by the application's own
services (receipts, shifts, sales, voids, refunds); only the clock is moved afterwards, by
updating `created_at` (and friends) of the rows a service just wrote."""

import datetime as dt
import os
import zoneinfo
from decimal import Decimal
from pathlib import Path
from types import SimpleNamespace
from urllib.parse import quote

import pytest
from django.utils import timezone

from accounts.models import Membership
from catalog.models import Product
from inventory.models import StockMovement
from inventory.services import StockLine, stock_adjust, stock_receive
from sales import services
from sales.models import Payment, Refund, Sale, SaleLine, Shift
from sales.services import PaymentRequest, RefundLineRequest, SaleLineRequest
from tests.catalog.factories import CategoryFactory, ProductFactory, TaxRateFactory
from tests.factories import LocationFactory, RegisterFactory

D = Decimal
ROOT = Path(__file__).resolve().parents[2]
SCRIPTS = ROOT / "analytics" / "scripts"
MEXICO = zoneinfo.ZoneInfo("America/Mexico_City")
REPORTS = "/api/v1/reports/sales"
VALUATION = "/api/v1/reports/inventory-valuation"
ALERTS = "/api/v1/alerts"


def subprocess_env() -> dict:
    """The environment for a child process that must read this test's (PostgreSQL) database."""
    from django.db import connection

    db = connection.settings_dict
    assert connection.vendor == "postgresql", "an in-memory SQLite test DB is not shared"
    auth = quote(db["USER"] or "", safe="")
    if db["PASSWORD"]:
        auth += ":" + quote(db["PASSWORD"], safe="")
    url = f"postgres://{auth}@{db['HOST'] or '127.0.0.1'}:{db['PORT'] or 5432}/{db['NAME']}"
    env = {**os.environ, "DEBUG": "true", "DATABASE_URL": url}
    env["DJANGO_SETTINGS_MODULE"] = "config.settings"
    return env


def actor(membership: Membership) -> Membership:
    """The membership as authentication leaves it: fresh settings, attached to its user."""
    fresh = Membership.objects.select_related("company__settings", "user").get(pk=membership.pk)
    fresh.user.membership = fresh
    return fresh


def local(day: dt.date, hour: int, minute: int = 0) -> dt.datetime:
    """An aware datetime at `hour:minute` of `day` in the company's time zone."""
    return dt.datetime.combine(day, dt.time(hour, minute), tzinfo=MEXICO)


def today_local() -> dt.date:
    return timezone.localdate(timezone=MEXICO)


def product(tenant, **fields) -> Product:
    fields.setdefault("tax_rate", None)
    return ProductFactory(company=tenant.company, **fields)


def tax_rate(tenant, rate: str):
    return TaxRateFactory(company=tenant.company, name=f"IVA {rate}", rate=D(rate))


def category(tenant, name: str):
    return CategoryFactory(company=tenant.company, name=name)


def location(tenant, **fields):
    return LocationFactory(company=tenant.company, **fields)


def register(tenant, **fields):
    fields.setdefault("location", tenant.location)
    return RegisterFactory(company=tenant.company, **fields)


def receive(tenant, *lines, where=None):
    """`lines` are (product, quantity, unit_cost)."""
    return stock_receive(
        actor=actor(tenant.admin),
        location=where or tenant.location,
        lines=[StockLine(product=p, quantity=D(str(q)), unit_cost=D(str(c))) for p, q, c in lines],
    )


def adjust(tenant, product_, quantity, where=None):
    return stock_adjust(
        actor=actor(tenant.admin),
        location=where or tenant.location,
        reason="correction",
        note="",
        lines=[StockLine(product=product_, quantity=D(str(quantity)))],
    )


def open_shift(tenant, on=None, opening_cash="0.00") -> Shift:
    return services.shift_open(
        actor=actor(tenant.admin), register=on or tenant.register, opening_cash=D(opening_cash)
    )


def close_shift(tenant, shift: Shift, counted_cash: str) -> dict:
    return services.shift_close(
        actor=actor(tenant.admin), shift=shift, counted_cash=D(counted_cash)
    )


def sell(tenant, lines, payments, *, on=None, by=None, at=None) -> Sale:
    """`lines` are (product, quantity[, line discount percent[, unit price]]); `payments` are
    (method, amount); `at` moves the sale (and its stock movements) to that moment."""
    requests = []
    for line in lines:
        p, q, *rest = line
        requests.append(
            SaleLineRequest(
                product_id=p.pk,
                quantity=D(str(q)),
                discount_percent=D(rest[0]) if rest else D("0"),
                unit_price=D(rest[1]) if len(rest) > 1 else None,
            )
        )
    sale = services.sale_complete(
        actor=actor(by or tenant.admin),
        register=on or tenant.register,
        lines=requests,
        payments=[PaymentRequest(method=m, amount=D(a)) for m, a in payments],
    )
    if at is not None:
        move_sale(sale, at)
    return sale


def move_sale(sale: Sale, at: dt.datetime) -> None:
    Sale.objects.filter(pk=sale.pk).update(created_at=at)
    SaleLine.objects.filter(sale=sale).update(sold_at=at)
    Payment.objects.filter(sale=sale).update(sold_at=at)
    StockMovement.objects.filter(document_type="sale", document_id=sale.pk).update(created_at=at)


def void(tenant, sale: Sale) -> Sale:
    return services.sale_void(actor=actor(tenant.admin), sale=sale, reason="mistake")


def refund(tenant, sale: Sale, lines, *, method="cash", restock=True, on=None, at=None):
    """`lines` are (sale line, quantity)."""
    made = services.refund_create(
        actor=actor(tenant.admin),
        sale=sale,
        register=on or tenant.register,
        lines=[RefundLineRequest(sale_line_id=line.pk, quantity=D(str(q))) for line, q in lines],
        method=method,
        reason="customer returned it",
        restock=restock,
    )
    if at is not None:
        Refund.objects.filter(pk=made.pk).update(created_at=at)
    return made


def line_of(sale: Sale, product_: Product):
    return sale.lines.get(product=product_)


@pytest.fixture
def two_days(tenant, other_tenant):
    """Sales on two days near midnight in America/Mexico_City, a void and a refund.

    day1 10:00  S4  cashier c2, register R1: P3 x5 = 50.00, transfer
    day1 12:00  S3  cashier c1, register R1: P1 x1 = 116.00 cash, VOIDED
    day1 23:50  S1  cashier c1, register R1: P1 x2 = 232.00 (tax 32.00) + P2 x1 = 58.00
                    (tax 8.00) = 290.00; cash 300.00, change 10.00
    day2 00:10  S2  cashier c2, register R2: P2 x2 at 10% off = 104.40 (discount 11.60,
                    tax 14.40) + P3 x3 = 30.00 = 134.40; card
    day2 09:00  refund of S1's P1 x1 = 116.00, cash, on R1, restocked
    day0 23:55  S0  (outside the window): P3 x1 = 10.00 cash
    Prices include tax (16% on P1 and P2, none on P3). Day1 23:50 local is day2 05:50 UTC
    and day0 23:55 local is day1 05:55 UTC: a report grouped in UTC gets both wrong.
    """
    day1 = today_local() - dt.timedelta(days=5)
    day2 = day1 + dt.timedelta(days=1)
    day0 = day1 - dt.timedelta(days=1)
    iva = tax_rate(tenant, "16.00")
    drinks, bakery = category(tenant, "Bebidas"), category(tenant, "Panadería")
    p1 = product(tenant, name="Café", price=D("116.00"), tax_rate=iva, category=drinks)
    p2 = product(tenant, name="Pan", price=D("58.00"), tax_rate=iva, category=bakery)
    p3 = product(tenant, name="Agua", price=D("10.00"))
    r1 = tenant.register
    r2 = register(tenant, name="Caja 2")
    warehouse = location(tenant, name="Bodega")
    receive(tenant, (p1, 100, "50.00"), (p2, 100, "20.00"), (p3, 100, "4.00"))
    receive(tenant, (p1, 10, "55.00"), (p2, 4, "10.00"), where=warehouse)
    receive(tenant, (p2, 6, "15.00"), where=warehouse)  # average (40 + 90) / 10 = 13.00
    c1, c2 = tenant.member("cashier"), tenant.member("cashier")
    open_shift(tenant, on=r1)
    open_shift(tenant, on=r2)

    s0 = sell(tenant, [(p3, 1)], [("cash", "10.00")], by=c1, at=local(day0, 23, 55))
    s4 = sell(tenant, [(p3, 5)], [("transfer", "50.00")], by=c2, at=local(day1, 10))
    s3 = sell(tenant, [(p1, 1)], [("cash", "116.00")], by=c1, at=local(day1, 12))
    void(tenant, s3)
    s1 = sell(tenant, [(p1, 2), (p2, 1)], [("cash", "300.00")], by=c1, at=local(day1, 23, 50))
    s2 = sell(
        tenant,
        [(p2, 2, "10"), (p3, 3)],
        [("card", "134.40")],
        on=r2,
        by=c2,
        at=local(day2, 0, 10),
    )
    back = refund(tenant, s1, [(line_of(s1, p1), 1)], at=local(day2, 9))

    # Another company trading on the same days: never in our figures.
    theirs = product(other_tenant, name="Ajeno", price=D("999.00"))
    receive(other_tenant, (theirs, 10, "1.00"))
    open_shift(other_tenant)
    sell(other_tenant, [(theirs, 1)], [("cash", "999.00")], at=local(day1, 12))

    return SimpleNamespace(
        day0=day0,
        day1=day1,
        day2=day2,
        p1=p1,
        p2=p2,
        p3=p3,
        drinks=drinks,
        bakery=bakery,
        r1=r1,
        r2=r2,
        c1=c1,
        c2=c2,
        store=tenant.location,
        warehouse=warehouse,
        sales={"s0": s0, "s1": s1, "s2": s2, "s3": s3, "s4": s4},
        refund=back,
    )
