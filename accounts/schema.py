"""How the two authentication classes appear in the OpenAPI document."""

from drf_spectacular.extensions import OpenApiAuthenticationExtension

from .authentication import COMPANY_HEADER, GATEWAY_SECRET_HEADER, USER_HEADER

_COMPANY = {"type": "apiKey", "in": "header", "name": COMPANY_HEADER}


class BearerTokenScheme(OpenApiAuthenticationExtension):
    target_class = "accounts.authentication.BearerTokenAuthentication"
    name = ["Bearer", "BearerCompanyId"]

    def get_security_definition(self, auto_schema):
        return [
            {
                "type": "http",
                "scheme": "bearer",
                "description": "A token from POST /api/v1/auth/token.",
            },
            {**_COMPANY, "description": "The company to act in."},
        ]


class IdentityHeaderScheme(OpenApiAuthenticationExtension):
    target_class = "accounts.authentication.IdentityHeaderAuthentication"
    name = ["UserId", "CompanyId"]

    def get_security_definition(self, auto_schema):
        return [
            {
                "type": "apiKey",
                "in": "header",
                "name": USER_HEADER,
                "description": (
                    "v1 identity header, trusted only when enabled; when the server sets a "
                    f"gateway secret, {GATEWAY_SECRET_HEADER} must match it."
                ),
            },
            {**_COMPANY, "description": "The company to act in."},
        ]
