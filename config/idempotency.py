"""`Idempotency-Key` for POSTs that create money or stock documents: one mechanism for all.

The first request with a key claims it (committed at once, so a concurrent duplicate sees
it); its handler and the stored response commit in one transaction, so a crash leaves either
both or neither. The same key and body replays the stored response with
`Idempotent-Replayed: true`; another body answers 422 `idempotency_key_reused`; a request
while the first still runs answers 409 `idempotency_key_in_use`. A request that fails
releases its key, so the client can retry. A claim older than IDEMPOTENCY_CLAIM_TIMEOUT
seconds (a worker killed mid-request) is taken over.
"""

import functools
import hashlib
import json
import re
from datetime import timedelta

from django.conf import settings
from django.db import IntegrityError, transaction
from django.utils import timezone
from drf_spectacular.utils import OpenApiParameter, extend_schema
from rest_framework import status
from rest_framework.response import Response

from .api.errors import DomainError
from .api.schema import error_response
from .models import IdempotencyKey

HEADER = "Idempotency-Key"
REPLAYED_HEADER = "Idempotent-Replayed"
MAX_KEY_LENGTH = 255
# Visible ASCII, inner spaces allowed: what survives any proxy unchanged.
KEY_PATTERN = re.compile(r"[!-~](?:[ -~]*[!-~])?")


def _fingerprint(request) -> str:
    body = json.dumps(request.data, sort_keys=True, separators=(",", ":"), default=str)
    path = request.path.rstrip("/")  # with or without the trailing slash is one route
    return hashlib.sha256(f"{request.method} {path}\n{body}".encode()).hexdigest()


def _claim(company, key: str, fingerprint: str) -> IdempotencyKey | Response:
    """Claim the key, or answer for the request that holds it."""
    try:
        with transaction.atomic():
            return IdempotencyKey.objects.create(company=company, key=key, fingerprint=fingerprint)
    except IntegrityError:
        pass
    stale = timezone.now() - timedelta(seconds=settings.IDEMPOTENCY_CLAIM_TIMEOUT)
    taken_over = IdempotencyKey.objects.filter(
        company=company,
        key=key,
        fingerprint=fingerprint,
        state=IdempotencyKey.State.IN_PROGRESS,
        created_at__lt=stale,
    ).update(created_at=timezone.now())
    record = IdempotencyKey.objects.filter(company=company, key=key).first()
    if record is None:  # released meanwhile: try once more
        return _claim(company, key, fingerprint)
    if record.fingerprint != fingerprint:
        raise DomainError(
            "idempotency_key_reused",
            "This Idempotency-Key was used with another request.",
            status=status.HTTP_422_UNPROCESSABLE_ENTITY,
        )
    if taken_over:
        return record
    if record.state == IdempotencyKey.State.IN_PROGRESS:
        raise DomainError(
            "idempotency_key_in_use", "A request with this Idempotency-Key is still running."
        )
    return Response(
        record.response_body, status=record.response_status, headers={REPLAYED_HEADER: "true"}
    )


def run_idempotent(request, handler):
    key = request.headers.get(HEADER)
    if key is None:
        return handler()
    if len(key) > MAX_KEY_LENGTH or not KEY_PATTERN.fullmatch(key):
        raise DomainError(
            "invalid_idempotency_key",
            f"{HEADER} must be 1 to {MAX_KEY_LENGTH} printable ASCII characters.",
            status=status.HTTP_400_BAD_REQUEST,
        )
    claimed = _claim(request.company, key, _fingerprint(request))
    if isinstance(claimed, Response):
        return claimed
    try:
        with transaction.atomic():
            response = handler()
            if status.is_success(response.status_code):
                claimed.state = IdempotencyKey.State.DONE
                claimed.response_status = response.status_code
                claimed.response_body = response.data
                claimed.save(update_fields=["state", "response_status", "response_body"])
                return response
    except BaseException:
        IdempotencyKey.objects.filter(pk=claimed.pk).delete()
        raise
    IdempotencyKey.objects.filter(pk=claimed.pk).delete()
    return response


def idempotent(view_method):
    """Make a view's POST handler honour `Idempotency-Key` (and document it)."""

    @functools.wraps(view_method)
    def wrapper(self, request, *args, **kwargs):
        return run_idempotent(request, lambda: view_method(self, request, *args, **kwargs))

    wrapper.idempotent = True  # config.api.schema.AutoSchema documents its 400
    return extend_schema(
        parameters=[
            OpenApiParameter(
                HEADER,
                location=OpenApiParameter.HEADER,
                required=False,
                type={
                    "type": "string",
                    "minLength": 1,
                    "maxLength": MAX_KEY_LENGTH,
                    "pattern": f"^{KEY_PATTERN.pattern}$",
                },
                description=(
                    "Any unique string (a UUID): a retry with the same key and body replays "
                    f"the first response with `{REPLAYED_HEADER}: true`."
                ),
            )
        ],
        responses={
            422: error_response("The key was used with another request.", "idempotency_key_reused"),
        },
    )(wrapper)


def purge_expired_keys(now=None) -> int:
    cutoff = (now or timezone.now()) - timedelta(hours=settings.IDEMPOTENCY_KEY_TTL_HOURS)
    deleted, _ = IdempotencyKey.objects.filter(created_at__lt=cutoff).delete()
    return deleted
