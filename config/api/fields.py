"""Money and quantity fields: decimal strings, never floats, with explicit rounding rules."""

from decimal import Decimal

from rest_framework import serializers

from companies.currencies import MONEY_DECIMAL_PLACES, currency_decimals

MONEY_MAX_DIGITS = 14
QUANTITY_MAX_DIGITS = 12
QUANTITY_DECIMAL_PLACES = 3


def money_exponent(company) -> Decimal:
    return Decimal(1).scaleb(-currency_decimals(company.currency))


class MoneyField(serializers.DecimalField):
    """An amount in the company's currency: at most as many decimals as the currency has."""

    default_error_messages = {
        "currency_decimals": "{currency} amounts have at most {places} decimal places."
    }

    def __init__(self, **kwargs):
        kwargs.setdefault("min_value", Decimal("0"))
        super().__init__(max_digits=MONEY_MAX_DIGITS, decimal_places=MONEY_DECIMAL_PLACES, **kwargs)

    def to_internal_value(self, data):
        value = super().to_internal_value(data)
        company = self.context["request"].company
        exponent = money_exponent(company)
        if value != value.quantize(exponent):
            self.fail(
                "currency_decimals",
                currency=company.currency,
                places=currency_decimals(company.currency),
            )
        return value.quantize(Decimal("0.01"))

    def to_representation(self, value):
        request = self.context.get("request")
        company = getattr(request, "company", None)
        if company is None or value is None:
            return super().to_representation(value)
        return str(Decimal(value).quantize(money_exponent(company)))


class QuantityField(serializers.DecimalField):
    def __init__(self, **kwargs):
        super().__init__(
            max_digits=QUANTITY_MAX_DIGITS, decimal_places=QUANTITY_DECIMAL_PLACES, **kwargs
        )
