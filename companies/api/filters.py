import django_filters

from config.api.filters import IdFilter

from ..models import Location, Register


class LocationFilter(django_filters.FilterSet):
    class Meta:
        model = Location
        fields = ["kind", "is_active"]


class RegisterFilter(django_filters.FilterSet):
    location = IdFilter(field_name="location_id")

    class Meta:
        model = Register
        fields = ["location", "is_active"]
