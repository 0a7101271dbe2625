"""Every write of the catalog: tax rates, categories, products and customers."""

from dataclasses import dataclass
from decimal import Decimal

from django.db import transaction
from django.utils import timezone

from accounts.models import AuditEvent, Membership, User
from accounts.services import audit_record
from companies.locks import company_lock
from companies.models import Company
from config.api.deletion import delete_unless_referenced
from config.api.errors import DomainError, DomainValidationError
from config.api.fields import money_exponent

from .csv_format import ProductRow, RowError, parse_products
from .models import WHOLE_QUANTITY, Category, Product, TaxRate, fits_unit

AUDITED_PRODUCT_FIELDS = ("price", "cost")
PRICE_CHANGE = "product.price_change"


def _refuse_category_cycle(category: Category, parent: Category | None) -> None:
    ancestor = parent
    while ancestor is not None:
        if ancestor.pk == category.pk:
            raise DomainError(
                "category_cycle",
                "A category can't be placed under itself or one of its subcategories.",
                status=400,
                attr="parent",
            )
        ancestor = ancestor.parent


@transaction.atomic
def category_update(*, actor: Membership, category: Category, changes: dict) -> Category:
    if "parent" in changes:
        _refuse_category_cycle(category, changes["parent"])
    for field, value in changes.items():
        setattr(category, field, value)
    category.save()
    return category


def category_delete(*, actor: Membership, category: Category) -> None:
    delete_unless_referenced(
        category,
        code="category_in_use",
        detail="The category has products or subcategories; move them first.",
    )


def customer_delete(*, actor: Membership, customer) -> None:
    delete_unless_referenced(
        customer, code="customer_in_use", detail="Sales name this customer; keep it."
    )


def tax_rate_delete(*, actor: Membership, tax_rate: TaxRate) -> None:
    delete_unless_referenced(
        tax_rate, code="tax_rate_in_use", detail="Products use this tax rate; change them first."
    )


def _price_changes(product: Product, before: dict, company: Company) -> dict:
    """{field: [old, new]} as money strings in the currency's decimals."""
    exponent = money_exponent(company)
    return {
        field: [
            str(before[field].quantize(exponent)),
            str(getattr(product, field).quantize(exponent)),
        ]
        for field in AUDITED_PRODUCT_FIELDS
        if before[field] != getattr(product, field)
    }


@transaction.atomic
def product_create(*, actor: Membership, data: dict) -> Product:
    return Product.objects.create(company=actor.company, **data)


@transaction.atomic
def product_update(*, actor: Membership, product: Product, changes: dict) -> Product:
    """Change a product; price and cost changes are audited with the old and new values."""
    product = Product.objects.select_for_update().get(pk=product.pk)
    before = {field: getattr(product, field) for field in AUDITED_PRODUCT_FIELDS}
    for field, value in changes.items():
        setattr(product, field, value)
    product.save()
    changes = _price_changes(product, before, actor.company)
    if changes:
        audit_record(
            company=actor.company, user=actor.user, action=PRICE_CHANGE, obj=product, data=changes
        )
    return product


def product_delete(*, actor: Membership, product: Product) -> None:
    delete_unless_referenced(
        product,
        code="product_in_use",
        detail="The product has stock movements or sales; deactivate it instead.",
    )


@dataclass(frozen=True)
class ImportResult:
    created: int
    updated: int


IMPORT_BATCH = 1000


def _row_values(row: ProductRow, header: list[str], categories: dict, tax_rates: dict) -> dict:
    """The fields the file sets: a column that is present sets its field, empty clears it."""
    values = {"name": row.name, "price": row.price}
    if "barcode" in header:
        values["barcode"] = row.barcode
    if "cost" in header:
        values["cost"] = row.cost or Decimal("0")
    if "reorder_point" in header:
        values["reorder_point"] = row.reorder_point or Decimal("0")
    if "category" in header:
        values["category"] = categories.get(row.category)
    if "tax_rate" in header:
        values["tax_rate"] = tax_rates.get(row.tax_rate)
    return values


