from django.contrib import admin

from .models import Category, Customer, Product, TaxRate


@admin.register(TaxRate)
class TaxRateAdmin(admin.ModelAdmin):
    list_display = ["id", "name", "rate", "company"]
    search_fields = ["name", "company__name"]
    list_select_related = ["company"]


@admin.register(Category)
class CategoryAdmin(admin.ModelAdmin):
    list_display = ["id", "name", "parent", "company"]
    search_fields = ["name", "company__name"]
    list_select_related = ["company", "parent"]
    raw_id_fields = ["parent"]


@admin.register(Product)
class ProductAdmin(admin.ModelAdmin):
    list_display = ["sku", "barcode", "name", "category", "tax_rate", "price", "cost", "is_active"]
    list_filter = ["is_active", "unit", "track_inventory", "category", "tax_rate"]
    search_fields = ["sku", "barcode", "name"]
    list_select_related = ["category", "tax_rate"]
    raw_id_fields = ["category", "tax_rate"]
    readonly_fields = ["created_at", "updated_at"]


@admin.register(Customer)
class CustomerAdmin(admin.ModelAdmin):
    list_display = ["id", "name", "email", "phone", "tax_id", "company"]
    search_fields = ["name", "email", "phone", "tax_id"]
    list_select_related = ["company"]
