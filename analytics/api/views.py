import zoneinfo

import django_filters
from drf_spectacular.utils import extend_schema
from rest_framework import mixins
from rest_framework.decorators import action
from rest_framework.response import Response

from config.api.filters import FilterSet
from config.api.schema import conflict_response
from config.api.viewsets import CompanyAPIView, CompanyScopedViewSet

from .. import permissions as perms
from .. import selectors, services
from ..models import Alert
from .serializers import (
    AlertRunSerializer,
    AlertSerializer,
    SalesReportQuerySerializer,
    SalesReportSerializer,
    ValuationQuerySerializer,
    ValuationSerializer,
)


class ReportView(CompanyAPIView):
    """A report read from query parameters, validated by `query_serializer_class`."""

    permissions_by_action = {"get": perms.VIEW_REPORTS}
    query_serializer_class: type

    def query(self, request):
        context = {"timezone": zoneinfo.ZoneInfo(request.company.timezone)}
        serializer = self.query_serializer_class(data=request.query_params, context=context)
        serializer.is_valid(raise_exception=True)
        return serializer.validated_data


class SalesReportView(ReportView):
    query_serializer_class = SalesReportQuerySerializer

    @extend_schema(
        tags=["reports"],
        summary="Sales by day, hour, product, category, cashier, payment method or register",
        parameters=[SalesReportQuerySerializer],
        responses=SalesReportSerializer,
    )
    def get(self, request):
        query = self.query(request)
        report = selectors.sales_report(
            company=request.company,
            day_from=query["from"],
            day_to=query["to"],
            group_by=query["group_by"],
        )
        return Response(SalesReportSerializer(report, context={"request": request}).data)


class InventoryValuationView(ReportView):
    query_serializer_class = ValuationQuerySerializer

    @extend_schema(
        tags=["reports"],
        summary="Stock on hand at average cost",
        parameters=[ValuationQuerySerializer],
        responses=ValuationSerializer,
    )
    def get(self, request):
        query = self.query(request)
        report = selectors.inventory_valuation(
            company=request.company, location_id=query.get("location")
        )
        return Response(ValuationSerializer(report, context={"request": request}).data)


class AlertFilter(FilterSet):
    status = django_filters.ChoiceFilter(choices=Alert.Status.choices)
    kind = django_filters.ChoiceFilter(choices=Alert.Kind.choices)
    severity = django_filters.ChoiceFilter(choices=Alert.Severity.choices)

    class Meta:
        model = Alert
        fields = ["status", "kind", "severity"]


@extend_schema(tags=["alerts"])
class AlertViewSet(mixins.ListModelMixin, mixins.RetrieveModelMixin, CompanyScopedViewSet):
    queryset = Alert.objects.all()
    serializer_class = AlertSerializer
    filterset_class = AlertFilter
    permissions_by_action = {
        "list": perms.VIEW_ALERT,
        "retrieve": perms.VIEW_ALERT,
        "run": perms.ADD_ALERT,
        "resolve": perms.CHANGE_ALERT,
    }

    @extend_schema(summary="Run every alert rule now", request=None, responses=AlertRunSerializer)
    @action(detail=False, methods=["post"], filter_backends=[], pagination_class=None)
    def run(self, request):
        result = services.alerts_run(company=request.company)
        return Response(AlertRunSerializer(result).data)

    @extend_schema(
        summary="Mark an alert resolved",
        request=None,
        responses={200: AlertSerializer, 409: conflict_response("alert_resolved")},
    )
    @action(detail=True, methods=["post"], filter_backends=[])
    def resolve(self, request, pk=None):
        alert = services.alert_resolve(actor=request.membership, alert=self.get_object())
        return Response(AlertSerializer(alert).data)
