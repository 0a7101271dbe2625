import pytest
from django.contrib import admin
from django.test import Client
from django.urls import reverse

from accounts.models import Membership
from accounts.permissions import ACCESS_BACKOFFICE
from config.backoffice.options import CompanyScopedAdmin
from config.backoffice.tenancy import SESSION_KEY
from tests.seed import seed_first_company

SCOPED_ADMINS = [
    model_admin
    for model_admin in admin.site._registry.values()
    if isinstance(model_admin, CompanyScopedAdmin)
]


def admin_id(model_admin) -> str:
    return model_admin.opts.label_lower


def admin_url(model_admin, page: str, *args) -> str:
    opts = model_admin.opts
    return reverse(f"admin:{opts.app_label}_{opts.model_name}_{page}", args=args)


def backoffice_client(membership: Membership) -> Client:
    """Signed in to the admin as the member, working in the membership's company."""
    client = Client()
    client.force_login(membership.user)
    session = client.session
    session[SESSION_KEY] = membership.company_id
    session.save()
    return client


@pytest.fixture
def world(tenant, other_tenant):
    """Company A with a row in every table; B's admin is the outsider."""
    seed_first_company(tenant)
    return tenant, other_tenant


@pytest.fixture
def backoffice_only(tenant):
    """A member whose role grants the back office and nothing else."""
    return tenant.member(codes=[ACCESS_BACKOFFICE])
