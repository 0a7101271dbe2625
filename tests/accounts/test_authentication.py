"""Identity: who may call, as a member of which company (401 vs 403 exactly as the API says)."""

import datetime as dt

import pytest
from django.utils import timezone
from knox.models import AuthToken
from rest_framework.test import APIClient

from tests.conftest import error_codes
from tests.factories import PASSWORD, MembershipFactory, UserFactory

ME = "/api/v1/me"


def headers(user_id, company_id, **extra):
    return {"HTTP_X_USER_ID": str(user_id), "HTTP_X_COMPANY_ID": str(company_id), **extra}


def test_no_identity_is_not_authenticated(anonymous, tenant):
    response = anonymous.get(ME)
    assert response.status_code == 401
    assert response.json()["type"] == "client_error"
    assert error_codes(response) == ["not_authenticated"]


@pytest.mark.parametrize(
    "user_id, company_id",
    [
        ("abc", "1"),
        ("1", "x"),
        ("-1", "1"),
        ("1.5", "1"),
        ("", "1"),
        ("\uff11", "1"),  # a full-width digit is not an id
        ("99999999999999999999999", "1"),
    ],
)
def test_malformed_ids_fail_authentication(anonymous, tenant, user_id, company_id):
    response = anonymous.get(ME, **headers(user_id, company_id))
    assert response.status_code == 401
    assert error_codes(response) == ["authentication_failed"]


def test_only_one_identity_header_fails(anonymous, tenant):
    assert anonymous.get(ME, HTTP_X_USER_ID=str(tenant.admin.user_id)).status_code == 401
    response = anonymous.get(ME, HTTP_X_COMPANY_ID=str(tenant.company.pk))
    assert response.status_code == 401
    assert error_codes(response) == ["authentication_failed"]


def test_unknown_user(anonymous, tenant):
    response = anonymous.get(ME, **headers(987654, tenant.company.pk))
    assert response.status_code == 401
    assert error_codes(response) == ["authentication_failed"]


def test_inactive_user(anonymous, tenant):
    member = tenant.member("cashier")
    member.user.is_active = False
    member.user.save()
    response = anonymous.get(ME, **headers(member.user_id, tenant.company.pk))
    assert response.status_code == 401
    assert error_codes(response) == ["authentication_failed"]


def test_inactive_membership(anonymous, tenant):
    member = tenant.member("cashier")
    member.is_active = False
    member.save()
    response = anonymous.get(ME, **headers(member.user_id, tenant.company.pk))
    assert response.status_code == 401


def test_company_the_user_is_not_in(anonymous, tenant, other_tenant):
    response = anonymous.get(ME, **headers(tenant.admin.user_id, other_tenant.company.pk))
    assert response.status_code == 401
    assert error_codes(response) == ["authentication_failed"]


def test_user_in_two_companies_acts_in_the_one_named(anonymous, tenant, other_tenant):
    member_b = MembershipFactory(
        user=tenant.admin.user, company=other_tenant.company, roles=[other_tenant.role("cashier")]
    )
    in_a = anonymous.get(ME, **headers(member_b.user_id, tenant.company.pk)).json()
    in_b = anonymous.get(ME, **headers(member_b.user_id, other_tenant.company.pk)).json()
    assert in_a["company"]["id"] == tenant.company.pk and in_a["roles"] == ["admin"]
    assert in_b["company"]["id"] == other_tenant.company.pk and in_b["roles"] == ["cashier"]
    assert "accounts.add_role" not in in_b["permissions"]


def test_header_mode_disabled_ignores_headers(anonymous, tenant, settings):
    settings.IDENTITY_HEADERS_ENABLED = False
    response = anonymous.get(ME, **headers(tenant.admin.user_id, tenant.company.pk))
    assert response.status_code == 401
    assert error_codes(response) == ["not_authenticated"]


def test_gateway_secret_required_when_set(anonymous, tenant, settings):
    settings.IDENTITY_HEADERS_SECRET = "s3cret-gateway"
    forged = anonymous.get(ME, **headers(tenant.admin.user_id, tenant.company.pk))
    assert forged.status_code == 401
    assert error_codes(forged) == ["authentication_failed"]
    wrong = anonymous.get(
        ME, **headers(tenant.admin.user_id, tenant.company.pk, HTTP_X_GATEWAY_SECRET="guess")
    )
    assert wrong.status_code == 401
    right = anonymous.get(
        ME,
        **headers(tenant.admin.user_id, tenant.company.pk, HTTP_X_GATEWAY_SECRET="s3cret-gateway"),
    )
    assert right.status_code == 200


def test_permission_missing_is_403_not_401(tenant):
    cashier = tenant.member("cashier")
    response = tenant.client(cashier).get("/api/v1/roles")
    assert response.status_code == 403
    assert error_codes(response) == ["permission_denied"]


# Bearer tokens


@pytest.fixture
def password_user(tenant):
    user = UserFactory(email="carla@example.com")
    MembershipFactory(user=user, company=tenant.company, roles=[tenant.role("cashier")])
    return user


def token_for(client, email, password):
    return client.post("/api/v1/auth/token", {"email": email, "password": password})


