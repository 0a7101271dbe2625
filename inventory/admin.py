from django.contrib import admin

from .models import StockDocument, StockLevel, StockMovement


class ReadOnlyAdmin(admin.ModelAdmin):
    """Stock changes only through documents (the API's services), never by editing rows."""

    def has_add_permission(self, request):
        return False

    def has_change_permission(self, request, obj=None):
        return False

    def has_delete_permission(self, request, obj=None):
        return False


@admin.register(StockLevel)
class StockLevelAdmin(ReadOnlyAdmin):
    list_display = ["product", "location", "quantity", "unit_cost", "company", "updated_at"]
    list_filter = ["location"]
    search_fields = ["product__sku", "product__name", "product__barcode"]
    list_select_related = ["product", "location", "company"]


@admin.register(StockMovement)
class StockMovementAdmin(ReadOnlyAdmin):
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
class StockDocumentAdmin(ReadOnlyAdmin):
    list_display = ["id", "kind", "location", "to_location", "reason", "user", "created_at"]
    list_filter = ["kind", "reason"]
    search_fields = ["supplier", "reference", "note"]
    list_select_related = ["location", "to_location", "user"]
