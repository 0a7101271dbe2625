"""GET /reports/sales and /reports/inventory-valuation against hand-computed figures.

The `two_days` fixture (conftest) is described there; every figure below is computed by hand
from it: prices include tax, voided S3 is left out, the refund of 116.00 counts on day2.
"""

import datetime as dt
from decimal import Decimal

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext

from analytics.selectors import GROUPS
from tests.analytics.conftest import (
    MEXICO,
    REPORTS,
    VALUATION,
    category,
    line_of,
    local,
    location,
    open_shift,
    product,
    receive,
    refund,
    register,
    sell,
    today_local,
)
from tests.conftest import error_attrs, error_codes

D = Decimal
ROW_FIELDS = (
    "sales_count",
    "quantity",
    "gross_total",
    "discount_total",
    "tax_total",
    "refunds_total",
    "net_total",
)


def report(client, group_by, day_from=None, day_to=None):
    params = {"group_by": group_by}
    if day_from is not None:
        params["from"] = day_from.isoformat()
    if day_to is not None:
        params["to"] = day_to.isoformat()
    response = client.get(REPORTS, params)
    assert response.status_code == 200, response.content
    return response.json()


def row(key, label, count, quantity, gross, discount, tax, refunds, net):
    return {
        "key": key,
        "label": label,
        "sales_count": count,
        "quantity": quantity,
        "gross_total": gross,
        "discount_total": discount,
        "tax_total": tax,
        "refunds_total": refunds,
        "net_total": net,
    }


def rows_of(body):
    return [{name: r[name] for name in ("key", "label", *ROW_FIELDS)} for r in body["rows"]]


TWO_DAY_TOTALS = {
    "sales_count": 3,  # S1, S2, S4; S3 voided, S0 the day before
    "gross_total": "486.00",  # 290.00 + 146.00 + 50.00
    "discount_total": "11.60",
    "tax_total": "54.40",  # 32.00 + 8.00 + 14.40
    "net_total": "358.40",  # 474.40 - 116.00
    "refunds_total": "116.00",
    "average_ticket": "158.13",  # 474.40 / 3
}


