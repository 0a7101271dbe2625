import django_filters

from config.api.filters import DayFilter, FilterSet, IdFilter

from ..models import Sale, Shift


class ShiftFilter(FilterSet):
    register = IdFilter(field_name="register_id")
    status = django_filters.ChoiceFilter(choices=Shift.Status.choices)

    class Meta:
        model = Shift
        fields = ["register", "status"]


class SaleFilter(FilterSet):
    register = IdFilter(field_name="register_id")
    cashier = IdFilter(field_name="cashier_id")
    shift = IdFilter(field_name="shift_id")
    status = django_filters.ChoiceFilter(choices=Sale.Status.choices)
    to = DayFilter(field_name="created_at", bound="to")

    class Meta:
        model = Sale
        fields = ["register", "cashier", "shift", "status"]


SaleFilter.base_filters["from"] = DayFilter(field_name="created_at", bound="from")
