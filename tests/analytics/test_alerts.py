"""Alert rules (each firing, not firing, resolving), POST /alerts/run, GET /alerts, resolve."""

import datetime as dt
import json
import logging
from decimal import Decimal

import pytest
from django.utils import timezone

from analytics import services
from analytics.models import Alert
from companies.models import CompanySettings
from inventory.models import StockLevel, StockMovement
from sales.models import Refund, Sale, Shift
from tests.analytics.conftest import (
    ALERTS,
    adjust,
    close_shift,
    line_of,
    location,
    move_sale,
    open_shift,
    product,
    receive,
    refund,
    sell,
    tax_rate,
    void,
)
from tests.conftest import error_codes

D = Decimal
RUN = f"{ALERTS}/run"


def run(tenant) -> dict:
    response = tenant.client().post(RUN)
    assert response.status_code == 200, response.content
    return response.json()


def alerts(tenant, kind, status="open") -> list[Alert]:
    return list(
        Alert.objects.filter(company=tenant.company, kind=kind, status=status).order_by("id")
    )


def level_of(item, where) -> StockLevel:
    return StockLevel.objects.get(product=item, location=where)


def age_movements(item, days, kind=None):
    """Move every stock movement of `item`, and the sales it is in, back `days` days."""
    movements = StockMovement.objects.filter(product=item)
    if kind is not None:
        movements = movements.filter(kind=kind)
    then = timezone.now() - dt.timedelta(days=days)
    movements.update(created_at=then)
    if kind in (None, "sale"):
        Sale.objects.filter(lines__product=item).update(created_at=then)


class TestLowStock:
    def test_fires_at_the_product_s_reorder_point(self, tenant):
        item = product(tenant, name="Café", reorder_point=D("10"))
        receive(tenant, (item, 10, "5.00"))
        assert run(tenant)["created"] == 1
        [alert] = alerts(tenant, "low_stock")
        level = level_of(item, tenant.location)
        assert (alert.subject_type, alert.subject_id) == ("stocklevel", level.pk)
        assert alert.severity == "warning"
        assert "Café" in alert.title
        assert tenant.location.name in alert.title
        assert alert.data["product"] == item.pk
        assert alert.data["location"] == tenant.location.pk
        assert D(alert.data["quantity"]) == D("10")
        assert D(alert.data["reorder_point"]) == D("10")

    def test_does_not_fire_above_the_reorder_point(self, tenant):
        item = product(tenant, reorder_point=D("10"))
        receive(tenant, (item, 11, "5.00"))
        run(tenant)
        assert alerts(tenant, "low_stock") == []

    def test_the_product_s_reorder_point_wins_over_the_threshold(self, tenant):
        item = product(tenant, reorder_point=D("3"))
        receive(tenant, (item, 4, "5.00"))  # under the threshold of 5, over its point of 3
        run(tenant)
        assert alerts(tenant, "low_stock") == []

    def test_without_a_reorder_point_the_settings_threshold_applies(self, tenant):
        at_threshold = product(tenant, name="At five")
        above = product(tenant, name="At six")
        receive(tenant, (at_threshold, 5, "1.00"), (above, 6, "1.00"))
        run(tenant)
        assert [a.subject_id for a in alerts(tenant, "low_stock")] == [
            level_of(at_threshold, tenant.location).pk
        ]
        CompanySettings.objects.filter(company=tenant.company).update(low_stock_threshold=D("6"))
        assert run(tenant) == {"created": 1, "resolved": 0}
        assert len(alerts(tenant, "low_stock")) == 2

    def test_nothing_left_is_critical(self, tenant):
        item = product(tenant, reorder_point=D("2"), price=D("10.00"))
        receive(tenant, (item, 1, "5.00"))
        open_shift(tenant)
        sell(tenant, [(item, 1)], [("cash", "10.00")])
        run(tenant)
        [alert] = alerts(tenant, "low_stock")
        assert alert.severity == "critical"

    def test_resolves_when_restocked(self, tenant):
        item = product(tenant, reorder_point=D("10"))
        receive(tenant, (item, 8, "5.00"))
        run(tenant)
        [alert] = alerts(tenant, "low_stock")
        receive(tenant, (item, 5, "5.00"))
        assert run(tenant) == {"created": 0, "resolved": 1}
        alert.refresh_from_db()
        assert alert.status == "resolved"
        assert alert.resolved_at is not None
        assert alerts(tenant, "low_stock") == []

    def test_an_inactive_product_does_not_alert(self, tenant):
        item = product(tenant, reorder_point=D("10"))
        receive(tenant, (item, 1, "5.00"))
        type(item).objects.filter(pk=item.pk).update(is_active=False)
        run(tenant)
        assert alerts(tenant, "low_stock") == []


