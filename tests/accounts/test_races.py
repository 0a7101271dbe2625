"""Races between real threads on PostgreSQL (row locks do nothing on SQLite)."""

import time

import pytest

from accounts import services
from accounts.models import Membership
from config.api.errors import DomainError
from tests.concurrency import run_together
from tests.conftest import Tenant

pytestmark = [pytest.mark.postgres, pytest.mark.django_db(transaction=True)]


def test_two_admins_removing_each_other_leave_one(monkeypatch):
    tenant = Tenant("Race Shop", "race@example.com")
    first = tenant.admin
    second = tenant.member("admin")
    check = services._ensure_an_admin_remains

    def slow_check(company):
        time.sleep(0.3)  # widen the window between the write and the check
        check(company)

    monkeypatch.setattr(services, "_ensure_an_admin_remains", slow_check)
    results = run_together(
        lambda: services.membership_deactivate(actor=first, membership=second),
        lambda: services.membership_deactivate(actor=second, membership=first),
    )
    refusals = [r for r in results if isinstance(r, DomainError)]
    assert len(refusals) == 1 and refusals[0].code == "last_admin", results
    active_admins = Membership.objects.filter(
        company=tenant.company, is_active=True, roles__name="admin"
    )
    assert active_admins.count() == 1
