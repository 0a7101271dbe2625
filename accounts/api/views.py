from drf_spectacular.utils import extend_schema, extend_schema_view
from drf_standardized_errors.openapi_validation_errors import extend_validation_errors
from knox.settings import knox_settings
from rest_framework import mixins, status
from rest_framework.permissions import AllowAny
from rest_framework.response import Response
from rest_framework.views import APIView

from config.api.permissions import ANY_MEMBER, crud_permissions
from config.api.schema import conflict_response
from config.api.throttling import AuthRateThrottle
from config.api.viewsets import CompanyAPIView, CompanyCrudDeleteViewSet, CompanyScopedViewSet

from .. import permissions as perms
from .. import services
from ..models import AuditEvent, Membership, Role
from ..selectors import holdable_permissions
from .filters import AuditEventFilter
from .serializers import (
    AuditEventSerializer,
    MembershipCreateSerializer,
    MembershipSerializer,
    MeSerializer,
    PermissionSerializer,
    RoleSerializer,
    TokenRequestSerializer,
    TokenResponseSerializer,
)


@extend_validation_errors(["invalid_credentials"], field_name=None, methods=["post"])
class TokenView(APIView):
    authentication_classes = []
    permission_classes = [AllowAny]
    throttle_classes = [AuthRateThrottle]

    @extend_schema(
        summary="Exchange e-mail and password for a bearer token",
        request=TokenRequestSerializer,
        responses={200: TokenResponseSerializer},
        auth=[],
    )
    def post(self, request):
        serializer = TokenRequestSerializer(data=request.data)
        serializer.is_valid(raise_exception=True)
        user, token = services.token_issue(**serializer.validated_data)
        companies = [
            m.company for m in user.memberships.filter(is_active=True).select_related("company")
        ]
        return Response(
            TokenResponseSerializer(
                {
                    "token": token,
                    "user_id": user.pk,
                    "expires_in": int(knox_settings.TOKEN_TTL.total_seconds()),
                    "companies": companies,
                }
            ).data
        )


class MeView(CompanyAPIView):
    permissions_by_action = {"get": ANY_MEMBER}

    @extend_schema(
        summary="Who am I, in which company, with which permissions", responses=MeSerializer
    )
    def get(self, request):
        membership = request.membership
        data = {
            "user": request.user,
            "company": request.company,
            "roles": sorted(membership.roles.values_list("name", flat=True)),
            "permissions": sorted(membership.permission_codes),
        }
        return Response(MeSerializer(data).data)


@extend_schema(tags=["permissions"])
class PermissionViewSet(mixins.ListModelMixin, CompanyScopedViewSet):
    """Every permission code a role may hold (not company data: no company filter applies)."""

    serializer_class = PermissionSerializer
    permissions_by_action = {"list": ANY_MEMBER}
    filter_backends = []

    def get_queryset(self):
        return holdable_permissions()


ROLE_CONFLICTS = conflict_response("system_role", "role_in_use")
LAST_ADMIN = conflict_response("last_admin")


@extend_validation_errors(["does_not_exist"], field_name="permissions", methods=["post", "patch"])
@extend_schema_view(
    partial_update=extend_schema(responses={200: RoleSerializer, 409: ROLE_CONFLICTS}),
    destroy=extend_schema(responses={204: None, 409: ROLE_CONFLICTS}),
)
@extend_schema(tags=["roles"])
class RoleViewSet(CompanyCrudDeleteViewSet):
    queryset = Role.objects.prefetch_related("permissions__content_type")
    serializer_class = RoleSerializer
    permissions_by_action = crud_permissions(
        view=perms.VIEW_ROLE, add=perms.ADD_ROLE, change=perms.CHANGE_ROLE, delete=perms.DELETE_ROLE
    )

    def perform_create(self, serializer):
        serializer.instance = services.role_create(
            actor=self.request.membership,
            name=serializer.validated_data["name"],
            permission_codes=serializer.validated_data["permissions"],
        )

    def perform_update(self, serializer):
        data = serializer.validated_data
        serializer.instance = services.role_update(
            actor=self.request.membership,
            role=serializer.instance,
            name=data.get("name"),
            permission_codes=data.get("permissions"),
        )

    def perform_destroy(self, instance):
        services.role_delete(actor=self.request.membership, role=instance)


@extend_validation_errors(["invalid_password"], field_name="password", methods=["post"])
@extend_schema_view(
    partial_update=extend_schema(responses={200: MembershipSerializer, 409: LAST_ADMIN}),
    destroy=extend_schema(responses={204: None, 409: LAST_ADMIN}),
)
@extend_schema(tags=["users"])
class UserViewSet(CompanyCrudDeleteViewSet):
    """The company's members, addressed by user id. DELETE deactivates the membership."""

    queryset = Membership.objects.select_related("user").prefetch_related("roles")
    serializer_class = MembershipSerializer
    lookup_field = "user_id"
    lookup_url_kwarg = "id"
    permissions_by_action = crud_permissions(
        view=perms.VIEW_MEMBERSHIP,
        add=perms.ADD_MEMBERSHIP,
        change=perms.CHANGE_MEMBERSHIP,
        delete=perms.DELETE_MEMBERSHIP,
    )
    filterset_fields = ["is_active"]

    @extend_schema(
        request=MembershipCreateSerializer,
        responses={201: MembershipSerializer, 409: conflict_response("already_member")},
    )
    def create(self, request, *args, **kwargs):
        serializer = MembershipCreateSerializer(
            data=request.data, context=self.get_serializer_context()
        )
        serializer.is_valid(raise_exception=True)
        membership = services.membership_create(
            actor=request.membership, **serializer.validated_data
        )
        return Response(MembershipSerializer(membership).data, status=status.HTTP_201_CREATED)

    def perform_update(self, serializer):
        data = serializer.validated_data
        serializer.instance = services.membership_update(
            actor=self.request.membership,
            membership=serializer.instance,
            roles=data.get("roles"),
            is_active=data.get("is_active"),
        )

    def perform_destroy(self, instance):
        services.membership_deactivate(actor=self.request.membership, membership=instance)


@extend_schema(tags=["audit-events"])
class AuditEventViewSet(mixins.ListModelMixin, mixins.RetrieveModelMixin, CompanyScopedViewSet):
    queryset = AuditEvent.objects.all()
    serializer_class = AuditEventSerializer
    filterset_class = AuditEventFilter
    permissions_by_action = {"list": perms.VIEW_AUDITEVENT, "retrieve": perms.VIEW_AUDITEVENT}
