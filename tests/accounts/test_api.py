"""Users, roles, permissions and the audit log over HTTP, exactly as API.md "Users and roles" says.

Every permission-checked call is tried four ways: without identity (401), by the admin of another
company on this company's object (404, nothing changed), by a member who holds every code but the
one the call needs (403, nothing changed), and by a member holding just that code (the effect is
checked in the database).
"""

import datetime as dt
import zoneinfo
from types import SimpleNamespace

import pytest
from django.contrib.auth.models import Permission

from accounts import permissions as perms
from accounts.models import AuditEvent, Membership, Role, User
from accounts.selectors import holdable_permissions, permission_code
from tests.conftest import client_for, error_attrs, error_codes
from tests.factories import PASSWORD, AuditEventFactory, MembershipFactory, RoleFactory, UserFactory

PERMISSIONS = "/api/v1/permissions"
ROLES = "/api/v1/roles"
USERS = "/api/v1/users"
AUDIT = "/api/v1/audit-events"

MEXICO = zoneinfo.ZoneInfo("America/Mexico_City")
STRONG_PASSWORD = "Un1corn-Saddle-Maple"


# --- helpers ---------------------------------------------------------------------------------


def all_codes() -> set[str]:
    return {permission_code(p) for p in holdable_permissions()}


def role_codes(role: Role) -> list[str]:
    return sorted(permission_code(p) for p in role.permissions.select_related("content_type"))


def role_names(membership: Membership) -> list[str]:
    return sorted(membership.roles.values_list("name", flat=True))


def membership_of(tenant, user) -> Membership:
    return Membership.objects.get(company=tenant.company, user=user)


def state(*companies) -> dict:
    """Everything a users/roles call could change, to assert that a refused call changed nothing."""
    return {
        "users": sorted(
            User.objects.values_list("pk", "email", "full_name", "password", "is_active")
        ),
        "roles": sorted(
            (role.company_id, role.pk, role.name, role.is_system, tuple(role_codes(role)))
            for role in Role.objects.filter(company__in=companies)
        ),
        "memberships": sorted(
            (m.company_id, m.user_id, m.is_active, tuple(role_names(m)))
            for m in Membership.objects.filter(company__in=companies)
        ),
        "audit": AuditEvent.objects.filter(company__in=companies).count(),
    }


def member_without(tenant, code: str) -> Membership:
    """A member holding every code a role may hold except `code`."""
    return tenant.member(codes=sorted(all_codes() - {code}))


def assert_paginated(body):
    assert set(body) == {"count", "next", "previous", "results"}
    assert isinstance(body["results"], list)


def audit_events(tenant, action: str):
    return list(AuditEvent.objects.filter(company=tenant.company, action=action).order_by("id"))


# --- the four cases of every permission-checked call ------------------------------------------


@pytest.fixture
def world(tenant, other_tenant):
    """This company's objects: an unheld custom role and a cashier; the other company exists."""
    role = RoleFactory(
        company=tenant.company, name="Supervisors", codes=["companies.view_location"]
    )
    member = tenant.member("cashier")
    audit = AuditEvent.objects.filter(company=tenant.company).first()
    return SimpleNamespace(role=role, member=member, audit=audit)


# name: (method, path, body, code needed)
CALLS = {
    "roles-list": ("get", ROLES, None, perms.VIEW_ROLE),
    "roles-retrieve": ("get", ROLES + "/{role}", None, perms.VIEW_ROLE),
    "roles-create": (
        "post",
        ROLES,
        {"name": "Night shift", "permissions": ["companies.view_location"]},
        perms.ADD_ROLE,
    ),
    "roles-update": (
        "patch",
        ROLES + "/{role}",
        {"name": "Leads", "permissions": ["accounts.view_role"]},
        perms.CHANGE_ROLE,
    ),
    "roles-delete": ("delete", ROLES + "/{role}", None, perms.DELETE_ROLE),
    "users-list": ("get", USERS, None, perms.VIEW_MEMBERSHIP),
    "users-retrieve": ("get", USERS + "/{user}", None, perms.VIEW_MEMBERSHIP),
    "users-create": (
        "post",
        USERS,
        {"email": "nuevo@example.com", "full_name": "Nuevo", "roles": ["cashier"]},
        perms.ADD_MEMBERSHIP,
    ),
    "users-update": (
        "patch",
        USERS + "/{user}",
        {"roles": ["Supervisors"]},
        perms.CHANGE_MEMBERSHIP,
    ),
    "users-delete": ("delete", USERS + "/{user}", None, perms.DELETE_MEMBERSHIP),
    "audit-list": ("get", AUDIT, None, perms.VIEW_AUDITEVENT),
    "audit-retrieve": ("get", AUDIT + "/{audit}", None, perms.VIEW_AUDITEVENT),
}
OBJECT_CALLS = [name for name, (_, path, _, _) in CALLS.items() if "{" in path]


def send(client, world, name):
    method, path, body, _ = CALLS[name]
    url = path.format(role=world.role.pk, user=world.member.user_id, audit=world.audit.pk)
    call = getattr(client, method)
    return call(url, body, format="json") if body else call(url)


@pytest.mark.parametrize("name", list(CALLS))
def test_no_identity_is_401_and_changes_nothing(anonymous, tenant, other_tenant, world, name):
    before = state(tenant.company, other_tenant.company)
    response = send(anonymous, world, name)
    assert response.status_code == 401
    assert error_codes(response) == ["not_authenticated"]
    assert state(tenant.company, other_tenant.company) == before


