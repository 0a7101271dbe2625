import django_filters
from django.db.models import Case, DecimalField, F, Value, When

from config.api.filters import DayFilter, FilterSet, IdFilter, StrictBooleanFilter

from ..models import StockLevel, StockMovement


class StockLevelFilter(FilterSet):
    product = IdFilter(field_name="product_id")
    location = IdFilter(field_name="location_id")
    below_reorder = StrictBooleanFilter(
        method="filter_below_reorder",
        help_text="At or below the product's reorder point (or the company's low-stock "
        "threshold when the product has none).",
    )

    class Meta:
        model = StockLevel
        fields = ["product", "location"]

    def filter_below_reorder(self, queryset, name, value):
        threshold = self.request.company.settings.low_stock_threshold
        reorder = Case(
            When(product__reorder_point__gt=0, then=F("product__reorder_point")),
            default=Value(threshold),
            output_field=DecimalField(max_digits=12, decimal_places=3),
        )
        annotated = queryset.annotate(effective_reorder_point=reorder)
        if value:
            return annotated.filter(quantity__lte=F("effective_reorder_point"))
        return annotated.filter(quantity__gt=F("effective_reorder_point"))


class StockMovementFilter(FilterSet):
    product = IdFilter(field_name="product_id")
    location = IdFilter(field_name="location_id")
    kind = django_filters.ChoiceFilter(choices=StockMovement.Kind.choices)
    to = DayFilter(field_name="created_at", bound="to")

    class Meta:
        model = StockMovement
        fields = ["product", "location", "kind"]


StockMovementFilter.base_filters["from"] = DayFilter(field_name="created_at", bound="from")