class TestSalesReport:
    def test_by_day_splits_at_local_midnight_and_subtracts_the_refund_on_its_day(
        self, tenant, two_days
    ):
        body = report(tenant.client(), "day", two_days.day1, two_days.day2)
        assert body["from"] == two_days.day1.isoformat()
        assert body["to"] == two_days.day2.isoformat()
        assert body["currency"] == "MXN"
        assert body["totals"] == TWO_DAY_TOTALS
        d1, d2 = two_days.day1.isoformat(), two_days.day2.isoformat()
        assert rows_of(body) == [
            # S4 (10:00) + S1 (23:50 local, 05:50 UTC of day2)
            row(d1, d1, 2, "8.000", "340.00", "0.00", "40.00", "0.00", "340.00"),
            # S2 (00:10 local) and the refund of S1 (09:00)
            row(d2, d2, 1, "5.000", "146.00", "11.60", "14.40", "116.00", "18.40"),
        ]

    def test_by_hour_in_the_company_time_zone(self, tenant, two_days):
        body = report(tenant.client(), "hour", two_days.day1, two_days.day2)
        assert body["totals"] == TWO_DAY_TOTALS
        assert rows_of(body) == [
            row(0, "00:00", 1, "5.000", "146.00", "11.60", "14.40", "0.00", "134.40"),
            row(9, "09:00", 0, "0.000", "0.00", "0.00", "0.00", "116.00", "-116.00"),
            row(10, "10:00", 1, "5.000", "50.00", "0.00", "0.00", "0.00", "50.00"),
            row(23, "23:00", 1, "3.000", "290.00", "0.00", "40.00", "0.00", "290.00"),
        ]

    def test_by_product(self, tenant, two_days):
        body = report(tenant.client(), "product", two_days.day1, two_days.day2)
        assert body["totals"] == TWO_DAY_TOTALS
        p1, p2, p3 = two_days.p1.pk, two_days.p2.pk, two_days.p3.pk
        assert rows_of(body) == [  # by net_total, highest first
            row(p2, "Pan", 2, "3.000", "174.00", "11.60", "22.40", "0.00", "162.40"),
            row(p1, "Café", 1, "2.000", "232.00", "0.00", "32.00", "116.00", "116.00"),
            row(p3, "Agua", 2, "8.000", "80.00", "0.00", "0.00", "0.00", "80.00"),
        ]

    def test_by_category_with_uncategorised_products_in_one_group(self, tenant, two_days):
        body = report(tenant.client(), "category", two_days.day1, two_days.day2)
        assert body["totals"] == TWO_DAY_TOTALS
        assert rows_of(body) == [
            row(
                two_days.bakery.pk,
                "Panadería",
                2,
                "3.000",
                "174.00",
                "11.60",
                "22.40",
                "0.00",
                "162.40",
            ),
            row(
                two_days.drinks.pk,
                "Bebidas",
                1,
                "2.000",
                "232.00",
                "0.00",
                "32.00",
                "116.00",
                "116.00",
            ),
            row(None, "No category", 2, "8.000", "80.00", "0.00", "0.00", "0.00", "80.00"),
        ]

    def test_by_cashier_the_refund_counts_against_the_sale_s_cashier(self, tenant, two_days):
        body = report(tenant.client(), "cashier", two_days.day1, two_days.day2)
        assert body["totals"] == TWO_DAY_TOTALS
        c1, c2 = two_days.c1.user, two_days.c2.user
        assert rows_of(body) == [
            row(c2.pk, c2.full_name, 2, "10.000", "196.00", "11.60", "14.40", "0.00", "184.40"),
            row(c1.pk, c1.full_name, 1, "3.000", "290.00", "0.00", "40.00", "116.00", "174.00"),
        ]

    def test_by_payment_method_cash_is_net_of_change(self, tenant, two_days):
        body = report(tenant.client(), "payment_method", two_days.day1, two_days.day2)
        assert body["totals"] == TWO_DAY_TOTALS
        assert [
            {name: r[name] for name in ("key", "label", "sales_count", "quantity", "net_total")}
            for r in body["rows"]
        ] == [
            # 300.00 tendered - 10.00 change - 116.00 refunded in cash
            {
                "key": "cash",
                "label": "Cash",
                "sales_count": 1,
                "quantity": None,
                "net_total": "174.00",
            },
            {
                "key": "card",
                "label": "Card",
                "sales_count": 1,
                "quantity": None,
                "net_total": "134.40",
            },
            {
                "key": "transfer",
                "label": "Transfer",
                "sales_count": 1,
                "quantity": None,
                "net_total": "50.00",
            },
        ]
        assert body["rows"][0]["refunds_total"] == "116.00"

    def test_by_register(self, tenant, two_days):
        body = report(tenant.client(), "register", two_days.day1, two_days.day2)
        assert body["totals"] == TWO_DAY_TOTALS
        r1, r2 = two_days.r1, two_days.r2
        assert rows_of(body) == [
            row(r1.pk, r1.name, 2, "8.000", "340.00", "0.00", "40.00", "116.00", "224.00"),
            row(r2.pk, r2.name, 1, "5.000", "146.00", "11.60", "14.40", "0.00", "134.40"),
        ]

    @pytest.mark.parametrize(
        ("group_by", "refund_key"),
        [
            ("day", "day2"),
            ("product", "p1"),
            ("category", "drinks"),
            ("cashier", "c1"),
            ("payment_method", "cash"),
            ("register", "r1"),
        ],
    )
    def test_a_refund_of_an_earlier_sale_is_subtracted_on_the_refund_s_day(
        self, tenant, two_days, group_by, refund_key
    ):
        """Day2 alone: S1 (day1) is not in it, its refund (day2) is, in S1's groups."""
        body = report(tenant.client(), group_by, two_days.day2, two_days.day2)
        assert body["totals"] == {
            "sales_count": 1,
            "gross_total": "146.00",
            "discount_total": "11.60",
            "tax_total": "14.40",
            "net_total": "18.40",
            "refunds_total": "116.00",
            "average_ticket": "134.40",
        }
        key = {
            "day2": two_days.day2.isoformat(),
            "p1": two_days.p1.pk,
            "drinks": two_days.drinks.pk,
            "c1": two_days.c1.user_id,
            "cash": "cash",
            "r1": two_days.r1.pk,
        }[refund_key]
        refunded = [r for r in body["rows"] if r["refunds_total"] != "0.00"]
        assert [(r["key"], r["refunds_total"]) for r in refunded] == [(key, "116.00")]
        if group_by != "day":  # a group with nothing but the refund in it
            assert refunded[0]["sales_count"] == 0
            assert refunded[0]["net_total"] == "-116.00"
        assert sum(D(r["net_total"]) for r in body["rows"]) == D("18.40")

    def test_day1_alone_has_no_refund_and_leaves_out_the_void_and_the_day_before(
        self, tenant, two_days
    ):
        body = report(tenant.client(), "day", two_days.day1, two_days.day1)
        assert body["totals"] == {
            "sales_count": 2,
            "gross_total": "340.00",
            "discount_total": "0.00",
            "tax_total": "40.00",
            "net_total": "340.00",
            "refunds_total": "0.00",
            "average_ticket": "170.00",
        }
        assert [r["key"] for r in body["rows"]] == [two_days.day1.isoformat()]

    def test_the_day_before_holds_only_its_late_sale(self, tenant, two_days):
        """S0 at 23:55 local (05:55 UTC of day1) belongs to day0."""
        body = report(tenant.client(), "day", two_days.day0, two_days.day0)
        assert body["totals"]["sales_count"] == 1
        assert body["totals"]["net_total"] == "10.00"

    @pytest.mark.parametrize(
        "group_by", ["day", "hour", "product", "category", "cashier", "payment_method", "register"]
    )
    def test_every_grouping_adds_up_to_the_totals(self, tenant, two_days, group_by):
        body = report(tenant.client(), group_by, two_days.day0, two_days.day2)
        totals = body["totals"]
        assert totals["sales_count"] == 4
        assert totals["net_total"] == "368.40"
        assert sum(D(r["net_total"]) for r in body["rows"]) == D(totals["net_total"])
        assert sum(D(r["refunds_total"]) for r in body["rows"]) == D(totals["refunds_total"])
        if group_by in ("day", "hour", "cashier", "register"):  # one group per sale
            assert sum(r["sales_count"] for r in body["rows"]) == totals["sales_count"]
            assert sum(D(r["gross_total"]) for r in body["rows"]) == D(totals["gross_total"])

    def test_a_split_payment_with_change_counts_each_method(self, tenant):
        item = product(tenant, name="Mesa", price=D("100.00"))
        receive(tenant, (item, 5, "40.00"))
        open_shift(tenant)
        day = today_local() - dt.timedelta(days=1)
        sell(tenant, [(item, 1)], [("card", "50.00"), ("cash", "60.00")], at=local(day, 12))
        body = report(tenant.client(), "payment_method", day, day)
        assert {r["key"]: (r["sales_count"], r["net_total"]) for r in body["rows"]} == {
            "card": (1, "50.00"),
            "cash": (1, "50.00"),  # 60.00 tendered, 10.00 change
        }
        assert body["totals"]["net_total"] == "100.00"

    def test_an_empty_window_is_all_zeros(self, tenant, two_days):
        far = two_days.day0 - dt.timedelta(days=100)
        body = report(tenant.client(), "product", far, far)
        assert body["rows"] == []
        assert body["totals"] == {
            "sales_count": 0,
            "gross_total": "0.00",
            "discount_total": "0.00",
            "tax_total": "0.00",
            "net_total": "0.00",
            "refunds_total": "0.00",
            "average_ticket": "0.00",
        }