@pytest.mark.parametrize("name", OBJECT_CALLS)
def test_another_companys_admin_gets_404_and_changes_nothing(tenant, other_tenant, world, name):
    before = state(tenant.company, other_tenant.company)
    response = send(other_tenant.client(), world, name)
    assert response.status_code == 404
    assert error_codes(response) == ["not_found"]
    assert "Supervisors" not in response.content.decode()
    assert state(tenant.company, other_tenant.company) == before


@pytest.mark.parametrize("name", list(CALLS))
def test_member_without_the_permission_gets_403_and_changes_nothing(tenant, world, name):
    actor = member_without(tenant, CALLS[name][3])
    before = state(tenant.company)
    response = send(tenant.client(actor), world, name)
    assert response.status_code == 403
    assert error_codes(response) == ["permission_denied"]
    assert state(tenant.company) == before


@pytest.mark.parametrize("name", list(CALLS))
def test_a_cashier_may_not_manage_users_roles_or_read_the_audit_log(tenant, world, name):
    before = state(tenant.company)
    response = send(tenant.client(world.member), world, name)
    assert response.status_code == 403
    assert state(tenant.company) == before


def granted_codes(tenant, name, world=None) -> list[str]:
    """The codes a call grants or touches: a role's new codes, or those of the roles a member
    gets and (for calls on a member) already holds."""
    body = CALLS[name][2] or {}
    if "permissions" in body:
        return body["permissions"]
    roles = list(Role.objects.filter(company=tenant.company, name__in=body.get("roles", [])))
    if world is not None and name in ("users-update", "users-delete"):
        roles += list(world.member.roles.all())
    return sorted({code for role in roles for code in role_codes(role)})


@pytest.mark.parametrize("name", list(CALLS))
def test_the_one_code_is_enough(tenant, world, name):
    """The call's own code suffices, given that the actor holds whatever the call grants."""
    actor = tenant.member(codes=[CALLS[name][3], *granted_codes(tenant, name, world)])
    response = send(tenant.client(actor), world, name)
    assert 200 <= response.status_code < 300, response.content


@pytest.mark.parametrize("name", ["roles-create", "roles-update", "users-create", "users-update"])
def test_nobody_grants_what_they_do_not_hold(tenant, world, name):
    assert granted_codes(tenant, name)
    actor = tenant.member(codes=[CALLS[name][3]])
    before = state(tenant.company)
    response = send(tenant.client(actor), world, name)
    assert response.status_code == 403
    assert error_codes(response) == ["permission_denied"]
    assert state(tenant.company) == before


def test_a_user_manager_cannot_make_themselves_admin(tenant):
    actor = tenant.member(codes=[perms.CHANGE_MEMBERSHIP, perms.VIEW_MEMBERSHIP])
    response = tenant.client(actor).patch(
        f"{USERS}/{actor.user_id}", {"roles": ["admin"]}, format="json"
    )
    assert response.status_code == 403
    assert role_names(Membership.objects.get(pk=actor.pk)) == [actor.roles.get().name]


def test_removing_codes_one_does_not_hold_is_allowed(tenant, world):
    actor = tenant.member(codes=[perms.CHANGE_ROLE])
    response = tenant.client(actor).patch(
        f"{ROLES}/{world.role.pk}", {"permissions": []}, format="json"
    )
    assert response.status_code == 200
    assert role_codes(world.role) == []


# --- GET /permissions --------------------------------------------------------------------------


def test_permissions_lists_every_holdable_code(tenant):
    response = tenant.client().get(PERMISSIONS, {"page_size": 500})
    assert response.status_code == 200
    body = response.json()
    assert_paginated(body)
    codes = [item["code"] for item in body["results"]]
    assert set(codes) == all_codes()
    assert body["count"] == len(codes) == len(set(codes))
    assert {"accounts.view_role", "companies.change_companysettings"} <= set(codes)
    # Django's own apps are not codes a role may hold.
    assert not [code for code in codes if code.split(".")[0] in {"auth", "sessions", "knox"}]
    by_code = {item["code"]: item["name"] for item in body["results"]}
    assert by_code["accounts.view_role"] == Permission.objects.get(codename="view_role").name
    assert all(set(item) == {"code", "name"} for item in body["results"])


def test_permissions_is_open_to_any_member_even_without_roles(tenant):
    nobody = MembershipFactory(company=tenant.company, user=UserFactory())
    response = tenant.client(nobody).get(PERMISSIONS)
    assert response.status_code == 200
    assert response.json()["count"] == len(all_codes())


def test_permissions_without_identity(anonymous, tenant):
    response = anonymous.get(PERMISSIONS)
    assert response.status_code == 401
    assert error_codes(response) == ["not_authenticated"]


# --- lists are paginated -----------------------------------------------------------------------


@pytest.mark.parametrize("url", [PERMISSIONS, ROLES, USERS, AUDIT])
def test_lists_are_paginated(tenant, url):
    tenant.member("cashier")
    tenant.member("stock_clerk")
    AuditEventFactory.create_batch(2, company=tenant.company)
    body = tenant.client().get(url, {"page_size": 1}).json()
    assert_paginated(body)
    assert len(body["results"]) == 1
    assert body["count"] > 1
    assert body["previous"] is None
    assert "page=2" in body["next"]
    second = tenant.client().get(body["next"]).json()
    assert second["results"] != body["results"]
    assert second["previous"] is not None


def test_page_size_is_capped_at_500(tenant):
    AuditEvent.objects.bulk_create(
        AuditEvent(company=tenant.company, action="bulk", object_type="x") for _ in range(510)
    )
    response = tenant.client().get(AUDIT, {"page_size": 1000})
    body = response.json()
    assert body["count"] == AuditEvent.objects.filter(company=tenant.company).count() > 510
    assert len(body["results"]) == 500
    assert body["next"] is not None
    assert len(tenant.client().get(AUDIT).json()["results"]) == 50


