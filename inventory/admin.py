from django.contrib import admin

from config.backoffice.options import VIEW_ONLY, CompanyScopedAdmin
from config.backoffice.tenancy import backoffice

from .api.views import StockLevelViewSet, StockMovementViewSet
from .models import StockDocument, StockLevel, StockMovement
from .selectors import low_stock


class LowStockFilter(admin.SimpleListFilter):
    """The low-stock list: at or below the reorder point (or the company's threshold)."""

    title = "stock"
    parameter_name = "low"

    def lookups(self, request, model_admin):
        return [("yes", "Low"), ("no", "Enough")]

    def queryset(self, request, queryset):
        if self.value() not in ("yes", "no"):
            return queryset
        return low_stock(queryset, backoffice(request).company, low=self.value() == "yes")


class StockAdmin(CompanyScopedAdmin):
    """Stock changes only through documents (the API's services), never by editing rows."""

    api_actions = VIEW_ONLY


@admin.register(StockLevel)
class StockLevelAdmin(StockAdmin):
    api_viewset = StockLevelViewSet
    list_display = ["product", "location", "quantity", "unit_cost", "company", "updated_at"]
    list_filter = [LowStockFilter, "location"]
    search_fields = ["product__sku", "product__name", "product__barcode"]
    list_select_related = ["product", "location", "company"]

    def get_list_filter(self, request):
        # Thresholds are per company: the low-stock filter needs one chosen.
        filters = super().get_list_filter(request)
        if backoffice(request).company is None:
            return [f for f in filters if f is not LowStockFilter]
        return filters


@admin.register(StockMovement)
class StockMovementAdmin(StockAdmin):
    api_viewset = StockMovementViewSet
    list_display = [
        "created_at",
        "kind",
        "product",
        "location",
        "quantity",
        "unit_cost",
        "balance_after",
        "user",
        "document_type",
        "document_id",
    ]
    list_filter = ["kind", "location"]
    search_fields = ["product__sku", "product__name", "reason"]
    list_select_related = ["product", "location", "user"]
    date_hierarchy = "created_at"


@admin.register(StockDocument)
class StockDocumentAdmin(StockAdmin):
    """Documents are the headers of the ledger's movements: seen by whoever sees the ledger."""

    api_viewset = StockMovementViewSet
    list_display = ["id", "kind", "location", "to_location", "reason", "user", "created_at"]
    list_filter = ["kind", "reason"]
    search_fields = ["supplier", "reference", "note"]
    list_select_related = ["location", "to_location", "user"]