class TestSalesReportWindow:
    def test_default_is_the_last_30_days_up_to_today(self, tenant, two_days):
        body = report(tenant.client(), "day")
        today = today_local()
        assert body["to"] == today.isoformat()
        assert body["from"] == (today - dt.timedelta(days=29)).isoformat()
        # day0 .. day2 are 6 .. 4 days ago: S0, S4, S1, S2
        assert body["totals"]["sales_count"] == 4
        assert body["totals"]["net_total"] == "368.40"

    def test_default_today_is_the_company_s_today(self, tenant, monkeypatch):
        """At 03:00 UTC it is still the evening before in Mexico City."""
        from django.utils import timezone

        moment = dt.datetime(2026, 3, 10, 3, 0, tzinfo=dt.UTC)
        monkeypatch.setattr(timezone, "now", lambda: moment)
        body = report(tenant.client(), "day")
        assert moment.astimezone(MEXICO).date() == dt.date(2026, 3, 9)
        assert body["to"] == "2026-03-09"
        assert body["from"] == "2026-02-08"

    def test_only_to_given_takes_30_days_up_to_it(self, tenant, two_days):
        body = report(tenant.client(), "day", day_to=two_days.day1)
        assert body["from"] == (two_days.day1 - dt.timedelta(days=29)).isoformat()
        assert body["totals"]["sales_count"] == 3  # S0, S4 and S1

    def test_only_from_given_runs_to_today(self, tenant, two_days):
        body = report(tenant.client(), "day", day_from=two_days.day2)
        assert body["to"] == today_local().isoformat()
        assert body["totals"]["sales_count"] == 1
        assert body["totals"]["refunds_total"] == "116.00"

    def test_group_by_defaults_to_day(self, tenant, two_days):
        response = tenant.client().get(
            REPORTS, {"from": two_days.day1.isoformat(), "to": two_days.day2.isoformat()}
        )
        assert response.status_code == 200
        assert [r["key"] for r in response.json()["rows"]] == [
            two_days.day1.isoformat(),
            two_days.day2.isoformat(),
        ]

    def test_to_before_from_is_400(self, tenant):
        response = tenant.client().get(REPORTS, {"from": "2026-03-02", "to": "2026-03-01"})
        assert response.status_code == 400
        assert response.json()["type"] == "validation_error"
        assert error_attrs(response) == ["to"]

    @pytest.mark.parametrize("group_by", ["week", "product_id", "DAY"])
    def test_an_unknown_group_by_is_400(self, tenant, group_by):
        response = tenant.client().get(REPORTS, {"group_by": group_by})
        assert response.status_code == 400
        assert error_attrs(response) == ["group_by"]

    @pytest.mark.parametrize("name", ["from", "to"])
    def test_a_malformed_day_is_400(self, tenant, name):
        response = tenant.client().get(REPORTS, {name: "01/03/2026"})
        assert response.status_code == 400
        assert error_attrs(response) == [name]

    def test_a_sale_at_local_midnight_starts_the_next_day(self, tenant):
        item = product(tenant, price=D("10.00"))
        receive(tenant, (item, 5, "1.00"))
        open_shift(tenant)
        day = today_local() - dt.timedelta(days=3)
        sell(tenant, [(item, 1)], [("cash", "10.00")], at=local(day, 0, 0))
        sell(
            tenant, [(item, 2)], [("cash", "20.00")], at=local(day, 0, 0) - dt.timedelta(seconds=1)
        )
        before = report(tenant.client(), "day", day - dt.timedelta(days=1), day)
        assert [(r["key"], r["net_total"]) for r in before["rows"]] == [
            ((day - dt.timedelta(days=1)).isoformat(), "20.00"),
            (day.isoformat(), "10.00"),
        ]