class TestStockoutForecast:
    """28 sold in the last 28 days is 1 a day: 7 on hand is 7 days of cover (no alert),
    6 is 6 days (alert)."""

    @pytest.fixture
    def item(self, tenant):
        item = product(tenant, name="Leche", price=D("1.00"))
        receive(tenant, (item, 35, "0.50"))
        open_shift(tenant)
        sell(tenant, [(item, 28)], [("cash", "28.00")])
        return item

    def test_seven_days_of_cover_does_not_fire(self, tenant, item):
        run(tenant)
        assert alerts(tenant, "stockout_forecast") == []

    def test_under_seven_days_fires(self, tenant, item):
        adjust(tenant, item, -1)  # not a sale: the daily rate stays 1
        run(tenant)
        [alert] = alerts(tenant, "stockout_forecast")
        assert alert.subject_id == level_of(item, tenant.location).pk
        assert alert.severity == "warning"
        assert "Leche" in alert.title
        assert D(str(alert.data["days_of_cover"])) == D("6.0")
        assert D(str(alert.data["daily_sales"])) == D("1")
        assert D(alert.data["quantity"]) == D("6")

    def test_less_than_two_days_is_critical(self, tenant, item):
        adjust(tenant, item, -6)
        run(tenant)
        [alert] = alerts(tenant, "stockout_forecast")
        assert alert.severity == "critical"

    def test_sales_older_than_28_days_do_not_count(self, tenant, item):
        adjust(tenant, item, -1)
        age_movements(item, 29, kind="sale")
        run(tenant)
        assert alerts(tenant, "stockout_forecast") == []

    def test_a_voided_sale_is_not_a_sale_for_the_forecast(self, tenant):
        item = product(tenant, price=D("1.00"))
        receive(tenant, (item, 38, "0.50"))
        open_shift(tenant)
        void(tenant, sell(tenant, [(item, 13)], [("card", "13.00")]))
        sell(tenant, [(item, 28)], [("card", "28.00")])
        # 10 on hand, 28 really sold: 10 days of cover (41 "sold" would be 6.8)
        run(tenant)
        assert alerts(tenant, "stockout_forecast") == []

    def test_nothing_sold_nothing_forecast(self, tenant):
        item = product(tenant)
        receive(tenant, (item, 6, "1.00"))
        run(tenant)
        assert alerts(tenant, "stockout_forecast") == []

    def test_resolves_when_restocked(self, tenant, item):
        adjust(tenant, item, -1)
        run(tenant)
        [alert] = alerts(tenant, "stockout_forecast")
        receive(tenant, (item, 10, "0.50"))  # 16 days of cover
        assert run(tenant) == {"created": 0, "resolved": 1}
        alert.refresh_from_db()
        assert alert.status == "resolved"


