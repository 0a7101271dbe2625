"""Races over real HTTP: gunicorn with several workers, many client threads, PostgreSQL."""

from concurrent.futures import ThreadPoolExecutor
from decimal import Decimal

import pytest
import requests
from django.core.management import call_command
from django.db.models import Sum

from catalog.models import Product
from companies.models import Location
from inventory.models import StockLevel
from inventory.services import StockLine, stock_receive
from sales.models import Sale
from sales.services import shift_open
from tests.conftest import Tenant

pytestmark = pytest.mark.postgres
CLIENTS = 12


def headers(membership, key=None):
    values = {"X-User-Id": str(membership.user_id), "X-Company-Id": str(membership.company_id)}
    if key:
        values["Idempotency-Key"] = key
    return values


def post_all(server, path, bodies, header_list):
    with ThreadPoolExecutor(CLIENTS) as pool, requests.Session() as session:
        futures = [
            pool.submit(session.post, server.url(path), json=body, headers=h, timeout=30)
            for body, h in zip(bodies, header_list, strict=True)
        ]
        return [future.result() for future in futures]


@pytest.fixture
def shop(gunicorn):
    tenant = Tenant("HTTP Shop", "http@example.com")
    product = Product.objects.create(
        company=tenant.company, sku="ONE", name="Last units", price=Decimal("10.00")
    )
    stock_receive(
        actor=tenant.admin,
        location=tenant.location,
        lines=[StockLine(product=product, quantity=Decimal(10), unit_cost=Decimal("4.00"))],
    )
    shift_open(actor=tenant.admin, register=tenant.register, opening_cash=Decimal(0))
    return tenant, product, gunicorn


def sale_body(tenant, product):
    return {
        "register": tenant.register.pk,
        "lines": [{"product": product.pk, "quantity": "1"}],
        "payments": [{"method": "cash", "amount": "10.00"}],
    }


def assert_books_balance(tenant):
    call_command("check_ledger", "--company", str(tenant.company.pk))
    for sale in Sale.objects.filter(company=tenant.company).prefetch_related("lines", "payments"):
        assert sum(line.total for line in sale.lines.all()) == sale.total
        assert sum(p.amount for p in sale.payments.all()) == sale.paid_total
        assert sale.paid_total - sale.change == sale.total


def test_no_oversell_and_gapless_receipts_over_http(shop):
    tenant, product, server = shop
    responses = post_all(
        server, "/api/v1/sales", [sale_body(tenant, product)] * 30, [headers(tenant.admin)] * 30
    )
    codes = sorted(r.status_code for r in responses)
    assert codes == [201] * 10 + [409] * 20, codes
    assert {r.json()["errors"][0]["code"] for r in responses if r.status_code == 409} == {
        "insufficient_stock"
    }
    level = StockLevel.objects.get(product=product, location=tenant.location)
    assert level.quantity == 0
    sequences = sorted(
        Sale.objects.filter(company=tenant.company).values_list("receipt_sequence", flat=True)
    )
    assert sequences == list(range(1, 11))
    assert_books_balance(tenant)


def test_idempotent_retries_over_http_make_one_sale(shop):
    tenant, product, server = shop
    body = sale_body(tenant, product)
    responses = post_all(
        server, "/api/v1/sales", [body] * 12, [headers(tenant.admin, key="retry-1")] * 12
    )
    created = [r for r in responses if r.status_code == 201]
    in_use = [r for r in responses if r.status_code == 409]
    assert len(created) + len(in_use) == 12
    assert {r.json()["id"] for r in created} and len({r.json()["id"] for r in created}) == 1
    assert all(r.json()["errors"][0]["code"] == "idempotency_key_in_use" for r in in_use)
    assert Sale.objects.filter(company=tenant.company).count() == 1
    level = StockLevel.objects.get(product=product, location=tenant.location)
    assert level.quantity == 9
    assert_books_balance(tenant)


def test_mixed_sales_refunds_and_transfers_over_http(shop):
    tenant, product, server = shop
    warehouse = Location.objects.create(company=tenant.company, name="Bodega", kind="warehouse")
    first = requests.post(
        server.url("/api/v1/sales"),
        json=sale_body(tenant, product),
        headers=headers(tenant.admin),
        timeout=30,
    ).json()
    refund = {
        "register": tenant.register.pk,
        "reason": "damaged",
        "restock": True,
        "method": "cash",
        "lines": [{"sale_line": first["lines"][0]["id"], "quantity": "1"}],
    }
    transfer = {
        "from_location": tenant.location.pk,
        "to_location": warehouse.pk,
        "lines": [{"product": product.pk, "quantity": "2"}],
    }
    paths = (
        ["/api/v1/sales"] * 8
        + [f"/api/v1/sales/{first['id']}/refunds"]
        + ["/api/v1/stock/transfers"] * 2
    )
    bodies = [sale_body(tenant, product)] * 8 + [refund] + [transfer] * 2
    with ThreadPoolExecutor(CLIENTS) as pool, requests.Session() as session:
        futures = [
            pool.submit(
                session.post, server.url(p), json=b, headers=headers(tenant.admin), timeout=30
            )
            for p, b in zip(paths, bodies, strict=True)
        ]
        responses = [f.result() for f in futures]
    assert all(r.status_code < 500 for r in responses), [
        r.text for r in responses if r.status_code >= 500
    ]
    assert all(r.status_code in (201, 409) for r in responses), [r.text for r in responses]
    total = StockLevel.objects.filter(product=product).aggregate(q=Sum("quantity"))["q"]
    sold = Sale.objects.filter(company=tenant.company).count()
    # 10 received, each sale takes 1, the refund puts 1 back; transfers only move it
    assert total == 10 - sold + 1
    assert_books_balance(tenant)
