import functools

from django.db import connection

from companies.models import Company
from config.rows import Columns, fetch, one_of, table, values_param

from .models import Category, Product, TaxRate

_PRODUCT = Columns(Product, "p")
_TAX_RATE = Columns(TaxRate, "t")
# The register's scan: a code names at most one product (both are unique in a company).
SCAN_CODES = ("barcode", "sku")


def category_with_descendants(*, company: Company, category_id: int) -> set[int]:
    """The category and every category under it, from one query of the company's tree."""
    children: dict[int | None, list[int]] = {}
    for pk, parent_id in Category.objects.filter(company=company).values_list("pk", "parent_id"):
        children.setdefault(parent_id, []).append(pk)
    if not any(category_id in ids for ids in children.values()):
        return set()
    found, pending = set(), [category_id]
    while pending:
        current = pending.pop()
        found.add(current)
        pending.extend(children.get(current, []))
    return found


@functools.cache
def _products_by_code_sql(field: str) -> str:
    column = Product._meta.get_field(field).column
    # Barcodes are unique when not empty (a partial index): saying so lets the prepared
    # statement's generic plan use that index, which it can't prove from `= $2` alone.
    partial = f" AND p.{column} <> ''" if field == "barcode" else ""
    return (
        f"SELECT {_PRODUCT.sql()} FROM {table(Product)} p "  # noqa: S608 - names from the model
        f"WHERE p.company_id = %s AND p.{column} = %s{partial}"
    )


def products_by_code(*, company: Company, field: str, code: str) -> list[Product]:
    """The company's product whose barcode or SKU is `code` (none or one), by its unique
    index; hand-written because a register scans for every item it sells."""
    if field not in SCAN_CODES:
        raise ValueError(f"not a scan code: {field}")
    return [_PRODUCT.build(row) for row in fetch(_products_by_code_sql(field), [company.pk, code])]


@functools.cache
def _products_with_tax_rates_sql(vendor: str) -> str:
    return (
        f"SELECT {_PRODUCT.sql()}, {_TAX_RATE.sql()} FROM {table(Product)} p "  # noqa: S608
        f"LEFT JOIN {table(TaxRate)} t ON t.id = p.tax_rate_id "
        f"WHERE p.company_id = %s AND {one_of('p.id')}"
    )


def products_with_tax_rates(*, company: Company, ids) -> dict[int, Product]:
    """The company's products of `ids` by id, each with its tax rate (no query to read it);
    hand-written because every sale reads its lines' products."""
    rows = fetch(_products_with_tax_rates_sql(connection.vendor), [company.pk, values_param(ids)])
    products, rates = {}, {None: None}
    for row in rows:
        product = _PRODUCT.build(row)
        if product.tax_rate_id not in rates:  # a sale's lines share a few rates
            rates[product.tax_rate_id] = _TAX_RATE.build(row, len(_PRODUCT))
        Product.tax_rate.field.set_cached_value(product, rates[product.tax_rate_id])
        products[product.pk] = product
    return products