def test_token_login_and_use(anonymous, tenant, password_user):
    response = token_for(anonymous, "Carla@Example.com", PASSWORD)
    assert response.status_code == 200
    body = response.json()
    assert body["user_id"] == password_user.pk
    assert body["companies"] == [{"id": tenant.company.pk, "name": tenant.company.name}]
    assert body["expires_in"] > 0
    stored = AuthToken.objects.get(user=password_user)
    assert body["token"] not in stored.digest  # only a hash is stored
    client = APIClient()
    client.credentials(
        HTTP_AUTHORIZATION=f"Bearer {body['token']}", HTTP_X_COMPANY_ID=str(tenant.company.pk)
    )
    me = client.get(ME)
    assert me.status_code == 200
    assert me.json()["user"]["email"] == "carla@example.com"
    assert me.json()["roles"] == ["cashier"]


def test_token_without_company_header_fails(anonymous, tenant, password_user):
    token = token_for(anonymous, password_user.email, PASSWORD).json()["token"]
    client = APIClient()
    client.credentials(HTTP_AUTHORIZATION=f"Bearer {token}")
    response = client.get(ME)
    assert response.status_code == 401
    assert error_codes(response) == ["authentication_failed"]


def test_token_for_a_company_the_user_is_not_in(anonymous, tenant, other_tenant, password_user):
    token = token_for(anonymous, password_user.email, PASSWORD).json()["token"]
    client = APIClient()
    client.credentials(
        HTTP_AUTHORIZATION=f"Bearer {token}", HTTP_X_COMPANY_ID=str(other_tenant.company.pk)
    )
    assert client.get(ME).status_code == 401


@pytest.mark.parametrize("password", ["wrong password", ""])
def test_bad_password(anonymous, tenant, password_user, password):
    response = token_for(anonymous, password_user.email, password)
    assert response.status_code == 400
    assert not AuthToken.objects.filter(user=password_user).exists()
    if password:
        assert error_codes(response) == ["invalid_credentials"]
        assert response.json()["errors"][0]["attr"] is None


def test_unknown_email_is_the_same_answer(anonymous, tenant):
    response = token_for(anonymous, "nobody@example.com", PASSWORD)
    assert response.status_code == 400
    assert error_codes(response) == ["invalid_credentials"]


def test_inactive_user_gets_no_token(anonymous, tenant, password_user):
    password_user.is_active = False
    password_user.save()
    assert token_for(anonymous, password_user.email, PASSWORD).status_code == 400


def test_expired_token(anonymous, tenant, password_user):
    token = token_for(anonymous, password_user.email, PASSWORD).json()["token"]
    AuthToken.objects.filter(user=password_user).update(
        expiry=timezone.now() - dt.timedelta(seconds=1)
    )
    client = APIClient()
    client.credentials(
        HTTP_AUTHORIZATION=f"Bearer {token}", HTTP_X_COMPANY_ID=str(tenant.company.pk)
    )
    response = client.get(ME)
    assert response.status_code == 401
    assert error_codes(response) == ["authentication_failed"]
    assert not AuthToken.objects.filter(user=password_user).exists()


@pytest.mark.parametrize("header", ["Bearer", "Bearer not-a-token", "Bearer a b"])
def test_bad_token(anonymous, tenant, header):
    client = APIClient()
    client.credentials(HTTP_AUTHORIZATION=header, HTTP_X_COMPANY_ID=str(tenant.company.pk))
    response = client.get(ME)
    assert response.status_code == 401
    assert error_codes(response) == ["authentication_failed"]


def test_me_lists_sorted_permissions_of_the_membership(tenant):
    cashier = tenant.member("cashier")
    body = tenant.client(cashier).get(ME).json()
    assert body["user"] == {
        "id": cashier.user_id,
        "email": cashier.user.email,
        "full_name": cashier.user.full_name,
    }
    assert body["company"] == {"id": tenant.company.pk, "name": "Tienda Uno"}
    assert body["roles"] == ["cashier"]
    assert body["permissions"] == sorted(body["permissions"])
    assert "companies.view_register" in body["permissions"]
    assert "accounts.view_role" not in body["permissions"]


def test_request_id_is_echoed_or_generated(tenant):
    client = tenant.client()
    given = client.get(ME, HTTP_X_REQUEST_ID="abc-123")
    assert given["X-Request-Id"] == "abc-123"
    generated = client.get(ME, HTTP_X_REQUEST_ID="bad id with spaces")
    assert generated["X-Request-Id"] != "bad id with spaces"
    assert len(generated["X-Request-Id"]) == 32


def test_passwords_are_taken_as_typed(anonymous, tenant, password_user):
    password_user.set_password("  a padded passphrase  ")
    password_user.save()
    assert token_for(anonymous, password_user.email, "  a padded passphrase  ").status_code == 200
    assert error_codes(token_for(anonymous, password_user.email, "a padded passphrase")) == [
        "invalid_credentials"
    ]


def test_a_password_stored_trimmed_before_still_signs_in_as_typed_then(anonymous, password_user):
    # Until passwords were taken as typed, " secret " was stored as "secret".
    password_user.set_password("a stored passphrase")
    password_user.save()
    assert token_for(anonymous, password_user.email, " a stored passphrase ").status_code == 200
    assert AuthToken.objects.filter(user=password_user).count() == 1
