import io

from django.conf import settings
from django.http import HttpResponse
from drf_spectacular.types import OpenApiTypes
from drf_spectacular.utils import OpenApiResponse, extend_schema, extend_schema_view
from drf_standardized_errors.openapi_validation_errors import extend_validation_errors
from rest_framework import status
from rest_framework.decorators import action
from rest_framework.parsers import MultiPartParser
from rest_framework.response import Response

from config.api.errors import DomainError
from config.api.permissions import crud_permissions
from config.api.schema import conflict_response
from config.api.viewsets import CompanyCrudDeleteViewSet

from .. import permissions as perms
from .. import services
from ..csv_format import COLUMNS, FILE_ERROR_CODES, ROW_ERROR_CODES, write_products
from ..models import Category, Customer, Product, TaxRate
from ..selectors import SCAN_CODES, products_by_code
from .filters import CustomerFilter, ProductFilter
from .serializers import (
    CategorySerializer,
    CustomerSerializer,
    ProductImportResultSerializer,
    ProductImportSerializer,
    ProductSerializer,
    TaxRateSerializer,
)


@extend_schema_view(
    destroy=extend_schema(responses={204: None, 409: conflict_response("tax_rate_in_use")})
)
@extend_schema(tags=["tax-rates"])
class TaxRateViewSet(CompanyCrudDeleteViewSet):
    queryset = TaxRate.objects.all()
    serializer_class = TaxRateSerializer
    permissions_by_action = crud_permissions(
        view=perms.VIEW_TAXRATE,
        add=perms.ADD_TAXRATE,
        change=perms.CHANGE_TAXRATE,
        delete=perms.DELETE_TAXRATE,
    )

    def perform_destroy(self, instance):
        services.tax_rate_delete(actor=self.request.membership, tax_rate=instance)


@extend_validation_errors(["category_cycle"], field_name="parent", methods=["patch"])
@extend_schema_view(
    destroy=extend_schema(responses={204: None, 409: conflict_response("category_in_use")})
)
@extend_schema(tags=["categories"])
class CategoryViewSet(CompanyCrudDeleteViewSet):
    queryset = Category.objects.all()
    serializer_class = CategorySerializer
    permissions_by_action = crud_permissions(
        view=perms.VIEW_CATEGORY,
        add=perms.ADD_CATEGORY,
        change=perms.CHANGE_CATEGORY,
        delete=perms.DELETE_CATEGORY,
    )

    def perform_update(self, serializer):
        serializer.instance = services.category_update(
            actor=self.request.membership,
            category=serializer.instance,
            changes=serializer.validated_data,
        )

    def perform_destroy(self, instance):
        services.category_delete(actor=self.request.membership, category=instance)


def _import_errors(viewset):
    """The import's 400s beyond its serializer's: the file's, and each row's (`rows.<line>`,
    `rows.<line>.<column>`)."""
    fields = {
        "file": ["file_too_large", *FILE_ERROR_CODES],
        "rows.INDEX": ["invalid"],
        **{f"rows.INDEX.{column}": list(ROW_ERROR_CODES) for column in COLUMNS},
    }
    for field_name, codes in fields.items():
        viewset = extend_validation_errors(codes, field_name=field_name, actions=["import_csv"])(
            viewset
        )
    return viewset


def _scan(query_params) -> tuple[str, str] | None:
    """`?barcode=X` or `?sku=X` alone, with X as the list's filter would take it (no
    surrounding space, no NUL): the register's scan, answered without building the filters.
    Anything else goes through them, with their validation."""
    if len(query_params) != 1:
        return None
    [(field, values)] = query_params.lists()
    if field not in SCAN_CODES or len(values) != 1:
        return None
    [code] = values
    if not code or code != code.strip() or "\x00" in code:
        return None
    return field, code


@_import_errors
@extend_validation_errors(
    ["whole_quantity"], field_name="reorder_point", actions=["create", "update", "partial_update"]
)
@extend_schema_view(
    destroy=extend_schema(responses={204: None, 409: conflict_response("product_in_use")})
)
@extend_schema(tags=["products"])
class ProductViewSet(CompanyCrudDeleteViewSet):
    queryset = Product.objects.all()
    serializer_class = ProductSerializer
    filterset_class = ProductFilter
    permissions_by_action = {
        **crud_permissions(
            view=perms.VIEW_PRODUCT,
            add=perms.ADD_PRODUCT,
            change=perms.CHANGE_PRODUCT,
            delete=perms.DELETE_PRODUCT,
        ),
        "import_csv": (perms.ADD_PRODUCT, perms.CHANGE_PRODUCT),
        "export_csv": perms.VIEW_PRODUCT,
    }

    def list(self, request, *args, **kwargs):
        scan = _scan(request.query_params)
        if scan is None:
            return super().list(request, *args, **kwargs)
        field, code = scan
        page = self.paginate_queryset(
            products_by_code(company=request.company, field=field, code=code)
        )
        return self.get_paginated_response(self.get_serializer(page, many=True).data)

    def perform_create(self, serializer):
        serializer.instance = services.product_create(
            actor=self.request.membership, data=serializer.validated_data
        )

    def perform_update(self, serializer):
        serializer.instance = services.product_update(
            actor=self.request.membership,
            product=serializer.instance,
            changes=serializer.validated_data,
        )

    def perform_destroy(self, instance):
        services.product_delete(actor=self.request.membership, product=instance)

    @extend_schema(
        summary="Upsert products by SKU from a CSV file (all or nothing)",
        request={"multipart/form-data": ProductImportSerializer},
        responses={200: ProductImportResultSerializer},
    )
    @action(
        detail=False,
        methods=["post"],
        url_path="import",
        parser_classes=[MultiPartParser],
        filter_backends=[],
        pagination_class=None,
    )
    def import_csv(self, request):
        serializer = ProductImportSerializer(data=request.data)
        serializer.is_valid(raise_exception=True)
        upload = serializer.validated_data["file"]
        if upload.size > settings.IMPORT_MAX_BYTES:
            raise DomainError("file_too_large", "The file is too large.", status=400, attr="file")
        result = services.products_import(
            company=request.company, user=request.user, raw=upload.read()
        )
        return Response(ProductImportResultSerializer(result).data, status=status.HTTP_200_OK)

    @extend_schema(
        summary="Every product as CSV, in the import's columns",
        responses={(200, "text/csv"): OpenApiResponse(response=OpenApiTypes.STR)},
        filters=False,
    )
    @action(
        detail=False, methods=["get"], url_path="export", filter_backends=[], pagination_class=None
    )
    def export_csv(self, request):
        products = self.get_queryset().select_related("category", "tax_rate").order_by("sku")
        out = io.StringIO()
        write_products(products.iterator(chunk_size=2000), request.company.currency, out)
        response = HttpResponse(out.getvalue(), content_type="text/csv; charset=utf-8")
        response["Content-Disposition"] = 'attachment; filename="products.csv"'
        return response


@extend_schema_view(
    destroy=extend_schema(responses={204: None, 409: conflict_response("customer_in_use")})
)
@extend_schema(tags=["customers"])
class CustomerViewSet(CompanyCrudDeleteViewSet):
    queryset = Customer.objects.all()
    serializer_class = CustomerSerializer
    filterset_class = CustomerFilter
    permissions_by_action = crud_permissions(
        view=perms.VIEW_CUSTOMER,
        add=perms.ADD_CUSTOMER,
        change=perms.CHANGE_CUSTOMER,
        delete=perms.DELETE_CUSTOMER,
    )

    def perform_destroy(self, instance):
        services.customer_delete(actor=self.request.membership, customer=instance)
