import django_filters

from config.api.filters import DayFilter, FilterSet, IdFilter, StrictBooleanFilter

from ..models import StockLevel, StockMovement
from ..selectors import low_stock


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
        return low_stock(queryset, self.request.company, low=value)


class StockMovementFilter(FilterSet):
    product = IdFilter(field_name="product_id")
    location = IdFilter(field_name="location_id")
    kind = django_filters.ChoiceFilter(choices=StockMovement.Kind.choices)
    to = DayFilter(field_name="created_at", bound="to")

    class Meta:
        model = StockMovement
        fields = ["product", "location", "kind"]


StockMovementFilter.base_filters["from"] = DayFilter(field_name="created_at", bound="from")