# --- roles -------------------------------------------------------------------------------------


def test_role_list_shows_this_companys_roles_only(tenant, other_tenant):
    RoleFactory(company=other_tenant.company, name="Theirs")
    custom = RoleFactory(company=tenant.company, name="Mine", codes=["companies.view_register"])
    actor = tenant.member(codes=[perms.VIEW_ROLE])
    body = tenant.client(actor).get(ROLES).json()
    assert_paginated(body)
    by_name = {item["name"]: item for item in body["results"]}
    expected = set(Role.objects.filter(company=tenant.company).values_list("name", flat=True))
    assert set(by_name) == expected
    assert {"admin", "manager", "cashier", "stock_clerk", "Mine"} <= expected
    assert "Theirs" not in by_name
    assert by_name["Mine"] == {
        "id": custom.pk,
        "name": "Mine",
        "permissions": ["companies.view_register"],
        "is_system": False,
    }
    assert by_name["admin"]["is_system"] is True
    assert by_name["admin"]["permissions"] == sorted(all_codes())
    assert by_name["cashier"]["permissions"] == role_codes(tenant.role("cashier"))


def test_role_retrieve(tenant):
    actor = tenant.member(codes=[perms.VIEW_ROLE])
    cashier = tenant.role("cashier")
    response = tenant.client(actor).get(f"{ROLES}/{cashier.pk}")
    assert response.status_code == 200
    assert response.json() == {
        "id": cashier.pk,
        "name": "cashier",
        "permissions": role_codes(cashier),
        "is_system": True,
    }
    assert tenant.client(actor).get(f"{ROLES}/{cashier.pk}/").status_code == 200


def test_role_create(tenant):
    actor = tenant.member(codes=[perms.ADD_ROLE, "companies.view_register", "accounts.view_role"])
    response = tenant.client(actor).post(
        ROLES,
        {
            "name": "Supervisors",
            "permissions": ["companies.view_register", "accounts.view_role"],
            "is_system": True,
        },
        format="json",
    )
    assert response.status_code == 201, response.content
    role = Role.objects.get(company=tenant.company, name="Supervisors")
    assert response.json() == {
        "id": role.pk,
        "name": "Supervisors",
        "permissions": ["accounts.view_role", "companies.view_register"],
        "is_system": False,
    }
    assert not role.is_system
    assert role_codes(role) == ["accounts.view_role", "companies.view_register"]
    [event] = audit_events(tenant, "role.create")
    assert (event.user_id, event.object_type, event.object_id) == (
        actor.user_id,
        "accounts.role",
        str(role.pk),
    )
    assert event.data == {
        "name": "Supervisors",
        "permissions": ["accounts.view_role", "companies.view_register"],
    }


def test_role_create_without_permissions(tenant):
    response = tenant.client().post(ROLES, {"name": "Empty"}, format="json")
    assert response.status_code == 201
    assert role_codes(Role.objects.get(company=tenant.company, name="Empty")) == []


def test_role_create_by_another_company_lands_in_their_company(tenant, other_tenant):
    response = other_tenant.client().post(ROLES, {"name": "Theirs"}, format="json")
    assert response.status_code == 201
    assert Role.objects.filter(company=other_tenant.company, name="Theirs").exists()
    assert not Role.objects.filter(company=tenant.company, name="Theirs").exists()


def test_role_create_with_unknown_codes(tenant):
    before = state(tenant.company)
    response = tenant.client().post(
        ROLES,
        {
            "name": "Bad",
            "permissions": ["accounts.view_role", "nope.nothing", "auth.add_group", "sales"],
        },
        format="json",
    )
    assert response.status_code == 400
    assert response.json()["type"] == "validation_error"
    assert error_codes(response) == ["does_not_exist"]
    assert error_attrs(response) == ["permissions"]
    assert state(tenant.company) == before


def test_role_create_duplicate_name_in_the_same_company(tenant):
    RoleFactory(company=tenant.company, name="Supervisors")
    before = state(tenant.company)
    for name in ("Supervisors", "cashier"):
        response = tenant.client().post(ROLES, {"name": name}, format="json")
        assert response.status_code == 400
        assert error_codes(response) == ["unique"]
        assert error_attrs(response) == ["name"]
    assert state(tenant.company) == before


def test_role_create_same_name_as_another_companys_role(tenant, other_tenant):
    RoleFactory(company=other_tenant.company, name="Supervisors")
    response = tenant.client().post(ROLES, {"name": "Supervisors"}, format="json")
    assert response.status_code == 201
    assert Role.objects.filter(name="Supervisors").count() == 2


def test_role_update_custom_role(tenant):
    role = RoleFactory(company=tenant.company, name="Supervisors", codes=[perms.VIEW_ROLE])
    actor = tenant.member(
        codes=[perms.CHANGE_ROLE, "companies.view_location", "accounts.view_membership"]
    )
    response = tenant.client(actor).patch(
        f"{ROLES}/{role.pk}",
        {"name": "Leads", "permissions": ["companies.view_location", "accounts.view_membership"]},
        format="json",
    )
    assert response.status_code == 200, response.content
    assert response.json()["permissions"] == ["accounts.view_membership", "companies.view_location"]
    role.refresh_from_db()
    assert role.name == "Leads"
    assert role_codes(role) == ["accounts.view_membership", "companies.view_location"]
    [event] = audit_events(tenant, "role.update")
    assert event.user_id == actor.user_id and event.object_id == str(role.pk)
    assert event.data == {
        "name": ["Supervisors", "Leads"],
        "permissions": [
            [perms.VIEW_ROLE],
            ["accounts.view_membership", "companies.view_location"],
        ],
    }


