from django.db import DatabaseError, connection
from drf_spectacular.utils import extend_schema, inline_serializer
from drf_standardized_errors.openapi_validation_errors import extend_validation_errors
from rest_framework import serializers, status
from rest_framework.exceptions import PermissionDenied
from rest_framework.permissions import AllowAny
from rest_framework.response import Response
from rest_framework.views import APIView

from config.api.fields import CharField
from config.api.permissions import ANY_MEMBER, crud_permissions
from config.api.schema import conflict_response, error_response
from config.api.throttling import BootstrapRateThrottle
from config.api.viewsets import CompanyAPIView, CompanyCrudViewSet
from config.version import VERSION

from .. import permissions as perms
from .. import services
from ..models import CompanySettings, Location, Register
from .bootstrap import (
    BOOTSTRAP_TOKEN_HEADER,
    BootstrapResponseSerializer,
    BootstrapSerializer,
    bootstrap_token_valid,
)
from .filters import LocationFilter, RegisterFilter
from .serializers import LocationSerializer, RegisterSerializer, SettingsSerializer

HealthSerializer = inline_serializer(
    "Health",
    {
        "status": serializers.ChoiceField(choices=["ok", "error"]),
        "database": serializers.ChoiceField(choices=["ok", "unavailable"]),
        "version": CharField(required=False),
    },
)


class HealthView(APIView):
    authentication_classes = []
    permission_classes = [AllowAny]
    throttle_classes = []

    @extend_schema(
        summary="Liveness and database check",
        responses={200: HealthSerializer, 503: HealthSerializer},
        auth=[],
    )
    def get(self, request):
        try:
            with connection.cursor() as cursor:
                cursor.execute("SELECT 1")
        except DatabaseError:
            return Response(
                {"status": "error", "database": "unavailable"},
                status=status.HTTP_503_SERVICE_UNAVAILABLE,
            )
        return Response({"status": "ok", "database": "ok", "version": VERSION})


@extend_validation_errors(["invalid_password"], field_name="admin.password", methods=["post"])
class BootstrapView(APIView):
    authentication_classes = []
    permission_classes = [AllowAny]
    # Throttles run before the handler, so wrong bootstrap tokens count against the rate too.
    throttle_classes = [BootstrapRateThrottle]

    @extend_schema(
        summary="Create a company with its admin, roles, settings, a store and a register",
        request=BootstrapSerializer,
        responses={
            201: BootstrapResponseSerializer,
            403: error_response(
                f"{BOOTSTRAP_TOKEN_HEADER} is missing or wrong.", "permission_denied"
            ),
            409: conflict_response("user_exists"),
        },
        auth=[],
    )
    def post(self, request):
        if not bootstrap_token_valid(request):
            raise PermissionDenied(f"A valid {BOOTSTRAP_TOKEN_HEADER} is required.")
        serializer = BootstrapSerializer(data=request.data)
        serializer.is_valid(raise_exception=True)
        result = services.company_bootstrap(**serializer.service_arguments())
        return Response(BootstrapResponseSerializer(result).data, status=status.HTTP_201_CREATED)


class SettingsView(CompanyAPIView):
    permissions_by_action = {"get": ANY_MEMBER, "patch": perms.CHANGE_SETTINGS}

    def _settings(self) -> CompanySettings:
        settings = self.request.company.settings
        settings.company = self.request.company
        return settings

    @extend_schema(summary="The company's settings", responses=SettingsSerializer)
    def get(self, request):
        return Response(SettingsSerializer(self._settings()).data)

    @extend_schema(
        summary="Change some settings (audited)",
        request=SettingsSerializer,
        responses={
            200: SettingsSerializer,
            409: conflict_response("currency_locked", "currency_decimals"),
        },
    )
    def patch(self, request):
        serializer = SettingsSerializer(self._settings(), data=request.data, partial=True)
        serializer.is_valid(raise_exception=True)
        settings = services.settings_update(
            actor=request.membership, changes=serializer.flat_changes()
        )
        return Response(SettingsSerializer(settings).data)


@extend_schema(tags=["locations"])
class LocationViewSet(CompanyCrudViewSet):
    queryset = Location.objects.all()
    serializer_class = LocationSerializer
    permissions_by_action = crud_permissions(
        view=perms.VIEW_LOCATION, add=perms.ADD_LOCATION, change=perms.CHANGE_LOCATION
    )
    filterset_class = LocationFilter


@extend_validation_errors(["location_inactive"], field_name="location", methods=["post", "patch"])
@extend_schema(tags=["registers"])
class RegisterViewSet(CompanyCrudViewSet):
    queryset = Register.objects.all()
    serializer_class = RegisterSerializer
    permissions_by_action = crud_permissions(
        view=perms.VIEW_REGISTER, add=perms.ADD_REGISTER, change=perms.CHANGE_REGISTER
    )
    filterset_class = RegisterFilter

    def perform_create(self, serializer):
        data = serializer.validated_data
        serializer.instance = services.register_create(
            actor=self.request.membership,
            location=data["location"],
            name=data["name"],
            receipt_prefix=data.get("receipt_prefix", ""),
            is_active=data.get("is_active", True),
        )

    def perform_update(self, serializer):
        serializer.instance = services.register_update(
            actor=self.request.membership,
            register=serializer.instance,
            changes=serializer.validated_data,
        )
