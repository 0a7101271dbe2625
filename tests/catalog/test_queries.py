"""Query budgets of the catalog's hot reads: a register scans a barcode for every item."""

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext

from catalog.models import Category, Product, TaxRate
from catalog.selectors import _products_by_code_sql
from tests.query_budgets import AUTHENTICATION_QUERIES


@pytest.fixture
def catalog(tenant):
    tax = TaxRate.objects.create(company=tenant.company, name="IVA", rate=16)
    category = Category.objects.create(company=tenant.company, name="Bebidas")
    Product.objects.bulk_create(
        Product(
            company=tenant.company,
            sku=f"S{i:04d}",
            barcode=f"75010{i:08d}",
            name=f"Product {i}",
            price=10,
            tax_rate=tax,
            category=category,
        )
        for i in range(120)
    )
    return tenant


def count_queries(client, url):
    with CaptureQueriesContext(connection) as captured:
        response = client.get(url)
    assert response.status_code == 200
    return len(captured), response.json()


@pytest.mark.parametrize("lookup", ["barcode=7501000000042", "sku=S0042"])
def test_scan_lookup_is_one_query_after_authentication(catalog, lookup):
    client = catalog.client(catalog.member("cashier"))
    queries, body = count_queries(client, f"/api/v1/products?{lookup}")
    assert body["count"] == 1 and body["results"][0]["sku"] == "S0042"
    assert queries == AUTHENTICATION_QUERIES + 1


def test_a_missing_barcode_is_one_query_too(catalog):
    queries, body = count_queries(catalog.client(), "/api/v1/products?barcode=000")
    assert body["count"] == 0 and queries == AUTHENTICATION_QUERIES + 1


def test_product_list_queries_do_not_grow_with_the_page(catalog):
    small, body_small = count_queries(catalog.client(), "/api/v1/products?page_size=5")
    large, body_large = count_queries(catalog.client(), "/api/v1/products?page_size=100")
    assert len(body_small["results"]) == 5 and len(body_large["results"]) == 100
    assert small == large == AUTHENTICATION_QUERIES + 2  # the page and its COUNT


@pytest.mark.parametrize(
    ("field", "index"), [("barcode", "product_unique_barcode"), ("sku", "product_unique_sku")]
)
def test_the_scan_uses_its_unique_index_for_any_code(catalog, field, index):
    """The scan runs as a prepared statement (config.rows.fetch): its generic plan, made for
    no value in particular, is an index scan of (company, code)."""
    if connection.vendor != "postgresql":
        pytest.skip("EXPLAIN output is checked on PostgreSQL")
    sql = _products_by_code_sql(field).replace("%s", "$1", 1).replace("%s", "$2", 1)
    with connection.cursor() as cursor:
        cursor.execute("ANALYZE catalog_product")
        cursor.execute("SET enable_seqscan = off")  # 120 rows: a scan would be cheaper
        cursor.execute("SET plan_cache_mode = force_generic_plan")
        cursor.execute(f"PREPARE scan_plan(bigint, text) AS {sql}")
        try:  # a prepared statement outlives the test's transaction
            cursor.execute("EXPLAIN EXECUTE scan_plan(%s, %s)", [catalog.company.pk, "750100"])
            plan = " ".join(row[0] for row in cursor.fetchall())
        finally:
            cursor.execute("DEALLOCATE scan_plan")
            cursor.execute("RESET plan_cache_mode")
            cursor.execute("RESET enable_seqscan")
    assert f"using {index}" in plan or f"Index Scan on {index}" in plan, plan
    assert f"({field})::text = $2" in plan.split("Index Cond:")[1]


SCANS = ["barcode=7501000000042", "sku=S0042", "barcode=000", "sku=s0042", "barcode=S0042"]


@pytest.mark.parametrize("scan", SCANS)
def test_a_scan_answers_what_the_list_filter_answers(catalog, scan):
    """The scan's own query (catalog.selectors.products_by_code) against the list's filters:
    `ordering` sends the same lookup through django-filter."""
    client = catalog.client(catalog.member("cashier"))
    scanned = client.get(f"/api/v1/products?{scan}")
    filtered = client.get(f"/api/v1/products?{scan}&ordering=id")
    assert scanned.status_code == filtered.status_code == 200
    assert scanned.json() == filtered.json()


def test_a_scan_finds_nothing_of_another_company(catalog, other_tenant):
    client = other_tenant.client()
    for scan in ["barcode=7501000000042", "sku=S0042"]:
        assert client.get(f"/api/v1/products?{scan}").json()["count"] == 0


@pytest.mark.parametrize(
    ("query", "status", "count"),
    [
        ("barcode=%207501000000042%20", 200, 1),  # trimmed, as the filter's form does
        ("barcode=7501000000042&barcode=7501000000043", 200, 1),  # the last one, as a filter
        ("barcode=", 200, 120),  # empty free text: no filter
        ("barcode=75%0001", 400, None),  # NUL: refused by the filter
    ],
)
def test_other_scan_values_go_through_the_filters(catalog, query, status, count):
    response = catalog.client().get(f"/api/v1/products?{query}")
    assert response.status_code == status
    if count is not None:
        assert response.json()["count"] == count
