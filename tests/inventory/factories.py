"""Inventory test helpers: levels only ever change through documents, so stock is set up by
receiving it through the service, never by writing a StockLevel row."""

from decimal import Decimal

from accounts.models import AuditEvent, Membership
from catalog.models import Product
from config.models import IdempotencyKey
from inventory import services
from inventory.models import StockDocument, StockLevel, StockMovement
from inventory.services import StockLine
from tests.catalog.factories import ProductFactory
from tests.factories import LocationFactory

D = Decimal


def fresh(membership: Membership) -> Membership:
    """The membership re-read with its company and settings (after a settings change)."""
    return Membership.objects.select_related("company__settings", "user").get(pk=membership.pk)


def product(tenant, **fields) -> Product:
    return ProductFactory(company=tenant.company, **fields)


def location(tenant, **fields):
    return LocationFactory(company=tenant.company, **fields)


def receive(actor: Membership, where, *lines) -> StockDocument:
    """`lines` are (product, quantity, unit_cost or None)."""
    return services.stock_receive(
        actor=fresh(actor),
        location=where,
        lines=[StockLine(product=p, quantity=D(str(q)), unit_cost=c) for p, q, c in lines],
    )


def level(product, where) -> StockLevel | None:
    return StockLevel.objects.filter(product=product, location=where).first()


def quantity(product, where) -> Decimal:
    found = level(product, where)
    return found.quantity if found is not None else D("0")


def movements_of(document) -> list[StockMovement]:
    return list(
        StockMovement.objects.filter(document_type="stock_document", document_id=document.pk)
        .select_related("product")
        .order_by("id")
    )


def rows(model, companies, *fields) -> list[tuple]:
    return sorted(model.objects.filter(company__in=companies).values_list("pk", *fields))


def stock_state(*companies) -> dict:
    """Everything an inventory call could change, to assert that a refused call changed nothing."""
    return {
        "levels": rows(StockLevel, companies, "product_id", "location_id", "quantity", "unit_cost"),
        "movements": rows(
            StockMovement, companies, "product_id", "location_id", "kind", "quantity"
        ),
        "documents": rows(StockDocument, companies, "kind", "location_id"),
        "products": rows(Product, companies, "cost"),
        "audit": rows(AuditEvent, companies, "action"),
        "idempotency": rows(IdempotencyKey, companies, "key", "state"),
    }
