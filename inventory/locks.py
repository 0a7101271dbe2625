"""Row locks of inventory, always taken in primary-key order inside the caller's transaction."""

import functools

from django.db import connection

from companies.models import Company
from config.rows import Columns, fetch, for_update, insert, new, one_of, table, values_param

from .models import StockLevel

Place = tuple[int, int]  # (product id, location id)

_LEVEL = Columns(StockLevel, "l")


def _places() -> str:
    return f"l.company_id = %s AND {one_of('l.product_id')} AND {one_of('l.location_id')}"


@functools.cache
def _levels_sql(vendor: str) -> str:
    return (
        f"SELECT {_LEVEL.sql()} FROM {table(StockLevel)} l "  # noqa: S608 - names from the model
        f"WHERE {_places()} ORDER BY l.id{for_update()}"
    )


@functools.cache
def _existing_sql(vendor: str) -> str:
    return f"SELECT l.product_id, l.location_id FROM {table(StockLevel)} l WHERE {_places()}"  # noqa: S608


def stock_levels_lock(company: Company, places: set[Place]) -> dict[Place, StockLevel]:
    """Create the missing levels, then lock every level of `places` in one ordered query.

    Missing rows, found by a plain read (no lock), are inserted in a fixed order with
    ON CONFLICT DO NOTHING, so concurrent documents wait for each other instead of
    deadlocking: no level is locked before every insert is done. The lock follows pk order.
    The statements are hand-written (config.rows): every sale takes them, and a sale's
    levels nearly always exist (inserting them all on every sale built and sent a row a
    line for nothing).
    """
    params = [
        company.pk,
        values_param({p for p, _ in places}),
        values_param({loc for _, loc in places}),
    ]
    existing = set(fetch(_existing_sql(connection.vendor), params))
    missing = sorted(places - existing)
    insert(
        StockLevel,
        [
            new(StockLevel, company_id=company.pk, product_id=p, location_id=loc)
            for p, loc in missing
        ],
        ignore_conflicts=True,
    )
    levels = (_LEVEL.build(row) for row in fetch(_levels_sql(connection.vendor), params))
    return {
        (level.product_id, level.location_id): level
        for level in levels
        if (level.product_id, level.location_id) in places
    }
