import django_filters

from ..models import Location, Register


class LocationFilter(django_filters.FilterSet):
    class Meta:
        model = Location
        fields = ["kind", "is_active"]


class RegisterFilter(django_filters.FilterSet):
    # A plain number, so another company's id filters to nothing instead of being looked up.
    location = django_filters.NumberFilter(field_name="location_id")

    class Meta:
        model = Register
        fields = ["location", "is_active"]
