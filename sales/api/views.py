from drf_spectacular.utils import extend_schema, extend_schema_view
from drf_standardized_errors.openapi_validation_errors import extend_validation_errors
from rest_framework import mixins, status
from rest_framework.decorators import action
from rest_framework.response import Response

from config.api.schema import conflict_response
from config.api.viewsets import CompanyScopedViewSet
from config.idempotency import idempotent

from .. import permissions as perms
from .. import services
from ..models import Sale, Shift
from ..selectors import shift_report
from .filters import SaleFilter, ShiftFilter
from .serializers import (
    CashMovementSerializer,
    RefundInputSerializer,
    RefundSerializer,
    SaleInputSerializer,
    SaleSerializer,
    ShiftCloseSerializer,
    ShiftOpenSerializer,
    ShiftReportSerializer,
    ShiftSerializer,
    VoidSerializer,
)


class ReadViewSet(mixins.ListModelMixin, mixins.RetrieveModelMixin, CompanyScopedViewSet):
    http_method_names = ["get", "post", "head"]

    def initial(self, request, *args, **kwargs):
        super().initial(request, *args, **kwargs)
        # A detail action finds its object, or answers 404, before it reads the body.
        if self.detail and self.action != "retrieve":
            self.target = self.get_object()

    def render(self, serializer_class, instance, status_code=status.HTTP_200_OK):
        return Response(
            serializer_class(instance, context=self.get_serializer_context()).data,
            status=status_code,
        )

    def validated(self, serializer_class):
        serializer = serializer_class(data=self.request.data, context=self.get_serializer_context())
        serializer.is_valid(raise_exception=True)
        return serializer


@extend_schema_view(
    create=extend_schema(
        summary="Open a shift on a register",
        request=ShiftOpenSerializer,
        responses={201: ShiftSerializer, 409: conflict_response("shift_already_open")},
    )
)
@extend_validation_errors(["register_inactive"], field_name="register", methods=["post"])
@extend_schema(tags=["shifts"])
class ShiftViewSet(ReadViewSet):
    queryset = Shift.objects.all()
    serializer_class = ShiftSerializer
    filterset_class = ShiftFilter
    permissions_by_action = {
        "list": perms.VIEW_SHIFT,
        "retrieve": perms.VIEW_SHIFT,
        "report": perms.VIEW_SHIFT,
        "create": perms.MANAGE_SHIFT,
        "cash_movements": perms.MANAGE_SHIFT,
        "close": perms.MANAGE_SHIFT,
    }

    def create(self, request):
        data = self.validated(ShiftOpenSerializer).validated_data
        shift = services.shift_open(
            actor=request.membership, register=data["register"], opening_cash=data["opening_cash"]
        )
        return self.render(ShiftSerializer, shift, status.HTTP_201_CREATED)

    @extend_schema(
        summary="Pay cash in or out of the drawer",
        request=CashMovementSerializer,
        responses={201: CashMovementSerializer, 409: conflict_response("shift_closed")},
    )
    @action(detail=True, methods=["post"], url_path="cash-movements", filter_backends=[])
    def cash_movements(self, request, pk=None):
        data = self.validated(CashMovementSerializer).validated_data
        movement = services.shift_cash_movement(
            actor=request.membership,
            shift=self.target,
            kind=data["kind"],
            amount=data["amount"],
            reason=data["reason"],
        )
        return self.render(CashMovementSerializer, movement, status.HTTP_201_CREATED)

    @extend_schema(
        summary="The X report (open shift) or Z report (closed)", responses=ShiftReportSerializer
    )
    @action(detail=True, methods=["get"], filter_backends=[])
    def report(self, request, pk=None):
        return self.render(ShiftReportSerializer, shift_report(shift=self.target))

    @extend_schema(
        summary="Close the shift with the counted cash; answers the Z report",
        request=ShiftCloseSerializer,
        responses={200: ShiftReportSerializer, 409: conflict_response("shift_closed")},
    )
    @action(detail=True, methods=["post"], filter_backends=[])
    def close(self, request, pk=None):
        data = self.validated(ShiftCloseSerializer).validated_data
        report = services.shift_close(
            actor=request.membership, shift=self.target, counted_cash=data["counted_cash"]
        )
        return self.render(ShiftReportSerializer, report)


SALE_QUERYSET = Sale.objects.prefetch_related("lines", "payments", "refunds")


@extend_validation_errors(
    ["insufficient_payment", "overpayment"], field_name="payments", methods=["post"]
)
@extend_validation_errors(
    ["does_not_exist", "product_inactive"], field_name="lines.INDEX.product", methods=["post"]
)
@extend_validation_errors(["whole_quantity"], field_name="lines.INDEX.quantity", methods=["post"])
@extend_validation_errors(["register_inactive"], field_name="register", methods=["post"])
@extend_schema(tags=["sales"])
class SaleViewSet(ReadViewSet):
    queryset = SALE_QUERYSET
    serializer_class = SaleSerializer
    filterset_class = SaleFilter
    permissions_by_action = {
        "list": perms.VIEW_SALE,
        "retrieve": perms.VIEW_SALE,
        "create": perms.ADD_SALE,
        "void": perms.VOID_SALE,
        "refunds": perms.REFUND_SALE,
    }

    def get_queryset(self):
        # Void and refund lock and reread the sale they change: its lines, payments and
        # refunds would be read for nothing.
        queryset = super().get_queryset()
        return queryset.prefetch_related(None) if self.action in ("void", "refunds") else queryset

    @extend_schema(
        summary="Complete a sale: the server prices it, takes stock and numbers the receipt",
        request=SaleInputSerializer,
        responses={
            201: SaleSerializer,
            409: conflict_response("no_open_shift", "insufficient_stock", "idempotency_key_in_use"),
        },
    )
    @idempotent
    def create(self, request):
        serializer = self.validated(SaleInputSerializer)
        sale = services.sale_complete(actor=request.membership, **serializer.service_arguments())
        return self.render(SaleSerializer, sale, status.HTTP_201_CREATED)

    @extend_schema(
        summary="Void a sale of a still-open shift (restocks, audited)",
        request=VoidSerializer,
        responses={200: SaleSerializer, 409: conflict_response("sale_not_voidable")},
    )
    @action(detail=True, methods=["post"], filter_backends=[])
    def void(self, request, pk=None):
        data = self.validated(VoidSerializer).validated_data
        sale = services.sale_void(actor=request.membership, sale=self.target, reason=data["reason"])
        return self.render(SaleSerializer, SALE_QUERYSET.get(pk=sale.pk))

    @extend_schema(
        summary="Refund part or all of a sale, by line and quantity",
        request=RefundInputSerializer,
        responses={
            201: RefundSerializer,
            409: conflict_response(
                "refund_exceeds_sale",
                "sale_not_refundable",
                "no_open_shift",
                "idempotency_key_in_use",
            ),
        },
    )
    @action(detail=True, methods=["post"], filter_backends=[])
    @idempotent
    def refunds(self, request, pk=None):
        serializer = self.validated(RefundInputSerializer)
        refund = services.refund_create(
            actor=request.membership, sale=self.target, **serializer.service_arguments()
        )
        return self.render(RefundSerializer, refund, status.HTTP_201_CREATED)
