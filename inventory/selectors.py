from decimal import Decimal

from django.db.models import (
    Case,
    DecimalField,
    Exists,
    F,
    OuterRef,
    Q,
    QuerySet,
    Subquery,
    Sum,
    Value,
    When,
)
from django.db.models.functions import Coalesce, Round

from companies.models import Company

from .models import StockLevel, StockMovement

QUANTITY = DecimalField(max_digits=14, decimal_places=3)


def with_reorder_point(levels: QuerySet[StockLevel], company: Company) -> QuerySet[StockLevel]:
    """Levels annotated with `reorder_at`: the product's reorder point, or the company's
    low-stock threshold when the product has none. A level at or below it is low."""
    return levels.annotate(
        reorder_at=Case(
            When(product__reorder_point__gt=0, then=F("product__reorder_point")),
            default=Value(company.settings.low_stock_threshold),
            output_field=QUANTITY,
        )
    )


def low_stock(levels: QuerySet[StockLevel], company: Company, *, low: bool = True):
    levels = with_reorder_point(levels, company)
    if low:
        return levels.filter(quantity__lte=F("reorder_at"))
    return levels.filter(quantity__gt=F("reorder_at"))


def _same_place(model):
    return model.objects.filter(
        company_id=OuterRef("company_id"),
        product_id=OuterRef("product_id"),
        location_id=OuterRef("location_id"),
    )


def ledger_mismatches(*, company_id: int | None = None) -> list[dict]:
    """Every place where the level is not the sum of its movements (a missing level counts
    as zero), each read in one query."""
    ledger_total = Subquery(
        _same_place(StockMovement)
        .order_by()
        .values("company_id")
        .annotate(total=Sum("quantity"))
        .values("total"),
        output_field=DecimalField(max_digits=14, decimal_places=3),
    )
    # Rounded to the quantity's 3 places: SQLite adds decimals as floats.
    levels = StockLevel.objects.annotate(
        ledger=Round(Coalesce(ledger_total, Value(Decimal("0"))), 3, output_field=QUANTITY)
    )
    levels = levels.filter(~Q(quantity=F("ledger")))
    orphans = (
        StockMovement.objects.filter(~Exists(_same_place(StockLevel)))
        .values("company_id", "product_id", "location_id")
        .annotate(ledger=Sum("quantity"))
        .order_by("company_id", "product_id", "location_id")
    )
    if company_id is not None:
        levels = levels.filter(company_id=company_id)
        orphans = orphans.filter(company_id=company_id)
    found = [
        {
            "company": level.company_id,
            "product": level.product_id,
            "location": level.location_id,
            "level": level.quantity,
            "ledger": level.ledger,
        }
        for level in levels.order_by("company_id", "product_id", "location_id")
    ]
    found += [
        {
            "company": row["company_id"],
            "product": row["product_id"],
            "location": row["location_id"],
            "level": None,
            "ledger": row["ledger"],
        }
        for row in orphans
    ]
    return found