def _trade(tenant, products, cashiers, registers, count, start):
    """`count` sales spread over products, cashiers, registers, methods, days and hours."""
    methods = ["cash", "card", "transfer", "other"]
    for index in range(start, start + count):
        item = products[index % len(products)]
        sale = sell(
            tenant,
            [(item, 1), (products[(index + 1) % len(products)], 2)],
            [(methods[index % 4], "30.00")],
            on=registers[index % len(registers)],
            by=cashiers[index % len(cashiers)],
            at=local(today_local() - dt.timedelta(days=1 + index % 5), index % 24, 30),
        )
        if index % 5 == 0:
            refund(tenant, sale, [(line_of(sale, item), 1)], method="card", on=sale.register)


QUERIED = [(REPORTS, group) for group in GROUPS] + [(VALUATION, None)]

# Exact budgets, authentication's query included. Every sales report reads its totals and
# the refunds' total, then: day and hour the sales (with their quantities) and refunds grouped;
# cashier and register the same plus their names; product and category the lines and refund
# lines grouped, each group with its name; payment_method the payments and the refunds by
# method (the change is summed with the totals).
REPORT_QUERIES = {
    "day": 5,
    "hour": 5,
    "product": 5,
    "category": 5,
    "cashier": 6,
    "payment_method": 5,
    "register": 6,
    "valuation": 2,  # the levels with their value, one query
}


