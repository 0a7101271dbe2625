"""Row locks of inventory, always taken in primary-key order inside the caller's transaction."""

from companies.models import Company

from .models import StockLevel

Place = tuple[int, int]  # (product id, location id)


def stock_levels_lock(company: Company, places: set[Place]) -> dict[Place, StockLevel]:
    """Create the missing levels, then lock every level of `places` in one ordered query.

    Missing rows are inserted in a fixed order with ON CONFLICT DO NOTHING, so concurrent
    documents wait for each other instead of deadlocking; the lock itself follows pk order.
    """
    ordered = sorted(places)
    StockLevel.objects.bulk_create(
        [StockLevel(company=company, product_id=p, location_id=loc) for p, loc in ordered],
        ignore_conflicts=True,
    )
    product_ids = {p for p, _ in ordered}
    location_ids = {loc for _, loc in ordered}
    rows = (
        StockLevel.objects.select_for_update()
        .filter(company=company, product_id__in=product_ids, location_id__in=location_ids)
        .order_by("pk")
    )
    return {
        (row.product_id, row.location_id): row
        for row in rows
        if (row.product_id, row.location_id) in places
    }