def test_role_update_name_only_keeps_permissions(tenant):
    role = RoleFactory(company=tenant.company, name="Supervisors", codes=[perms.VIEW_ROLE])
    response = tenant.client().patch(f"{ROLES}/{role.pk}", {"name": "Leads"}, format="json")
    assert response.status_code == 200
    role.refresh_from_db()
    assert (role.name, role_codes(role)) == ("Leads", [perms.VIEW_ROLE])


def test_role_update_with_unknown_codes_changes_nothing(tenant):
    role = RoleFactory(company=tenant.company, name="Supervisors", codes=[perms.VIEW_ROLE])
    before = state(tenant.company)
    response = tenant.client().patch(
        f"{ROLES}/{role.pk}",
        {"name": "Leads", "permissions": [perms.VIEW_MEMBERSHIP, "accounts.fly"]},
        format="json",
    )
    assert response.status_code == 400
    assert error_codes(response) == ["does_not_exist"]
    assert error_attrs(response) == ["permissions"]
    assert state(tenant.company) == before


def test_role_rename_to_a_taken_name(tenant, other_tenant):
    role = RoleFactory(company=tenant.company, name="Supervisors")
    RoleFactory(company=tenant.company, name="Leads")
    RoleFactory(company=other_tenant.company, name="Night shift")
    response = tenant.client().patch(f"{ROLES}/{role.pk}", {"name": "Leads"}, format="json")
    assert response.status_code == 400
    assert error_codes(response) == ["unique"]
    assert error_attrs(response) == ["name"]
    role.refresh_from_db()
    assert role.name == "Supervisors"
    # a name used only by another company is free here
    response = tenant.client().patch(f"{ROLES}/{role.pk}", {"name": "Night shift"}, format="json")
    assert response.status_code == 200
    role.refresh_from_db()
    assert role.name == "Night shift"


@pytest.mark.parametrize(
    "body",
    [{"permissions": [perms.VIEW_ROLE]}, {"name": "Owners"}, {"permissions": []}],
    ids=["permissions", "name", "empty"],
)
def test_the_admin_role_cannot_be_changed(tenant, body):
    admin = tenant.role("admin")
    before = state(tenant.company)
    response = tenant.client().patch(f"{ROLES}/{admin.pk}", body, format="json")
    assert response.status_code == 409
    assert response.json()["type"] == "client_error"
    assert error_codes(response) == ["system_role"]
    assert state(tenant.company) == before
    assert role_codes(admin) == sorted(all_codes())


def test_the_admin_role_cannot_be_deleted(tenant):
    admin = tenant.role("admin")
    before = state(tenant.company)
    response = tenant.client().delete(f"{ROLES}/{admin.pk}")
    assert response.status_code == 409
    assert error_codes(response) == ["system_role"]
    assert state(tenant.company) == before


@pytest.mark.parametrize("name", ["manager", "cashier", "stock_clerk"])
def test_other_system_roles_cannot_be_deleted(tenant, name):
    role = tenant.role(name)
    assert not role.memberships.exists()
    before = state(tenant.company)
    response = tenant.client().delete(f"{ROLES}/{role.pk}")
    assert response.status_code == 409
    assert error_codes(response) == ["system_role"]
    assert state(tenant.company) == before


@pytest.mark.parametrize("name", ["manager", "cashier", "stock_clerk"])
def test_other_system_roles_cannot_be_renamed(tenant, name):
    role = tenant.role(name)
    before = state(tenant.company)
    response = tenant.client().patch(
        f"{ROLES}/{role.pk}", {"name": "Renamed", "permissions": []}, format="json"
    )
    assert response.status_code == 409
    assert error_codes(response) == ["system_role"]
    assert state(tenant.company) == before


@pytest.mark.parametrize("name", ["manager", "cashier", "stock_clerk"])
def test_other_system_roles_permissions_can_be_edited(tenant, name):
    role = tenant.role(name)
    new_codes = ["accounts.view_auditevent", "companies.view_register"]
    response = tenant.client().patch(
        f"{ROLES}/{role.pk}", {"name": name, "permissions": new_codes}, format="json"
    )
    assert response.status_code == 200, response.content
    role.refresh_from_db()
    assert role.name == name and role.is_system
    assert role_codes(role) == new_codes
    assert response.json()["permissions"] == new_codes


def test_role_delete(tenant):
    role = RoleFactory(company=tenant.company, name="Supervisors")
    actor = tenant.member(codes=[perms.DELETE_ROLE])
    response = tenant.client(actor).delete(f"{ROLES}/{role.pk}")
    assert response.status_code == 204
    assert not Role.objects.filter(pk=role.pk).exists()
    [event] = audit_events(tenant, "role.delete")
    assert (event.user_id, event.object_id, event.data) == (
        actor.user_id,
        str(role.pk),
        {"name": "Supervisors"},
    )


def test_role_still_held_cannot_be_deleted(tenant):
    role = RoleFactory(company=tenant.company, name="Supervisors")
    holder = tenant.member("cashier")
    holder.roles.add(role)
    before = state(tenant.company)
    response = tenant.client().delete(f"{ROLES}/{role.pk}")
    assert response.status_code == 409
    assert error_codes(response) == ["role_in_use"]
    assert state(tenant.company) == before
    # once nobody holds it, it can go
    holder.roles.remove(role)
    assert tenant.client().delete(f"{ROLES}/{role.pk}").status_code == 204
    assert not Role.objects.filter(pk=role.pk).exists()


