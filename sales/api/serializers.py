from decimal import Decimal

from django.conf import settings
from rest_framework import serializers

from catalog.models import Customer
from companies.models import Register
from config.api.fields import (
    BooleanField,
    CharField,
    IdField,
    MoneyField,
    PercentField,
    QuantityField,
)
from config.api.serializers import CompanyPrimaryKeyRelatedField, ModelSerializer, Serializer

from ..models import CashMovement, Payment, PaymentMethod, Refund, RefundLine, Sale, SaleLine, Shift
from ..services import PaymentRequest, RefundLineRequest, SaleLineRequest

MAX_PAYMENTS = 20


def register_field():
    return CompanyPrimaryKeyRelatedField(queryset=Register.objects.all())


class ShiftOpenSerializer(Serializer):
    register = register_field()
    opening_cash = MoneyField()


class ShiftSerializer(ModelSerializer):
    opening_cash = MoneyField(read_only=True)
    # Null while the shift is open.
    counted_cash = MoneyField(read_only=True, allow_null=True)
    expected_cash = MoneyField(read_only=True, allow_null=True)
    difference = MoneyField(read_only=True, allow_null=True, min_value=None)

    class Meta:
        model = Shift
        fields = [
            "id",
            "register",
            "status",
            "opened_by",
            "opened_at",
            "opening_cash",
            "closed_by",
            "closed_at",
            "counted_cash",
            "expected_cash",
            "difference",
        ]
        read_only_fields = fields


class CashMovementSerializer(ModelSerializer):
    amount = MoneyField(min_value=Decimal("0.01"))
    reason = CharField(max_length=200)

    class Meta:
        model = CashMovement
        fields = ["id", "shift", "kind", "amount", "reason", "user", "created_at"]
        read_only_fields = ["id", "shift", "user", "created_at"]


class ShiftCloseSerializer(Serializer):
    counted_cash = MoneyField()


class ShiftReportSerializer(Serializer):
    shift = serializers.IntegerField()
    register = serializers.IntegerField()
    status = serializers.ChoiceField(choices=Shift.Status.choices)
    opened_at = serializers.DateTimeField()
    closed_at = serializers.DateTimeField(allow_null=True)
    opening_cash = MoneyField()
    cash_in = MoneyField()
    cash_out = MoneyField()
    cash_sales = MoneyField(min_value=None)
    cash_refunds = MoneyField()
    expected_cash = MoneyField(min_value=None)
    counted_cash = MoneyField(allow_null=True)
    difference = MoneyField(allow_null=True, min_value=None)
    sales_count = serializers.IntegerField()
    voids_count = serializers.IntegerField()
    gross_total = MoneyField()
    discount_total = MoneyField()
    tax_total = MoneyField()
    refunds_total = MoneyField()
    net_total = MoneyField(min_value=None)
    by_payment_method = serializers.DictField(child=MoneyField(min_value=None))


class SaleLineInputSerializer(Serializer):
    product = IdField()
    quantity = QuantityField(min_value=Decimal("0.001"))
    unit_price = MoneyField(
        required=False,
        allow_null=True,
        help_text="Null or absent: the catalog price. Any other value is a price override.",
    )
    discount_percent = PercentField(required=False, default=Decimal("0"))


class PaymentInputSerializer(Serializer):
    method = serializers.ChoiceField(choices=PaymentMethod.choices)
    amount = MoneyField(min_value=Decimal("0.01"))
    reference = CharField(max_length=100, required=False, allow_blank=True, default="")


