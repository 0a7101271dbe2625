from django import forms
from django.contrib import admin

from companies.currencies import currency_decimals
from config.api.fields import money_exponent
from config.backoffice.options import CompanyScopedAdmin, ReadOnlyInline
from inventory.models import StockLevel

from . import services
from .api.views import CategoryViewSet, CustomerViewSet, ProductViewSet, TaxRateViewSet
from .models import WHOLE_QUANTITY, Category, Customer, Product, TaxRate, fits_unit


@admin.register(TaxRate)
class TaxRateAdmin(CompanyScopedAdmin):
    api_viewset = TaxRateViewSet
    list_display = ["id", "name", "rate", "company"]
    search_fields = ["name"]
    list_select_related = ["company"]

    def delete_object(self, actor, obj):
        services.tax_rate_delete(actor=actor, tax_rate=obj)


@admin.register(Category)
class CategoryAdmin(CompanyScopedAdmin):
    api_viewset = CategoryViewSet
    list_display = ["id", "name", "parent", "company"]
    search_fields = ["name"]
    list_select_related = ["company", "parent"]

    def update_object(self, actor, obj, changes):
        return services.category_update(actor=actor, category=obj, changes=changes)

    def delete_object(self, actor, obj):
        services.category_delete(actor=actor, category=obj)


class ProductForm(forms.ModelForm):
    """The API's input rules: amounts in the currency's decimals, whole reorder points for
    products sold by the unit."""

    def clean(self):
        cleaned = super().clean()
        company = cleaned.get("company")
        if company is not None:
            exponent = money_exponent(company)
            places = currency_decimals(company.currency)
            for field in ("price", "cost"):
                value = cleaned.get(field)
                if value is not None and value != value.quantize(exponent):
                    self.add_error(
                        field, f"{company.currency} amounts have at most {places} decimal places."
                    )
        reorder_point = cleaned.get("reorder_point")
        unit = cleaned.get("unit")
        if reorder_point is not None and unit and not fits_unit(unit, reorder_point):
            self.add_error("reorder_point", WHOLE_QUANTITY)
        return cleaned


class StockLevelInline(ReadOnlyInline):
    model = StockLevel
    fields = ["location", "quantity", "unit_cost", "updated_at"]
    readonly_fields = fields
    verbose_name_plural = "stock per location"


@admin.register(Product)
class ProductAdmin(CompanyScopedAdmin):
    """Price and cost changes go through `product_update`, which audits them."""

    api_viewset = ProductViewSet
    form = ProductForm
    list_display = ["sku", "barcode", "name", "category", "tax_rate", "price", "cost", "is_active"]
    list_filter = ["is_active", "unit", "track_inventory", "category", "tax_rate"]
    search_fields = ["sku", "barcode", "name"]
    list_select_related = ["category", "tax_rate"]
    readonly_fields = ["created_at", "updated_at"]
    inlines = [StockLevelInline]

    def create_object(self, actor, values):
        return services.product_create(actor=actor, data=values)

    def update_object(self, actor, obj, changes):
        return services.product_update(actor=actor, product=obj, changes=changes)

    def delete_object(self, actor, obj):
        services.product_delete(actor=actor, product=obj)


@admin.register(Customer)
class CustomerAdmin(CompanyScopedAdmin):
    api_viewset = CustomerViewSet
    list_display = ["id", "name", "email", "phone", "tax_id", "company"]
    search_fields = ["name", "email", "phone", "tax_id"]
    list_select_related = ["company"]

    def delete_object(self, actor, obj):
        services.customer_delete(actor=actor, customer=obj)
