import datetime as dt

from django.utils import timezone
from rest_framework import serializers

from config.api.fields import FIRST_DAY, CharField, DayField, IdField, MoneyField, QuantityField
from config.api.serializers import ModelSerializer, QuerySerializer, RowSerializer

from ..models import Alert
from ..selectors import GROUPS

MAX_REPORT_DAYS = 1830  # five years


DEFAULT_REPORT_DAYS = 30


class _SalesReportQuery(QuerySerializer):
    to = DayField(
        required=False, help_text="Last day (company time zone), included; default today."
    )
    group_by = serializers.ChoiceField(choices=GROUPS, default="day")

    def validate(self, attrs):
        day_to = attrs.get("to") or timezone.localdate(timezone=self.context["timezone"])
        day_from = attrs.get("from") or max(
            day_to - dt.timedelta(days=DEFAULT_REPORT_DAYS - 1), FIRST_DAY
        )
        attrs["from"], attrs["to"] = day_from, day_to
        if day_to < day_from:
            raise serializers.ValidationError({"to": "Must not be before `from`."})
        if day_to - day_from > dt.timedelta(days=MAX_REPORT_DAYS):
            raise serializers.ValidationError({"to": f"At most {MAX_REPORT_DAYS} days per report."})
        return attrs


# `from` is a Python keyword, so the field is declared through type().
SalesReportQuerySerializer = type(
    "SalesReportQuerySerializer",
    (_SalesReportQuery,),
    {
        "from": DayField(
            required=False,
            help_text=f"First day (company time zone), included; default {DEFAULT_REPORT_DAYS}"
            " days up to `to`.",
        )
    },
)


class ReportTotalsSerializer(serializers.Serializer):
    sales_count = serializers.IntegerField()
    gross_total = MoneyField()
    discount_total = MoneyField()
    tax_total = MoneyField()
    refunds_total = MoneyField()
    net_total = MoneyField(min_value=None)
    average_ticket = MoneyField()


class ReportRowSerializer(RowSerializer):
    key = serializers.JSONField(help_text="The group: a day, an hour, an id, or a method.")
    label = CharField()
    sales_count = serializers.IntegerField()
    quantity = QuantityField(allow_null=True)
    gross_total = MoneyField(min_value=None)
    discount_total = MoneyField()
    tax_total = MoneyField()
    refunds_total = MoneyField()
    net_total = MoneyField(min_value=None)


class _SalesReport(serializers.Serializer):
    to = serializers.DateField()
    currency = CharField()
    group_by = CharField()
    totals = ReportTotalsSerializer()
    rows = ReportRowSerializer(many=True)


SalesReportSerializer = type(
    "SalesReportSerializer", (_SalesReport,), {"from": serializers.DateField()}
)


class ValuationQuerySerializer(QuerySerializer):
    location = IdField(required=False)


class ValuationRowSerializer(RowSerializer):
    product = serializers.IntegerField()
    location = serializers.IntegerField()
    quantity = QuantityField()
    unit_cost = MoneyField()
    value = MoneyField(min_value=None)


class ValuationSerializer(serializers.Serializer):
    currency = CharField()
    total_value = MoneyField(min_value=None)
    rows = ValuationRowSerializer(many=True)


class AlertSerializer(ModelSerializer):
    class Meta:
        model = Alert
        fields = [
            "id",
            "kind",
            "severity",
            "status",
            "title",
            "message",
            "subject_type",
            "subject_id",
            "data",
            "created_at",
            "resolved_at",
            "resolved_by",
        ]
        read_only_fields = fields


class AlertRunSerializer(serializers.Serializer):
    created = serializers.IntegerField()
    resolved = serializers.IntegerField()
