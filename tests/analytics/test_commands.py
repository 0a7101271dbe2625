"""manage.py run_alerts and manage.py seed_demo --days."""

import datetime as dt
import subprocess
import sys
from decimal import Decimal
from io import StringIO

import pytest
from django.core.management import CommandError, call_command
from django.db.models import Sum
from django.utils import timezone

from accounts.models import Membership
from analytics import rules
from analytics.models import Alert
from companies.models import Company
from sales.models import Refund, Sale, Shift
from tests.analytics.conftest import (
    MEXICO,
    REPORTS,
    ROOT,
    open_shift,
    product,
    receive,
    sell,
    subprocess_env,
)
from tests.conftest import client_for

D = Decimal


def run_alerts(*args) -> str:
    out = StringIO()
    call_command("run_alerts", *args, stdout=out, stderr=StringIO())
    return out.getvalue().strip()


@pytest.fixture
def troubled(tenant, other_tenant):
    """Ours: a low_stock and a below_cost_sale; theirs: a low_stock."""
    item = product(tenant, price=D("10.00"), reorder_point=D("10"))
    receive(tenant, (item, 8, "11.00"))
    open_shift(tenant)
    sell(tenant, [(item, 3)], [("card", "30.00")])
    theirs = product(other_tenant, reorder_point=D("10"))
    receive(other_tenant, (theirs, 1, "1.00"))
    return item


def count(tenant) -> int:
    return Alert.objects.filter(company=tenant.company).count()


class TestRunAlerts:
    def test_every_company_with_a_summary_line_and_twice_creates_nothing(
        self, tenant, other_tenant, troubled
    ):
        assert run_alerts() == "alerts: 3 created, 0 resolved, 0 companies failed"
        assert (count(tenant), count(other_tenant)) == (2, 1)
        assert run_alerts() == "alerts: 0 created, 0 resolved, 0 companies failed"
        assert (count(tenant), count(other_tenant)) == (2, 1)

    def test_resolved_ones_are_counted(self, tenant, other_tenant, troubled):
        run_alerts()
        receive(tenant, (troubled, 50, "11.00"))
        assert run_alerts() == "alerts: 0 created, 1 resolved, 0 companies failed"

    def test_one_company(self, tenant, other_tenant, troubled):
        assert run_alerts("--company", str(other_tenant.company.pk)) == (
            "alerts: 1 created, 0 resolved, 0 companies failed"
        )
        assert (count(tenant), count(other_tenant)) == (0, 1)
        assert run_alerts("--company", str(tenant.company.pk)).startswith("alerts: 2 created")
        assert run_alerts("--company", str(tenant.company.pk)).startswith("alerts: 0 created")

    def test_an_unknown_company_is_an_error(self, tenant):
        missing = Company.objects.order_by("-pk").first().pk + 100
        with pytest.raises(CommandError, match=f"No company {missing}"):
            run_alerts("--company", str(missing))
        assert not Alert.objects.exists()

    def test_a_failing_rule_fails_the_command_but_not_the_other_companies(
        self, tenant, other_tenant, troubled, monkeypatch
    ):
        # The last rule: the ones before it found alerts, which the failed run must not keep.
        dead_stock = next(rule for rule in rules.RULES if rule.kind == "dead_stock")
        original = dead_stock.findings

        def findings(company, now):
            if company.pk == tenant.company.pk:
                raise RuntimeError("rule exploded")
            return original(company, now)

        monkeypatch.setattr(dead_stock, "findings", findings)
        err = StringIO()
        with pytest.raises(CommandError, match="1 companies failed"):
            call_command("run_alerts", stdout=StringIO(), stderr=err)
        assert "rule exploded" in err.getvalue()
        assert f"company {tenant.company.pk}" in err.getvalue()
        assert count(tenant) == 0  # the failed run left nothing half-done
        assert count(other_tenant) == 1

    def test_with_no_company_nothing_happens(self, db):
        assert run_alerts() == "alerts: 0 created, 0 resolved, 0 companies failed"


def shifted_clock(monkeypatch, hour_utc: int) -> dt.datetime:
    """Make `timezone.now()` run from today at `hour_utc`:00 UTC on; returns that moment."""
    real = timezone.now
    start = real()
    target = dt.datetime.combine(start.date(), dt.time(hour_utc), tzinfo=dt.UTC)
    delta = target - start
    monkeypatch.setattr(timezone, "now", lambda: real() + delta)
    return target


