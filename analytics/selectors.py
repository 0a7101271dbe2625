"""Reports: aggregates computed in the database, grouped in the company's time zone.

Voided sales are left out; refunds count on the day (and in the group) of the refund and are
subtracted in `net_total`. Each report is a fixed handful of queries, whatever the volume.
"""

import datetime as dt
import zoneinfo
from decimal import ROUND_HALF_UP, Decimal

from django.contrib.auth import get_user_model
from django.db.models import (
    Count,
    DecimalField,
    ExpressionWrapper,
    F,
    OuterRef,
    Subquery,
    Sum,
    Value,
)
from django.db.models.functions import Coalesce, ExtractHour, TruncDate

from catalog.models import Category, Product
from companies.models import Company, Register
from config.api.fields import money_exponent
from config.timezones import company_day_start
from inventory.models import StockLevel
from sales.models import Payment, PaymentMethod, Refund, RefundLine, Sale, SaleLine

ZERO = Decimal("0")
GROUPS = ("day", "hour", "product", "category", "cashier", "payment_method", "register")


def _money_sum(field):
    return Coalesce(
        Sum(field), Value(ZERO), output_field=DecimalField(max_digits=16, decimal_places=3)
    )


def _window(company: Company, day_from: dt.date, day_to: dt.date):
    return company_day_start(company, day_from), company_day_start(company, day_to, days=1)


def _sale_level_keys(group_by: str, tz):
    """(key for sales, key for refunds) of a sale-level grouping."""
    if group_by == "day":
        return TruncDate("created_at", tzinfo=tz), TruncDate("created_at", tzinfo=tz)
    if group_by == "hour":
        return ExtractHour("created_at", tzinfo=tz), ExtractHour("created_at", tzinfo=tz)
    if group_by == "cashier":
        return F("cashier_id"), F("sale__cashier_id")
    return F("register_id"), F("register_id")


def _empty_row(key):
    return {
        "key": key,
        "sales_count": 0,
        "quantity": ZERO,
        "gross_total": ZERO,
        "discount_total": ZERO,
        "tax_total": ZERO,
        "refunds_total": ZERO,
        "net_total": ZERO,
    }


def _sale_level_rows(group_by, tz, sales, refunds):
    sales_key, refund_key = _sale_level_keys(group_by, tz)
    rows: dict = {}
    for item in (
        sales.annotate(k=sales_key)
        .values("k")
        .annotate(
            count=Count("pk"),
            total=_money_sum("total"),
            discount=_money_sum("discount_total"),
            tax=_money_sum("tax_total"),
            q=_money_sum("quantity"),
        )
        .order_by()
    ):
        row = rows.setdefault(item["k"], _empty_row(item["k"]))
        row.update(
            sales_count=item["count"],
            quantity=item["q"],
            gross_total=item["total"] + item["discount"],
            discount_total=item["discount"],
            tax_total=item["tax"],
            net_total=item["total"],
        )
    for item in (
        refunds.annotate(k=refund_key).values("k").annotate(t=_money_sum("total")).order_by()
    ):
        row = rows.setdefault(item["k"], _empty_row(item["k"]))
        row["refunds_total"] = item["t"]
        row["net_total"] -= item["t"]
    return rows


def _line_level_rows(company, group_by, lines, refund_lines):
    key = F("product_id" if group_by == "product" else "product__category_id")
    model = Product if group_by == "product" else Category
    # Each group's name read with it, annotated after the sums and on the key's alias so that it
    # is read once a group, not grouped by; a separate query would bind thousands of ids.
    name = Subquery(model.objects.filter(company=company, pk=OuterRef("k")).values("name"))
    rows: dict = {}
    for item in (
        lines.values(k=key)
        .annotate(
            count=Count("sale", distinct=True),
            q=_money_sum("quantity"),
            total=_money_sum("total"),
            discount=_money_sum("discount_amount"),
            tax=_money_sum("tax_amount"),
        )
        .annotate(label=name)
        .order_by()
    ):
        row = rows.setdefault(item["k"], _empty_row(item["k"]))
        row.update(
            label=item["label"],
            sales_count=item["count"],
            quantity=item["q"],
            gross_total=item["total"] + item["discount"],
            discount_total=item["discount"],
            tax_total=item["tax"],
            net_total=item["total"],
        )
    for item in (
        refund_lines.values(k=key).annotate(t=_money_sum("total")).annotate(label=name).order_by()
    ):
        row = rows.setdefault(item["k"], _empty_row(item["k"]))
        row["label"] = item["label"]
        row["refunds_total"] = item["t"]
        row["net_total"] -= item["t"]
    return rows


