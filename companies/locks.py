"""Row locks of this app, taken inside the caller's transaction."""

from .models import Company, Register


def company_lock(company_id: int) -> Company:
    """Serialises changes that must see the whole company at once (memberships, roles,
    settings, new registers, imports)."""
    return Company.objects.select_for_update().get(pk=company_id)


def register_lock(register_id: int) -> Register:
    return Register.objects.select_for_update().get(pk=register_id)
