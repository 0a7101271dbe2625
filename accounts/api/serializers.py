from django.contrib.auth.password_validation import (
    MinimumLengthValidator,
    get_default_password_validators,
    validate_password,
)
from django.core.exceptions import ValidationError as DjangoValidationError
from drf_spectacular.extensions import OpenApiSerializerFieldExtension
from rest_framework import serializers
from rest_framework.exceptions import ErrorDetail

from config.api.fields import CharField, EmailField
from config.api.serializers import CompanyModelSerializer, CompanySlugRelatedField, ModelSerializer

from ..models import AuditEvent, Membership, Role, User
from ..roles import holdable_codes
from ..selectors import permission_code


def _password_min_length() -> int | None:
    """AUTH_PASSWORD_VALIDATORS' minimum length, so the schema can state it."""
    lengths = [
        validator.min_length
        for validator in get_default_password_validators()
        if isinstance(validator, MinimumLengthValidator)
    ]
    return max(lengths, default=None)


class PasswordField(CharField):
    """A new password, taken as typed: never trimmed. Django's validators check the rest."""

    def __init__(self, **kwargs):
        kwargs.update(
            min_length=_password_min_length(),
            max_length=128,
            write_only=True,
            trim_whitespace=False,
            style={"input_type": "password"},
        )
        super().__init__(**kwargs)


def validate_new_password(attrs: dict) -> dict:
    """Django's password validators, including similarity to the person's e-mail and name."""
    password = attrs.get("password")
    if password:
        person = User(email=attrs.get("email", ""), full_name=attrs.get("full_name", ""))
        try:
            validate_password(password, user=person)
        except DjangoValidationError as exc:
            raise serializers.ValidationError(
                {
                    "password": [
                        ErrorDetail(message, code="invalid_password") for message in exc.messages
                    ]
                }
            ) from None
    return attrs


class PermissionSerializer(serializers.Serializer):
    code = serializers.SerializerMethodField()
    name = CharField()

    def get_code(self, permission) -> str:
        return permission_code(permission)


class PermissionCodesField(serializers.ListField):
    """Permission codes (`sales.void_sale`); the service checks that each one exists."""

    child = CharField(max_length=255)

    def to_representation(self, permissions):
        return sorted(permission_code(p) for p in permissions.all())


class PermissionCodesFieldExtension(OpenApiSerializerFieldExtension):
    """The codes as an enum, read from the apps when the schema is built."""

    target_class = PermissionCodesField

    def map_serializer_field(self, auto_schema, direction):
        return {"type": "array", "items": {"type": "string", "enum": holdable_codes()}}


class RoleSerializer(CompanyModelSerializer):
    permissions = PermissionCodesField(required=False, default=list)

    class Meta:
        model = Role
        fields = ["id", "name", "permissions", "is_system"]
        read_only_fields = ["is_system"]


class UserSummarySerializer(serializers.Serializer):
    id = serializers.IntegerField()
    email = EmailField()
    full_name = CharField()


class IdNameSerializer(serializers.Serializer):
    id = serializers.IntegerField()
    name = CharField()


class MeSerializer(serializers.Serializer):
    user = UserSummarySerializer()
    company = IdNameSerializer()
    roles = serializers.ListField(child=CharField())
    permissions = serializers.ListField(child=CharField())


class MembershipSerializer(CompanyModelSerializer):
    """A company member, addressed by the user's id."""

    id = serializers.IntegerField(source="user_id", read_only=True)
    email = EmailField(source="user.email", read_only=True)
    full_name = CharField(source="user.full_name", read_only=True)
    roles = CompanySlugRelatedField(
        many=True, slug_field="name", queryset=Role.objects.all(), required=False
    )

    class Meta:
        model = Membership
        fields = ["id", "email", "full_name", "roles", "is_active"]


class MembershipCreateSerializer(serializers.Serializer):
    email = EmailField(max_length=254)
    full_name = CharField(max_length=200, required=False, allow_blank=True, default="")
    password = PasswordField(required=False, help_text="Only used when the e-mail has no user yet.")
    roles = CompanySlugRelatedField(many=True, slug_field="name", queryset=Role.objects.all())

    def validate(self, attrs):
        return validate_new_password(attrs)


class AuditEventSerializer(ModelSerializer):
    class Meta:
        model = AuditEvent
        fields = ["id", "action", "user", "object_type", "object_id", "data", "created_at"]


class TokenRequestSerializer(serializers.Serializer):
    email = EmailField(max_length=254)
    password = CharField(max_length=128, trim_whitespace=False, style={"input_type": "password"})


class TokenResponseSerializer(serializers.Serializer):
    token = CharField()
    user_id = serializers.IntegerField()
    expires_in = serializers.IntegerField(help_text="Seconds until the token expires.")
    companies = IdNameSerializer(many=True)