def _payment_rows(payments, refunds, change):
    rows: dict = {}
    for item in (
        payments.values("method")
        .annotate(count=Count("sale", distinct=True), amount=_money_sum("amount"))
        .order_by()
    ):
        row = rows.setdefault(item["method"], _empty_row(item["method"]))
        row.update(sales_count=item["count"], gross_total=item["amount"], net_total=item["amount"])
    if change:
        cash = rows.setdefault(PaymentMethod.CASH, _empty_row(PaymentMethod.CASH))
        cash["gross_total"] -= change
        cash["net_total"] -= change
    for item in refunds.values("method").annotate(t=_money_sum("total")).order_by():
        row = rows.setdefault(item["method"], _empty_row(item["method"]))
        row["refunds_total"] = item["t"]
        row["net_total"] -= item["t"]
    for row in rows.values():
        row["quantity"] = None
    return rows


def _labels(company, group_by, rows) -> dict:
    if group_by in ("product", "category"):
        return {key: row["label"] for key, row in rows.items() if key is not None}
    keys = [key for key in rows if key is not None]
    if group_by == "day":
        return {key: key.isoformat() for key in keys}
    if group_by == "hour":
        return {key: f"{key:02d}:00" for key in keys}
    if group_by == "payment_method":
        return {key: PaymentMethod(key).label for key in keys}
    if group_by == "cashier":
        users = get_user_model().objects.filter(pk__in=keys)
        return {user.pk: user.full_name or user.email for user in users}
    return dict(Register.objects.filter(company=company, pk__in=keys).values_list("pk", "name"))


MONEY_KEYS = ("gross_total", "discount_total", "tax_total", "refunds_total", "net_total")
QUANTITY_EXPONENT = Decimal("0.001")


def _rounded(row: dict, exponent: Decimal) -> dict:
    """Sums come back from the database with its own scale (SQLite: float-like); round them
    to the currency's minor unit and to 3 decimals of quantity."""
    rounded = {**row}
    for key in MONEY_KEYS:
        if key in rounded:
            rounded[key] = Decimal(rounded[key]).quantize(exponent, ROUND_HALF_UP)
    if rounded.get("quantity") is not None:
        rounded["quantity"] = Decimal(rounded["quantity"]).quantize(
            QUANTITY_EXPONENT, ROUND_HALF_UP
        )
    return rounded


def _key_for_output(key):
    return key.isoformat() if isinstance(key, dt.date) else key