def seed(days: int) -> str:
    out = StringIO()
    call_command("seed_demo", "--days", str(days), stdout=out, stderr=StringIO())
    return out.getvalue()


def check_seeded(days: int, output: str):
    company = Company.objects.get()
    assert company.name == "Demo store"
    assert company.timezone == "America/Mexico_City"
    assert "Demo company created" in output
    sales = Sale.objects.filter(company=company)
    assert sales.count() > 0
    assert f"{days} days of history added to company {company.pk}: {sales.count()} sales" in output
    today = timezone.localdate(timezone=MEXICO)
    start_of_today = dt.datetime.combine(today, dt.time.min, tzinfo=MEXICO)
    local_days = {s.created_at.astimezone(MEXICO).date() for s in sales}
    assert all(s.created_at < start_of_today for s in sales), sorted(local_days)
    assert all(s.created_at > timezone.now() - dt.timedelta(days=days + 1) for s in sales)
    assert local_days == {today - dt.timedelta(days=back) for back in range(1, days + 1)}
    assert Shift.objects.filter(company=company, status="closed").count() == days
    return company, today


@pytest.mark.django_db
class TestSeedDemo:
    def test_three_days_of_history_that_the_ledger_and_reports_agree_with(self, monkeypatch):
        shifted_clock(monkeypatch, 18)  # noon in Mexico City
        company, today = check_seeded(3, seed(3))
        out = StringIO()
        call_command("check_ledger", stdout=out)
        assert "ledger ok" in out.getvalue()

        admin = Membership.objects.get(company=company, user__email="demo@example.com")
        first, last = today - dt.timedelta(days=3), today - dt.timedelta(days=1)
        body = (
            client_for(admin)
            .get(REPORTS, {"from": first.isoformat(), "to": last.isoformat(), "group_by": "day"})
            .json()
        )
        assert [r["key"] for r in body["rows"]] == [
            (first + dt.timedelta(days=n)).isoformat() for n in range(3)
        ]
        kept = Sale.objects.filter(company=company).exclude(status="voided")
        assert body["totals"]["sales_count"] == kept.count()
        refunded = Refund.objects.filter(company=company).aggregate(t=Sum("total"))["t"] or 0
        sold = kept.aggregate(t=Sum("total"))["t"]
        assert D(body["totals"]["net_total"]) == sold - refunded
        assert all(r["sales_count"] > 0 for r in body["rows"])
        today_only = client_for(admin).get(REPORTS, {"from": today.isoformat()}).json()
        assert today_only["totals"]["sales_count"] == 0

    def test_history_ends_yesterday_in_the_company_s_time_zone_late_in_its_evening(
        self, monkeypatch
    ):
        shifted_clock(monkeypatch, 2)  # 20:00 of the day before in Mexico City
        check_seeded(2, seed(2))

    def test_a_second_run_without_days_creates_no_company(self, tenant):
        output = seed(0)
        assert "no demo company created" in output
        assert Company.objects.count() == 1


def manage(*args):
    return subprocess.run(  # noqa: S603 - our own manage.py
        [sys.executable, str(ROOT / "manage.py"), *args],
        capture_output=True,
        text=True,
        timeout=120,
        cwd=ROOT,
        env=subprocess_env(),
        check=False,
    )


@pytest.mark.postgres
@pytest.mark.django_db(transaction=True)
def test_manage_py_run_alerts_exit_codes(tenant, other_tenant, troubled):
    first = manage("run_alerts")
    assert first.returncode == 0, first.stderr
    assert first.stdout.strip() == "alerts: 3 created, 0 resolved, 0 companies failed"
    again = manage("run_alerts", "--company", str(tenant.company.pk))
    assert again.returncode == 0, again.stderr
    assert again.stdout.strip() == "alerts: 0 created, 0 resolved, 0 companies failed"
    assert (count(tenant), count(other_tenant)) == (2, 1)
    missing = manage("run_alerts", "--company", "999999")
    assert missing.returncode != 0
    assert "No company 999999" in missing.stderr
