from decimal import Decimal

from rest_framework import serializers

from config.api.fields import MoneyField, PercentField, QuantityField
from config.api.serializers import CompanyModelSerializer

from ..models import WHOLE_QUANTITY, Category, Customer, Product, TaxRate, fits_unit


class TaxRateSerializer(CompanyModelSerializer):
    rate = PercentField(help_text="Percent, 0 to 100.")

    class Meta:
        model = TaxRate
        fields = ["id", "name", "rate"]


class CategorySerializer(CompanyModelSerializer):
    class Meta:
        model = Category
        fields = ["id", "name", "parent"]


class ProductSerializer(CompanyModelSerializer):
    price = MoneyField()
    cost = MoneyField(required=False)
    reorder_point = QuantityField(required=False, min_value=Decimal("0"))

    class Meta:
        model = Product
        fields = [
            "id",
            "sku",
            "barcode",
            "name",
            "category",
            "tax_rate",
            "price",
            "cost",
            "track_inventory",
            "is_active",
            "reorder_point",
            "unit",
        ]

    def validate(self, attrs):
        attrs = super().validate(attrs)
        if "unit" not in attrs and "reorder_point" not in attrs:
            return attrs
        unit = attrs.get("unit", getattr(self.instance, "unit", Product.Unit.UNIT))
        reorder_point = attrs.get("reorder_point", getattr(self.instance, "reorder_point", None))
        if reorder_point is not None and not fits_unit(unit, reorder_point):
            raise serializers.ValidationError(
                {"reorder_point": WHOLE_QUANTITY}, code="whole_quantity"
            )
        return attrs


class CustomerSerializer(CompanyModelSerializer):
    class Meta:
        model = Customer
        fields = ["id", "name", "email", "phone", "tax_id"]


class ProductImportSerializer(serializers.Serializer):
    file = serializers.FileField(help_text="CSV, UTF-8 (BOM allowed), comma or semicolon.")


class ProductImportResultSerializer(serializers.Serializer):
    created = serializers.IntegerField()
    updated = serializers.IntegerField()
