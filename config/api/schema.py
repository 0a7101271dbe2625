"""OpenAPI pieces DRF cannot infer: business error codes (409, 422), the validation errors of
query serializers, multipart bodies and `Idempotency-Key`, and error `attr`s as answered."""

import re
from functools import cache

from django import forms
from drf_spectacular.extensions import OpenApiSerializerFieldExtension
from drf_spectacular.utils import OpenApiResponse
from drf_standardized_errors import openapi
from drf_standardized_errors.openapi_serializers import ClientErrorEnum
from drf_standardized_errors.openapi_utils import (
    get_flat_serializer_fields,
    get_serializer_fields_with_error_codes,
)
from drf_standardized_errors.settings import package_settings
from rest_framework import serializers
from rest_framework.settings import api_settings

from .fields import TEXT_CHAR, CharField, DecimalField, EmailField
from .filters import refuses_empty


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


class AutoSchema(openapi.AutoSchema):
    """Also lists the 400s a view raises from a `query_serializer_class` (GET), from a request
    given by media type (`{"multipart/form-data": Serializer}`) and from `@idempotent`."""

    def _query_serializer(self):
        return getattr(self.view, "query_serializer_class", None) if self.method == "GET" else None

    def _media_type_serializers(self) -> list:
        request = self.get_request_serializer() if self.method in ("PUT", "PATCH", "POST") else None
        return list(request.values()) if isinstance(request, dict) else []

    def _should_add_validation_error_response(self) -> bool:
        return bool(
            super()._should_add_validation_error_response()
            or self._query_serializer()
            or self._media_type_serializers()
        )

    def _determine_fields_with_error_codes(self):
        by_media_type = self._media_type_serializers()
        # The base class reads one request serializer, not a dict of them.
        fields = [] if by_media_type else super()._determine_fields_with_error_codes()
        for serializer in [self._query_serializer(), *by_media_type]:
            if serializer is not None:
                flat = get_flat_serializer_fields(serializer)
                fields.extend(get_serializer_fields_with_error_codes(flat))
        if self.method == "GET":
            for data_field in fields:
                if self._refuses_empty(data_field.name, data_field.field):
                    data_field.error_codes.add("blank")
        return fields

    def _refuses_empty(self, name: str, field) -> bool:
        """As config.api.filters.FilterSet and QuerySerializer answer an empty value."""
        if isinstance(field, forms.Field):
            filters = getattr(getattr(self.view, "filterset_class", None), "base_filters", {})
            return name not in filters or refuses_empty(filters[name])
        return not getattr(field, "allow_blank", False)

    def _insert_field_validators(self, field, schema):
        # A trimmed text field's pattern already holds its length bounds (after trimming).
        if isinstance(field, CharField) and field.trim_whitespace and field.text_pattern():
            return
        super()._insert_field_validators(field, schema)

    def _get_extra_validation_errors(self):
        errors = super()._get_extra_validation_errors()
        handler = getattr(self.view, getattr(self.view, "action", None) or self.method.lower())
        if getattr(handler, "idempotent", False):
            key = api_settings.NON_FIELD_ERRORS_KEY
            errors[key] = {*errors.get(key, ()), "invalid_idempotency_key"}
        paginator = self._get_paginator() if self.method == "GET" else None
        if paginator is not None and self._is_list_view():
            for name in (paginator.page_query_param, paginator.page_size_query_param):
                errors[name] = {*errors.get(name, ()), "invalid"}
        return errors


def _attr_schema(attr: str) -> dict:
    """The `attr` an error on field `attr` (as drf-standardized-errors names it) is answered
    with: null for the body as a whole, the object's path for a nested object as a whole, and
    list indexes as digits."""
    key = api_settings.NON_FIELD_ERRORS_KEY
    if attr == key:
        return {"type": "string", "nullable": True, "enum": [None]}
    attr = attr.removesuffix(f".{key}")
    index = package_settings.LIST_INDEX_IN_API_SCHEMA
    parts = attr.split(".")
    if index not in parts:
        return {"type": "string", "enum": [attr]}
    pattern = r"\.".join("[0-9]+" if part == index else re.escape(part) for part in parts)
    return {"type": "string", "pattern": f"^{pattern}$"}


def postprocess_error_attrs(result, generator, request, public):
    """Error components' `attr` as the server answers it (see `_attr_schema`). The `attr`
    discriminators go (a pattern or null can't be a mapping key), and their oneOf becomes anyOf:
    a nested object's own errors and its non-field errors now share one `attr`."""
    schemas = result.get("components", {}).get("schemas", {})
    suffix = package_settings.ERROR_COMPONENT_NAME_SUFFIX
    for name, component in schemas.items():
        attr = component.get("properties", {}).get("attr", {})
        names = attr.get("enum", ())
        # Components can be shared by reference: each is rewritten once.
        if name.endswith(suffix) and len(names) == 1 and isinstance(names[0], str):
            component["properties"]["attr"] = _attr_schema(names[0])
    for component in schemas.values():
        if component.get("discriminator", {}).get("propertyName") == "attr":
            del component["discriminator"]
            component["anyOf"] = component.pop("oneOf")
    return result


def postprocess_query_text(result, generator, request, public):
    """Free-text query parameters refuse NUL characters (Django's forms do): the schema says so."""
    for path in result.get("paths", {}).values():
        for operation in path.values():
            for parameter in operation.get("parameters", ()):
                schema = parameter.get("schema", {})
                free = schema.get("type") == "string" and not {"enum", "pattern", "format"} & set(
                    schema
                )
                if parameter.get("in") == "query" and free:
                    schema["pattern"] = f"^{TEXT_CHAR}*$"
    return result


class CharFieldExtension(OpenApiSerializerFieldExtension):
    target_class = CharField
    match_subclasses = True

    def map_serializer_field(self, auto_schema, direction):
        field = self.target
        schema = auto_schema._map_serializer_field(field, direction, bypass_extensions=True)
        pattern = field.text_pattern()
        if direction == "request" and pattern and "pattern" not in schema:
            schema["pattern"] = pattern
        if isinstance(field, EmailField):
            schema.pop("format", None)  # EMAIL_PATTERN says it exactly
        return schema


class DecimalFieldExtension(OpenApiSerializerFieldExtension):
    """Requests: a decimal string or a JSON number, each with the field's bounds; responses:
    the string."""

    target_class = DecimalField
    match_subclasses = True

    def map_serializer_field(self, auto_schema, direction):
        string = {"type": "string", "format": "decimal", "pattern": self.target.pattern()}
        if direction == "response":
            return string
        branches = [string, self.target.number_schema()]
        if self.target.allow_null:  # OpenAPI 3.0's nullable only counts beside a type
            branches = [{**branch, "nullable": True} for branch in branches]
        return {"anyOf": branches}
