"""Query budgets of the sales endpoints: a sale, a refund, a void and the reads cost a constant
number of queries whatever the number of lines, sales or payments (DESIGN.md "Performance").

Each budget is an exact constant measured on PostgreSQL and SQLite (the same on both), with
the list of its queries, so that one more query anywhere fails CI. Every count includes the
authentication query and the SAVEPOINT / RELEASE SAVEPOINT pairs of the services'
`transaction.atomic` blocks (each test runs inside pytest-django's transaction, so every atomic
block is a savepoint).
"""

from decimal import Decimal

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext

from accounts.models import Membership
from catalog.models import TaxRate
from inventory.services import StockLine, stock_receive
from sales import services
from sales.models import Sale
from tests.catalog.factories import ProductFactory

D = Decimal


# POST /sales, whatever the number of lines (all tracked) and with two payments:
#    1    authentication (tests/query_budgets.py)
#    2    the register field of the input (a company-scoped pk lookup)
#    3    SAVEPOINT of sale_complete's atomic block
#    4    the lines' products with their tax rates, one query for all lines
#    5    the register's row lock (SELECT ... FOR UPDATE)
#    6    the register's open shift
#    7    INSERT the sale
#    8    INSERT the missing stock levels (ON CONFLICT DO NOTHING), all lines at once
#    9    lock every stock level of the lines, in pk order, in one query
#   10    UPDATE the levels (one statement)
#   11    INSERT the stock movements (one statement)
#   12    UPDATE the register's receipt counter
#   13    INSERT the sale lines (one statement)
#   14    INSERT the payments (one statement)
#   15    RELEASE sale_complete's savepoint
# The response is built from the rows just written: no query reads them back.
SALE_QUERIES = 15

# With an Idempotency-Key the sale costs six more, whatever its lines: SAVEPOINT, INSERT the
# claim, RELEASE; SAVEPOINT around the handler, ..., UPDATE the key with the response, RELEASE.
IDEMPOTENCY_KEY_QUERIES = 6

# A replay: authentication, then SAVEPOINT, INSERT the claim (conflict), ROLLBACK TO SAVEPOINT,
# RELEASE, the stale-claim takeover UPDATE (no row), the key's stored response.
REPLAY_QUERIES = 7

# POST /sales/{id}/refunds with restock and cash, whatever the number of lines:
#    1    authentication (tests/query_budgets.py)
#    2    the sale (the detail action's get_object, before the body is read; nothing
#         prefetched: the service locks and rereads it)
#    3    the register field of the input
#    4    SAVEPOINT of refund_create
#    5    the register's row lock
#    6    the sale's row lock
#    7    the sale's lines with their products, one query
#    8    the register's open shift (a cash refund counts against it)
#    9    INSERT the refund
#   10    INSERT the refund lines (one bulk_create)
#   11    UPDATE the refunded quantities and amounts of the sale lines (one statement)
#   12    INSERT the missing stock levels
#   13    lock the stock levels
#   14    UPDATE the levels (and their average cost)
#   15    INSERT the return movements
#   16    UPDATE the refund's total
#   17    UPDATE the sale's refunded total and status
#   18    INSERT the audit event
#   19    RELEASE refund_create's savepoint
# The response is built from the rows just written: no query reads them back.
REFUND_QUERIES = 19

# POST /sales/{id}/void, whatever the number of lines:
#    1    authentication (tests/query_budgets.py)
#    2    the sale (get_object; nothing prefetched: the service locks and rereads it)
#    3    SAVEPOINT of sale_void
#    4    the register's row lock
#    5    the sale's row lock
#    6    is the sale's shift still open (EXISTS)
#    7    the sale's lines with their products
#    8    INSERT the missing stock levels
#    9    lock the stock levels
#   10    UPDATE the levels (and their average cost)
#   11    INSERT the void movements
#   12    UPDATE the sale's status
#   13    UPDATE its lines' copy of it (`voided`, what the product and category reports filter on)
#   14    UPDATE its payments' copy (the payment-method report's)
#   15    INSERT the audit event
#   16    RELEASE sale_void's savepoint
#   17-20 the response: the sale, its lines, payments and refunds
VOID_QUERIES = 20

