"""Errors raised outside DRF views (unknown URLs, crashes): in the API's JSON envelope, or as
Django's HTML pages for the back office, which people read in a browser."""

from django.http import JsonResponse
from django.urls import reverse
from django.views import defaults


def _error(status: int, code: str, detail: str) -> JsonResponse:
    kind = "server_error" if status >= 500 else "client_error"
    return JsonResponse(
        {"type": kind, "errors": [{"code": code, "detail": detail, "attr": None}]}, status=status
    )


def _back_office(request) -> bool:
    return request.path.startswith(reverse("admin:index"))


def bad_request(request, exception=None):
    if _back_office(request):
        return defaults.bad_request(request, exception)
    return _error(400, "bad_request", "Bad request.")


def permission_denied(request, exception=None):
    if _back_office(request):
        return defaults.permission_denied(request, exception)
    return _error(403, "permission_denied", "You do not have permission to perform this action.")


def not_found(request, exception=None):
    if _back_office(request):
        return defaults.page_not_found(request, exception)
    return _error(404, "not_found", "Not found.")


def server_error(request):
    if _back_office(request):
        return defaults.server_error(request)
    return _error(500, "error", "Server Error (500)")
