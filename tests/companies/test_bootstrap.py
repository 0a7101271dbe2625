import pytest
from django.core.management import call_command
from django.core.management.base import CommandError
from rest_framework.test import APIClient

from accounts.models import AuditEvent, Membership, Role, User
from accounts.roles import SYSTEM_ROLES
from companies.models import Company, CompanySettings, Location, Register
from tests.conftest import error_attrs, error_codes

URL = "/api/v1/bootstrap"


def payload(**overrides):
    body = {
        "company": {"name": "Tienda Uno", "currency": "MXN", "timezone": "America/Mexico_City"},
        "admin": {"email": "ana@example.com", "full_name": "Ana Pérez", "password": "x7!Vq9#mLp2"},
    }
    for key, value in overrides.items():
        section, field = key.split("__")
        if value is None:
            body[section].pop(field)
        else:
            body[section][field] = value
    return body


def table_counts():
    return [
        model.objects.count()
        for model in (Company, CompanySettings, Location, Register, User, Membership, Role)
    ]


@pytest.mark.django_db
def test_bootstrap_creates_a_ready_company(anonymous):
    response = anonymous.post(URL, payload(), format="json")
    assert response.status_code == 201
    body = response.json()
    company = Company.objects.get(pk=body["company_id"])
    assert (company.name, company.currency, company.timezone) == (
        "Tienda Uno",
        "MXN",
        "America/Mexico_City",
    )
    settings = company.settings
    assert settings.prices_include_tax and settings.require_open_shift
    assert not settings.allow_negative_stock
    assert str(settings.max_discount_percent) == "20.00"
    user = User.objects.get(pk=body["user_id"])
    assert user.email == "ana@example.com" and user.check_password("x7!Vq9#mLp2")
    membership = Membership.objects.get(user=user, company=company)
    assert list(membership.roles.values_list("name", flat=True)) == ["admin"]
    assert sorted(r["name"] for r in body["roles"]) == sorted(SYSTEM_ROLES)
    assert {r["id"] for r in body["roles"]} == set(
        Role.objects.filter(company=company, is_system=True).values_list("pk", flat=True)
    )
    location = Location.objects.get(pk=body["location_id"], company=company)
    assert location.name == "Main store"
    register = Register.objects.get(pk=body["register_id"], company=company)
    assert register.location == location and register.receipt_counter == 0
    assert AuditEvent.objects.filter(company=company, action="company.bootstrap").count() == 1


@pytest.mark.django_db
def test_the_admin_can_act_at_once(anonymous):
    body = anonymous.post(URL, payload(), format="json").json()
    response = anonymous.get(
        "/api/v1/me",
        HTTP_X_USER_ID=str(body["user_id"]),
        HTTP_X_COMPANY_ID=str(body["company_id"]),
    )
    assert response.status_code == 200
    assert response.json()["roles"] == ["admin"]


@pytest.mark.django_db
def test_password_is_optional(anonymous):
    response = anonymous.post(URL, payload(admin__password=None), format="json")
    assert response.status_code == 201
    assert not User.objects.get(pk=response.json()["user_id"]).has_usable_password()


@pytest.mark.django_db
@pytest.mark.parametrize(
    "override, attr",
    [
        ({"company__currency": "XYZ"}, "company.currency"),
        ({"company__currency": "DEM"}, "company.currency"),  # withdrawn
        ({"company__currency": None}, "company.currency"),
        ({"company__timezone": "Mars/Olympus"}, "company.timezone"),
        ({"company__name": ""}, "company.name"),
        ({"company__name": "x" * 201}, "company.name"),
        ({"admin__email": "not-an-email"}, "admin.email"),
        ({"admin__email": None}, "admin.email"),
        ({"admin__password": "123"}, "admin.password"),
    ],
)
def test_invalid_fields_are_400_on_the_field_and_create_nothing(anonymous, override, attr):
    response = anonymous.post(URL, payload(**override), format="json")
    assert response.status_code == 400
    assert response.json()["type"] == "validation_error"
    assert attr in error_attrs(response)
    assert table_counts() == [0] * 7