def test_role_edit_takes_effect_on_the_members_next_request(tenant):
    member = tenant.member(codes=[perms.VIEW_ROLE])
    role = member.roles.get()
    client = tenant.client(member)
    assert client.get(ROLES).status_code == 200
    assert client.get(USERS).status_code == 403

    response = tenant.client().patch(
        f"{ROLES}/{role.pk}", {"permissions": [perms.VIEW_MEMBERSHIP]}, format="json"
    )
    assert response.status_code == 200
    assert client.get(ROLES).status_code == 403
    assert client.get(USERS).status_code == 200
    assert client.get("/api/v1/me").json()["permissions"] == [perms.VIEW_MEMBERSHIP]


def test_system_role_edit_takes_effect_for_its_holders(tenant):
    cashier = tenant.member("cashier")
    client = tenant.client(cashier)
    assert client.get(AUDIT).status_code == 403
    role = tenant.role("cashier")
    codes = [*role_codes(role), perms.VIEW_AUDITEVENT]
    assert tenant.client().patch(f"{ROLES}/{role.pk}", {"permissions": codes}).status_code == 200
    assert client.get(AUDIT).status_code == 200


def test_a_superuser_who_is_a_cashier_gets_only_cashier_permissions(tenant):
    member = tenant.member("cashier")
    User.objects.filter(pk=member.user_id).update(is_superuser=True, is_staff=True)
    client = tenant.client(member)
    before = state(tenant.company)
    assert client.get(ROLES).status_code == 403
    assert client.post(ROLES, {"name": "Mine"}, format="json").status_code == 403
    assert state(tenant.company) == before


# --- users -------------------------------------------------------------------------------------


def test_user_list(tenant, other_tenant):
    cashier = tenant.member("cashier")
    gone = tenant.member("stock_clerk")
    gone.is_active = False
    gone.save()
    outsider = other_tenant.member("cashier")
    actor = tenant.member(codes=[perms.VIEW_MEMBERSHIP])
    body = tenant.client(actor).get(USERS).json()
    assert_paginated(body)
    by_id = {item["id"]: item for item in body["results"]}
    assert set(by_id) == {tenant.admin.user_id, cashier.user_id, gone.user_id, actor.user_id}
    assert outsider.user_id not in by_id
    assert by_id[cashier.user_id] == {
        "id": cashier.user_id,
        "email": cashier.user.email,
        "full_name": cashier.user.full_name,
        "roles": ["cashier"],
        "is_active": True,
    }
    assert by_id[gone.user_id]["is_active"] is False
    assert by_id[tenant.admin.user_id]["roles"] == ["admin"]

    inactive = tenant.client(actor).get(USERS, {"is_active": "false"}).json()
    assert [item["id"] for item in inactive["results"]] == [gone.user_id]


def test_user_retrieve_by_user_id(tenant):
    member = tenant.member("cashier", "stock_clerk")
    actor = tenant.member(codes=[perms.VIEW_MEMBERSHIP])
    response = tenant.client(actor).get(f"{USERS}/{member.user_id}")
    assert response.status_code == 200
    assert response.json() == {
        "id": member.user_id,
        "email": member.user.email,
        "full_name": member.user.full_name,
        "roles": ["cashier", "stock_clerk"],
        "is_active": True,
    }


def test_user_retrieve_of_a_user_only_in_another_company(tenant, other_tenant):
    outsider = other_tenant.member("cashier")
    response = tenant.client().get(f"{USERS}/{outsider.user_id}")
    assert response.status_code == 404
    assert error_codes(response) == ["not_found"]


def test_user_create_new_user(tenant, anonymous):
    granted = role_codes(tenant.role("cashier")) + role_codes(tenant.role("stock_clerk"))
    actor = tenant.member(codes=[perms.ADD_MEMBERSHIP, *granted])
    response = tenant.client(actor).post(
        USERS,
        {
            "email": "Nuevo@Example.COM",
            "full_name": "Nuevo Cajero",
            "password": STRONG_PASSWORD,
            "roles": ["cashier", "stock_clerk"],
        },
        format="json",
    )
    assert response.status_code == 201, response.content
    user = User.objects.get(email="nuevo@example.com")
    assert response.json() == {
        "id": user.pk,
        "email": "nuevo@example.com",
        "full_name": "Nuevo Cajero",
        "roles": ["cashier", "stock_clerk"],
        "is_active": True,
    }
    assert user.full_name == "Nuevo Cajero"
    assert user.check_password(STRONG_PASSWORD)
    membership = membership_of(tenant, user)
    assert membership.is_active and role_names(membership) == ["cashier", "stock_clerk"]
    [event] = audit_events(tenant, "membership.create")
    assert (event.user_id, event.object_type, event.object_id) == (
        actor.user_id,
        "accounts.membership",
        str(membership.pk),
    )
    assert event.data == {"email": "nuevo@example.com", "roles": ["cashier", "stock_clerk"]}
    # the new member can sign in and act in the company
    token = anonymous.post(
        "/api/v1/auth/token", {"email": "nuevo@example.com", "password": STRONG_PASSWORD}
    )
    assert token.status_code == 200
    assert token.json()["companies"] == [{"id": tenant.company.pk, "name": tenant.company.name}]


def test_user_create_without_password(tenant):
    response = tenant.client().post(
        USERS, {"email": "sin@example.com", "roles": ["cashier"]}, format="json"
    )
    assert response.status_code == 201
    user = User.objects.get(email="sin@example.com")
    assert not user.has_usable_password()
    assert user.full_name == ""


def test_user_create_with_weak_password(tenant):
    before = state(tenant.company)
    response = tenant.client().post(
        USERS,
        {"email": "debil@example.com", "password": "123", "roles": ["cashier"]},
        format="json",
    )
    assert response.status_code == 400
    assert response.json()["type"] == "validation_error"
    assert set(error_attrs(response)) == {"password"}
    assert state(tenant.company) == before
    assert not User.objects.filter(email="debil@example.com").exists()


