import zoneinfo
from functools import cache

from drf_spectacular.utils import extend_schema_field
from rest_framework import serializers

from config.api.fields import CharField, PercentField
from config.api.serializers import CompanyModelSerializer, ModelSerializer

from ..currencies import active_currency_codes
from ..models import CompanySettings, Location, Register


@cache
def _timezones() -> frozenset[str]:
    """IANA Area/Location zones, and UTC; not host aliases such as "localtime" or "Factory"."""
    zones = {
        name
        for name in zoneinfo.available_timezones()
        if "/" in name and not name.startswith(("posix/", "right/", "SystemV/"))
    }
    return frozenset(zones | {"UTC"})


@extend_schema_field({"type": "string", "enum": sorted(active_currency_codes())})
class CurrencyField(CharField):
    def __init__(self, **kwargs):
        kwargs.setdefault("min_length", 3)
        kwargs.setdefault("max_length", 3)
        kwargs.setdefault("trim_whitespace", False)  # an enum value, as the schema lists it
        kwargs.setdefault("help_text", "ISO 4217 code, e.g. MXN")
        super().__init__(**kwargs)

    def to_internal_value(self, data):
        code = super().to_internal_value(data)
        if code not in active_currency_codes():
            self.fail("invalid_currency", value=code)
        return code

    default_error_messages = {"invalid_currency": '"{value}" is not an ISO 4217 currency code.'}


@extend_schema_field({"type": "string", "enum": sorted(_timezones())})
class TimeZoneField(CharField):
    default_error_messages = {"invalid_timezone": '"{value}" is not an IANA time zone.'}

    def __init__(self, **kwargs):
        kwargs.setdefault("max_length", 64)
        kwargs.setdefault("trim_whitespace", False)  # an enum value, as the schema lists it
        kwargs.setdefault("help_text", "IANA time zone, e.g. America/Mexico_City")
        super().__init__(**kwargs)

    def to_internal_value(self, data):
        value = super().to_internal_value(data)
        if value not in _timezones():
            self.fail("invalid_timezone", value=value)
        return value


class SettingsSerializer(ModelSerializer):
    company_id = serializers.IntegerField(read_only=True)
    name = CharField(source="company.name", max_length=200)
    currency = CurrencyField(source="company.currency")
    timezone = TimeZoneField(source="company.timezone")
    max_discount_percent = PercentField(required=False)

    class Meta:
        model = CompanySettings
        fields = [
            "company_id",
            "name",
            "currency",
            "timezone",
            "prices_include_tax",
            "allow_negative_stock",
            "require_open_shift",
            "max_discount_percent",
            "receipt_header",
            "receipt_footer",
            "low_stock_threshold",
        ]

    def flat_changes(self) -> dict:
        """Validated input as {field: value}, company fields included, for the service."""
        data = dict(self.validated_data)
        data.update(data.pop("company", {}))
        return data


class LocationSerializer(CompanyModelSerializer):
    class Meta:
        model = Location
        fields = ["id", "name", "kind", "is_active"]


class RegisterSerializer(CompanyModelSerializer):
    receipt_prefix = CharField(
        max_length=12,
        required=False,
        validators=Register._meta.get_field("receipt_prefix").validators,
        help_text="Prefix of this register's receipt numbers; 'R<n>' when omitted.",
    )

    class Meta:
        model = Register
        fields = ["id", "name", "location", "receipt_prefix", "is_active"]
