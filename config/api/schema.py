"""OpenAPI pieces for the error codes that DRF cannot infer (409 business conflicts, 422)."""

from functools import cache

from drf_spectacular.utils import OpenApiResponse
from drf_standardized_errors.openapi_serializers import ClientErrorEnum
from drf_standardized_errors.settings import package_settings
from rest_framework import serializers


class ClientErrorSerializer(serializers.Serializer):
    code = serializers.CharField()
    detail = serializers.CharField()
    attr = serializers.CharField(allow_null=True)


class ConflictErrorResponseSerializer(serializers.Serializer):
    type = serializers.ChoiceField(choices=ClientErrorEnum.choices)
    errors = ClientErrorSerializer(many=True)


class IdempotencyErrorResponseSerializer(ConflictErrorResponseSerializer):
    pass


class PayloadTooLargeErrorResponseSerializer(ConflictErrorResponseSerializer):
    pass


@cache
def error_response(description: str, *codes: str) -> OpenApiResponse:
    """A documented client error whose `code` is one of `codes` (one component per code set)."""
    name = "".join(part.capitalize() for code in codes for part in code.split("_"))
    # The suffix keeps drf-standardized-errors' enum hook from merging these code enums.
    suffix = package_settings.ERROR_COMPONENT_NAME_SUFFIX
    error = type(
        f"{name}{suffix}",
        (serializers.Serializer,),
        {
            "code": serializers.ChoiceField(choices=[(code, code) for code in codes]),
            "detail": serializers.CharField(),
            "attr": serializers.CharField(allow_null=True),
        },
    )
    response = type(
        f"{name}ErrorResponse",
        (serializers.Serializer,),
        {
            "type": serializers.ChoiceField(choices=ClientErrorEnum.choices),
            "errors": error(many=True),
        },
    )
    return OpenApiResponse(response=response, description=description)


def conflict_response(*codes: str) -> OpenApiResponse:
    return error_response("A business rule refused the request.", *codes)