def test_user_create_for_a_user_of_another_company(tenant, other_tenant):
    theirs = other_tenant.member("cashier")
    user = theirs.user
    old_password, old_name = user.password, user.full_name
    response = tenant.client().post(
        USERS,
        {
            "email": user.email.upper(),
            "full_name": "Another Name",
            "password": STRONG_PASSWORD,
            "roles": ["stock_clerk"],
        },
        format="json",
    )
    assert response.status_code == 201, response.content
    assert response.json()["id"] == user.pk
    assert response.json()["full_name"] == old_name
    user.refresh_from_db()
    assert (user.password, user.full_name) == (old_password, old_name)
    assert user.check_password(PASSWORD) and not user.check_password(STRONG_PASSWORD)
    assert User.objects.filter(email__iexact=user.email).count() == 1
    assert role_names(membership_of(tenant, user)) == ["stock_clerk"]
    # the other company's membership is untouched
    theirs.refresh_from_db()
    assert theirs.is_active and role_names(theirs) == ["cashier"]
    assert len(audit_events(tenant, "membership.create")) == 1
    assert not audit_events(other_tenant, "membership.create")


def test_user_create_for_an_active_member(tenant):
    member = tenant.member("cashier")
    before = state(tenant.company)
    response = tenant.client().post(
        USERS, {"email": member.user.email, "roles": ["admin"]}, format="json"
    )
    assert response.status_code == 409
    assert error_codes(response) == ["already_member"]
    assert state(tenant.company) == before


def test_user_create_for_an_inactive_member_reactivates(tenant):
    member = tenant.member("cashier")
    member.is_active = False
    member.save()
    old_password = member.user.password
    response = tenant.client().post(
        USERS,
        {"email": member.user.email, "password": STRONG_PASSWORD, "roles": ["stock_clerk"]},
        format="json",
    )
    assert response.status_code == 201, response.content
    assert Membership.objects.filter(company=tenant.company, user=member.user).count() == 1
    member.refresh_from_db()
    assert member.is_active
    assert role_names(member) == ["stock_clerk"]
    member.user.refresh_from_db()
    assert member.user.password == old_password
    assert tenant.client(member).get("/api/v1/me").status_code == 200
    assert len(audit_events(tenant, "membership.create")) == 1


def test_user_create_with_another_companys_role(tenant, other_tenant):
    RoleFactory(company=other_tenant.company, name="Night shift")
    before = state(tenant.company, other_tenant.company)
    response = tenant.client().post(
        USERS, {"email": "nuevo@example.com", "roles": ["cashier", "Night shift"]}, format="json"
    )
    assert response.status_code == 400
    assert error_codes(response) == ["does_not_exist"]
    assert error_attrs(response) == ["roles"]
    assert state(tenant.company, other_tenant.company) == before


def test_user_create_by_another_company_with_this_companys_role_names(tenant, other_tenant):
    RoleFactory(company=tenant.company, name="Only here")
    before = state(tenant.company, other_tenant.company)
    response = other_tenant.client().post(
        USERS, {"email": "nuevo@example.com", "roles": ["Only here"]}, format="json"
    )
    assert response.status_code == 400
    assert error_attrs(response) == ["roles"]
    assert state(tenant.company, other_tenant.company) == before


def test_user_update_roles(tenant):
    member = tenant.member("cashier")
    custom = RoleFactory(company=tenant.company, name="Supervisors")
    actor = tenant.member(
        codes=[
            perms.CHANGE_MEMBERSHIP,
            *role_codes(tenant.role("stock_clerk")),
            *role_codes(tenant.role("cashier")),
        ]
    )
    response = tenant.client(actor).patch(
        f"{USERS}/{member.user_id}", {"roles": ["stock_clerk", "Supervisors"]}, format="json"
    )
    assert response.status_code == 200, response.content
    assert sorted(response.json()["roles"]) == ["Supervisors", "stock_clerk"]
    assert set(member.roles.all()) == {tenant.role("stock_clerk"), custom}
    [event] = audit_events(tenant, "membership.update")
    assert (event.user_id, event.object_id) == (actor.user_id, str(member.pk))
    assert event.data == {"roles": [["cashier"], ["Supervisors", "stock_clerk"]]}


def test_user_update_deactivate_and_reactivate(tenant):
    member = tenant.member("cashier")
    url = f"{USERS}/{member.user_id}"
    assert tenant.client().patch(url, {"is_active": False}, format="json").status_code == 200
    member.refresh_from_db()
    assert not member.is_active
    assert tenant.client(member).get("/api/v1/me").status_code == 401
    assert tenant.client().patch(url, {"is_active": True}, format="json").status_code == 200
    member.refresh_from_db()
    assert member.is_active and role_names(member) == ["cashier"]
    events = audit_events(tenant, "membership.update")
    assert [e.data for e in events] == [{"is_active": [True, False]}, {"is_active": [False, True]}]


def test_user_update_email_and_name_are_read_only(tenant):
    member = tenant.member("cashier")
    email, name = member.user.email, member.user.full_name
    response = tenant.client().patch(
        f"{USERS}/{member.user_id}",
        {"email": "hijack@example.com", "full_name": "Hijacked", "id": 999},
        format="json",
    )
    assert response.status_code == 200
    member.user.refresh_from_db()
    assert (member.user.email, member.user.full_name) == (email, name)


