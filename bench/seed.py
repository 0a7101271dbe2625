"""The bench's chain, made through the project's own services: a catalog imported from CSV,
stock received at two stores, registers, a cashier per register with an open shift."""

import csv
import io
from dataclasses import dataclass
from decimal import Decimal

from accounts.models import Membership, Role
from accounts.roles import CASHIER
from accounts.services import membership_create
from catalog.models import Product, TaxRate
from catalog.services import products_import
from companies.models import Location
from companies.services import company_bootstrap, register_create
from inventory.services import StockLine, stock_receive
from sales.services import shift_open

ADMIN_EMAIL = "bench-admin@example.com"
RECEIPT_LINES = 500  # the API's largest stock document (DOCUMENT_MAX_LINES)
STOCK_PER_LEVEL = Decimal(1_000_000)
CATEGORIES = 50


@dataclass(frozen=True)
class Till:
    cashier_id: int
    register_id: int


@dataclass(frozen=True)
class Shop:
    company_id: int
    admin_id: int
    tills: list[Till]
    # (id, price in cents, barcode) of every product.
    products: list[tuple[int, int, str]]


def price_cents(index: int) -> int:
    """10.50 to 99.50: whole cents that a load script can add up to pay exactly."""
    return 1050 + (index % 90) * 100


def _catalog_csv(count: int) -> bytes:
    out = io.StringIO()
    writer = csv.writer(out)
    writer.writerow(["sku", "name", "barcode", "price", "cost", "category", "tax_rate"])
    for index in range(count):
        cents = price_cents(index)
        writer.writerow(
            [
                f"B{index:05d}",
                f"Product {index:05d}",
                f"750{index:010d}",
                f"{cents / 100:.2f}",
                f"{cents * 6 // 1000:.2f}",
                f"Category {index % CATEGORIES:02d}",
                "Exento" if index % 5 == 0 else "IVA",
            ]
        )
    return out.getvalue().encode()


def _actor(membership_id: int) -> Membership:
    """A membership as the API's authentication hands it to services."""
    member = Membership.objects.select_related("company__settings", "user").get(pk=membership_id)
    member.user.membership = member
    return member


def seed_shop(*, products: int, registers: int) -> Shop:
    result = company_bootstrap(
        company_name="Bench chain",
        currency="MXN",
        timezone="America/Mexico_City",
        admin_email=ADMIN_EMAIL,
        admin_full_name="Bench admin",
    )
    company = result.company
    admin = _actor(Membership.objects.get(company=company, user=result.user).pk)
    TaxRate.objects.bulk_create(
        [
            TaxRate(company=company, name="IVA", rate=Decimal(16)),
            TaxRate(company=company, name="Exento", rate=Decimal(0)),
        ]
    )
    products_import(company=company, user=admin.user, raw=_catalog_csv(products))
    catalog = list(Product.objects.filter(company=company).order_by("sku"))

    stores = [result.location, Location.objects.create(company=company, name="Second store")]
    for store in stores:
        for start in range(0, len(catalog), RECEIPT_LINES):
            stock_receive(
                actor=admin,
                location=store,
                supplier="Bench supplier",
                lines=[
                    StockLine(product=p, quantity=STOCK_PER_LEVEL, unit_cost=p.cost)
                    for p in catalog[start : start + RECEIPT_LINES]
                ],
            )

    cashier_role = Role.objects.get(company=company, name=CASHIER)
    tills = []
    for number in range(1, registers + 1):
        register = result.register
        if number > 1:
            register = register_create(
                actor=admin, location=stores[(number - 1) % 2], name=f"Register {number}"
            )
        cashier = membership_create(
            actor=admin,
            email=f"cashier{number}@bench.example.com",
            full_name=f"Cashier {number}",
            roles=[cashier_role],
        )
        cashier = _actor(cashier.pk)
        shift_open(actor=cashier, register=register, opening_cash=Decimal("1000.00"))
        tills.append(Till(cashier_id=cashier.user_id, register_id=register.pk))
    return Shop(
        company_id=company.pk,
        admin_id=admin.user_id,
        tills=tills,
        products=[(p.pk, int(p.price * 100), p.barcode) for p in catalog],
    )