# GET /sales, a full page whatever its size: authentication (1), the page, its lines, payments
# and refunds prefetched (3), the COUNT. A first page that comes back short is the whole
# result and skips the COUNT (config/api/pagination.py).
SALE_LIST_QUERIES = 6
SHORT_SALE_LIST_QUERIES = SALE_LIST_QUERIES - 1

# GET /sales/{id}: authentication (1), the sale, its lines, payments and refunds.
SALE_DETAIL_QUERIES = 5

# GET /shifts/{id}/report, whatever the number of sales: authentication (1), the shift, then
# the report's four aggregates (sales, payments by method, cash movements, refunds).
SHIFT_REPORT_QUERIES = 6


def fresh(membership: Membership) -> Membership:
    return Membership.objects.select_related("company__settings", "user").get(pk=membership.pk)


@pytest.fixture
def shop(tenant):
    """The tenant with an open shift on its register and 30 taxed, tracked products in stock."""
    tax = TaxRate.objects.create(company=tenant.company, name="IVA", rate=16)
    tenant.products = [
        ProductFactory(company=tenant.company, price=D("10.00"), tax_rate=tax) for _ in range(30)
    ]
    stock_receive(
        actor=fresh(tenant.admin),
        location=tenant.location,
        lines=[
            StockLine(product=p, quantity=D("1000"), unit_cost=D("6.00")) for p in tenant.products
        ],
    )
    tenant.shift = services.shift_open(
        actor=fresh(tenant.admin), register=tenant.register, opening_cash=D("100.00")
    )
    return tenant


def sale_body(shop, lines: int) -> dict:
    """`lines` lines of 1 unit at 10.00 (tax included): card 5.00 and the rest in cash, with
    1.00 of change."""
    total = D("10.00") * lines
    return {
        "register": shop.register.pk,
        "lines": [{"product": p.pk, "quantity": "1"} for p in shop.products[:lines]],
        "payments": [
            {"method": "card", "amount": "5.00", "reference": "AUTH1"},
            {"method": "cash", "amount": str(total - D("5.00") + D("1.00"))},
        ],
    }


def a_sale(shop, lines: int) -> Sale:
    total = D("10.00") * lines
    return services.sale_complete(
        actor=fresh(shop.admin),
        register=shop.register,
        lines=[
            services.SaleLineRequest(product_id=p.pk, quantity=D("2"))
            for p in shop.products[:lines]
        ],
        payments=[services.PaymentRequest(method="cash", amount=total * 2)],
    )


def counted(call, expected_status):
    """The response of `call()` and the SQL of the queries it made."""
    with CaptureQueriesContext(connection) as captured:
        response = call()
    assert response.status_code == expected_status, response.content
    return response, [query["sql"] for query in captured.captured_queries]


def describe(queries) -> str:
    return "\n".join(f"{i + 1:2}. {sql[:160]}" for i, sql in enumerate(queries))


@pytest.mark.parametrize("lines", [1, 3, 20])
def test_a_sale_costs_the_same_queries_whatever_its_lines(shop, lines):
    client = shop.client()
    response, queries = counted(
        lambda: client.post("/api/v1/sales", sale_body(shop, lines), format="json"), 201
    )
    body = response.json()
    assert len(body["lines"]) == lines and len(body["payments"]) == 2
    assert body["total"] == f"{10 * lines}.00" and body["change"] == "1.00"
    assert len(queries) == SALE_QUERIES, describe(queries)


def test_an_idempotent_sale_adds_only_the_key_queries(shop):
    """The key costs its claim and its completion, nothing per line."""
    client = shop.client()
    costs = []
    for index, lines in enumerate([1, 20]):
        _, queries = counted(
            lambda lines=lines, index=index: client.post(
                "/api/v1/sales",
                sale_body(shop, lines),
                format="json",
                HTTP_IDEMPOTENCY_KEY=f"key-{index}",
            ),
            201,
        )
        costs.append(len(queries))
    assert costs == [SALE_QUERIES + IDEMPOTENCY_KEY_QUERIES] * 2


def test_a_replayed_sale_costs_the_key_lookup_only(shop):
    client = shop.client()

    def post():
        return client.post(
            "/api/v1/sales", sale_body(shop, 20), format="json", HTTP_IDEMPOTENCY_KEY="same"
        )

    first = post()
    assert first.status_code == 201
    replay, queries = counted(post, 201)
    assert replay.headers["Idempotent-Replayed"] == "true"
    assert replay.json() == first.json()
    assert len(queries) == REPLAY_QUERIES, describe(queries)


