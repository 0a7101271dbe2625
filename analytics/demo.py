"""A realistic history for a demo company: sales, refunds, voids and shifts, day by day,
made through the same services as the API (so stock and cash reconcile), then moved back in
time to the day they stand for."""

import datetime as dt
import random
import zoneinfo
from decimal import Decimal

from django.db import transaction
from django.db.models import F
from django.utils import timezone

from accounts.models import Membership
from catalog.models import Category, Product, TaxRate
from config.api.errors import DomainError
from inventory.models import StockLevel, StockMovement
from inventory.services import StockLine, stock_receive
from sales.models import CashMovement, Payment, Refund, Sale, SaleLine, Shift
from sales.selectors import shift_report
from sales.services import (
    PaymentRequest,
    RefundLineRequest,
    SaleLineRequest,
    refund_create,
    sale_complete,
    sale_void,
    shift_cash_movement,
    shift_close,
    shift_open,
)

CATALOG = {
    "Bebidas": [
        ("Café molido 500 g", "89.50"),
        ("Té verde", "45.00"),
        ("Agua 1 l", "12.00"),
        ("Jugo de naranja", "28.00"),
        ("Refresco 600 ml", "19.50"),
    ],
    "Panadería": [
        ("Pan dulce", "9.50"),
        ("Bolillo", "3.00"),
        ("Pastel de chocolate", "320.00"),
        ("Galletas", "25.00"),
    ],
    "Abarrotes": [
        ("Arroz 1 kg", "32.00"),
        ("Frijol 1 kg", "38.00"),
        ("Azúcar 1 kg", "29.90"),
        ("Aceite 1 l", "54.00"),
        ("Sal", "11.00"),
    ],
    "Lácteos": [
        ("Leche 1 l", "26.50"),
        ("Queso fresco", "78.00"),
        ("Yogur", "16.00"),
        ("Mantequilla", "42.00"),
    ],
    "Limpieza": [("Jabón", "18.00"), ("Detergente", "67.00"), ("Cloro", "21.00")],
}


def _catalog(company) -> list[Product]:
    tax, _ = TaxRate.objects.get_or_create(company=company, name="IVA", defaults={"rate": 16})
    products = []
    for category_name, items in CATALOG.items():
        category, _ = Category.objects.get_or_create(company=company, name=category_name)
        for index, (name, price) in enumerate(items):
            price = Decimal(price)
            product, _ = Product.objects.get_or_create(
                company=company,
                sku=f"{category_name[:3].upper()}-{index + 1:03d}",
                defaults={
                    "name": name,
                    "price": price,
                    "cost": (price * Decimal("0.62")).quantize(Decimal("0.01")),
                    "category": category,
                    "tax_rate": tax,
                    "reorder_point": Decimal(10),
                },
            )
            products.append(product)
    return products


def _restock(admin: Membership, location, products, rng) -> None:
    levels = dict(
        StockLevel.objects.filter(location=location, product__in=products).values_list(
            "product_id", "quantity"
        )
    )
    lines = [
        StockLine(
            product=product,
            quantity=Decimal(rng.randint(40, 90)),
            unit_cost=(product.price * Decimal(rng.uniform(0.55, 0.7))).quantize(Decimal("0.01")),
        )
        for product in products
        if levels.get(product.pk, Decimal(0)) < 20
    ]
    if lines:
        stock_receive(actor=admin, location=location, lines=lines, supplier="Distribuidora Demo")


def _move_to(day_start: dt.datetime, since: dt.datetime, company) -> None:
    """Everything this company wrote since `since` happened on the day of `day_start`."""
    offset = timezone.now() - day_start
    for model in (Sale, Refund, StockMovement, CashMovement):
        model.objects.filter(company=company, created_at__gte=since).update(
            created_at=F("created_at") - offset
        )
    for model in (SaleLine, Payment):
        model.objects.filter(company=company, sold_at__gte=since).update(
            sold_at=F("sold_at") - offset
        )
    Shift.objects.filter(company=company, opened_at__gte=since).update(
        opened_at=F("opened_at") - offset, closed_at=F("closed_at") - offset
    )


def demo_history(*, admin: Membership, register, days: int, progress=None, seed: int = 7) -> int:
    """`days` days of trading ending yesterday; returns the number of sales made."""
    rng = random.Random(seed)  # noqa: S311 - demo data, not secrets
    company = admin.company
    products = _catalog(company)
    location = register.location
    made = 0
    tz = zoneinfo.ZoneInfo(company.timezone)
    today = timezone.localdate(timezone=tz)
    for back in range(days, 0, -1):
        day = today - dt.timedelta(days=back)
        day_start = dt.datetime.combine(day, dt.time(9), tzinfo=tz)
        since = timezone.now()
        with transaction.atomic():
            _restock(admin, location, products, rng)
            shift = shift_open(actor=admin, register=register, opening_cash=Decimal("500.00"))
            if rng.random() < 0.3:
                shift_cash_movement(
                    actor=admin,
                    shift=shift,
                    kind="pay_out",
                    amount=Decimal(rng.randint(50, 200)),
                    reason="Proveedor",
                )
            sales = []
            for _ in range(rng.randint(8, 30) + (10 if day.weekday() >= 5 else 0)):
                basket = rng.sample(products, rng.randint(1, 5))
                lines = [
                    SaleLineRequest(product_id=p.pk, quantity=Decimal(rng.randint(1, 3)))
                    for p in basket
                ]
                estimate = sum(
                    (p.price * line.quantity for p, line in zip(basket, lines, strict=True)),
                    Decimal(0),
                )
                method = "cash" if rng.random() < 0.6 else "card"
                tendered = (
                    (estimate + Decimal(rng.choice([0, 0, 5, 20, 50])))
                    if method == "cash"
                    else estimate
                )
                try:
                    sale = sale_complete(
                        actor=admin,
                        register=register,
                        lines=lines,
                        payments=[
                            PaymentRequest(method=method, amount=tendered.quantize(Decimal("0.01")))
                        ],
                    )
                except DomainError:
                    continue
                sales.append(sale)
            for sale in sales:
                roll = rng.random()
                if roll < 0.02:
                    sale_void(actor=admin, sale=sale, reason="Error de captura")
                elif roll < 0.06:
                    line = sale.lines.first()
                    refund_create(
                        actor=admin,
                        sale=sale,
                        register=register,
                        lines=[RefundLineRequest(sale_line_id=line.pk, quantity=Decimal(1))],
                        method="cash",
                        reason="Producto dañado",
                        restock=rng.random() < 0.5,
                    )
            expected = shift_report(shift=shift)["expected_cash"]
            noise = Decimal(rng.choice([0, 0, 0, 0, -1, 2, -15]))
            shift_close(actor=admin, shift=shift, counted_cash=expected + noise)
            _move_to(day_start, since, company)
        made += len(sales)
        if progress is not None:
            progress(1)
    return made
