"""Who is calling, and as a member of which company.

Two ways in, both ending with `request.user`, `request.company` and `request.membership`:
a bearer token from `POST /auth/token` plus `X-Company-Id`, or (a v1 convenience, trusted
only as configured) the `X-User-Id` and `X-Company-Id` headers.
"""

import hmac

from django.conf import settings
from knox.auth import TokenAuthentication
from rest_framework import exceptions
from rest_framework.authentication import BaseAuthentication

from .models import Membership
from .selectors import active_membership

USER_HEADER = "X-User-Id"
COMPANY_HEADER = "X-Company-Id"
GATEWAY_SECRET_HEADER = "X-Gateway-Secret"  # noqa: S105 - a header name


def _parse_id(raw: str, header: str) -> int:
    if not raw.isascii() or not raw.isdigit() or len(raw) > 18:
        raise exceptions.AuthenticationFailed(f"{header} must be a positive integer id.")
    return int(raw)


def _active_membership(user_id: int, company_id: int) -> Membership:
    membership = active_membership(user_id=user_id, company_id=company_id)
    if membership is None:
        raise exceptions.AuthenticationFailed(
            "Unknown or inactive user, or not an active member of this company."
        )
    return membership


def _attach(request, membership: Membership):
    user = membership.user
    user.membership = membership
    request.membership = membership
    request.company = membership.company
    return user


def _company_id(request) -> int:
    raw = request.headers.get(COMPANY_HEADER)
    if raw is None:
        raise exceptions.AuthenticationFailed(f"{COMPANY_HEADER} is required.")
    return _parse_id(raw, COMPANY_HEADER)


class BearerTokenAuthentication(TokenAuthentication):
    """Hashed, expiring tokens (django-rest-knox); the company comes from `X-Company-Id`."""

    def authenticate(self, request):
        result = super().authenticate(request)
        if result is None:
            return None
        user, token = result
        membership = _active_membership(user.pk, _company_id(request))
        return _attach(request, membership), token


class IdentityHeaderAuthentication(BaseAuthentication):
    def authenticate(self, request):
        user_raw = request.headers.get(USER_HEADER)
        company_raw = request.headers.get(COMPANY_HEADER)
        if not settings.IDENTITY_HEADERS_ENABLED or (user_raw is None and company_raw is None):
            return None
        secret = settings.IDENTITY_HEADERS_SECRET
        if secret:
            given = request.headers.get(GATEWAY_SECRET_HEADER, "")
            if not hmac.compare_digest(given.encode(), secret.encode()):
                raise exceptions.AuthenticationFailed("Identity headers are not trusted here.")
        if user_raw is None:
            raise exceptions.AuthenticationFailed(f"{USER_HEADER} is required.")
        user_id = _parse_id(user_raw, USER_HEADER)
        membership = _active_membership(user_id, _company_id(request))
        return _attach(request, membership), membership

    def authenticate_header(self, request):
        return "X-User-Id"