def sales_report(*, company: Company, day_from: dt.date, day_to: dt.date, group_by: str) -> dict:
    tz = zoneinfo.ZoneInfo(company.timezone)
    start, end = _window(company, day_from, day_to)
    sales = Sale.objects.filter(company=company, created_at__gte=start, created_at__lt=end).exclude(
        status=Sale.Status.VOIDED
    )
    refunds = Refund.objects.filter(company=company, created_at__gte=start, created_at__lt=end)
    # Lines and payments hold their sale's time and void, so a year of them isn't joined to sales.
    kept = {"company": company, "sold_at__gte": start, "sold_at__lt": end, "voided": False}
    lines = SaleLine.objects.filter(**kept)
    payments = Payment.objects.filter(**kept)
    refund_lines = RefundLine.objects.filter(refund__in=refunds)

    sums = {
        "sales_count": Count("pk"),
        "total": _money_sum("total"),
        "discount_total": _money_sum("discount_total"),
        "tax_total": _money_sum("tax_total"),
    }
    if group_by == "payment_method":
        # The change comes off cash: summed in the same pass over the sales as the totals.
        sums["change"] = _money_sum("change")
    totals = sales.aggregate(**sums)
    refunds_total = refunds.aggregate(t=_money_sum("total"))["t"]
    exponent = money_exponent(company)
    count = totals["sales_count"]
    average = (
        (Decimal(totals["total"]) / count).quantize(exponent, ROUND_HALF_UP) if count else ZERO
    )

    if group_by in ("product", "category"):
        rows = _line_level_rows(company, group_by, lines, refund_lines)
    elif group_by == "payment_method":
        rows = _payment_rows(payments, refunds, totals["change"])
    else:
        rows = _sale_level_rows(group_by, tz, sales, refunds)
    labels = _labels(company, group_by, rows)
    ordered = sorted(rows.values(), key=lambda row: (row["key"] is None, row["key"]))
    if group_by in ("product", "category", "cashier", "register", "payment_method"):
        ordered.sort(key=lambda row: row["net_total"], reverse=True)
    return {
        "from": day_from,
        "to": day_to,
        "currency": company.currency,
        "group_by": group_by,
        "totals": {
            **_rounded(
                {
                    "gross_total": totals["total"] + totals["discount_total"],
                    "discount_total": totals["discount_total"],
                    "tax_total": totals["tax_total"],
                    "refunds_total": refunds_total,
                    "net_total": totals["total"] - refunds_total,
                },
                exponent,
            ),
            "sales_count": count,
            "average_ticket": average,
        },
        "rows": [
            {
                **_rounded(row, exponent),
                "key": _key_for_output(row["key"]),
                "label": labels.get(
                    row["key"], "No category" if row["key"] is None else str(row["key"])
                ),
            }
            for row in ordered
        ],
    }


def inventory_valuation(*, company: Company, location_id: int | None = None) -> dict:
    """Stock on hand at average cost, one query."""
    exponent = money_exponent(company)
    levels = (
        StockLevel.objects.filter(company=company, product__track_inventory=True)
        .exclude(quantity=0)
        .annotate(
            value=ExpressionWrapper(
                F("quantity") * F("unit_cost"),
                output_field=DecimalField(max_digits=28, decimal_places=5),
            )
        )
        .order_by("product_id", "location_id")
    )
    if location_id is not None:
        levels = levels.filter(location_id=location_id)
    rows = [
        {
            "product": level.product_id,
            "location": level.location_id,
            "quantity": level.quantity,
            "unit_cost": level.unit_cost,
            "value": level.value.quantize(exponent, ROUND_HALF_UP),
        }
        for level in levels
    ]
    return {
        "currency": company.currency,
        "total_value": sum((row["value"] for row in rows), ZERO),
        "rows": rows,
    }


DASHBOARD_DAYS = 30
TOP_PRODUCTS = 5


def dashboard(*, company: Company, today: dt.date) -> dict:
    """The back office's first page: today, this week (from Monday), every day of the last
    30 (days without sales as zero), the top products of those days, from the sales report."""
    first = today - dt.timedelta(days=DASHBOARD_DAYS - 1)
    by_day = {
        row["key"]: row
        for row in sales_report(company=company, day_from=first, day_to=today, group_by="day")[
            "rows"
        ]
    }
    days = [first + dt.timedelta(days=n) for n in range(DASHBOARD_DAYS)]
    daily = [
        {
            "day": day,
            "sales_count": by_day.get(day.isoformat(), {}).get("sales_count", 0),
            "net_total": by_day.get(day.isoformat(), {}).get("net_total", ZERO),
        }
        for day in days
    ]
    monday = today - dt.timedelta(days=today.weekday())
    week = [row for row in daily if row["day"] >= monday]
    products = sales_report(company=company, day_from=first, day_to=today, group_by="product")
    return {
        "currency": company.currency,
        "today": daily[-1],
        "week": {
            "from": monday,
            "sales_count": sum(row["sales_count"] for row in week),
            "net_total": sum((row["net_total"] for row in week), ZERO),
        },
        "daily": daily,
        "top_products": products["rows"][:TOP_PRODUCTS],
    }