def test_user_update_with_another_companys_role(tenant, other_tenant):
    member = tenant.member("cashier")
    RoleFactory(company=other_tenant.company, name="Night shift")
    before = state(tenant.company, other_tenant.company)
    response = tenant.client().patch(
        f"{USERS}/{member.user_id}", {"roles": ["Night shift"]}, format="json"
    )
    assert response.status_code == 400
    assert error_codes(response) == ["does_not_exist"]
    assert error_attrs(response) == ["roles"]
    assert state(tenant.company, other_tenant.company) == before


def test_user_delete_deactivates_the_membership(tenant, other_tenant):
    member = tenant.member("cashier")
    elsewhere = MembershipFactory(company=other_tenant.company, user=member.user)
    actor = tenant.member(codes=[perms.DELETE_MEMBERSHIP, *role_codes(tenant.role("cashier"))])
    response = tenant.client(actor).delete(f"{USERS}/{member.user_id}")
    assert response.status_code == 204
    member.refresh_from_db()
    assert not member.is_active
    assert role_names(member) == ["cashier"]  # kept, for a later reactivation
    member.user.refresh_from_db()
    assert member.user.is_active
    elsewhere.refresh_from_db()
    assert elsewhere.is_active
    assert tenant.client(member).get("/api/v1/me").status_code == 401
    assert client_for(elsewhere).get("/api/v1/me").status_code == 200
    [event] = audit_events(tenant, "membership.update")
    assert (event.user_id, event.object_id, event.data) == (
        actor.user_id,
        str(member.pk),
        {"is_active": [True, False]},
    )


# --- last_admin --------------------------------------------------------------------------------


@pytest.fixture
def user_manager(tenant):
    """A member who may manage memberships (and hand out the cashier role) but is no admin."""
    return tenant.member(
        codes=[
            perms.VIEW_MEMBERSHIP,
            perms.CHANGE_MEMBERSHIP,
            perms.DELETE_MEMBERSHIP,
            *role_codes(tenant.role("cashier")),
        ]
    )


REMOVALS = {
    "delete": ("delete", None),
    "deactivate": ("patch", {"is_active": False}),
    "drop-admin-role": ("patch", {"roles": ["cashier"]}),
    "no-roles": ("patch", {"roles": []}),
}


def remove_admin(client, membership, how):
    method, body = REMOVALS[how]
    url = f"{USERS}/{membership.user_id}"
    return getattr(client, method)(url, body, format="json") if body else client.delete(url)


def is_active_admin(membership) -> bool:
    membership.refresh_from_db()
    return membership.is_active and "admin" in role_names(membership)


@pytest.mark.parametrize("how", list(REMOVALS))
def test_the_last_active_admin_cannot_be_removed(tenant, how):
    before = state(tenant.company)
    response = remove_admin(tenant.client(), tenant.admin, how)
    assert response.status_code == 409
    assert error_codes(response) == ["last_admin"]
    assert state(tenant.company) == before
    assert is_active_admin(tenant.admin)


@pytest.mark.parametrize("how", list(REMOVALS))
def test_a_user_manager_cannot_touch_an_admin(tenant, user_manager, how):
    """Managing a member needs every permission the member holds; an admin holds them all."""
    tenant.member("admin")
    before = state(tenant.company)
    response = remove_admin(tenant.client(user_manager), tenant.admin, how)
    assert response.status_code == 403
    assert error_codes(response) == ["permission_denied"]
    assert state(tenant.company) == before


def test_a_user_manager_cannot_reinstate_a_deactivated_admin(tenant, user_manager):
    former = tenant.member("admin")
    former.is_active = False
    former.save()
    client = tenant.client(user_manager)
    response = client.patch(f"{USERS}/{former.user_id}", {"is_active": True}, format="json")
    assert response.status_code == 403
    former.refresh_from_db()
    assert not former.is_active


@pytest.mark.parametrize("how", list(REMOVALS))
def test_an_inactive_second_admin_does_not_count(tenant, how):
    second = tenant.member("admin")
    second.is_active = False
    second.save()
    disabled_user = tenant.member("admin")
    disabled_user.user.is_active = False
    disabled_user.user.save()
    response = remove_admin(tenant.client(), tenant.admin, how)
    assert response.status_code == 409
    assert error_codes(response) == ["last_admin"]
    assert is_active_admin(tenant.admin)


@pytest.mark.parametrize("how", list(REMOVALS))
def test_an_admin_can_be_removed_while_another_active_admin_remains(tenant, how):
    second = tenant.member("admin")
    response = remove_admin(tenant.client(second), tenant.admin, how)
    assert 200 <= response.status_code < 300, response.content
    assert not is_active_admin(tenant.admin)
    assert is_active_admin(second)
    # and now the second one is the last
    response = remove_admin(tenant.client(second), second, how)
    assert response.status_code == 409
    assert error_codes(response) == ["last_admin"]
    assert is_active_admin(second)


# --- audit events ------------------------------------------------------------------------------


def local(*args) -> dt.datetime:
    return dt.datetime(*args, tzinfo=MEXICO)


@pytest.fixture
def timeline(tenant, other_tenant):
    """Events around the midnights of 2024-03-11 and 2024-03-12 in Mexico City (UTC-6)."""
    moments = {
        "before": local(2024, 3, 10, 23, 59, 59),  # 2024-03-11 05:59:59 UTC
        "first": local(2024, 3, 11, 0, 0, 0),
        "last": local(2024, 3, 11, 23, 59, 59, 999999),
        "after": local(2024, 3, 12, 0, 0, 0),
    }
    events = {}
    for name, moment in moments.items():
        event = AuditEventFactory(company=tenant.company, action="test.event", data={"n": name})
        AuditEvent.objects.filter(pk=event.pk).update(created_at=moment)
        events[name] = event.pk
    theirs = AuditEventFactory(company=other_tenant.company, action="test.event")
    AuditEvent.objects.filter(pk=theirs.pk).update(created_at=moments["first"])
    return events