def test_each_report_is_a_bounded_number_of_queries(tenant):
    """The same number of queries for 2 sales as for 20 (with more groups and stock rows)."""
    categories = [category(tenant, f"Cat {n}") for n in range(4)]
    products = [
        product(tenant, name=f"Item {n}", price=D("10.00"), category=categories[n % 4])
        for n in range(12)
    ]
    warehouse = location(tenant)
    receive(tenant, *[(p, 200, "3.00") for p in products])
    registers = [tenant.register, register(tenant)]
    for on in registers:
        open_shift(tenant, on=on)
    cashiers = [tenant.member("cashier") for _ in range(4)]
    since = (today_local() - dt.timedelta(days=10)).isoformat()
    client = tenant.client()

    def measure() -> dict:
        figures = {}
        for path, group_by in QUERIED:
            params = {"from": since, **({"group_by": group_by} if group_by else {})}
            client.get(path, params)  # warm caches (content types, permissions)
            with CaptureQueriesContext(connection) as queries:
                response = client.get(path, params)
            assert response.status_code == 200
            figures[group_by or "valuation"] = (len(queries), len(response.json()["rows"]))
        return figures

    _trade(tenant, products[:2], cashiers[:1], registers[:1], 2, 0)
    receive(tenant, (products[0], 5, "3.00"), where=warehouse)
    few = measure()
    _trade(tenant, products, cashiers, registers, 18, 2)
    receive(tenant, *[(p, 5, "3.00") for p in products], where=warehouse)
    many = measure()
    for name in few:
        assert many[name][1] > few[name][1], f"{name}: more groups (or stock rows) expected"
    assert {name: q for name, (q, _) in many.items()} == {name: q for name, (q, _) in few.items()}
    assert {name: q for name, (q, _) in many.items()} == REPORT_QUERIES


