from decimal import Decimal

from django.conf import settings
from rest_framework import serializers

from catalog.models import Product
from companies.models import Location
from config.api.fields import CharField, MoneyField, QuantityField
from config.api.serializers import CompanyPrimaryKeyRelatedField, ModelSerializer

from ..models import StockDocument, StockLevel, StockMovement
from ..services import StockLine


def _product_field():
    return CompanyPrimaryKeyRelatedField(queryset=Product.objects.all())


def _location_field(**kwargs):
    return CompanyPrimaryKeyRelatedField(queryset=Location.objects.all(), **kwargs)


class LinesField(serializers.ListField):
    def __init__(self, child, **kwargs):
        super().__init__(
            child=child, min_length=1, max_length=settings.DOCUMENT_MAX_LINES, **kwargs
        )


class ReceiptLineSerializer(serializers.Serializer):
    product = _product_field()
    quantity = QuantityField(min_value=Decimal("0.001"))
    unit_cost = MoneyField(
        required=False, allow_null=True, help_text="Omitted or null: the current average cost."
    )


class ReceiptSerializer(serializers.Serializer):
    location = _location_field()
    supplier = CharField(max_length=200, required=False, allow_blank=True, default="")
    reference = CharField(max_length=100, required=False, allow_blank=True, default="")
    lines = LinesField(ReceiptLineSerializer())


class AdjustmentLineSerializer(serializers.Serializer):
    product = _product_field()
    quantity = QuantityField(nonzero=True, help_text="Signed: negative takes stock out. Not zero.")


class AdjustmentSerializer(serializers.Serializer):
    location = _location_field()
    reason = serializers.ChoiceField(choices=StockDocument.Reason.choices)
    note = CharField(required=False, allow_blank=True, default="", max_length=2000)
    lines = LinesField(AdjustmentLineSerializer())


class TransferLineSerializer(serializers.Serializer):
    product = _product_field()
    quantity = QuantityField(min_value=Decimal("0.001"))


class TransferSerializer(serializers.Serializer):
    from_location = _location_field()
    to_location = _location_field()
    lines = LinesField(TransferLineSerializer())


class CountLineSerializer(serializers.Serializer):
    product = _product_field()
    counted_quantity = QuantityField(min_value=Decimal("0"))


class CountSerializer(serializers.Serializer):
    location = _location_field()
    lines = LinesField(CountLineSerializer())


def stock_lines(lines: list[dict], quantity_field: str = "quantity") -> list[StockLine]:
    return [
        StockLine(
            product=line["product"],
            quantity=line[quantity_field],
            unit_cost=line.get("unit_cost"),
        )
        for line in lines
    ]


class MovementSerializer(ModelSerializer):
    class Meta:
        model = StockMovement
        fields = [
            "id",
            "product",
            "location",
            "kind",
            "quantity",
            "unit_cost",
            "balance_after",
            "reason",
            "user",
            "document_type",
            "document_id",
            "created_at",
        ]
        read_only_fields = fields


class DocumentLineSerializer(ModelSerializer):
    """A line of a document is the movement it made (a transfer line makes two)."""

    class Meta:
        model = StockMovement
        fields = ["id", "product", "location", "kind", "quantity", "unit_cost", "balance_after"]
        read_only_fields = fields


class DocumentSerializer(ModelSerializer):
    lines = DocumentLineSerializer(source="movements", many=True)

    class Meta:
        model = StockDocument
        fields = [
            "id",
            "kind",
            "location",
            "to_location",
            "supplier",
            "reference",
            "reason",
            "note",
            "user",
            "created_at",
            "lines",
        ]
        read_only_fields = fields
        # Only adjustments have a reason; the other documents answer "".
        extra_kwargs = {"reason": {"allow_blank": True}}


class StockLevelSerializer(ModelSerializer):
    reorder_point = QuantityField(source="product.reorder_point", read_only=True)

    class Meta:
        model = StockLevel
        fields = ["product", "location", "quantity", "unit_cost", "reorder_point"]
        read_only_fields = fields