@pytest.mark.django_db
def test_currency_code_is_upper_case_as_the_schema_lists_it(anonymous):
    response = anonymous.post(URL, payload(company__currency="mxn"), format="json")
    assert error_codes(response) == ["invalid_currency"]
    assert table_counts() == [0] * 7
    response = anonymous.post(URL, payload(company__currency="MXN"), format="json")
    assert Company.objects.get(pk=response.json()["company_id"]).currency == "MXN"


@pytest.mark.django_db
def test_not_json_is_400(anonymous):
    response = anonymous.post(URL, "{not json", content_type="application/json")
    assert response.status_code == 400
    assert error_codes(response) == ["parse_error"]


@pytest.mark.django_db
def test_existing_email_is_user_exists(anonymous):
    anonymous.post(URL, payload(), format="json")
    before = table_counts()
    response = anonymous.post(
        URL, payload(company__name="Otra", admin__email="ANA@example.com"), format="json"
    )
    assert response.status_code == 409
    assert error_codes(response) == ["user_exists"]
    assert table_counts() == before


@pytest.mark.django_db
def test_bootstrap_token_gate(anonymous, settings):
    settings.BOOTSTRAP_TOKEN = "let-me-in"
    missing = anonymous.post(URL, payload(), format="json")
    wrong = anonymous.post(URL, payload(), format="json", HTTP_X_BOOTSTRAP_TOKEN="nope")
    assert (missing.status_code, wrong.status_code) == (403, 403)
    assert error_codes(missing) == ["permission_denied"]
    assert table_counts() == [0] * 7
    right = anonymous.post(URL, payload(), format="json", HTTP_X_BOOTSTRAP_TOKEN="let-me-in")
    assert right.status_code == 201


@pytest.mark.django_db
def test_failure_halfway_leaves_nothing(monkeypatch):
    def explode(**kwargs):
        raise RuntimeError("disk full")

    monkeypatch.setattr("companies.services.Register.objects.create", explode)
    client = APIClient(raise_request_exception=False)
    response = client.post(URL, payload(), format="json")
    assert response.status_code == 500
    assert response.json() == {
        "type": "server_error",
        "errors": [{"code": "error", "detail": "Server Error (500)", "attr": None}],
    }
    assert table_counts() == [0] * 7


@pytest.mark.django_db
def test_bootstrap_is_throttled_per_address(anonymous, settings):
    settings.REST_FRAMEWORK = {
        **settings.REST_FRAMEWORK,
        "DEFAULT_THROTTLE_RATES": {
            **settings.REST_FRAMEWORK["DEFAULT_THROTTLE_RATES"],
            "bootstrap": "2/hour",
        },
    }
    for n in range(2):
        body = payload(admin__email=f"owner{n}@example.com")
        assert anonymous.post(URL, body, format="json").status_code == 201
    third = anonymous.post(URL, payload(admin__email="owner3@example.com"), format="json")
    assert third.status_code == 429
    assert error_codes(third) == ["throttled"]
    assert int(third["Retry-After"]) > 0
    assert Company.objects.count() == 2


@pytest.mark.django_db
def test_bootstrap_command(capsys):
    call_command(
        "bootstrap",
        "--company-name",
        "Shell Shop",
        "--admin-email",
        "shell@example.com",
        "--currency",
        "EUR",
        "--timezone",
        "Europe/Madrid",
    )
    out = capsys.readouterr().out
    company = Company.objects.get(name="Shell Shop")
    user = User.objects.get(email="shell@example.com")
    assert out.strip() == f"company_id={company.pk} user_id={user.pk}"
    assert company.currency == "EUR"
    assert Role.objects.filter(company=company).count() == 4


@pytest.mark.django_db
def test_bootstrap_command_refuses_bad_input():
    with pytest.raises(CommandError, match="currency"):
        call_command(
            "bootstrap",
            "--company-name",
            "X",
            "--admin-email",
            "x@example.com",
            "--currency",
            "ZZZ",
        )
    assert Company.objects.count() == 0


@pytest.mark.django_db
def test_seed_demo_only_on_an_empty_database(capsys):
    call_command("seed_demo")
    out = capsys.readouterr().out
    company = Company.objects.get()
    user = User.objects.get()
    assert f"company_id={company.pk} user_id={user.pk}" in out
    assert f"curl -H 'X-User-Id: {user.pk}' -H 'X-Company-Id: {company.pk}'" in out
    call_command("seed_demo")
    assert Company.objects.count() == 1
