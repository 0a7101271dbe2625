"""The base of every tenant API view: closed by default, scoped to the caller's company."""

from rest_framework import mixins, viewsets
from rest_framework.views import APIView

from .ids import ID_URL_PATTERN
from .permissions import ActionPermission


class CompanyAPIView(APIView):
    """A non-model endpoint of the caller's company. `permissions_by_action` keys are methods."""

    permission_classes = [ActionPermission]
    permissions_by_action: dict = {}
    http_method_names = ["get", "post", "patch", "delete", "head"]


class CompanyScopedViewSet(viewsets.GenericViewSet):
    """Every query is filtered by `request.company`; every create sets it.

    Subclasses set `queryset`, `serializer_class` and `permissions_by_action`
    ({action: code | ANY_MEMBER}); an undeclared action is refused.
    """

    permission_classes = [ActionPermission]
    permissions_by_action: dict = {}
    http_method_names = ["get", "post", "patch", "delete", "head"]
    lookup_value_regex = ID_URL_PATTERN

    def get_queryset(self):
        return super().get_queryset().filter(company=self.request.company)

    def perform_create(self, serializer):
        serializer.save(company=self.request.company)


class CompanyCrudViewSet(
    CompanyScopedViewSet,
    mixins.ListModelMixin,
    mixins.RetrieveModelMixin,
    mixins.CreateModelMixin,
    mixins.UpdateModelMixin,
):
    """List, retrieve, create and partial update (PATCH); PUT is not offered."""

    http_method_names = ["get", "post", "patch", "head"]


class CompanyCrudDeleteViewSet(CompanyCrudViewSet, mixins.DestroyModelMixin):
    """CompanyCrudViewSet plus DELETE."""

    http_method_names = ["get", "post", "patch", "delete", "head"]
