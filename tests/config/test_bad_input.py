"""Odd input gets a 4xx in the envelope, never a 500."""

import pytest
from rest_framework.test import APIClient

from companies.models import Register
from tests.conftest import error_codes


@pytest.fixture
def client(tenant):
    client = APIClient(raise_request_exception=False)
    client.credentials(
        HTTP_X_USER_ID=str(tenant.admin.user_id), HTTP_X_COMPANY_ID=str(tenant.company.pk)
    )
    return client


def assert_client_error(response, status=400):
    assert response.status_code == status, response.content
    assert response.json()["type"] in ("validation_error", "client_error")


@pytest.mark.parametrize("location", [1e300, "1e400", True, 1.5, -1, "abc", [1], {"id": 1}, None])
def test_odd_ids_in_bodies(client, tenant, location):
    response = client.post("/api/v1/registers", {"name": "X", "location": location}, format="json")
    assert_client_error(response)
    assert not Register.objects.filter(name="X").exists()


def test_an_infinite_float_id(client):
    response = client.post(
        "/api/v1/registers", '{"name": "X", "location": 1e400}', content_type="application/json"
    )
    assert_client_error(response)


def test_inactive_new_register(client, tenant):
    response = client.post(
        "/api/v1/registers",
        {"name": "X", "location": tenant.location.pk, "is_active": False},
        format="json",
    )
    assert response.status_code == 201
    assert Register.objects.get(name="X").is_active is False


@pytest.mark.parametrize("role", ["x\x00", 5, None, {"a": 1}])
def test_odd_role_names(client, role):
    response = client.post(
        "/api/v1/users", {"email": "n@example.com", "roles": [role]}, format="json"
    )
    assert_client_error(response)


@pytest.mark.parametrize(
    "query",
    [
        "to=9999-12-31",
        "from=0001-01-01",
        "from=2026-13-01",
        "user=1e30",
        "user=99999999999999999999999",
        "user=1.5",
        "page=abc",
        "page_size=-3",
    ],
)
def test_odd_filters(client, query):
    response = client.get(f"/api/v1/audit-events?{query}")
    assert response.status_code in (200, 400, 404), response.content
    assert response.status_code != 200 or query.startswith("page_size")


@pytest.mark.parametrize("path", ["/api/v1/users/99999999999999999999999", "/api/v1/roles/0"])
def test_odd_ids_in_urls(client, path):
    assert client.get(path).status_code == 404
    assert client.delete(path).status_code == 404


def test_deeply_nested_json(client):
    body = "[" * 100_000 + "]" * 100_000
    response = client.post("/api/v1/roles", body, content_type="application/json")
    assert_client_error(response)
    assert response.json()["errors"][0]["code"] == "parse_error"


def test_nested_non_field_error_names_its_object(anonymous, db):
    response = anonymous.post(
        "/api/v1/bootstrap", {"company": "x", "admin": {"email": "a@example.com"}}, format="json"
    )
    assert response.status_code == 400
    assert "company" in [error["attr"] for error in response.json()["errors"]]


def test_head_works_like_get(client):
    assert client.head("/api/v1/me").status_code == 200
    assert client.head("/api/v1/locations").status_code == 200


def test_options_is_not_offered(client):
    assert client.options("/api/v1/locations").status_code == 405


def test_time_zone_aliases_are_refused(client):
    for zone in ("localtime", "Factory", "posix/Europe/Madrid"):
        response = client.patch("/api/v1/settings", {"timezone": zone}, format="json")
        assert_client_error(response)
    assert client.patch("/api/v1/settings", {"timezone": "UTC"}, format="json").status_code == 200


@pytest.mark.parametrize(
    "path", ["/api/v1/locations", "/api/v1/products", "/api/v1/users", "/api/v1/stock"]
)
def test_booleans_are_true_or_false(client, path):
    field = "below_reorder" if path.endswith("stock") else "is_active"
    response = client.get(f"{path}?{field}=maybe")
    assert response.status_code == 400
    assert [error["attr"] for error in response.json()["errors"]] == [field]
    assert client.get(f"{path}?{field}=true").status_code == 200


def test_a_body_over_the_limit_is_413(client, settings):
    settings.DATA_UPLOAD_MAX_MEMORY_SIZE = 1024
    body = '{"name": "' + "x" * 4096 + '"}'
    response = client.post("/api/v1/roles", body, content_type="application/json")
    assert response.status_code == 413
    assert response.json()["errors"][0]["code"] == "request_too_large"


def test_thousands_of_digits_in_ids_and_pages_are_clean_answers(tenant):
    from catalog.models import Product

    client = tenant.client()
    digits = "1" * 5000
    body = {"sku": "Z", "name": "x", "price": "1", "category": digits}
    assert error_codes(client.post("/api/v1/products", body)) == ["incorrect_type"]
    assert not Product.objects.filter(sku="Z").exists()
    assert client.get(f"/api/v1/products?page={digits}").status_code == 404
    assert client.get(f"/api/v1/products?page_size={digits}").status_code == 200
    valuation = client.get(f"/api/v1/reports/inventory-valuation?location={digits}")
    assert error_codes(valuation) == ["invalid"]