def _cross_row_errors(rows, header, existing, tax_rates) -> list[RowError]:
    errors = []
    file_skus = {row.sku for row in rows}
    seen_skus: dict[str, int] = {}
    barcode_owner = {p.barcode: p.sku for p in existing.values() if p.barcode}
    file_barcodes: dict[str, int] = {}
    for row in rows:
        if row.sku in seen_skus:
            errors.append(
                RowError(row.line, "sku", f"Repeats row {seen_skus[row.sku]}.", "duplicate")
            )
        seen_skus.setdefault(row.sku, row.line)
        if row.tax_rate and row.tax_rate not in tax_rates:
            errors.append(
                RowError(
                    row.line, "tax_rate", f"No tax rate named '{row.tax_rate}'.", "does_not_exist"
                )
            )
        if "barcode" in header and row.barcode:
            if row.barcode in file_barcodes:
                errors.append(
                    RowError(
                        row.line,
                        "barcode",
                        f"Repeats row {file_barcodes[row.barcode]}.",
                        "duplicate",
                    )
                )
            file_barcodes.setdefault(row.barcode, row.line)
            owner = barcode_owner.get(row.barcode)
            # The owner keeps its barcode unless the file gives it a new one.
            if owner is not None and owner != row.sku and owner not in file_skus:
                errors.append(
                    RowError(row.line, "barcode", f"Product {owner} has this barcode.", "unique")
                )
        product = existing.get(row.sku)
        unit = product.unit if product else Product.Unit.UNIT
        if row.reorder_point is not None and not fits_unit(unit, row.reorder_point):
            errors.append(RowError(row.line, "reorder_point", WHOLE_QUANTITY, "whole_quantity"))
    return errors


@transaction.atomic
def products_import(
    *, company: Company, user: User | None, raw: bytes, progress=None
) -> ImportResult:
    """Upsert products by SKU from a CSV file, all or nothing.

    Categories are matched by name and created when missing; tax rates must exist. Every bad
    row is reported at once. Reads and writes are in bulk, not a query per row.
    """
    company_lock(company.pk)
    header, rows, errors = parse_products(raw, company.currency, progress)
    existing = {p.sku: p for p in Product.objects.filter(company=company)}
    tax_rates = {t.name: t for t in TaxRate.objects.filter(company=company)}
    errors += _cross_row_errors(rows, header, existing, tax_rates)
    if errors:
        errors.sort(key=lambda error: error.line)
        raise DomainValidationError([error.as_error() for error in errors])

    categories = {c.name: c for c in Category.objects.filter(company=company)}
    missing = {row.category for row in rows if row.category and row.category not in categories}
    if missing:
        Category.objects.bulk_create(
            [Category(company=company, name=name) for name in sorted(missing)]
        )
        categories = {c.name: c for c in Category.objects.filter(company=company)}

    now = timezone.now()
    created, updated, audits, changed_fields = [], [], [], set()
    for row in rows:
        values = _row_values(row, header, categories, tax_rates)
        product = existing.get(row.sku)
        if product is None:
            created.append(Product(company=company, sku=row.sku, **values))
            continue
        before = {field: getattr(product, field) for field in AUDITED_PRODUCT_FIELDS}
        diff = {field for field, value in values.items() if getattr(product, field) != value}
        if not diff:
            continue
        for field in diff:
            setattr(product, field, values[field])
        product.updated_at = now
        changed_fields |= diff
        updated.append(product)
        price_diff = _price_changes(product, before, company)
        if price_diff:
            audits.append(
                AuditEvent(
                    company=company,
                    user=user,
                    action=PRICE_CHANGE,
                    object_type=Product._meta.label_lower,
                    object_id=str(product.pk),
                    data=price_diff,
                )
            )
    Product.objects.bulk_create(created, batch_size=IMPORT_BATCH)
    if updated:
        Product.objects.bulk_update(
            updated, [*sorted(changed_fields), "updated_at"], batch_size=IMPORT_BATCH
        )
    AuditEvent.objects.bulk_create(audits, batch_size=IMPORT_BATCH)
    audit_record(
        company=company,
        user=user,
        action="product.import",
        data={"created": len(created), "updated": len(updated), "rows": len(rows)},
    )
    return ImportResult(created=len(created), updated=len(updated))
