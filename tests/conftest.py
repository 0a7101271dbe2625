import pytest
from django.core.cache import cache
from rest_framework.test import APIClient

from accounts.models import Membership, Role
from companies.services import company_bootstrap
from tests.factories import MembershipFactory, RoleFactory, UserFactory


@pytest.fixture(autouse=True)
def _fast_hashing_and_fresh_throttles(settings):
    settings.PASSWORD_HASHERS = ["django.contrib.auth.hashers.MD5PasswordHasher"]
    cache.clear()


class Tenant:
    """A bootstrapped company, and ways to act in it as members with given roles."""

    def __init__(self, name: str, email: str):
        self.result = company_bootstrap(
            company_name=name,
            currency="MXN",
            timezone="America/Mexico_City",
            admin_email=email,
            admin_full_name=f"Admin of {name}",
        )
        self.company = self.result.company
        self.admin = Membership.objects.get(company=self.company, user=self.result.user)
        self.location = self.result.location
        self.register = self.result.register

    def role(self, name: str) -> Role:
        return Role.objects.get(company=self.company, name=name)

    def member(self, *role_names: str, codes=None) -> Membership:
        """A new member holding the named system roles, or a custom role with `codes`."""
        roles = [self.role(name) for name in role_names]
        if codes is not None:
            roles.append(RoleFactory(company=self.company, codes=codes))
        return MembershipFactory(user=UserFactory(), company=self.company, roles=roles)

    def client(self, membership: Membership | None = None) -> APIClient:
        return client_for(membership or self.admin)


def client_for(membership: Membership) -> APIClient:
    client = APIClient()
    client.credentials(
        HTTP_X_USER_ID=str(membership.user_id), HTTP_X_COMPANY_ID=str(membership.company_id)
    )
    return client


@pytest.fixture
def tenant(db) -> Tenant:
    return Tenant("Tienda Uno", "ana@example.com")


@pytest.fixture
def other_tenant(db) -> Tenant:
    return Tenant("Tienda Dos", "beto@example.com")


@pytest.fixture
def anonymous() -> APIClient:
    return APIClient()


def error_codes(response) -> list[str]:
    return [error["code"] for error in response.json()["errors"]]


def error_attrs(response) -> list[str | None]:
    return [error["attr"] for error in response.json()["errors"]]


def pytest_collection_modifyitems(config, items):
    from django.db import connection

    if connection.vendor == "postgresql":
        return
    skip = pytest.mark.skip(reason="needs PostgreSQL row locks (set DATABASE_URL)")
    for item in items:
        if "postgres" in item.keywords:
            item.add_marker(skip)