class SaleInputSerializer(Serializer):
    register = register_field()
    customer = CompanyPrimaryKeyRelatedField(
        queryset=Customer.objects.all(), required=False, allow_null=True, default=None
    )
    note = CharField(max_length=500, required=False, allow_blank=True, default="")
    lines = serializers.ListField(
        child=SaleLineInputSerializer(), min_length=1, max_length=settings.DOCUMENT_MAX_LINES
    )
    discount_percent = PercentField(required=False, default=Decimal("0"))
    payments = serializers.ListField(
        child=PaymentInputSerializer(), required=False, default=list, max_length=MAX_PAYMENTS
    )

    def service_arguments(self) -> dict:
        data = self.validated_data
        return {
            "register": data["register"],
            "customer": data["customer"],
            "note": data["note"],
            "discount_percent": data["discount_percent"],
            "lines": [
                SaleLineRequest(
                    product_id=line["product"],
                    quantity=line["quantity"],
                    unit_price=line.get("unit_price"),
                    discount_percent=line["discount_percent"],
                )
                for line in data["lines"]
            ],
            "payments": [PaymentRequest(**payment) for payment in data["payments"]],
        }


class SaleLineSerializer(ModelSerializer):
    unit_price = MoneyField()
    discount_amount = MoneyField()
    tax_amount = MoneyField()
    total = MoneyField()
    refunded_quantity = QuantityField()

    class Meta:
        model = SaleLine
        fields = [
            "id",
            "product",
            "name",
            "quantity",
            "unit_price",
            "discount_percent",
            "discount_amount",
            "tax_rate",
            "tax_amount",
            "total",
            "refunded_quantity",
        ]
        read_only_fields = fields


class PaymentSerializer(ModelSerializer):
    amount = MoneyField()

    class Meta:
        model = Payment
        fields = ["id", "method", "amount", "reference"]
        read_only_fields = fields


class RefundSummarySerializer(ModelSerializer):
    total = MoneyField()

    class Meta:
        model = Refund
        fields = ["id", "total", "method", "created_at"]
        read_only_fields = fields


class SaleSerializer(ModelSerializer):
    lines = SaleLineSerializer(many=True, read_only=True)
    payments = PaymentSerializer(many=True, read_only=True)
    refunds = RefundSummarySerializer(many=True, read_only=True)
    subtotal = MoneyField()
    discount_total = MoneyField()
    tax_total = MoneyField()
    total = MoneyField()
    paid_total = MoneyField()
    change = MoneyField()
    refunded_total = MoneyField()

    class Meta:
        model = Sale
        fields = [
            "id",
            "receipt_number",
            "receipt_sequence",
            "status",
            "register",
            "shift",
            "cashier",
            "customer",
            "note",
            "created_at",
            "lines",
            "discount_percent",
            "subtotal",
            "discount_total",
            "tax_total",
            "total",
            "paid_total",
            "change",
            "payments",
            "refunded_total",
            "refunds",
            "voided_at",
            "voided_by",
            "void_reason",
        ]
        read_only_fields = fields


class VoidSerializer(Serializer):
    reason = CharField(max_length=200)


class RefundLineInputSerializer(Serializer):
    sale_line = IdField()
    quantity = QuantityField(min_value=Decimal("0.001"))


class RefundInputSerializer(Serializer):
    register = register_field()
    reason = CharField(max_length=200)
    restock = BooleanField(default=True)
    method = serializers.ChoiceField(choices=PaymentMethod.choices)
    lines = serializers.ListField(
        child=RefundLineInputSerializer(), min_length=1, max_length=settings.DOCUMENT_MAX_LINES
    )

    def service_arguments(self) -> dict:
        data = self.validated_data
        return {
            "register": data["register"],
            "reason": data["reason"],
            "restock": data["restock"],
            "method": data["method"],
            "lines": [
                RefundLineRequest(sale_line_id=line["sale_line"], quantity=line["quantity"])
                for line in data["lines"]
            ],
        }


class RefundLineSerializer(ModelSerializer):
    total = MoneyField()

    class Meta:
        model = RefundLine
        fields = ["sale_line", "product", "quantity", "total"]
        read_only_fields = fields


class RefundSerializer(ModelSerializer):
    lines = RefundLineSerializer(many=True, read_only=True)
    total = MoneyField()

    class Meta:
        model = Refund
        fields = [
            "id",
            "sale",
            "register",
            "shift",
            "user",
            "reason",
            "lines",
            "total",
            "method",
            "restock",
            "created_at",
        ]
        read_only_fields = fields
