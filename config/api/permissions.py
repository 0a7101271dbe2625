"""Deny by default; each view names the permission code of each of its actions."""

from rest_framework.permissions import BasePermission

ANY_MEMBER = "any member"


class DenyAll(BasePermission):
    """The default: a view that does not declare its permissions is closed."""

    def has_permission(self, request, view):
        return False


class ActionPermission(BasePermission):
    """Reads `view.permissions_by_action`: {action or method: code | ANY_MEMBER}.

    An action missing from the map is refused, so a new action is closed until declared.
    """

    def has_permission(self, request, view):
        method = request.method.lower()
        if method not in view.http_method_names or not hasattr(view, method):
            return True  # the view has no handler: DRF answers 405 after this check
        if getattr(request, "membership", None) is None:
            return False
        action = getattr(view, "action", None) or ("get" if method == "head" else method)
        return user_meets(request.user, view.permissions_by_action.get(action))


def user_meets(user, required) -> bool:
    """Whether a user, with the membership they act as attached, meets an entry of a
    `permissions_by_action` map (a code, a tuple of codes, ANY_MEMBER, or None: refused)."""
    if required is None:
        return False
    if required == ANY_MEMBER:
        return True
    codes = required if isinstance(required, tuple) else (required,)
    return user.has_perms(codes)


def crud_permissions(*, view: str, add: str, change: str, delete: str | None = None) -> dict:
    """`permissions_by_action` of a model viewset from the model's permission codes."""
    codes = {"list": view, "retrieve": view, "create": add, "partial_update": change}
    if delete is not None:
        codes["destroy"] = delete
    return codes
