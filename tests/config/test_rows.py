"""config.rows: hand-written reads and writes that stay tied to the models' fields."""

import datetime as dt
from decimal import Decimal

import pytest
from django.core.exceptions import ImproperlyConfigured, ValidationError
from django.db import DatabaseError, connection, models, transaction
from django.test.utils import CaptureQueriesContext
from django.utils import timezone

from accounts.models import AuditEvent
from catalog.models import Category, Product
from catalog.selectors import products_by_code
from config import rows
from config.api.serializers import CompanyPrimaryKeyRelatedField
from inventory.models import StockMovement
from tests.catalog.factories import CategoryFactory, ProductFactory


@pytest.fixture
def products(tenant):
    category = CategoryFactory(company=tenant.company)
    return [ProductFactory(company=tenant.company, category=category) for _ in range(5)]


def test_update_rows_writes_each_row_its_own_values(products, django_assert_num_queries):
    when = timezone.now() - dt.timedelta(days=3)
    for n, product in enumerate(products[:3]):
        product.cost = Decimal(f"{n}.25")
        product.updated_at = when + dt.timedelta(hours=n)
        product.category = None  # a column of VALUES that is NULL in every row

    with django_assert_num_queries(1):
        rows.update_rows(Product, products[:3], ["cost", "updated_at", "category"])

    for n, product in enumerate(products[:3]):
        stored = Product.objects.get(pk=product.pk)
        assert stored.cost == Decimal(f"{n}.25")
        assert stored.updated_at == when + dt.timedelta(hours=n)
        assert stored.category_id is None
    untouched = Product.objects.filter(pk__in=[p.pk for p in products[3:]])
    assert all(p.category_id is not None for p in untouched)


def test_update_rows_splits_large_writes_into_batches(products, monkeypatch):
    monkeypatch.setattr(rows, "UPDATE_BATCH", 2)
    for n, product in enumerate(products):
        product.cost = Decimal(n)
    rows.update_rows(Product, products, ["cost"])
    assert [p.cost for p in Product.objects.order_by("pk")] == [Decimal(n) for n in range(5)]


def test_columns_build_instances_as_the_orm_reads_them(products):
    columns = rows.Columns(Product, "p")
    [row] = rows.fetch(
        f"SELECT {columns.sql()} FROM {rows.table(Product)} p WHERE p.id = %s",  # noqa: S608
        [products[0].pk],
    )
    built = columns.build(row)
    expected = Product.objects.get(pk=products[0].pk)
    assert {f.attname: getattr(built, f.attname) for f in Product._meta.concrete_fields} == {
        f.attname: getattr(expected, f.attname) for f in Product._meta.concrete_fields
    }
    assert isinstance(built.price, Decimal) and built.created_at.tzinfo is not None


def test_a_failed_read_raises_djangos_error_and_the_connection_goes_on(tenant):
    with pytest.raises(DatabaseError), transaction.atomic():
        rows.fetch("SELECT no_such_column FROM catalog_product", [])
    assert rows.fetch("SELECT 1", []) == [(1,)]


@pytest.mark.postgres
def test_on_postgresql_hand_written_reads_are_prepared_and_counted(
    tenant, products, django_assert_num_queries
):
    if connection.vendor != "postgresql":
        pytest.skip("prepared statements are PostgreSQL's")
    code = products[0].sku
    with django_assert_num_queries(2):
        for _ in range(2):
            assert products_by_code(company=tenant.company, field="sku", code=code)[0].sku == code
    prepared = rows.fetch(
        "SELECT statement FROM pg_prepared_statements WHERE statement LIKE %s",
        ["%catalog_product%sku%"],
    )
    assert len(prepared) == 1


def _new_products(tenant, count, category=None, first=0):
    return [
        Product(
            company=tenant.company,
            sku=f"NEW-{n}",
            name=f"New {n}",
            price=Decimal(f"{n}.50"),
            category=category,
        )
        for n in range(first, first + count)
    ]


def test_insert_gives_each_object_its_pk_defaults_and_creation_time(
    tenant, products, django_assert_num_queries
):
    new = _new_products(tenant, 3, category=products[0].category)
    new[1].is_active = False
    before = timezone.now()
    with django_assert_num_queries(1):
        inserted = rows.insert(Product, new)
    assert inserted == new and all(p.pk and not p._state.adding for p in new)
    for n, product in enumerate(new):
        stored = Product.objects.get(pk=product.pk)
        assert (stored.sku, stored.price, stored.category_id) == (
            f"NEW-{n}",
            Decimal(f"{n}.50"),
            products[0].category_id,
        )
        assert stored.is_active is (n != 1) and stored.cost == Decimal("0")
        assert stored.created_at == product.created_at >= before