@pytest.mark.parametrize("lines", [1, 5])
def test_a_refund_costs_the_same_queries_whatever_its_lines(shop, lines):
    sale = a_sale(shop, 5)
    sale_lines = list(sale.lines.order_by("id"))
    body = {
        "register": shop.register.pk,
        "reason": "damaged",
        "restock": True,
        "method": "cash",
        "lines": [{"sale_line": line.pk, "quantity": "1"} for line in sale_lines[:lines]],
    }
    client = shop.client()
    response, queries = counted(
        lambda: client.post(f"/api/v1/sales/{sale.pk}/refunds", body, format="json"), 201
    )
    assert len(response.json()["lines"]) == lines
    assert len(queries) == REFUND_QUERIES, describe(queries)


@pytest.mark.parametrize("lines", [1, 10])
def test_a_void_costs_the_same_queries_whatever_its_lines(shop, lines):
    sale = a_sale(shop, lines)
    client = shop.client()
    response, queries = counted(
        lambda: client.post(f"/api/v1/sales/{sale.pk}/void", {"reason": "error"}, format="json"),
        200,
    )
    assert response.json()["status"] == "voided"
    assert len(queries) == VOID_QUERIES, describe(queries)


@pytest.mark.parametrize("sales", [5, 50])
def test_the_sale_list_costs_the_same_queries_whatever_the_page(shop, sales):
    """A full page of 5 or of 50 sales (1 to 3 lines, one payment each), more sales beyond."""
    for index in range(sales + 1):
        a_sale(shop, 1 + index % 3)
    client = shop.client()
    response, queries = counted(lambda: client.get(f"/api/v1/sales?page_size={sales}"), 200)
    body = response.json()
    assert body["count"] == sales + 1 and len(body["results"]) == sales
    assert all(sale["lines"] and sale["payments"] for sale in body["results"])
    assert len(queries) == SALE_LIST_QUERIES, describe(queries)


@pytest.mark.parametrize("sales", [5, 49])
def test_a_short_first_page_needs_no_count(shop, sales):
    for index in range(sales):
        a_sale(shop, 1 + index % 3)
    client = shop.client()
    response, queries = counted(lambda: client.get("/api/v1/sales"), 200)
    assert response.json()["count"] == sales
    assert len(queries) == SHORT_SALE_LIST_QUERIES, describe(queries)


def test_a_sale_detail_costs_a_constant(shop):
    sale = a_sale(shop, 20)
    client = shop.client()
    response, queries = counted(lambda: client.get(f"/api/v1/sales/{sale.pk}"), 200)
    assert len(response.json()["lines"]) == 20
    assert len(queries) == SALE_DETAIL_QUERIES, describe(queries)


@pytest.mark.parametrize("sales", [1, 30])
def test_the_shift_report_costs_the_same_queries_whatever_the_sales(shop, sales):
    for index in range(sales):
        a_sale(shop, 1 + index % 3)
    client = shop.client()
    response, queries = counted(lambda: client.get(f"/api/v1/shifts/{shop.shift.pk}/report"), 200)
    assert response.json()["sales_count"] == sales
    assert len(queries) == SHIFT_REPORT_QUERIES, describe(queries)


def test_a_sale_renders_the_same_as_drfs_own_representation(shop, monkeypatch):
    """config.api.serializers.ModelSerializer reads a model's own columns and plain foreign-key
    ids straight from the instance, and config.api.fields.DecimalField rounds without DRF's
    context copy; everything else goes DRF's way. Both give the same."""
    from rest_framework import serializers as drf

    from config.api import fields
    from config.api import serializers as ours
    from sales.api.serializers import SaleSerializer
    from sales.api.views import SALE_QUERYSET

    sale = SALE_QUERYSET.get(pk=a_sale(shop, 3).pk)
    context = {"request": None}
    fast = SaleSerializer(sale, context=context).data
    monkeypatch.setattr(
        ours.ModelSerializer, "to_representation", drf.ModelSerializer.to_representation
    )
    monkeypatch.setattr(
        fields.DecimalField, "to_representation", drf.DecimalField.to_representation
    )
    assert fast == SaleSerializer(sale, context=context).data
    assert len(fast["lines"]) == 3 and fast["register"] == shop.register.pk
