"""Reads of sales: the shift report, aggregated in the database."""

import functools
from decimal import Decimal

from django.db.models import Count, Q, Sum, Value
from django.db.models.functions import Coalesce

from config.rows import Columns, fetch, table

from .models import CashMovement, Payment, PaymentMethod, Refund, Sale, Shift

ZERO = Decimal("0")
_SHIFT = Columns(Shift, "s")


@functools.cache
def _open_shift_sql() -> str:
    # At most one row: a register has one open shift at a time (a partial unique index).
    return f"SELECT {_SHIFT.sql()} FROM {table(Shift)} s WHERE s.register_id = %s AND s.status = %s"  # noqa: S608


def open_shift(*, register_id: int) -> Shift | None:
    """The register's open shift, if any; hand-written (config.rows): every sale reads it."""
    rows = fetch(_open_shift_sql(), [register_id, Shift.Status.OPEN])
    return _SHIFT.build(rows[0]) if rows else None


def _sum(expression, **filters):
    return Coalesce(Sum(expression, filter=Q(**filters) if filters else None), Value(ZERO))


def shift_report(*, shift: Shift) -> dict:
    """The X report of an open shift, or the Z report of a closed one, in four queries.

    cash_sales is the cash that the shift's sales (not voided) kept: cash tendered less the
    change; expected_cash = opening + pay-ins - pay-outs + cash_sales - cash_refunds.
    """
    kept = ~Q(status=Sale.Status.VOIDED)
    sales = Sale.objects.filter(shift=shift).aggregate(
        sales_count=Count("pk", filter=kept),
        voids_count=Count("pk", filter=Q(status=Sale.Status.VOIDED)),
        total=Coalesce(Sum("total", filter=kept), Value(ZERO)),
        discount_total=Coalesce(Sum("discount_total", filter=kept), Value(ZERO)),
        tax_total=Coalesce(Sum("tax_total", filter=kept), Value(ZERO)),
        change=Coalesce(Sum("change", filter=kept), Value(ZERO)),
    )
    by_method = dict(
        Payment.objects.filter(sale__shift=shift)
        .exclude(sale__status=Sale.Status.VOIDED)
        .values("method")
        .annotate(amount=Sum("amount"))
        .values_list("method", "amount")
    )
    by_method[PaymentMethod.CASH] = by_method.get(PaymentMethod.CASH, ZERO) - sales["change"]
    cash = CashMovement.objects.filter(shift=shift).aggregate(
        cash_in=_sum("amount", kind=CashMovement.Kind.PAY_IN),
        cash_out=_sum("amount", kind=CashMovement.Kind.PAY_OUT),
    )
    refunds = Refund.objects.filter(shift=shift).aggregate(
        refunds_total=_sum("total"),
        cash_refunds=_sum("total", method=PaymentMethod.CASH),
    )
    cash_sales = by_method[PaymentMethod.CASH]
    expected = (
        shift.opening_cash
        + cash["cash_in"]
        - cash["cash_out"]
        + cash_sales
        - refunds["cash_refunds"]
    )
    closed = shift.status == Shift.Status.CLOSED
    return {
        "shift": shift.pk,
        "register": shift.register_id,
        "status": shift.status,
        "opened_at": shift.opened_at,
        "closed_at": shift.closed_at,
        "opening_cash": shift.opening_cash,
        "cash_in": cash["cash_in"],
        "cash_out": cash["cash_out"],
        "cash_sales": cash_sales,
        "cash_refunds": refunds["cash_refunds"],
        "expected_cash": expected,
        "counted_cash": shift.counted_cash if closed else None,
        "difference": shift.counted_cash - expected if closed else None,
        "sales_count": sales["sales_count"],
        "voids_count": sales["voids_count"],
        "gross_total": sales["total"] + sales["discount_total"],
        "discount_total": sales["discount_total"],
        "tax_total": sales["tax_total"],
        "refunds_total": refunds["refunds_total"],
        "net_total": sales["total"] - refunds["refunds_total"],
        "by_payment_method": {
            method: by_method.get(method, ZERO) for method in PaymentMethod.values
        },
    }
