"""Every write of users, roles, memberships, tokens and audit events."""

from django.contrib.auth import authenticate
from django.contrib.auth.models import Permission
from django.db import transaction
from knox.models import AuthToken

from companies.locks import company_lock
from companies.models import Company
from config.api.errors import DomainError

from .models import AuditEvent, Membership, Role, User
from .roles import ADMIN, SYSTEM_ROLES, default_grants
from .selectors import (
    holdable_permissions,
    permission_code,
    permission_codes,
    permissions_by_code,
)


def audit_record(
    *, company: Company, user: User | None, action: str, obj=None, data=None
) -> AuditEvent:
    return AuditEvent.objects.create(
        company=company,
        user=user,
        action=action,
        object_type=obj._meta.label_lower if obj is not None else "",
        object_id=str(obj.pk) if obj is not None else "",
        data=data or {},
    )


@transaction.atomic
def system_roles_sync(*, company: Company) -> list[Role]:
    """Create missing system roles and grant each default code it has never been granted.

    `admin` holds every code. For the other roles, a code an admin removed stays removed,
    because it is recorded as seeded; only codes new to the role are added.
    """
    all_permissions = list(holdable_permissions())
    by_code = {permission_code(p): p for p in all_permissions}
    grants = default_grants()
    roles = []
    for name in SYSTEM_ROLES:
        role, _ = Role.objects.get_or_create(
            company=company, name=name, defaults={"is_system": True}
        )
        if name == ADMIN:
            role.permissions.set(all_permissions)
        else:
            seeded = set(role.seeded_permissions.values_list("pk", flat=True))
            new = [by_code[code] for code in grants[name] if by_code[code].pk not in seeded]
            role.permissions.add(*new)
            role.seeded_permissions.add(*new)
        roles.append(role)
    return roles


def _permissions_or_error(codes):
    permissions, unknown = permissions_by_code(codes)
    if unknown:
        raise DomainError(
            "does_not_exist",
            f"Unknown permission codes: {', '.join(unknown)}.",
            status=400,
            attr="permissions",
        )
    return permissions


def _refuse_escalation(actor: Membership, codes) -> None:
    """Nobody grants, or manages someone holding, a permission they do not hold themselves."""
    missing = sorted(set(codes) - actor.permission_codes)
    if missing:
        raise DomainError(
            "permission_denied",
            f"This needs permissions you don't hold: {', '.join(missing)}.",
            status=403,
        )


def _role_codes(roles) -> set[str]:
    return set(permission_codes(Permission.objects.filter(roles__in=roles)))


def _refuse_system_role(role: Role):
    if role.is_system and role.name == ADMIN:
        raise DomainError("system_role", "The admin role can't be changed or deleted.")


@transaction.atomic
def role_create(*, actor: Membership, name: str, permission_codes: list[str]) -> Role:
    permissions = _permissions_or_error(permission_codes)
    _refuse_escalation(actor, permission_codes)
    company_lock(actor.company_id)
    role = Role.objects.create(company=actor.company, name=name)
    role.permissions.set(permissions)
    audit_record(
        company=actor.company,
        user=actor.user,
        action="role.create",
        obj=role,
        data={"name": name, "permissions": sorted(permission_codes)},
    )
    return role


@transaction.atomic
def role_update(
    *, actor: Membership, role: Role, name: str | None = None, permission_codes=None
) -> Role:
    _refuse_system_role(role)
    company_lock(actor.company_id)
    data = {}
    if name is not None and name != role.name:
        if role.is_system:
            raise DomainError("system_role", "A system role can't be renamed.")
        data["name"] = [role.name, name]
        role.name = name
        role.save(update_fields=["name"])
    if permission_codes is not None:
        permissions = _permissions_or_error(permission_codes)
        before = sorted(_role_codes([role]))
        _refuse_escalation(actor, set(permission_codes) - set(before))
        role.permissions.set(permissions)
        data["permissions"] = [before, sorted(permission_codes)]
    if data:
        audit_record(
            company=actor.company, user=actor.user, action="role.update", obj=role, data=data
        )
    return role


@transaction.atomic
def role_delete(*, actor: Membership, role: Role) -> None:
    if role.is_system:
        raise DomainError("system_role", "A system role can't be deleted; edit it instead.")
    company_lock(actor.company_id)
    if role.memberships.exists():
        raise DomainError("role_in_use", "The role is still held by a member.")
    audit_record(
        company=actor.company,
        user=actor.user,
        action="role.delete",
        obj=role,
        data={"name": role.name},
    )
    role.delete()


def _ensure_an_admin_remains(company: Company) -> None:
    admins = Membership.objects.filter(
        company=company, is_active=True, user__is_active=True, roles__name=ADMIN
    )
    if not admins.exists():
        raise DomainError("last_admin", "The company must keep at least one active admin.")


@transaction.atomic
def membership_create(
    *,
    actor: Membership,
    email: str,
    full_name: str = "",
    password: str | None = None,
    roles: list[Role],
) -> Membership:
    """Create the user, or add an existing user to this company (reactivating a past membership)."""
    company_lock(actor.company_id)
    _refuse_escalation(actor, _role_codes(roles))
    email = User.objects.normalize_email(email)
    user = User.objects.filter(email=email).first()
    if user is None:
        user = User.objects.create_user(email=email, password=password, full_name=full_name)
    membership, created = Membership.objects.get_or_create(user=user, company=actor.company)
    if not created:
        if membership.is_active:
            raise DomainError("already_member", "This user is already a member of the company.")
        membership.is_active = True
        membership.save(update_fields=["is_active"])
    membership.roles.set(roles)
    audit_record(
        company=actor.company,
        user=actor.user,
        action="membership.create",
        obj=membership,
        data={"email": email, "roles": sorted(r.name for r in roles)},
    )
    return membership


@transaction.atomic
def membership_update(
    *, actor: Membership, membership: Membership, roles=None, is_active=None
) -> Membership:
    """Change a member's roles or activity. The actor must hold every code of the member's
    roles, before and after: nobody manages a member more powerful than themselves."""
    company_lock(actor.company_id)
    membership = Membership.objects.get(pk=membership.pk)
    current = list(Role.objects.filter(memberships=membership))
    _refuse_escalation(actor, _role_codes([*current, *(roles or [])]))
    data = {}
    if roles is not None and set(roles) != set(current):
        membership.roles.set(roles)
        data["roles"] = [sorted(r.name for r in current), sorted(r.name for r in roles)]
    if is_active is not None and is_active != membership.is_active:
        data["is_active"] = [membership.is_active, is_active]
        membership.is_active = is_active
        membership.save(update_fields=["is_active"])
    if not data:
        return membership
    _ensure_an_admin_remains(actor.company)
    audit_record(
        company=actor.company,
        user=actor.user,
        action="membership.update",
        obj=membership,
        data=data,
    )
    return membership


def membership_deactivate(*, actor: Membership, membership: Membership) -> Membership:
    return membership_update(actor=actor, membership=membership, is_active=False)


def token_issue(*, email: str, password: str) -> tuple[User, str]:
    """A new bearer token for valid credentials; the token is stored hashed with an expiry."""
    email = User.objects.normalize_email(email)
    user = authenticate(email=email, password=password)
    if user is None and password != password.strip():
        # Passwords set before new ones were taken as typed were stored trimmed.
        user = authenticate(email=email, password=password.strip())
    if user is None:
        raise DomainError("invalid_credentials", "Email or password is wrong.", status=400)
    _, token = AuthToken.objects.create(user)
    return user, token
