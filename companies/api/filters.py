from config.api.filters import FilterSet, IdFilter

from ..models import Location, Register


class LocationFilter(FilterSet):
    class Meta:
        model = Location
        fields = ["kind", "is_active"]


class RegisterFilter(FilterSet):
    location = IdFilter(field_name="location_id")

    class Meta:
        model = Register
        fields = ["location", "is_active"]
