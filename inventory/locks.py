"""Row locks of inventory, always taken in primary-key order inside the caller's transaction."""

import functools

from django.db import connection

from companies.models import Company
from config.rows import Columns, fetch, for_update, insert, new, one_of, table, values_param

from .models import StockLevel

Place = tuple[int, int]  # (product id, location id)

_LEVEL = Columns(StockLevel, "l")


@functools.cache
def _levels_sql(vendor: str) -> str:
    return (
        f"SELECT {_LEVEL.sql()} FROM {table(StockLevel)} l "  # noqa: S608 - names from the model
        f"WHERE l.company_id = %s AND {one_of('l.product_id')} AND {one_of('l.location_id')} "
        f"ORDER BY l.id{for_update()}"
    )


def stock_levels_lock(company: Company, places: set[Place]) -> dict[Place, StockLevel]:
    """Create the missing levels, then lock every level of `places` in one ordered query.

    Missing rows are inserted in a fixed order with ON CONFLICT DO NOTHING, so concurrent
    documents wait for each other instead of deadlocking; the lock itself follows pk order.
    Both statements are hand-written (config.rows): every sale takes them.
    """
    ordered = sorted(places)
    insert(
        StockLevel,
        [
            new(StockLevel, company_id=company.pk, product_id=p, location_id=loc)
            for p, loc in ordered
        ],
        ignore_conflicts=True,
    )
    rows = fetch(
        _levels_sql(connection.vendor),
        [
            company.pk,
            values_param({p for p, _ in ordered}),
            values_param({loc for _, loc in ordered}),
        ],
    )
    levels = (_LEVEL.build(row) for row in rows)
    return {
        (level.product_id, level.location_id): level
        for level in levels
        if (level.product_id, level.location_id) in places
    }