class TestCashDifference:
    """Cash sales of 200.00 (250.00 tendered, 50.00 change; a voided 1000.00 cash sale does not
    count): 1% is 2.00."""

    @pytest.fixture
    def shift(self, tenant):
        item = product(tenant, name="Silla", price=D("200.00"))
        big = product(tenant, name="Sofá", price=D("1000.00"))
        receive(tenant, (item, 5, "50.00"), (big, 1, "500.00"))
        shift = open_shift(tenant)
        sell(tenant, [(item, 1)], [("cash", "250.00")])
        void(tenant, sell(tenant, [(big, 1)], [("cash", "1000.00")]))
        return shift

    def test_just_over_one_percent_fires(self, tenant, shift):
        report = close_shift(tenant, shift, "197.60")
        assert report["expected_cash"] == D("200.00")
        run(tenant)
        [alert] = alerts(tenant, "cash_difference")
        assert (alert.subject_type, alert.subject_id) == ("shift", shift.pk)
        assert alert.severity == "warning"
        assert "2.40" in alert.title
        assert tenant.register.name in alert.title
        assert alert.data["shift"] == shift.pk
        assert alert.data["register"] == tenant.register.pk
        assert D(alert.data["difference"]) == D("-2.40")
        assert D(alert.data["cash_sales"]) == D("200.00")

    @pytest.mark.parametrize("counted", ["200.00", "198.00", "202.00"])
    def test_at_most_one_percent_does_not_fire(self, tenant, shift, counted):
        close_shift(tenant, shift, counted)
        run(tenant)
        assert alerts(tenant, "cash_difference") == []

    def test_an_open_shift_is_not_judged(self, tenant, shift):
        run(tenant)
        assert alerts(tenant, "cash_difference") == []

    def test_resolves_when_the_shift_leaves_the_lookback(self, tenant, shift):
        close_shift(tenant, shift, "190.00")
        run(tenant)
        [alert] = alerts(tenant, "cash_difference")
        Shift.objects.filter(pk=shift.pk).update(closed_at=timezone.now() - dt.timedelta(days=31))
        assert run(tenant) == {"created": 0, "resolved": 1}
        alert.refresh_from_db()
        assert alert.status == "resolved"


class TestCashDifferenceAmount:
    """Cash sales of 2000.00: 1% is 20.00, so only the 10-unit limit can fire."""

    @pytest.fixture
    def shift(self, tenant):
        item = product(tenant, price=D("2000.00"))
        receive(tenant, (item, 1, "10.00"))
        shift = open_shift(tenant, opening_cash="100.00")
        sell(tenant, [(item, 1)], [("cash", "2000.00")])
        return shift

    def test_ten_units_does_not_fire(self, tenant, shift):
        close_shift(tenant, shift, "2090.00")
        run(tenant)
        assert alerts(tenant, "cash_difference") == []

    def test_over_ten_units_fires_critical(self, tenant, shift):
        close_shift(tenant, shift, "2110.01")
        run(tenant)
        [alert] = alerts(tenant, "cash_difference")
        assert alert.severity == "critical"
        assert D(alert.data["difference"]) == D("10.01")
        assert "over" in alert.title