def listed(client, **params) -> list[int]:
    response = client.get(AUDIT, {"action": "test.event", "page_size": 500, **params})
    assert response.status_code == 200, response.content
    return [item["id"] for item in response.json()["results"]]


@pytest.mark.parametrize(
    "params, expected",
    [
        ({}, ["after", "last", "first", "before"]),
        ({"from": "2024-03-11"}, ["after", "last", "first"]),
        ({"to": "2024-03-11"}, ["last", "first", "before"]),
        ({"from": "2024-03-11", "to": "2024-03-11"}, ["last", "first"]),
        ({"from": "2024-03-10", "to": "2024-03-10"}, ["before"]),
        ({"from": "2024-03-12"}, ["after"]),
        ({"to": "2024-03-09"}, []),
    ],
)
def test_audit_date_filters_are_company_local_and_inclusive(tenant, timeline, params, expected):
    actor = tenant.member(codes=[perms.VIEW_AUDITEVENT])
    assert listed(tenant.client(actor), **params) == [timeline[name] for name in expected]


def test_audit_date_filters_follow_the_companys_own_time_zone(tenant, timeline):
    tenant.company.timezone = "UTC"
    tenant.company.save()
    # In UTC, 2024-03-10 23:59:59 Mexico City time is already on the 11th, and
    # 2024-03-11 23:59:59 Mexico City time is on the 12th.
    day = {"from": "2024-03-11", "to": "2024-03-11"}
    assert listed(tenant.client(), **day) == [timeline["first"], timeline["before"]]


def test_audit_list_is_this_companys_newest_first(tenant, other_tenant, timeline):
    response = tenant.client().get(AUDIT, {"page_size": 500})
    body = response.json()
    assert_paginated(body)
    ids = [item["id"] for item in body["results"]]
    assert set(ids) == set(
        AuditEvent.objects.filter(company=tenant.company).values_list("pk", flat=True)
    )
    assert not set(ids) & set(
        AuditEvent.objects.filter(company=other_tenant.company).values_list("pk", flat=True)
    )
    created = [item["created_at"] for item in body["results"]]
    assert [dt.datetime.fromisoformat(c) for c in created] == sorted(
        (dt.datetime.fromisoformat(c) for c in created), reverse=True
    )
    item = next(i for i in body["results"] if i["id"] == timeline["first"])
    assert set(item) == {"id", "action", "user", "object_type", "object_id", "data", "created_at"}
    assert item["data"] == {"n": "first"}
    assert dt.datetime.fromisoformat(item["created_at"]) == local(2024, 3, 11)


def test_audit_filter_by_action_and_user(tenant):
    cashier = tenant.member("cashier")
    client = tenant.client()
    client.post(ROLES, {"name": "Supervisors"}, format="json")
    client.patch(f"{USERS}/{cashier.user_id}", {"roles": ["stock_clerk"]}, format="json")
    second = tenant.member("admin")
    tenant.client(second).post(ROLES, {"name": "Leads"}, format="json")

    by_action = tenant.client().get(AUDIT, {"action": "role.create"}).json()["results"]
    assert sorted(e["data"]["name"] for e in by_action) == ["Leads", "Supervisors"]
    assert {e["action"] for e in by_action} == {"role.create"}

    by_user = tenant.client().get(AUDIT, {"user": second.user_id}).json()["results"]
    assert [(e["action"], e["user"]) for e in by_user] == [("role.create", second.user_id)]

    both = tenant.client().get(AUDIT, {"user": tenant.admin.user_id, "action": "role.create"})
    assert [e["data"]["name"] for e in both.json()["results"]] == ["Supervisors"]
    nothing = tenant.client().get(AUDIT, {"action": "no.such.action"}).json()
    assert nothing["count"] == 0 and nothing["results"] == []


@pytest.mark.parametrize("params", [{"from": "2024-13-01"}, {"to": "yesterday"}, {"user": "x"}])
def test_audit_bad_filter_values(tenant, params):
    response = tenant.client().get(AUDIT, params)
    assert response.status_code == 400
    assert error_attrs(response) == list(params)


def test_audit_retrieve(tenant, other_tenant):
    event = AuditEvent.objects.get(company=tenant.company, action="company.bootstrap")
    actor = tenant.member(codes=[perms.VIEW_AUDITEVENT])
    response = tenant.client(actor).get(f"{AUDIT}/{event.pk}")
    assert response.status_code == 200
    assert response.json()["action"] == "company.bootstrap"
    assert response.json()["user"] == tenant.admin.user_id
    assert response.json()["object_id"] == str(tenant.company.pk)


def test_a_role_held_only_by_an_inactive_member_is_still_in_use(tenant):
    role = RoleFactory(company=tenant.company, name="Seasonal")
    member = tenant.member()
    member.roles.add(role)
    member.is_active = False
    member.save()
    response = tenant.client().delete(f"{ROLES}/{role.pk}")
    assert response.status_code == 409
    assert error_codes(response) == ["role_in_use"]
    assert Role.objects.filter(pk=role.pk).exists()


def test_a_password_like_the_email_is_refused(tenant):
    response = tenant.client().post(
        USERS,
        {"email": "mariana.lopez@example.com", "password": "mariana.lopez", "roles": []},
        format="json",
    )
    assert response.status_code == 400
    assert error_attrs(response) == ["password"]
    assert error_codes(response) == ["invalid_password"]
    assert not User.objects.filter(email="mariana.lopez@example.com").exists()
