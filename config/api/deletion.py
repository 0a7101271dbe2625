from django.db.models import ProtectedError

from .errors import DomainError


def delete_unless_referenced(instance, *, code: str, detail: str) -> None:
    """Delete, or refuse with a 409 when protected rows (sales, movements, products) use it."""
    try:
        instance.delete()
    except ProtectedError:
        raise DomainError(code, detail) from None