class TestRefundAnomaly:
    @pytest.fixture
    def shop(self, tenant):
        item = product(tenant, price=D("10.00"))
        receive(tenant, (item, 100, "1.00"))
        open_shift(tenant)
        return item

    def _events(self, tenant, item, cashier, sales, voids, refunds):
        made = [sell(tenant, [(item, 1)], [("card", "10.00")], by=cashier) for _ in range(sales)]
        for sale in made[:voids]:
            void(tenant, sale)
        for sale in made[voids : voids + refunds]:
            refund(tenant, sale, [(line_of(sale, item), 1)], method="card")
        return made

    def test_three_events_against_others_median_of_half_fires(self, tenant, shop):
        c1, c2, c3 = (tenant.member("cashier") for _ in range(3))
        self._events(tenant, shop, c1, sales=4, voids=2, refunds=1)  # 3 events
        self._events(tenant, shop, c2, sales=2, voids=0, refunds=1)  # 1
        self._events(tenant, shop, c3, sales=1, voids=0, refunds=0)  # 0
        run(tenant)
        [alert] = alerts(tenant, "refund_anomaly")
        assert (alert.subject_type, alert.subject_id) == ("user", c1.user_id)
        assert alert.data["user"] == c1.user_id
        assert alert.data["count"] == 3
        assert alert.data["median_of_others"] == 0.5
        assert alert.severity == "warning"
        assert "3 voids and refunds" in alert.message

    def test_not_three_times_the_others_median_does_not_fire(self, tenant, shop):
        c1, c2, c3 = (tenant.member("cashier") for _ in range(3))
        self._events(tenant, shop, c1, sales=3, voids=2, refunds=1)  # 3
        self._events(tenant, shop, c2, sales=2, voids=1, refunds=1)  # 2
        self._events(tenant, shop, c3, sales=1, voids=1, refunds=0)  # 1: median 1.5, x3 = 4.5
        run(tenant)
        assert alerts(tenant, "refund_anomaly") == []

    def test_fewer_than_three_events_does_not_fire(self, tenant, shop):
        c1, c2 = tenant.member("cashier"), tenant.member("cashier")
        self._events(tenant, shop, c1, sales=3, voids=1, refunds=1)  # 2
        self._events(tenant, shop, c2, sales=3, voids=0, refunds=0)
        run(tenant)
        assert alerts(tenant, "refund_anomaly") == []

    def test_a_lone_cashier_has_nobody_to_compare_with(self, tenant, shop):
        c1 = tenant.member("cashier")
        self._events(tenant, shop, c1, sales=5, voids=2, refunds=3)
        run(tenant)
        assert alerts(tenant, "refund_anomaly") == []

    def test_resolves_when_the_events_leave_the_seven_days(self, tenant, shop):
        c1, c2 = tenant.member("cashier"), tenant.member("cashier")
        made = self._events(tenant, shop, c1, sales=4, voids=2, refunds=2)
        self._events(tenant, shop, c2, sales=2, voids=0, refunds=0)
        run(tenant)
        [alert] = alerts(tenant, "refund_anomaly")
        long_ago = timezone.now() - dt.timedelta(days=8)
        Sale.objects.filter(pk__in=[s.pk for s in made]).update(
            created_at=long_ago, voided_at=long_ago
        )
        Refund.objects.filter(sale__in=made).update(created_at=long_ago)
        assert run(tenant) == {"created": 0, "resolved": 1}
        alert.refresh_from_db()
        assert alert.status == "resolved"


class TestBelowCostSale:
    @pytest.mark.parametrize(("prices_include_tax", "price"), [(True, "116.00"), (False, "100.00")])
    def test_fires_when_the_net_of_tax_is_under_the_unit_cost(
        self, tenant, prices_include_tax, price
    ):
        CompanySettings.objects.filter(company=tenant.company).update(
            prices_include_tax=prices_include_tax
        )
        item = product(tenant, name="Vino", price=D(price), tax_rate=tax_rate(tenant, "16.00"))
        receive(tenant, (item, 5, "100.01"))
        open_shift(tenant)
        sale = sell(tenant, [(item, 1)], [("card", "116.00")])
        run(tenant)
        [alert] = alerts(tenant, "below_cost_sale")
        line = line_of(sale, item)
        assert (alert.subject_type, alert.subject_id) == ("saleline", line.pk)
        assert sale.receipt_number in alert.title
        assert "Vino" in alert.title
        assert alert.data["sale"] == sale.pk
        assert alert.data["product"] == item.pk
        assert D(alert.data["unit_net"]) == D("100.00")
        assert D(alert.data["unit_cost"]) == D("100.01")

    @pytest.mark.parametrize(("prices_include_tax", "price"), [(True, "116.00"), (False, "100.00")])
    def test_at_cost_net_of_tax_does_not_fire(self, tenant, prices_include_tax, price):
        CompanySettings.objects.filter(company=tenant.company).update(
            prices_include_tax=prices_include_tax
        )
        item = product(tenant, price=D(price), tax_rate=tax_rate(tenant, "16.00"))
        receive(tenant, (item, 5, "100.00"))
        open_shift(tenant)
        sell(tenant, [(item, 1)], [("card", "116.00")])
        run(tenant)
        assert alerts(tenant, "below_cost_sale") == []

    def test_a_discount_can_take_a_line_under_cost(self, tenant):
        item = product(tenant, price=D("100.00"))
        receive(tenant, (item, 5, "95.00"))
        open_shift(tenant)
        sell(tenant, [(item, 2, "10")], [("card", "180.00")])  # 90.00 a unit
        sell(tenant, [(item, 1, "5")], [("card", "95.00")])  # 95.00: at cost
        run(tenant)
        [alert] = alerts(tenant, "below_cost_sale")
        assert D(alert.data["unit_net"]) == D("90.00")

    def test_resolves_when_the_sale_is_voided(self, tenant):
        item = product(tenant, price=D("10.00"))
        receive(tenant, (item, 5, "12.00"))
        open_shift(tenant)
        sale = sell(tenant, [(item, 1)], [("card", "10.00")])
        run(tenant)
        [alert] = alerts(tenant, "below_cost_sale")
        void(tenant, sale)
        assert run(tenant) == {"created": 0, "resolved": 1}
        alert.refresh_from_db()
        assert alert.status == "resolved"