def test_insert_of_nothing_writes_nothing(tenant, django_assert_num_queries):
    with django_assert_num_queries(0):
        assert rows.insert(Product, []) == []


def test_insert_ignoring_conflicts_keeps_the_rows_already_there(tenant, products):
    clash = _new_products(tenant, 1)[0]
    clash.sku = products[0].sku  # unique in the company
    fresh_one = _new_products(tenant, 2)[1]
    rows.insert(Product, [clash, fresh_one], ignore_conflicts=True)
    assert Product.objects.get(sku=products[0].sku).name == products[0].name
    assert Product.objects.filter(sku=fresh_one.sku).exists()
    assert Product.objects.filter(company=tenant.company).count() == len(products) + 1


def test_one_of_matches_a_list_of_any_length_given_as_one_parameter(tenant, products):
    sql = f"SELECT p.id FROM {rows.table(Product)} p WHERE {rows.one_of('p.id')} ORDER BY p.id"  # noqa: S608
    for some in ([], products[:1], products[1:4]):
        found = rows.fetch(sql, [rows.values_param(p.pk for p in some)])
        assert [pk for (pk,) in found] == [p.pk for p in some]


@pytest.mark.postgres
def test_on_postgresql_inserts_and_updates_are_prepared_once_for_any_row_count(tenant, products):
    if connection.vendor != "postgresql":
        pytest.skip("prepared statements are PostgreSQL's")
    for count in (1, 3):
        rows.insert(Product, _new_products(tenant, count, first=count))
        rows.update_rows(Product, products[:count], ["cost"])
    for pattern in ("INSERT INTO%catalog_product%", "UPDATE%catalog_product%"):
        prepared = rows.fetch(
            "SELECT statement FROM pg_prepared_statements WHERE statement LIKE %s", [pattern]
        )
        assert len(prepared) == 1, prepared


@pytest.mark.postgres
def test_a_prepared_statement_is_logged_with_its_values(tenant, products):
    with CaptureQueriesContext(connection) as captured:
        rows.fetch(f"SELECT p.sku FROM {rows.table(Product)} p WHERE p.id = %s", [products[0].pk])  # noqa: S608
    [query] = captured.captured_queries
    assert "SELECT p.sku" in query["sql"] and str(products[0].pk) in query["sql"]


def test_company_object_reads_only_the_given_companys_row(tenant, other_tenant, products):
    other = other_tenant.company
    found = rows.company_object(Product, pk=products[0].pk, company_id=tenant.company.pk)
    assert found.pk == products[0].pk and found.sku == products[0].sku
    assert rows.company_object(Product, pk=products[0].pk, company_id=other.pk) is None
    assert rows.company_object(Product, pk=10**12, company_id=tenant.company.pk) is None


def test_a_scoped_id_field_refuses_a_filtered_queryset():
    CompanyPrimaryKeyRelatedField(queryset=Product.objects.all())
    with pytest.raises(ImproperlyConfigured):
        CompanyPrimaryKeyRelatedField(queryset=Product.objects.filter(is_active=True))


@pytest.mark.postgres
def test_insert_takes_the_id_of_a_related_object_saved_since_and_refuses_an_unsaved_one(tenant):
    if connection.vendor != "postgresql":
        pytest.skip("elsewhere insert is bulk_create, which does the same")
    category = Category(company=tenant.company, name="Later")
    [product] = _new_products(tenant, 1, category=category)
    category.save()
    rows.insert(Product, [product])
    assert Product.objects.get(pk=product.pk).category_id == category.pk
    [orphan] = _new_products(tenant, 1, category=Category(company=tenant.company, name="Never"))
    with pytest.raises(ValueError, match="unsaved related object"):
        rows.insert(Product, [orphan])


@pytest.mark.postgres
def test_insert_refuses_an_object_with_a_pk_and_marks_ignored_ones_saved(tenant, products):
    if connection.vendor != "postgresql":
        pytest.skip("elsewhere insert is bulk_create")
    with pytest.raises(ValueError, match="new objects only"):
        rows.insert(Product, [products[0]])
    [new] = _new_products(tenant, 1)
    rows.insert(Product, [new], ignore_conflicts=True)
    assert new._state.adding is False and new.pk is None


def test_a_scoped_id_field_refuses_a_manager_or_queryset_hiding_rows():
    class Hiding(models.Manager):
        def get_queryset(self):
            return super().get_queryset().filter(is_active=True)

    hiding = Hiding()
    hiding.model = Product
    for queryset in (hiding, Product.objects.all()[:5], Product.objects.distinct()):
        with pytest.raises(ImproperlyConfigured):
            CompanyPrimaryKeyRelatedField(queryset=queryset)


