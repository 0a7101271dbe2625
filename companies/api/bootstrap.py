import hmac

from django.conf import settings
from rest_framework import serializers

from accounts.api.serializers import IdNameSerializer, PasswordField, validate_new_password
from config.api.fields import CharField, EmailField

from .serializers import CurrencyField, TimeZoneField

BOOTSTRAP_TOKEN_HEADER = "X-Bootstrap-Token"  # noqa: S105 - a header name


def bootstrap_token_valid(request) -> bool:
    """Open when BOOTSTRAP_TOKEN is unset; otherwise the caller must present it."""
    expected = settings.BOOTSTRAP_TOKEN
    if not expected:
        return True
    given = request.headers.get(BOOTSTRAP_TOKEN_HEADER, "")
    return hmac.compare_digest(given.encode(), expected.encode())


class BootstrapCompanySerializer(serializers.Serializer):
    name = CharField(max_length=200)
    currency = CurrencyField()
    timezone = TimeZoneField()


class BootstrapAdminSerializer(serializers.Serializer):
    email = EmailField(max_length=254)
    full_name = CharField(max_length=200, required=False, allow_blank=True, default="")
    password = PasswordField(
        required=False, help_text="Optional: without one the admin can use identity headers only."
    )

    def validate(self, attrs):
        return validate_new_password(attrs)


class BootstrapSerializer(serializers.Serializer):
    company = BootstrapCompanySerializer()
    admin = BootstrapAdminSerializer()

    def service_arguments(self) -> dict:
        company, admin = self.validated_data["company"], self.validated_data["admin"]
        return {
            "company_name": company["name"],
            "currency": company["currency"],
            "timezone": company["timezone"],
            "admin_email": admin["email"],
            "admin_full_name": admin["full_name"],
            "admin_password": admin.get("password"),
        }


class BootstrapResponseSerializer(serializers.Serializer):
    company_id = serializers.IntegerField(source="company.id")
    user_id = serializers.IntegerField(source="user.id")
    location_id = serializers.IntegerField(source="location.id")
    register_id = serializers.IntegerField(source="register.id")
    roles = IdNameSerializer(many=True)
