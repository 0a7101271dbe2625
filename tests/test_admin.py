"""The platform admin opens every registered model's pages (issue 9 scopes it per company)."""

import pytest
from django.contrib import admin
from django.urls import reverse

from tests.factories import UserFactory


@pytest.fixture
def superuser_client(client, tenant):
    client.force_login(UserFactory(is_staff=True, is_superuser=True))
    return client


@pytest.mark.parametrize("model", list(admin.site._registry), ids=lambda m: m._meta.label_lower)
def test_changelist_add_and_change_pages_open(superuser_client, model):
    opts = model._meta
    changelist = reverse(f"admin:{opts.app_label}_{opts.model_name}_changelist")
    assert superuser_client.get(changelist).status_code == 200
    add = superuser_client.get(reverse(f"admin:{opts.app_label}_{opts.model_name}_add"))
    assert add.status_code in (200, 403)
    obj = model._default_manager.first()
    if obj is not None:
        change = reverse(f"admin:{opts.app_label}_{opts.model_name}_change", args=[obj.pk])
        assert superuser_client.get(change).status_code == 200


def test_companies_are_not_added_in_the_admin(superuser_client):
    assert superuser_client.get(reverse("admin:companies_company_add")).status_code == 403


def test_audit_events_are_read_only(superuser_client, tenant):
    from accounts.models import AuditEvent

    event = AuditEvent.objects.filter(company=tenant.company).first()
    url = reverse("admin:accounts_auditevent_change", args=[event.pk])
    response = superuser_client.post(url, {"action": "tampered"})
    assert response.status_code == 403
    event.refresh_from_db()
    assert event.action == "company.bootstrap"


def test_an_email_typed_in_capitals_is_stored_lower_case(db):
    user = UserFactory.build(email="Mixed@Example.COM")
    user.full_clean(exclude=["password"])
    assert user.email == "mixed@example.com"
