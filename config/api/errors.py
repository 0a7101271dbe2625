"""One error for broken business rules, and the handler that renders every error in one envelope."""

import logging

from django.core.exceptions import RequestDataTooBig, SuspiciousOperation, TooManyFieldsSent
from django.db import DatabaseError, IntegrityError, InterfaceError, OperationalError
from drf_standardized_errors.formatter import ExceptionFormatter as BaseExceptionFormatter
from drf_standardized_errors.handler import ExceptionHandler as BaseExceptionHandler
from rest_framework import exceptions, status
from rest_framework.exceptions import ErrorDetail
from rest_framework.settings import api_settings

logger = logging.getLogger(__name__)


class DomainError(Exception):
    """A business rule said no. `status` 400 renders as a validation error on `attr`."""

    def __init__(
        self, code: str, detail: str, *, status: int = status.HTTP_409_CONFLICT, attr=None
    ):
        super().__init__(detail)
        self.code = code
        self.detail = detail
        self.status = status
        self.attr = attr


class DomainValidationError(DomainError):
    """Several invalid values at once (an import's bad rows): each (attr, code, detail)."""

    def __init__(self, errors: list[tuple[str | None, str, str]]):
        super().__init__(errors[0][1], errors[0][2], status=status.HTTP_400_BAD_REQUEST)
        self.errors = errors


class ServiceUnavailable(exceptions.APIException):
    status_code = status.HTTP_503_SERVICE_UNAVAILABLE
    default_detail = "The database is unavailable; try again shortly."
    default_code = "database_unavailable"


class PayloadTooLarge(exceptions.APIException):
    status_code = status.HTTP_413_REQUEST_ENTITY_TOO_LARGE
    default_detail = "The request body is too large."
    default_code = "request_too_large"


class Conflict(exceptions.APIException):
    status_code = status.HTTP_409_CONFLICT
    default_detail = "The request conflicts with the current state; reload and try again."
    default_code = "conflict"


UNIQUE_VIOLATION = "23505"
RETRYABLE = {"40001", "40P01"}  # serialization failure, deadlock


def _sqlstate(exc: DatabaseError) -> str | None:
    """PostgreSQL's error code; SQLite has none, so its unique violations are read from text."""
    state = getattr(exc.__cause__, "sqlstate", None)
    if state is None and "UNIQUE constraint failed" in str(exc):
        return UNIQUE_VIOLATION
    return state


def _connection_lost(exc: DatabaseError) -> bool:
    state = _sqlstate(exc)
    return state is None or state.startswith("08") or state.startswith("57P")


def domain_error_to_api_exception(exc: DomainError) -> exceptions.APIException:
    if isinstance(exc, DomainValidationError):
        detail: dict[str, list] = {}
        for attr, code, message in exc.errors:
            key = attr or api_settings.NON_FIELD_ERRORS_KEY
            detail.setdefault(key, []).append(ErrorDetail(message, code=code))
        return exceptions.ValidationError(detail)
    if exc.status == status.HTTP_400_BAD_REQUEST:
        key = exc.attr or api_settings.NON_FIELD_ERRORS_KEY
        return exceptions.ValidationError({key: [ErrorDetail(exc.detail, code=exc.code)]})
    api_exc = exceptions.APIException(detail=exc.detail, code=exc.code)
    api_exc.status_code = exc.status
    return api_exc


class ExceptionHandler(BaseExceptionHandler):
    def convert_known_exceptions(self, exc):
        if isinstance(exc, DomainError):
            return domain_error_to_api_exception(exc)
        if isinstance(exc, RequestDataTooBig | TooManyFieldsSent):
            return PayloadTooLarge()
        if isinstance(exc, SuspiciousOperation):
            return exceptions.ParseError("The request is malformed.")
        if isinstance(exc, IntegrityError) and _sqlstate(exc) == UNIQUE_VIOLATION:
            # A concurrent write won a uniqueness race that validation had already checked.
            logger.warning("unique violation answered as 409: %s", exc)
            return Conflict()
        if isinstance(exc, OperationalError) and _sqlstate(exc) in RETRYABLE:
            logger.warning("transaction conflict answered as 409: %s", exc)
            return Conflict()
        if isinstance(exc, OperationalError | InterfaceError) and _connection_lost(exc):
            logger.error("database unavailable: %s", exc)
            return ServiceUnavailable()
        return super().convert_known_exceptions(exc)

    def should_not_handle(self, exc):
        # Every error, even in DEBUG, is rendered in the envelope; tracebacks go to the log only.
        return False


class ExceptionFormatter(BaseExceptionFormatter):
    def get_errors(self):
        """A non-field error is on its object: null at the top, the parent's path when nested."""
        key = api_settings.NON_FIELD_ERRORS_KEY
        errors = super().get_errors()
        for error in errors:
            if error.attr == key:
                error.attr = None
            elif error.attr and error.attr.endswith(f".{key}"):
                error.attr = error.attr.removesuffix(f".{key}")
        return errors
