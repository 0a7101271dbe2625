import functools

from django.contrib.auth.models import Permission
from django.contrib.contenttypes.models import ContentType
from django.db import connection
from django.db.models import QuerySet

from companies.models import Company, CompanySettings
from config.rows import Columns, fetch, table

from .models import Membership, Role, User
from .roles import role_app_labels


def holdable_permissions() -> QuerySet[Permission]:
    """Every permission a role may hold: those of the apps that declare permission codes."""
    return (
        Permission.objects.filter(content_type__app_label__in=role_app_labels())
        .select_related("content_type")
        .order_by("content_type__app_label", "codename")
    )


def permission_code(permission: Permission) -> str:
    return f"{permission.content_type.app_label}.{permission.codename}"


def permission_codes(permissions: QuerySet[Permission]) -> list[str]:
    """The codes of a permission queryset, read in one query."""
    rows = permissions.values_list("content_type__app_label", "codename")
    return [f"{app_label}.{codename}" for app_label, codename in rows]


def permissions_by_code(codes) -> tuple[list[Permission], list[str]]:
    """The permissions for `codes`, and the codes that name none."""
    wanted = set(codes)
    labels = {code.partition(".")[0] for code in wanted}
    found = {
        permission_code(p): p
        for p in holdable_permissions().filter(content_type__app_label__in=labels)
        if permission_code(p) in wanted
    }
    return list(found.values()), sorted(wanted - found.keys())


_MEMBERSHIP = Columns(Membership, "m")
_USER = Columns(User, "u")
_COMPANY = Columns(Company, "c")
_SETTINGS = Columns(CompanySettings, "s")
# Both databases concatenate with ||; they name the aggregate of strings differently.
_STRING_AGG = {"postgresql": "string_agg", "sqlite": "group_concat"}


@functools.cache
def _active_membership_sql(vendor: str) -> str:
    roles = Membership.roles.through
    role_permissions = Role.permissions.through
    # Table and column names come from the models; every value is a parameter.
    return f"""
        SELECT {_MEMBERSHIP.sql()}, {_USER.sql()}, {_COMPANY.sql()}, {_SETTINGS.sql()},
            (SELECT {_STRING_AGG[vendor]}(ct.app_label || '.' || p.codename, ',')
             FROM {table(roles)} mr
             JOIN {table(role_permissions)} rp ON rp.role_id = mr.role_id
             JOIN {table(Permission)} p ON p.id = rp.permission_id
             JOIN {table(ContentType)} ct ON ct.id = p.content_type_id
             WHERE mr.membership_id = m.id)
        FROM {table(Membership)} m
        JOIN {table(User)} u ON u.id = m.user_id
        JOIN {table(Company)} c ON c.id = m.company_id
        LEFT JOIN {table(CompanySettings)} s ON s.company_id = c.id
        WHERE m.user_id = %s AND m.company_id = %s AND m.is_active = %s AND u.is_active = %s
    """  # noqa: S608


def active_membership(*, user_id: int, company_id: int) -> Membership | None:
    """The user's active membership of the company, with its user, company, the company's
    settings and its permission codes: one query, on every authenticated request."""
    rows = fetch(_active_membership_sql(connection.vendor), [user_id, company_id, True, True])
    if not rows:
        return None
    [row] = rows
    membership = _MEMBERSHIP.build(row)
    start = len(_MEMBERSHIP)
    membership.user = _USER.build(row, start)
    start += len(_USER)
    membership.company = _COMPANY.build(row, start)
    start += len(_COMPANY)
    if row[start] is not None:
        membership.company.settings = _SETTINGS.build(row, start)
    codes = row[start + len(_SETTINGS)]
    membership.permission_codes = frozenset(codes.split(",") if codes else ())
    return membership
