"""Settings, locations, registers and health: the four cases and the effects."""

from decimal import Decimal

import pytest
from django.db import OperationalError

from accounts.models import AuditEvent
from companies.models import Location, Register
from tests.conftest import error_attrs, error_codes

SETTINGS = "/api/v1/settings"


# Health


def test_health(anonymous, db):
    response = anonymous.get("/api/v1/health")
    assert response.status_code == 200
    body = response.json()
    assert body["status"] == "ok" and body["database"] == "ok" and body["version"]


def test_health_reports_database_down(anonymous, db, monkeypatch):
    def refuse(*args, **kwargs):
        raise OperationalError("connection refused")

    with monkeypatch.context() as patched:
        patched.setattr("companies.api.views.connection.cursor", refuse)
        response = anonymous.get("/api/v1/health")
    assert response.status_code == 503
    assert response.json() == {"status": "error", "database": "unavailable"}


def test_health_answers_with_and_without_slash(anonymous, db):
    assert anonymous.get("/api/v1/health/").status_code == 200


# Settings


def test_settings_need_identity(anonymous, tenant):
    assert anonymous.get(SETTINGS).status_code == 401
    assert anonymous.patch(SETTINGS, {"name": "X"}).status_code == 401


def test_any_member_reads_settings(tenant):
    response = tenant.client(tenant.member("cashier")).get(SETTINGS)
    assert response.status_code == 200
    assert response.json() == {
        "company_id": tenant.company.pk,
        "name": "Tienda Uno",
        "currency": "MXN",
        "timezone": "America/Mexico_City",
        "prices_include_tax": True,
        "allow_negative_stock": False,
        "require_open_shift": True,
        "max_discount_percent": "20.00",
        "receipt_header": "",
        "receipt_footer": "",
        "low_stock_threshold": "5.000",
    }


def test_settings_are_the_callers_company(tenant, other_tenant):
    body = other_tenant.client().get(SETTINGS).json()
    assert body["company_id"] == other_tenant.company.pk and body["name"] == "Tienda Dos"


@pytest.mark.parametrize("role", ["manager", "cashier", "stock_clerk"])
def test_only_settings_permission_changes_settings(tenant, role):
    response = tenant.client(tenant.member(role)).patch(SETTINGS, {"max_discount_percent": "50"})
    assert response.status_code == 403
    tenant.company.settings.refresh_from_db()
    assert str(tenant.company.settings.max_discount_percent) == "20.00"


def test_patch_settings_changes_and_audits(tenant, other_tenant):
    response = tenant.client().patch(
        SETTINGS,
        {
            "name": "Tienda Uno Centro",
            "timezone": "America/Monterrey",
            "prices_include_tax": False,
            "max_discount_percent": "35.5",
            "receipt_footer": "Gracias",
        },
    )
    assert response.status_code == 200
    body = response.json()
    assert body["name"] == "Tienda Uno Centro" and body["max_discount_percent"] == "35.50"
    tenant.company.refresh_from_db()
    settings = tenant.company.settings
    settings.refresh_from_db()
    assert tenant.company.name == "Tienda Uno Centro"
    assert tenant.company.timezone == "America/Monterrey"
    assert settings.prices_include_tax is False and settings.receipt_footer == "Gracias"
    event = AuditEvent.objects.get(company=tenant.company, action="settings.update")
    assert event.user == tenant.admin.user
    assert event.data["name"] == ["Tienda Uno", "Tienda Uno Centro"]
    old, new = event.data["max_discount_percent"]
    assert (Decimal(old), Decimal(new)) == (Decimal("20"), Decimal("35.5"))
    assert other_tenant.client().get(SETTINGS).json()["name"] == "Tienda Dos"


def test_patch_settings_with_no_change_writes_no_audit(tenant):
    tenant.client().patch(SETTINGS, {"name": "Tienda Uno"})
    assert not AuditEvent.objects.filter(action="settings.update").exists()


