from django.contrib.auth.models import Permission
from django.db.models import QuerySet

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