class TestDeadStock:
    def test_old_stock_without_a_sale_in_60_days_fires(self, tenant):
        item = product(tenant, name="Paraguas")
        receive(tenant, (item, 20, "3.00"))
        age_movements(item, 61)
        run(tenant)
        [alert] = alerts(tenant, "dead_stock")
        assert alert.subject_id == level_of(item, tenant.location).pk
        assert alert.severity == "info"
        assert "Paraguas" in alert.title
        assert D(alert.data["quantity"]) == D("20")
        assert "60.00" in alert.message  # 20 at 3.00

    def test_a_level_younger_than_60_days_does_not_fire(self, tenant):
        item = product(tenant)
        receive(tenant, (item, 20, "3.00"))
        age_movements(item, 59)
        run(tenant)
        assert alerts(tenant, "dead_stock") == []

    def test_a_sale_in_the_60_days_keeps_it_alive(self, tenant):
        item = product(tenant, price=D("10.00"))
        receive(tenant, (item, 20, "3.00"))
        age_movements(item, 90)
        open_shift(tenant)
        sale = sell(tenant, [(item, 1)], [("card", "10.00")])
        move_sale(sale, timezone.now() - dt.timedelta(days=59))
        run(tenant)
        assert alerts(tenant, "dead_stock") == []

    def test_a_sale_older_than_60_days_does_not(self, tenant):
        item = product(tenant, price=D("10.00"))
        receive(tenant, (item, 20, "3.00"))
        open_shift(tenant)
        sell(tenant, [(item, 1)], [("card", "10.00")])
        age_movements(item, 70)
        run(tenant)
        assert len(alerts(tenant, "dead_stock")) == 1

    def test_a_voided_sale_does_not_keep_it_alive(self, tenant):
        item = product(tenant, price=D("10.00"))
        receive(tenant, (item, 20, "3.00"))
        age_movements(item, 90)
        open_shift(tenant)
        void(tenant, sell(tenant, [(item, 1)], [("card", "10.00")]))
        run(tenant)
        assert len(alerts(tenant, "dead_stock")) == 1

    def test_a_sale_at_another_location_does_not_count(self, tenant):
        item = product(tenant, price=D("10.00"))
        warehouse = location(tenant)
        receive(tenant, (item, 20, "3.00"), where=warehouse)
        receive(tenant, (item, 20, "3.00"))
        age_movements(item, 61)
        open_shift(tenant)
        sell(tenant, [(item, 1)], [("card", "10.00")])  # at the store, now
        run(tenant)
        assert [a.subject_id for a in alerts(tenant, "dead_stock")] == [
            level_of(item, warehouse).pk
        ]

    def test_no_stock_on_hand_is_not_dead_stock(self, tenant):
        item = product(tenant)
        receive(tenant, (item, 2, "3.00"))
        adjust(tenant, item, -2)
        age_movements(item, 61)
        run(tenant)
        assert alerts(tenant, "dead_stock") == []

    def test_resolves_after_a_sale(self, tenant):
        item = product(tenant, price=D("10.00"))
        receive(tenant, (item, 20, "3.00"))
        age_movements(item, 61)
        run(tenant)
        [alert] = alerts(tenant, "dead_stock")
        open_shift(tenant)
        sell(tenant, [(item, 1)], [("card", "10.00")])
        assert run(tenant) == {"created": 0, "resolved": 1}
        alert.refresh_from_db()
        assert alert.status == "resolved"


