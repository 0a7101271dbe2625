from drf_spectacular.utils import extend_schema, extend_schema_view
from drf_standardized_errors.openapi_validation_errors import extend_validation_errors
from rest_framework import mixins, status
from rest_framework.response import Response

from config.api.schema import conflict_response
from config.api.viewsets import CompanyScopedViewSet
from config.idempotency import idempotent

from .. import permissions as perms
from .. import services
from ..models import StockLevel, StockMovement
from .filters import StockLevelFilter, StockMovementFilter
from .serializers import (
    AdjustmentSerializer,
    CountSerializer,
    DocumentSerializer,
    MovementSerializer,
    ReceiptSerializer,
    StockLevelSerializer,
    TransferSerializer,
    stock_lines,
)

STOCK_CONFLICTS = conflict_response("insufficient_stock", "idempotency_key_in_use")


@extend_schema(tags=["stock"])
class StockLevelViewSet(mixins.ListModelMixin, CompanyScopedViewSet):
    """Current levels; tracked products only."""

    queryset = StockLevel.objects.select_related("product").filter(product__track_inventory=True)
    serializer_class = StockLevelSerializer
    filterset_class = StockLevelFilter
    permissions_by_action = {"list": perms.VIEW_STOCKLEVEL}


@extend_schema(tags=["stock"])
class StockMovementViewSet(mixins.ListModelMixin, CompanyScopedViewSet):
    """The ledger, newest first."""

    queryset = StockMovement.objects.all()
    serializer_class = MovementSerializer
    filterset_class = StockMovementFilter
    permissions_by_action = {"list": perms.VIEW_STOCKMOVEMENT}


class StockDocumentViewSet(CompanyScopedViewSet):
    """POST-only document endpoints: each subclass names its `input_serializer` and `write`s
    the document through its service."""

    queryset = StockMovement.objects.none()
    serializer_class = DocumentSerializer
    http_method_names = ["post"]
    filter_backends = []
    pagination_class = None

    @idempotent
    def create(self, request):
        serializer = self.input_serializer(data=request.data, context=self.get_serializer_context())
        serializer.is_valid(raise_exception=True)
        document = self.write(request.membership, serializer.validated_data)
        return Response(DocumentSerializer(document).data, status=status.HTTP_201_CREATED)


def _document_schema(input_serializer, summary, *validation_codes):
    def decorate(view_class):
        view_class = extend_schema_view(
            create=extend_schema(
                summary=summary,
                request=input_serializer,
                responses={201: DocumentSerializer, 409: STOCK_CONFLICTS},
            )
        )(extend_schema(tags=["stock"])(view_class))
        for field, codes in validation_codes:
            view_class = extend_validation_errors(codes, field_name=field, methods=["post"])(
                view_class
            )
        return view_class

    return decorate


LINE_ERRORS = ("lines.INDEX.product", ["not_tracked"]), ("lines.INDEX.quantity", ["whole_quantity"])


@_document_schema(
    ReceiptSerializer, "Receive goods", ("location", ["location_inactive"]), *LINE_ERRORS
)
class ReceiptViewSet(StockDocumentViewSet):
    input_serializer = ReceiptSerializer
    permissions_by_action = {"create": perms.RECEIVE_STOCK}

    def write(self, membership, data):
        return services.stock_receive(
            actor=membership,
            location=data["location"],
            supplier=data["supplier"],
            reference=data["reference"],
            lines=stock_lines(data["lines"]),
        )


@_document_schema(
    AdjustmentSerializer,
    "Adjust stock (audited)",
    ("location", ["location_inactive"]),
    ("lines.INDEX.product", ["not_tracked"]),
    ("lines.INDEX.quantity", ["whole_quantity", "zero_quantity"]),
)
class AdjustmentViewSet(StockDocumentViewSet):
    input_serializer = AdjustmentSerializer
    permissions_by_action = {"create": perms.ADJUST_STOCK}

    def write(self, membership, data):
        return services.stock_adjust(
            actor=membership,
            location=data["location"],
            reason=data["reason"],
            note=data["note"],
            lines=stock_lines(data["lines"]),
        )


@_document_schema(
    TransferSerializer,
    "Move stock between two locations",
    ("to_location", ["same_location", "location_inactive"]),
    ("from_location", ["location_inactive"]),
    *LINE_ERRORS,
)
class TransferViewSet(StockDocumentViewSet):
    input_serializer = TransferSerializer
    permissions_by_action = {"create": perms.TRANSFER_STOCK}

    def write(self, membership, data):
        return services.stock_transfer(
            actor=membership,
            from_location=data["from_location"],
            to_location=data["to_location"],
            lines=stock_lines(data["lines"]),
        )


@_document_schema(
    CountSerializer,
    "Record a physical count (audited)",
    ("location", ["location_inactive"]),
    ("lines", ["duplicate_product"]),
    ("lines.INDEX.product", ["not_tracked"]),
    ("lines.INDEX.counted_quantity", ["whole_quantity"]),
)
class CountViewSet(StockDocumentViewSet):
    input_serializer = CountSerializer
    permissions_by_action = {"create": perms.COUNT_STOCK}

    def write(self, membership, data):
        return services.stock_count(
            actor=membership,
            location=data["location"],
            lines=stock_lines(data["lines"], quantity_field="counted_quantity"),
        )
