"""Alert rules: each looks at one company now and returns what deserves an open alert.

A rule is a small class with a `kind` and `findings(company, now)`; its thresholds are
settings (ALERT_*). Add a rule by writing one and listing it in RULES.
"""

import datetime as dt
import statistics
from dataclasses import dataclass, field
from decimal import Decimal

from django.conf import settings
from django.db.models import (
    Count,
    DecimalField,
    Exists,
    F,
    OuterRef,
    Q,
    Subquery,
    Sum,
    Value,
)
from django.db.models.functions import Coalesce

from companies.models import Company
from inventory.models import MovementKind, StockLevel, StockMovement
from inventory.selectors import low_stock
from sales.models import Payment, PaymentMethod, Refund, Sale, SaleLine, Shift

from .models import Alert

ZERO = Decimal("0")
QUANTITY = DecimalField(max_digits=14, decimal_places=3)
MONEY = DecimalField(max_digits=16, decimal_places=2)
Severity = Alert.Severity


@dataclass(frozen=True)
class Finding:
    subject_type: str
    subject_id: int
    severity: str
    title: str
    message: str
    data: dict = field(default_factory=dict)


def _tracked_levels(company: Company):
    return StockLevel.objects.filter(
        company=company, product__track_inventory=True, product__is_active=True
    ).select_related("product", "location")


def _place(level) -> dict:
    return {"product": level.product_id, "location": level.location_id, "quantity": level.quantity}


def _sold_at_place(company: Company, since: dt.datetime):
    """Sale and void movements of the level's place since `since`: a void cancels its sale."""
    return StockMovement.objects.filter(
        company=company,
        kind__in=[MovementKind.SALE, MovementKind.VOID],
        created_at__gte=since,
        product_id=OuterRef("product_id"),
        location_id=OuterRef("location_id"),
    )


def _kept_sale_lines_at_place(since: dt.datetime):
    """Lines of sales that were not voided, of the level's product at its location."""
    return SaleLine.objects.filter(
        product_id=OuterRef("product_id"),
        sale__register__location_id=OuterRef("location_id"),
        sale__created_at__gte=since,
    ).exclude(sale__status=Sale.Status.VOIDED)


class LowStock:
    """At or below the product's reorder point, or the company's threshold when it has none."""

    kind = Alert.Kind.LOW_STOCK

    def findings(self, company: Company, now: dt.datetime) -> list[Finding]:
        levels = low_stock(_tracked_levels(company), company)
        return [
            Finding(
                "stocklevel",
                level.pk,
                Severity.CRITICAL if level.quantity <= 0 else Severity.WARNING,
                f"Low stock: {level.product.name} at {level.location.name}",
                f"{level.quantity} on hand; reorder point {level.reorder_at}.",
                {**_place(level), "reorder_point": level.reorder_at},
            )
            for level in levels
        ]


class StockoutForecast:
    """Days of cover, from the sales of the last ALERT_STOCKOUT_WINDOW_DAYS days, below
    ALERT_STOCKOUT_COVER_DAYS."""

    kind = Alert.Kind.STOCKOUT_FORECAST

    def findings(self, company: Company, now: dt.datetime) -> list[Finding]:
        window = settings.ALERT_STOCKOUT_WINDOW_DAYS
        sold = (
            _sold_at_place(company, now - dt.timedelta(days=window))
            .order_by()
            .values("product_id")
            .annotate(total=Sum("quantity"))
            .values("total")
        )
        levels = (
            _tracked_levels(company)
            .filter(quantity__gt=0)
            .annotate(sold=Coalesce(-Subquery(sold, output_field=QUANTITY), Value(ZERO)))
            .filter(sold__gt=0)
        )
        findings = []
        for level in levels:
            daily = level.sold / window
            cover = level.quantity / daily
            if cover < settings.ALERT_STOCKOUT_COVER_DAYS:
                findings.append(
                    Finding(
                        "stocklevel",
                        level.pk,
                        Severity.CRITICAL if cover < 2 else Severity.WARNING,
                        f"Runs out in {cover:.1f} days: {level.product.name} at "
                        f"{level.location.name}",
                        f"{level.quantity} on hand; {daily:.2f} sold a day over {window} days.",
                        {
                            **_place(level),
                            "daily_sales": round(daily, 3),
                            "days_of_cover": round(cover, 1),
                        },
                    )
                )
        return findings


class CashDifference:
    """A shift closed in the last ALERT_LOOKBACK_DAYS days whose counted cash differs from the
    expected by more than ALERT_CASH_DIFFERENCE_PERCENT of its cash sales or more than
    ALERT_CASH_DIFFERENCE_AMOUNT currency units."""

    kind = Alert.Kind.CASH_DIFFERENCE

    def findings(self, company: Company, now: dt.datetime) -> list[Finding]:
        kept = ~Q(sales__status=Sale.Status.VOIDED)
        cash_tendered = Payment.objects.filter(
            sale__shift=OuterRef("pk"), method=PaymentMethod.CASH
        ).exclude(sale__status=Sale.Status.VOIDED)
        shifts = (
            Shift.objects.filter(
                company=company,
                status=Shift.Status.CLOSED,
                closed_at__gte=now - dt.timedelta(days=settings.ALERT_LOOKBACK_DAYS),
            )
            .annotate(
                tendered=Coalesce(
                    Subquery(
                        cash_tendered.order_by()
                        .values("sale__shift")
                        .annotate(t=Sum("amount"))
                        .values("t"),
                        output_field=MONEY,
                    ),
                    Value(ZERO),
                ),
                change=Coalesce(Sum("sales__change", filter=kept), Value(ZERO), output_field=MONEY),
            )
            .select_related("register")
        )
        findings = []
        for shift in shifts:
            cash_sales = shift.tendered - shift.change
            gap = abs(shift.difference)
            percent_limit = cash_sales * settings.ALERT_CASH_DIFFERENCE_PERCENT / 100
            if gap > percent_limit or gap > settings.ALERT_CASH_DIFFERENCE_AMOUNT:
                findings.append(
                    Finding(
                        "shift",
                        shift.pk,
                        Severity.CRITICAL
                        if gap > settings.ALERT_CASH_DIFFERENCE_AMOUNT
                        else Severity.WARNING,
                        f"Cash {'short' if shift.difference < 0 else 'over'} by {gap} on "
                        f"{shift.register.name}",
                        f"Expected {shift.expected_cash}, counted {shift.counted_cash} "
                        f"(cash sales {cash_sales}).",
                        {
                            "shift": shift.pk,
                            "register": shift.register_id,
                            "difference": shift.difference,
                            "cash_sales": cash_sales,
                        },
                    )
                )
        return findings


