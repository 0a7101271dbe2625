from django.contrib import admin
from django.utils.html import format_html_join

from config.backoffice.options import VIEW_ONLY, CompanyScopedAdmin, ReadOnlyInline

from .api.views import SaleViewSet, ShiftViewSet
from .models import CashMovement, Payment, Refund, RefundLine, Sale, SaleLine, Shift
from .selectors import shift_report


class SaleLineInline(ReadOnlyInline):
    model = SaleLine
    fields = [
        "product",
        "name",
        "quantity",
        "unit_price",
        "discount_amount",
        "tax_rate",
        "tax_amount",
        "total",
        "unit_cost",
        "refunded_quantity",
    ]
    readonly_fields = fields


class PaymentInline(ReadOnlyInline):
    model = Payment
    fields = ["method", "amount", "reference"]
    readonly_fields = fields


class RefundInline(ReadOnlyInline):
    model = Refund
    fields = ["created_at", "method", "total", "restock", "reason", "user"]
    readonly_fields = fields
    show_change_link = True


class SalesDocumentAdmin(CompanyScopedAdmin):
    """Sales, refunds and shifts change only through the API's services (the registers)."""

    api_actions = VIEW_ONLY


@admin.register(Sale)
class SaleAdmin(SalesDocumentAdmin):
    api_viewset = SaleViewSet
    list_display = [
        "receipt_number",
        "created_at",
        "register",
        "cashier",
        "status",
        "total",
        "refunded_total",
    ]
    list_filter = ["status", "register"]
    search_fields = ["receipt_number", "note"]
    list_select_related = ["register", "cashier"]
    date_hierarchy = "created_at"
    inlines = [SaleLineInline, PaymentInline, RefundInline]


class RefundLineInline(ReadOnlyInline):
    model = RefundLine
    fields = ["sale_line", "product", "quantity", "total"]
    readonly_fields = fields


@admin.register(Refund)
class RefundAdmin(SalesDocumentAdmin):
    """Refunds are read with their sales in the API: the same permission."""

    api_viewset = SaleViewSet
    list_display = ["id", "sale", "created_at", "method", "total", "restock", "user"]
    list_filter = ["method", "restock"]
    list_select_related = ["sale", "user"]
    inlines = [RefundLineInline]


class CashMovementInline(ReadOnlyInline):
    model = CashMovement
    fields = ["created_at", "kind", "amount", "reason", "user"]
    readonly_fields = fields


@admin.register(Shift)
class ShiftAdmin(SalesDocumentAdmin):
    api_viewset = ShiftViewSet
    list_display = [
        "id",
        "register",
        "status",
        "opened_by",
        "opened_at",
        "closed_at",
        "expected_cash",
        "counted_cash",
        "difference",
    ]
    list_filter = ["status", "register"]
    list_select_related = ["register", "opened_by"]
    inlines = [CashMovementInline]
    readonly_fields = ["report"]

    @admin.display(description="X / Z report")
    def report(self, shift):
        rows = shift_report(shift=shift)
        return format_html_join(
            "\n",
            "<div><strong>{}</strong>: {}</div>",
            ((key, value) for key, value in rows.items()),
        )