class TestInventoryValuation:
    def test_every_level_at_average_cost(self, tenant, two_days):
        response = tenant.client().get(VALUATION)
        assert response.status_code == 200
        body = response.json()
        p1, p2, p3 = two_days.p1.pk, two_days.p2.pk, two_days.p3.pk
        store, warehouse = two_days.store.pk, two_days.warehouse.pk
        assert body["total_value"] == "7934.00"
        assert sorted(
            (r["product"], r["location"], r["quantity"], r["unit_cost"], r["value"])
            for r in body["rows"]
        ) == sorted(
            [
                # 100 - 2 (S1) - 1 (S3) + 1 (void) + 1 (refund restocked)
                (p1, store, "99.000", "50.00", "4950.00"),
                (p1, warehouse, "10.000", "55.00", "550.00"),
                # 100 - 1 (S1) - 2 (S2)
                (p2, store, "97.000", "20.00", "1940.00"),
                # 4 at 10.00 and 6 at 15.00
                (p2, warehouse, "10.000", "13.00", "130.00"),
                # 100 - 1 (S0) - 5 (S4) - 3 (S2)
                (p3, store, "91.000", "4.00", "364.00"),
            ]
        )
        assert set(body["rows"][0]) == {"product", "location", "quantity", "unit_cost", "value"}

    def test_one_location(self, tenant, two_days):
        client = tenant.client()
        warehouse = client.get(VALUATION, {"location": two_days.warehouse.pk}).json()
        assert warehouse["total_value"] == "680.00"
        assert {r["location"] for r in warehouse["rows"]} == {two_days.warehouse.pk}
        assert {r["product"]: r["value"] for r in warehouse["rows"]} == {
            two_days.p1.pk: "550.00",
            two_days.p2.pk: "130.00",
        }
        store = client.get(VALUATION, {"location": two_days.store.pk}).json()
        assert store["total_value"] == "7254.00"
        assert len(store["rows"]) == 3

    def test_a_level_sold_out_is_left_out(self, tenant):
        item = product(tenant, price=D("10.00"))
        receive(tenant, (item, 2, "3.00"))
        open_shift(tenant)
        sell(tenant, [(item, 2)], [("cash", "20.00")])
        body = tenant.client().get(VALUATION).json()
        assert body == {"currency": "MXN", "total_value": "0.00", "rows": []}

    def test_another_company_s_location_shows_nothing(self, tenant, other_tenant, two_days):
        body = tenant.client().get(VALUATION, {"location": other_tenant.location.pk}).json()
        assert body["rows"] == []
        assert body["total_value"] == "0.00"

    @pytest.mark.parametrize("value", ["abc", "0", "-1"])
    def test_a_bad_location_is_400(self, tenant, value):
        response = tenant.client().get(VALUATION, {"location": value})
        assert response.status_code == 400
        assert error_attrs(response) == ["location"]


class TestReportPermissions:
    @pytest.mark.parametrize("path", [REPORTS, VALUATION])
    def test_no_identity_is_401(self, anonymous, path):
        response = anonymous.get(path)
        assert response.status_code == 401
        assert error_codes(response) == ["not_authenticated"]

    @pytest.mark.parametrize("path", [REPORTS, VALUATION])
    @pytest.mark.parametrize("role", ["cashier", "stock_clerk"])
    def test_cashier_and_stock_clerk_cannot_read_reports(self, tenant, path, role):
        response = tenant.client(tenant.member(role)).get(path)
        assert response.status_code == 403
        assert error_codes(response) == ["permission_denied"]

    @pytest.mark.parametrize("path", [REPORTS, VALUATION])
    def test_manager_and_view_reports_holders_can(self, tenant, path):
        assert tenant.client(tenant.member("manager")).get(path).status_code == 200
        holder = tenant.member(codes=["analytics.view_reports"])
        assert tenant.client(holder).get(path).status_code == 200

    def test_another_company_s_sales_and_stock_never_appear(self, tenant, other_tenant, two_days):
        ours = report(tenant.client(), "product", two_days.day0, two_days.day2)
        assert ours["totals"]["net_total"] == "368.40"  # their 999.00 sale is not in it
        assert "Ajeno" not in {r["label"] for r in ours["rows"]}
        theirs = report(other_tenant.client(), "product", two_days.day0, two_days.day2)
        assert theirs["totals"]["sales_count"] == 1
        assert theirs["totals"]["net_total"] == "999.00"
        assert [r["label"] for r in theirs["rows"]] == ["Ajeno"]
        valuation = other_tenant.client().get(VALUATION).json()
        assert valuation["total_value"] == "9.00"  # 9 left at 1.00
        assert len(valuation["rows"]) == 1