@pytest.mark.parametrize(
    "body, attr",
    [
        ({"currency": "ABC"}, "currency"),
        ({"timezone": "Nowhere/Land"}, "timezone"),
        ({"max_discount_percent": "100.01"}, "max_discount_percent"),
        ({"max_discount_percent": "-1"}, "max_discount_percent"),
        ({"low_stock_threshold": "-0.001"}, "low_stock_threshold"),
        ({"prices_include_tax": "maybe"}, "prices_include_tax"),
        ({"name": ""}, "name"),
    ],
)
def test_invalid_settings_are_400_and_change_nothing(tenant, body, attr):
    response = tenant.client().patch(SETTINGS, body)
    assert response.status_code == 400
    assert error_attrs(response) == [attr]
    tenant.company.refresh_from_db()
    assert tenant.company.currency == "MXN" and tenant.company.timezone == "America/Mexico_City"
    assert not AuditEvent.objects.filter(action="settings.update").exists()


def test_currency_changes_while_there_are_no_sales(tenant):
    response = tenant.client().patch(SETTINGS, {"currency": "USD"})
    assert response.status_code == 200 and response.json()["currency"] == "USD"


def test_currency_codes_are_upper_case_as_iso_4217_writes_them(tenant):
    response = tenant.client().patch(SETTINGS, {"currency": "usd"})
    assert error_codes(response) == ["invalid_currency"]
    tenant.company.refresh_from_db()
    assert tenant.company.currency == "MXN"


def test_currency_locked_once_there_are_sales(tenant, monkeypatch):
    monkeypatch.setattr("companies.services.company_has_sales", lambda company: True)
    response = tenant.client().patch(SETTINGS, {"currency": "USD", "name": "Renamed"})
    assert response.status_code == 409
    assert error_codes(response) == ["currency_locked"]
    tenant.company.refresh_from_db()
    assert (tenant.company.currency, tenant.company.name) == ("MXN", "Tienda Uno")


# Locations


def test_locations_four_cases(anonymous, tenant, other_tenant):
    url = f"/api/v1/locations/{tenant.location.pk}"
    assert anonymous.get("/api/v1/locations").status_code == 401
    assert anonymous.post("/api/v1/locations", {"name": "W"}).status_code == 401
    assert anonymous.patch(url, {"name": "W"}).status_code == 401
    outsider = other_tenant.client()
    assert outsider.get(url).status_code == 404
    assert error_codes(outsider.patch(url, {"name": "Hacked"})) == ["not_found"]
    no_rights = tenant.client(tenant.member(codes=[]))
    assert no_rights.get("/api/v1/locations").status_code == 403
    assert no_rights.get(url).status_code == 403
    assert no_rights.post("/api/v1/locations", {"name": "W"}).status_code == 403
    assert no_rights.patch(url, {"name": "W"}).status_code == 403
    tenant.location.refresh_from_db()
    assert tenant.location.name == "Main store"
    assert Location.objects.filter(company=tenant.company).count() == 1


def test_cashier_reads_locations_but_cannot_add(tenant):
    cashier = tenant.client(tenant.member("cashier"))
    listing = cashier.get("/api/v1/locations").json()
    assert [loc["id"] for loc in listing["results"]] == [tenant.location.pk]
    assert cashier.post("/api/v1/locations", {"name": "Bodega"}).status_code == 403


def test_manager_creates_and_changes_locations(tenant):
    manager = tenant.client(tenant.member("manager"))
    created = manager.post("/api/v1/locations/", {"name": "Bodega", "kind": "warehouse"})
    assert created.status_code == 201
    location = Location.objects.get(pk=created.json()["id"])
    assert (location.company, location.kind, location.is_active) == (
        tenant.company,
        "warehouse",
        True,
    )
    changed = manager.patch(f"/api/v1/locations/{location.pk}", {"is_active": False})
    assert changed.status_code == 200
    location.refresh_from_db()
    assert location.is_active is False
    filtered = manager.get("/api/v1/locations?kind=warehouse").json()
    assert [loc["id"] for loc in filtered["results"]] == [location.pk]


def test_location_name_unique_per_company(tenant, other_tenant):
    duplicate = tenant.client().post("/api/v1/locations", {"name": "Main store"})
    assert duplicate.status_code == 400
    assert error_codes(duplicate) == ["unique"] and error_attrs(duplicate) == ["name"]
    assert other_tenant.client().post("/api/v1/locations", {"name": "Bodega"}).status_code == 201
    same_in_b = tenant.client().post("/api/v1/locations", {"name": "Bodega"})
    assert same_in_b.status_code == 201


def test_renaming_a_location_to_its_own_name_is_fine(tenant):
    url = f"/api/v1/locations/{tenant.location.pk}"
    assert tenant.client().patch(url, {"name": "Main store", "kind": "store"}).status_code == 200