@pytest.mark.parametrize(
    ("model", "name", "value"),
    [
        (Product, "name", "Café"),
        (Product, "unit", Product.Unit.UNIT),  # a choice: a str subclass
        (Product, "is_active", False),
        (Product, "price", Decimal("12.50")),
        (Product, "reorder_point", Decimal("-0.001")),
        (Product, "category", 7),  # a foreign key: its target's integer
        (StockMovement, "document_id", 2**40),
        (Product, "created_at", dt.datetime(2026, 1, 2, 3, 4, 5, tzinfo=dt.UTC)),
    ],
)
def test_values_that_skip_the_fields_preparation_are_what_it_returns(model, name, value):
    field = model._meta.get_field(name)
    if name == "created_at" and connection.vendor != "postgresql":
        pytest.skip("SQLite's preparation writes datetimes as text; rows' arrays are PostgreSQL's")
    assert rows._unchanged_test(field)(value)
    prepared = field.get_db_prep_save(value, connection)
    if isinstance(value, int) and not isinstance(value, bool):
        # PostgreSQL's preparation wraps ints (psycopg's Int8): equal, and the same literal.
        assert prepared == value and rows._element(prepared) == rows._element(value)
    else:
        assert prepared is value
    assert rows._column(field, [value, None], connection) == [value, None]


def test_other_values_still_go_through_the_fields_preparation():
    assert rows._column(Product._meta.get_field("name"), [5], connection) == ["5"]
    assert rows._column(Product._meta.get_field("is_active"), [1], connection) == [True]
    assert rows._column(Product._meta.get_field("price"), [3], connection) == [Decimal(3)]
    with pytest.raises(ValidationError):
        rows._column(Product._meta.get_field("price"), [Decimal("NaN")], connection)
    assert rows._column(Product._meta.get_field("category"), ["7"], connection) == [7]
    if connection.vendor == "postgresql":
        naive = dt.datetime(2026, 1, 2, 3, 4, 5)
        with pytest.warns(RuntimeWarning, match="naive datetime"):
            [aware] = rows._column(Product._meta.get_field("created_at"), [naive], connection)
        assert aware.tzinfo is not None
    assert rows._unchanged_test(AuditEvent._meta.get_field("data")) is None


AWKWARD_TEXT = ['say "hi"', "back\\slash", "{a,b}", "NULL", "", " spaced ", "Café ☕", '\\"{,}']


def test_insert_and_update_write_awkward_text_and_numbers_exactly(tenant):
    """On PostgreSQL the arrays are literals written by rows itself: quotes, backslashes,
    braces, commas, the word NULL and empty text must come back as they went."""
    zone = dt.timezone(dt.timedelta(hours=-5))
    made = [
        Product(
            company=tenant.company,
            sku=f"AWK-{n}",
            barcode=text,
            name=text or "-",
            price=price,
            reorder_point=point,
            track_inventory=n % 2 == 0,
            unit=Product.Unit.KILOGRAM if n % 3 == 0 else Product.Unit.UNIT,
        )
        for n, (text, price, point) in enumerate(
            zip(
                AWKWARD_TEXT,
                [Decimal("1E+1"), Decimal("0.5"), Decimal("12.50"), Decimal("-0")] * 2,
                [Decimal("0.001"), Decimal("1000000"), Decimal("0E-3"), Decimal("7")] * 2,
                strict=True,
            )
        )
    ]
    rows.insert(Product, made)
    for product in made:
        stored = Product.objects.get(pk=product.pk)
        assert (stored.barcode, stored.name, stored.price, stored.reorder_point) == (
            product.barcode,
            product.name,
            product.price,
            product.reorder_point,
        )
        assert (stored.track_inventory, stored.unit, stored.category_id) == (
            product.track_inventory,
            product.unit,
            None,
        )
    later = dt.datetime(2026, 6, 30, 23, 59, 59, 999999, tzinfo=zone)
    for product, text in zip(made, reversed(AWKWARD_TEXT), strict=True):
        product.name, product.updated_at = text or "-", later
    rows.update_rows(Product, made, ["name", "updated_at"])
    for product in made:
        stored = Product.objects.get(pk=product.pk)
        assert (stored.name, stored.updated_at) == (product.name, later)


def test_array_literals_refuse_a_value_of_no_known_kind():
    with pytest.raises(TypeError, match="no array literal for list"):
        rows._element([1])
    assert rows._element(True) == "t" and rows._element(None) == "NULL"
    assert rows._element(Product.Unit.KILOGRAM) == f'"{Product.Unit.KILOGRAM.value}"'