class RefundAnomaly:
    """A cashier whose voids + refunds over ALERT_REFUND_WINDOW_DAYS days are at least
    ALERT_REFUND_MIN_EVENTS and ALERT_REFUND_FACTOR times the median of the other cashiers."""

    kind = Alert.Kind.REFUND_ANOMALY

    def findings(self, company: Company, now: dt.datetime) -> list[Finding]:
        since = now - dt.timedelta(days=settings.ALERT_REFUND_WINDOW_DAYS)
        events: dict[int, int] = {}
        cashiers = Sale.objects.filter(company=company, created_at__gte=since).values_list(
            "cashier_id", flat=True
        )
        for cashier in cashiers.distinct().order_by():
            events[cashier] = 0
        voids = (
            Sale.objects.filter(company=company, voided_at__gte=since)
            .values("cashier_id")
            .annotate(n=Count("pk"))
            .order_by()
        )
        refunds = (
            Refund.objects.filter(company=company, created_at__gte=since)
            .values("sale__cashier_id")
            .annotate(n=Count("pk"))
            .order_by()
        )
        for row in voids:
            events[row["cashier_id"]] = events.get(row["cashier_id"], 0) + row["n"]
        for row in refunds:
            events[row["sale__cashier_id"]] = events.get(row["sale__cashier_id"], 0) + row["n"]
        findings = []
        for cashier, count in events.items():
            others = [n for other, n in events.items() if other != cashier]
            if not others or count < settings.ALERT_REFUND_MIN_EVENTS:
                continue
            typical = statistics.median(others)
            if count >= settings.ALERT_REFUND_FACTOR * max(typical, 1):
                findings.append(
                    Finding(
                        "user",
                        cashier,
                        Severity.WARNING,
                        "Unusual voids and refunds",
                        f"{count} voids and refunds on this cashier's sales in "
                        f"{settings.ALERT_REFUND_WINDOW_DAYS} days; others' median: {typical}.",
                        {"user": cashier, "count": count, "median_of_others": typical},
                    )
                )
        return findings


class BelowCostSale:
    """A line sold (net of tax and discounts) under its unit cost in the last
    ALERT_LOOKBACK_DAYS days."""

    kind = Alert.Kind.BELOW_COST_SALE

    def findings(self, company: Company, now: dt.datetime) -> list[Finding]:
        lines = (
            SaleLine.objects.filter(
                company=company,
                sale__created_at__gte=now - dt.timedelta(days=settings.ALERT_LOOKBACK_DAYS),
            )
            .exclude(sale__status=Sale.Status.VOIDED)
            .filter(total__lt=F("tax_amount") + F("unit_cost") * F("quantity"))
            .select_related("sale")
        )
        findings = []
        for line in lines:
            unit_net = (line.total - line.tax_amount) / line.quantity
            findings.append(
                Finding(
                    "saleline",
                    line.pk,
                    Severity.WARNING,
                    f"Sold below cost: {line.name} on {line.sale.receipt_number}",
                    f"{unit_net:.2f} a unit net of tax, against a cost of {line.unit_cost}.",
                    {
                        "sale": line.sale_id,
                        "product": line.product_id,
                        "unit_net": round(unit_net, 2),
                        "unit_cost": line.unit_cost,
                    },
                )
            )
        return findings


class DeadStock:
    """Stock on hand with no sale at its location in ALERT_DEAD_STOCK_DAYS days, for levels
    older than that."""

    kind = Alert.Kind.DEAD_STOCK

    def findings(self, company: Company, now: dt.datetime) -> list[Finding]:
        days = settings.ALERT_DEAD_STOCK_DAYS
        since = now - dt.timedelta(days=days)
        first_movement = StockMovement.objects.filter(
            company=company,
            product_id=OuterRef("product_id"),
            location_id=OuterRef("location_id"),
            created_at__lt=since,
        )
        levels = (
            _tracked_levels(company)
            .filter(quantity__gt=0)
            .filter(Exists(first_movement))
            .exclude(Exists(_kept_sale_lines_at_place(since)))
        )
        return [
            Finding(
                "stocklevel",
                level.pk,
                Severity.INFO,
                f"No sale in {days} days: {level.product.name} at {level.location.name}",
                f"{level.quantity} on hand worth {level.quantity * level.unit_cost:.2f} at cost.",
                _place(level),
            )
            for level in levels
        ]


RULES = [
    LowStock(),
    StockoutForecast(),
    CashDifference(),
    RefundAnomaly(),
    BelowCostSale(),
    DeadStock(),
]
