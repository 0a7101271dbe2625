import django_filters
from django.db import connection
from django.db.models import Q

from config.api.filters import FilterSet, IdFilter

from ..models import Customer, Product
from ..selectors import category_with_descendants


def _contains(field: str) -> str:
    """Case-insensitive, and accent-insensitive on PostgreSQL ("cafe" finds "Café")."""
    return (
        f"{field}__unaccent__icontains"
        if connection.vendor == "postgresql"
        else f"{field}__icontains"
    )


class ProductFilter(FilterSet):
    barcode = django_filters.CharFilter(help_text="Exact barcode: the register's scan lookup.")
    sku = django_filters.CharFilter(help_text="Exact SKU.")
    category = IdFilter(
        method="filter_category", help_text="This category and all its subcategories."
    )
    search = django_filters.CharFilter(method="filter_search", help_text="Name, SKU or barcode.")
    tax_rate = IdFilter(field_name="tax_rate_id")
    ordering = django_filters.OrderingFilter(fields=["name", "sku", "price", "id"])

    class Meta:
        model = Product
        fields = ["barcode", "sku", "category", "is_active", "tax_rate", "unit"]

    def filter_category(self, queryset, name, value):
        ids = category_with_descendants(company=self.request.company, category_id=value)
        return queryset.filter(category_id__in=ids)

    def filter_search(self, queryset, name, value):
        return queryset.filter(
            Q(**{_contains("name"): value})
            | Q(**{_contains("sku"): value})
            | Q(barcode__icontains=value)
        )


class CustomerFilter(FilterSet):
    search = django_filters.CharFilter(
        method="filter_search", help_text="Name, e-mail, phone or tax id."
    )

    class Meta:
        model = Customer
        fields = ["tax_id", "email"]

    def filter_search(self, queryset, name, value):
        return queryset.filter(
            Q(**{_contains("name"): value})
            | Q(email__icontains=value)
            | Q(phone__icontains=value)
            | Q(tax_id__icontains=value)
        )