@pytest.fixture
def troubles(tenant):
    """One low_stock (reorder point 10, 5 left after selling 3) and one below_cost_sale."""
    item = product(tenant, name="Té", price=D("10.00"), reorder_point=D("10"))
    receive(tenant, (item, 8, "11.00"))
    open_shift(tenant)
    sale = sell(tenant, [(item, 3)], [("card", "30.00")])
    return item, sale


class TestRun:
    def test_run_answers_created_and_resolved_and_twice_creates_nothing(self, tenant, troubles):
        assert run(tenant) == {"created": 2, "resolved": 0}
        assert run(tenant) == {"created": 0, "resolved": 0}
        assert Alert.objects.filter(company=tenant.company).count() == 2
        assert {a.kind for a in Alert.objects.filter(company=tenant.company)} == {
            "low_stock",
            "below_cost_sale",
        }

    def test_nothing_wrong_nothing_created(self, tenant):
        assert run(tenant) == {"created": 0, "resolved": 0}
        assert not Alert.objects.exists()

    def test_each_new_alert_logs_one_json_line(self, tenant, troubles, caplog):
        with caplog.at_level(logging.INFO, logger="pos.alerts"):
            run(tenant)
        lines = [json.loads(r.getMessage()) for r in caplog.records if r.name == "pos.alerts"]
        assert sorted(line["kind"] for line in lines) == ["below_cost_sale", "low_stock"]
        ids = {(a.kind, a.subject_id) for a in Alert.objects.filter(company=tenant.company)}
        for line in lines:
            assert line["event"] == "alert.created"
            assert line["company"] == tenant.company.pk
            assert (line["kind"], line["subject_id"]) in ids
            assert line["severity"] in {"info", "warning", "critical"}
            assert line["title"]
        caplog.clear()
        with caplog.at_level(logging.INFO, logger="pos.alerts"):
            run(tenant)
        assert [r for r in caplog.records if r.name == "pos.alerts"] == []

    def test_run_for_one_company_leaves_the_other_alone(self, tenant, other_tenant, troubles):
        theirs = product(other_tenant, reorder_point=D("10"))
        receive(other_tenant, (theirs, 1, "1.00"))
        assert run(tenant)["created"] == 2
        assert not Alert.objects.filter(company=other_tenant.company).exists()
        assert run(other_tenant) == {"created": 1, "resolved": 0}
        assert Alert.objects.filter(company=tenant.company).count() == 2

    def test_service_run_is_idempotent(self, tenant, troubles):
        first = services.alerts_run(company=tenant.company)
        second = services.alerts_run(company=tenant.company)
        assert (first.created, first.resolved) == (2, 0)
        assert (second.created, second.resolved) == (0, 0)