def test_location_kind_must_be_known(tenant):
    response = tenant.client().post("/api/v1/locations", {"name": "X", "kind": "garage"})
    assert response.status_code == 400 and error_attrs(response) == ["kind"]


def test_put_and_delete_are_not_offered(tenant):
    url = f"/api/v1/locations/{tenant.location.pk}"
    assert tenant.client().put(url, {"name": "X"}).status_code == 405
    assert tenant.client().delete(url).status_code == 405
    assert Location.objects.filter(pk=tenant.location.pk).exists()


# Registers


def test_registers_four_cases(anonymous, tenant, other_tenant):
    url = f"/api/v1/registers/{tenant.register.pk}"
    body = {"name": "Caja 2", "location": tenant.location.pk}
    assert anonymous.get("/api/v1/registers").status_code == 401
    assert anonymous.post("/api/v1/registers", body).status_code == 401
    assert other_tenant.client().get(url).status_code == 404
    assert other_tenant.client().patch(url, {"name": "Hacked"}).status_code == 404
    stock_clerk = tenant.client(tenant.member("stock_clerk"))
    assert stock_clerk.get("/api/v1/registers").status_code == 403
    assert stock_clerk.post("/api/v1/registers", body).status_code == 403
    assert stock_clerk.patch(url, {"name": "X"}).status_code == 403
    tenant.register.refresh_from_db()
    assert tenant.register.name == "Register 1"
    assert Register.objects.filter(company=tenant.company).count() == 1


def test_create_register_with_a_default_prefix(tenant):
    response = tenant.client().post(
        "/api/v1/registers", {"name": "Caja 2", "location": tenant.location.pk}
    )
    assert response.status_code == 201
    body = response.json()
    assert body["receipt_prefix"] == "R2" and body["location"] == tenant.location.pk
    register = Register.objects.get(pk=body["id"])
    assert register.company == tenant.company and register.receipt_counter == 0


def test_register_prefix_unique_per_company(tenant):
    response = tenant.client().post(
        "/api/v1/registers",
        {"name": "Caja 2", "location": tenant.location.pk, "receipt_prefix": "R1"},
    )
    assert response.status_code == 400
    assert error_attrs(response) == ["receipt_prefix"] and error_codes(response) == ["unique"]


@pytest.mark.parametrize("prefix", ["", "has space", "x" * 13, "ñ"])
def test_register_prefix_format(tenant, prefix):
    response = tenant.client().post(
        "/api/v1/registers",
        {"name": "Caja 2", "location": tenant.location.pk, "receipt_prefix": prefix},
    )
    assert response.status_code == 400 and set(error_attrs(response)) == {"receipt_prefix"}


def test_register_on_another_companys_location_is_400(tenant, other_tenant):
    response = tenant.client().post(
        "/api/v1/registers", {"name": "Caja 2", "location": other_tenant.location.pk}
    )
    assert response.status_code == 400
    assert error_attrs(response) == ["location"] and error_codes(response) == ["does_not_exist"]
    moved = tenant.client().patch(
        f"/api/v1/registers/{tenant.register.pk}", {"location": other_tenant.location.pk}
    )
    assert moved.status_code == 400
    tenant.register.refresh_from_db()
    assert tenant.register.location == tenant.location


def test_register_on_an_inactive_location_is_400(tenant):
    Location.objects.filter(pk=tenant.location.pk).update(is_active=False)
    response = tenant.client().post(
        "/api/v1/registers", {"name": "Caja 2", "location": tenant.location.pk}
    )
    assert response.status_code == 400
    assert error_codes(response) == ["location_inactive"]


def test_receipt_counter_is_not_writable(tenant):
    response = tenant.client().patch(
        f"/api/v1/registers/{tenant.register.pk}", {"receipt_counter": 99, "name": "Caja"}
    )
    assert response.status_code == 200
    tenant.register.refresh_from_db()
    assert tenant.register.receipt_counter == 0 and tenant.register.name == "Caja"


def test_register_filter_by_location_of_another_company_finds_nothing(tenant, other_tenant):
    response = tenant.client().get(f"/api/v1/registers?location={other_tenant.location.pk}")
    assert response.status_code == 200 and response.json()["count"] == 0
