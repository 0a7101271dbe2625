"""The product CSV: one format for import and export, so an export re-imports unchanged."""

import csv
import io
from dataclasses import dataclass
from decimal import Decimal, InvalidOperation

from django.conf import settings

from companies.currencies import currency_decimals
from config.api.errors import DomainError

COLUMNS = ["sku", "name", "barcode", "price", "cost", "category", "tax_rate", "reorder_point"]
REQUIRED_COLUMNS = {"sku", "name", "price"}
FILE_ERROR_CODES = ("invalid_file", "empty_file", "invalid_header", "too_many_rows")
ROW_ERROR_CODES = ("invalid", "required", "duplicate", "unique", "does_not_exist", "whole_quantity")
FIELD_MAX_LENGTH = {"sku": 64, "name": 200, "barcode": 64, "category": 120, "tax_rate": 64}


@dataclass
class RowError:
    line: int
    column: str | None
    reason: str
    code: str = "invalid"

    def as_error(self) -> tuple[str, str, str]:
        where = f"Row {self.line}" + (f", {self.column}" if self.column else "")
        attr = f"rows.{self.line}" + (f".{self.column}" if self.column else "")
        return attr, self.code, f"{where}: {self.reason}"


@dataclass
class ProductRow:
    line: int
    sku: str
    name: str
    barcode: str
    price: Decimal
    cost: Decimal | None
    category: str
    tax_rate: str
    reorder_point: Decimal | None


def _file_error(code: str, detail: str) -> DomainError:
    return DomainError(code, detail, status=400, attr="file")


def read_rows(raw: bytes) -> tuple[list[str], list[tuple[int, list[str]]]]:
    """Decode and split the file: (header, [(line number, cells)])."""
    try:
        text = raw.decode("utf-8-sig")
    except UnicodeDecodeError:
        raise _file_error("invalid_file", "The file is not UTF-8 text.") from None
    if "\x00" in text:
        raise _file_error("invalid_file", "The file is not a CSV text file.")
    if not text.strip():
        raise _file_error("empty_file", "The file is empty.")
    first_line = text.split("\n", 1)[0]
    delimiter = ";" if first_line.count(";") > first_line.count(",") else ","
    reader = csv.reader(io.StringIO(text, newline=""), delimiter=delimiter)
    try:
        header = [name.strip().lower() for name in next(reader)]
        body = [(reader.line_num, row) for row in reader if any(cell.strip() for cell in row)]
    except csv.Error as exc:
        raise _file_error("invalid_file", f"The file is not valid CSV: {exc}.") from None
    unknown = sorted(set(header) - set(COLUMNS))
    missing = sorted(REQUIRED_COLUMNS - set(header))
    if unknown or missing or len(set(header)) != len(header):
        raise _file_error(
            "invalid_header",
            f"The header must name the columns {', '.join(COLUMNS)} (sku, name and price are "
            f"required); unknown: {unknown or 'none'}, missing: {missing or 'none'}.",
        )
    if not body:
        raise _file_error("empty_file", "The file has a header but no rows.")
    if len(body) > settings.IMPORT_MAX_ROWS:
        raise _file_error(
            "too_many_rows", f"An import takes at most {settings.IMPORT_MAX_ROWS} rows."
        )
    return header, body


def _decimal(value: str, places: int, line: int, column: str, errors: list[RowError]):
    if value.count(",") == 1 and "." not in value:
        value = value.replace(",", ".")  # a decimal comma, as spreadsheets write in many locales
    try:
        number = Decimal(value)
    except InvalidOperation:
        errors.append(RowError(line, column, f"'{value}' is not a number."))
        return None
    if not number.is_finite() or number < 0:
        errors.append(RowError(line, column, "Must be a number of zero or more."))
        return None
    if number != number.quantize(Decimal(1).scaleb(-places)):
        errors.append(RowError(line, column, f"At most {places} decimal places."))
        return None
    if number >= Decimal(10) ** 11:
        errors.append(RowError(line, column, "Too large."))
        return None
    return number


def parse_products(
    raw: bytes, currency: str, progress=None
) -> tuple[list[str], list[ProductRow], list[RowError]]:
    """Every row checked on its own; errors are collected, not raised one by one."""
    header, rows = read_rows(raw)
    money_places = currency_decimals(currency)
    parsed, errors = [], []
    for line, values in rows:
        if progress is not None:
            progress(1)
        if len(values) > len(header):
            errors.append(RowError(line, None, f"{len(values)} cells for {len(header)} columns."))
            continue
        cells = dict(zip(header, (value.strip() for value in values), strict=False))
        row_errors: list[RowError] = []
        for column, limit in FIELD_MAX_LENGTH.items():
            if len(cells.get(column, "")) > limit:
                row_errors.append(RowError(line, column, f"At most {limit} characters."))
        for column in ("sku", "name", "price"):
            if not cells.get(column):
                row_errors.append(RowError(line, column, "Required.", code="required"))
        price = cost = reorder_point = None
        if cells.get("price"):
            price = _decimal(cells["price"], money_places, line, "price", row_errors)
        if cells.get("cost"):
            cost = _decimal(cells["cost"], money_places, line, "cost", row_errors)
        if cells.get("reorder_point"):
            reorder_point = _decimal(cells["reorder_point"], 3, line, "reorder_point", row_errors)
        errors.extend(row_errors)
        if not row_errors:
            parsed.append(
                ProductRow(
                    line=line,
                    sku=cells["sku"],
                    name=cells["name"],
                    barcode=cells.get("barcode", ""),
                    price=price,
                    cost=cost,
                    category=cells.get("category", ""),
                    tax_rate=cells.get("tax_rate", ""),
                    reorder_point=reorder_point,
                )
            )
    return header, parsed, errors


def write_products(products, currency: str, out) -> None:
    """The export: the import's columns, money with the currency's decimals."""
    exponent = Decimal(1).scaleb(-currency_decimals(currency))
    writer = csv.writer(out)
    writer.writerow(COLUMNS)
    for product in products:
        writer.writerow(
            [
                product.sku,
                product.name,
                product.barcode,
                product.price.quantize(exponent),
                product.cost.quantize(exponent),
                product.category.name if product.category_id else "",
                product.tax_rate.name if product.tax_rate_id else "",
                product.reorder_point,
            ]
        )