class TestList:
    def test_fields_and_filters(self, tenant, troubles):
        item, _ = troubles
        run(tenant)
        receive(tenant, (item, 20, "11.00"))  # low_stock clears
        run(tenant)
        client = tenant.client()
        everything = client.get(ALERTS).json()
        assert everything["count"] == 2
        first = everything["results"][0]
        assert {
            "id",
            "kind",
            "severity",
            "title",
            "message",
            "subject_type",
            "subject_id",
            "data",
            "created_at",
            "resolved_at",
        } <= set(first)
        opened = client.get(ALERTS, {"status": "open"}).json()["results"]
        assert [a["kind"] for a in opened] == ["below_cost_sale"]
        assert opened[0]["resolved_at"] is None
        resolved = client.get(ALERTS, {"status": "resolved"}).json()["results"]
        assert [a["kind"] for a in resolved] == ["low_stock"]
        assert resolved[0]["resolved_at"] is not None
        by_kind = client.get(ALERTS, {"kind": "low_stock"}).json()["results"]
        assert [a["kind"] for a in by_kind] == ["low_stock"]
        both = client.get(ALERTS, {"kind": "low_stock", "status": "open"}).json()
        assert both["count"] == 0

    @pytest.mark.parametrize("name", ["status", "kind"])
    def test_an_unknown_filter_value_is_400(self, tenant, name):
        response = tenant.client().get(ALERTS, {name: "bogus"})
        assert response.status_code == 400

    def test_retrieve_one(self, tenant, troubles):
        run(tenant)
        alert = alerts(tenant, "low_stock")[0]
        body = tenant.client().get(f"{ALERTS}/{alert.pk}").json()
        assert body["id"] == alert.pk
        assert body["kind"] == "low_stock"


class TestResolve:
    def test_resolve_then_twice_is_409(self, tenant, troubles):
        run(tenant)
        alert = alerts(tenant, "low_stock")[0]
        manager = tenant.member("manager")
        client = tenant.client(manager)
        response = client.post(f"{ALERTS}/{alert.pk}/resolve")
        assert response.status_code == 200, response.content
        assert response.json()["status"] == "resolved"
        assert response.json()["resolved_at"] is not None
        alert.refresh_from_db()
        assert alert.status == "resolved"
        assert alert.resolved_by_id == manager.user_id
        again = client.post(f"{ALERTS}/{alert.pk}/resolve")
        assert again.status_code == 409
        assert error_codes(again) == ["alert_resolved"]

    def test_unknown_alert_is_404(self, tenant):
        response = tenant.client().post(f"{ALERTS}/999999/resolve")
        assert response.status_code == 404


class TestAlertPermissions:
    def test_no_identity_is_401(self, anonymous):
        assert anonymous.get(ALERTS).status_code == 401
        assert anonymous.post(RUN).status_code == 401

    def test_a_cashier_can_neither_see_run_nor_resolve(self, tenant, troubles):
        run(tenant)
        alert = alerts(tenant, "low_stock")[0]
        cashier = tenant.client(tenant.member("cashier"))
        for response in (
            cashier.get(ALERTS),
            cashier.get(f"{ALERTS}/{alert.pk}"),
            cashier.post(RUN),
            cashier.post(f"{ALERTS}/{alert.pk}/resolve"),
        ):
            assert response.status_code == 403
            assert error_codes(response) == ["permission_denied"]
        alert.refresh_from_db()
        assert alert.status == "open"

    def test_a_stock_clerk_sees_but_cannot_run_or_resolve(self, tenant, troubles):
        run(tenant)
        alert = alerts(tenant, "low_stock")[0]
        clerk = tenant.client(tenant.member("stock_clerk"))
        assert clerk.get(ALERTS).json()["count"] == 2
        assert clerk.post(RUN).status_code == 403
        assert clerk.post(f"{ALERTS}/{alert.pk}/resolve").status_code == 403

    def test_a_manager_can_run_list_and_resolve(self, tenant, troubles):
        manager = tenant.client(tenant.member("manager"))
        assert manager.post(RUN).json() == {"created": 2, "resolved": 0}
        assert manager.get(ALERTS).json()["count"] == 2

    def test_another_company_never_sees_nor_resolves_ours(self, tenant, other_tenant, troubles):
        run(tenant)
        ours = alerts(tenant, "low_stock")[0]
        theirs = other_tenant.client()
        assert theirs.post(RUN).json() == {"created": 0, "resolved": 0}
        assert theirs.get(ALERTS).json()["count"] == 0
        assert theirs.get(f"{ALERTS}/{ours.pk}").status_code == 404
        response = theirs.post(f"{ALERTS}/{ours.pk}/resolve")
        assert response.status_code == 404
        assert error_codes(response) == ["not_found"]
        ours.refresh_from_db()
        assert ours.status == "open"
