"""Row locks of this app, taken inside the caller's transaction."""

import functools

from django.db import connection

from config.rows import Columns, fetch, for_update, table

from .models import Company, Register

_REGISTER = Columns(Register, "r")


def company_lock(company_id: int) -> Company:
    """Serialises changes that must see the whole company at once (memberships, roles,
    settings, new registers, imports)."""
    return Company.objects.select_for_update().get(pk=company_id)


@functools.cache
def _register_lock_sql(vendor: str) -> str:
    return f"SELECT {_REGISTER.sql()} FROM {table(Register)} r WHERE r.id = %s{for_update()}"  # noqa: S608


def register_lock(register_id: int) -> Register:
    """Hand-written (config.rows): every sale takes it."""
    rows = fetch(_register_lock_sql(connection.vendor), [register_id])
    if not rows:
        raise Register.DoesNotExist(f"No register {register_id}.")
    return _REGISTER.build(rows[0])
