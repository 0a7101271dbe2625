"""CSV import and export of products: one service behind the API and the command."""

import time
from decimal import Decimal

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.core.management import call_command
from django.core.management.base import CommandError

from accounts.models import AuditEvent
from catalog.models import Category, Product, TaxRate
from tests.conftest import error_attrs, error_codes

IMPORT = "/api/v1/products/import"
EXPORT = "/api/v1/products/export"
HEADER = "sku,name,barcode,price,cost,category,tax_rate,reorder_point\n"


def upload(client, text: str | bytes, name="products.csv"):
    raw = text.encode() if isinstance(text, str) else text
    return client.post(IMPORT, {"file": SimpleUploadedFile(name, raw)}, format="multipart")


@pytest.fixture
def iva(tenant):
    return TaxRate.objects.create(company=tenant.company, name="IVA", rate=Decimal("16"))


def products(tenant):
    return {p.sku: p for p in Product.objects.filter(company=tenant.company)}


def test_import_creates_products_and_categories(tenant, iva):
    text = HEADER + (
        "A1,Café molido,7501000000017,89.50,40.00,Bebidas,IVA,5\nA2,Pan dulce,,12,,Panadería,,0\n"
    )
    response = upload(tenant.client(), text)
    assert response.status_code == 200, response.content
    assert response.json() == {"created": 2, "updated": 0}
    by_sku = products(tenant)
    cafe = by_sku["A1"]
    assert (cafe.name, cafe.barcode, cafe.price, cafe.cost) == (
        "Café molido",
        "7501000000017",
        Decimal("89.50"),
        Decimal("40.00"),
    )
    assert cafe.category.name == "Bebidas" and cafe.tax_rate == iva
    assert cafe.reorder_point == Decimal("5") and cafe.is_active and cafe.track_inventory
    assert by_sku["A2"].tax_rate is None and by_sku["A2"].cost == Decimal("0")
    assert set(Category.objects.filter(company=tenant.company).values_list("name", flat=True)) == {
        "Bebidas",
        "Panadería",
    }
    event = AuditEvent.objects.get(company=tenant.company, action="product.import")
    assert event.data == {"created": 2, "updated": 1 - 1, "rows": 2}


def test_import_upserts_by_sku_and_audits_price_changes(tenant, iva):
    upload(tenant.client(), HEADER + "A1,Café,,10.00,5.00,,IVA,0\nA2,Té,,20.00,8.00,,,0\n")
    response = upload(tenant.client(), "sku,name,price\nA1,Café de olla,11.50\nA3,Mate,30\n")
    assert response.json() == {"created": 1, "updated": 1}
    by_sku = products(tenant)
    assert by_sku["A1"].name == "Café de olla" and by_sku["A1"].price == Decimal("11.50")
    assert by_sku["A1"].cost == Decimal("5.00")  # column absent: unchanged
    assert by_sku["A1"].tax_rate == iva
    assert by_sku["A2"].price == Decimal("20.00")
    event = AuditEvent.objects.get(company=tenant.company, action="product.price_change")
    assert event.object_id == str(by_sku["A1"].pk) and event.user == tenant.admin.user
    assert [Decimal(v) for v in event.data["price"]] == [Decimal("10.00"), Decimal("11.50")]
    assert "cost" not in event.data


def test_unchanged_rows_are_not_updates(tenant):
    upload(tenant.client(), "sku,name,price\nA1,Café,10\n")
    assert upload(tenant.client(), "sku,name,price\nA1,Café,10.00\n").json() == {
        "created": 0,
        "updated": 0,
    }


def test_bad_rows_are_all_reported_and_nothing_is_written(tenant, iva):
    Product.objects.create(company=tenant.company, sku="OLD", name="Old", price=1, barcode="999")
    text = HEADER + (
        "A1,Good row,,10,,,,0\n"
        "A2,,,-5,,,,0\n"
        "A3,Bad price,,12.345,,,,0\n"
        "A1,Repeated sku,,1,,,,0\n"
        "A4,Unknown tax,,1,,,GST,0\n"
        "A5,Taken barcode,999,1,,,,0\n"
        "A6,Half unit,,1,,,,1.5\n"
        "A7,Not a number,,abc,,,,0\n"
    )
    response = upload(tenant.client(), text)
    assert response.status_code == 400
    assert response.json()["type"] == "validation_error"
    attrs = error_attrs(response)
    assert attrs == [
        "rows.3.name",
        "rows.3.price",
        "rows.4.price",
        "rows.5.sku",
        "rows.6.tax_rate",
        "rows.7.barcode",
        "rows.8.reorder_point",
        "rows.9.price",
    ]
    details = [e["detail"] for e in response.json()["errors"]]
    assert details[0].startswith("Row 3, name:")
    assert set(products(tenant)) == {"OLD"}
    assert not Category.objects.filter(company=tenant.company).exists()
    assert not AuditEvent.objects.filter(action__startswith="product.").exists()


def test_bom_and_semicolons_and_decimal_commas(tenant):
    text = "\ufeffsku;name;price;cost\nB1;Azúcar 1 kg;25,90;18,5\n"
    response = upload(tenant.client(), text.encode("utf-8"))
    assert response.status_code == 200, response.content
    product = products(tenant)["B1"]
    assert (product.name, product.price, product.cost) == (
        "Azúcar 1 kg",
        Decimal("25.90"),
        Decimal("18.50"),
    )


@pytest.mark.parametrize(
    "raw, code",
    [
        (b"", "empty"),  # DRF's own check of an empty upload
        (b"   \n\n", "empty_file"),
        (HEADER.encode(), "empty_file"),
        (b"\x89PNG\r\n\x1a\n\x00\x00\x00\rIHDR", "invalid_file"),
        ("sku,name,price\nA,é,1\n".encode("latin-1"), "invalid_file"),
        (b"id,title\n1,x\n", "invalid_header"),
        (b"sku,name,price,sku\nA,B,1,A\n", "invalid_header"),
    ],
)
def test_unusable_files_are_400_on_file(tenant, raw, code):
    response = upload(tenant.client(), raw)
    assert response.status_code == 400
    assert error_codes(response) == [code] and error_attrs(response) == ["file"]
    assert not Product.objects.exists()


def test_missing_file_field(tenant):
    response = tenant.client().post(IMPORT, {}, format="multipart")
    assert response.status_code == 400 and error_attrs(response) == ["file"]


def test_json_body_is_unsupported(tenant):
    response = tenant.client().post(IMPORT, {"file": "x"}, format="json")
    assert response.status_code == 415


def test_a_row_with_too_many_cells(tenant):
    response = upload(tenant.client(), "sku,name,price\nA1,Café,10,extra\n")
    assert response.status_code == 400 and error_attrs(response) == ["rows.2"]


def test_too_many_rows(tenant, settings):
    settings.IMPORT_MAX_ROWS = 3
    response = upload(
        tenant.client(), "sku,name,price\n" + "".join(f"S{i},N,1\n" for i in range(4))
    )
    assert response.status_code == 400 and error_codes(response) == ["too_many_rows"]


def test_file_larger_than_the_limit(tenant, settings):
    settings.IMPORT_MAX_BYTES = 1024
    response = upload(tenant.client(), "sku,name,price\n" + "A,B,1\n" * 400)
    assert response.status_code == 400 and error_codes(response) == ["file_too_large"]


def test_a_5_mb_file_imports(tenant):
    rows = [
        f"SKU{i:06d},Producto número {i} con un nombre largo {'x' * 40},{i % 900 + 1}.25\n"
        for i in range(60_000)
    ]
    text = "sku,name,price\n" + "".join(rows)
    assert len(text.encode()) > 5 * 1024 * 1024
    response = upload(tenant.client(), text)
    assert response.status_code == 200, response.content[:300]
    assert response.json() == {"created": 60_000, "updated": 0}
    assert Product.objects.filter(company=tenant.company).count() == 60_000


def test_10000_rows_import_in_seconds_with_bulk_writes(tenant, django_assert_max_num_queries):
    text = "sku,name,price,category\n" + "".join(
        f"S{i},Product {i},{i % 50 + 1}.00,Group {i % 20}\n" for i in range(10_000)
    )
    started = time.perf_counter()
    # Bulk batches: about 10 inserts on PostgreSQL; SQLite's 999-parameter limit makes ~150.
    # A query per row would be over 10,000.
    with django_assert_max_num_queries(200):
        response = upload(tenant.client(), text)
    elapsed = time.perf_counter() - started
    assert response.json() == {"created": 10_000, "updated": 0}
    print(f"10,000-row import: {elapsed:.2f} s")


def test_the_other_company_is_untouched(tenant, other_tenant):
    Product.objects.create(company=other_tenant.company, sku="A1", name="Theirs", price=1)
    upload(tenant.client(), "sku,name,price\nA1,Ours,2\n")
    theirs = Product.objects.get(company=other_tenant.company, sku="A1")
    assert theirs.name == "Theirs" and theirs.price == Decimal("1")
    assert products(tenant)["A1"].name == "Ours"


def test_import_needs_add_and_change(anonymous, tenant):
    assert upload(anonymous, "sku,name,price\nA,B,1\n").status_code == 401
    only_add = tenant.member(codes=["catalog.add_product"])
    assert upload(tenant.client(only_add), "sku,name,price\nA,B,1\n").status_code == 403
    cashier = tenant.member("cashier")
    assert upload(tenant.client(cashier), "sku,name,price\nA,B,1\n").status_code == 403
    assert not Product.objects.exists()
    both = tenant.member(codes=["catalog.add_product", "catalog.change_product"])
    assert upload(tenant.client(both), "sku,name,price\nA,B,1\n").status_code == 200
    assert Product.objects.filter(company=tenant.company, sku="A").exists()


def test_export_reimports_unchanged(tenant, iva):
    text = HEADER + (
        'A1,"Café, molido",7501,89.50,40.00,Bebidas,IVA,5.000\nA2,Pan,,12.00,0.00,,,0.000\n'
    )
    upload(tenant.client(), text)
    before = {
        sku: (p.name, p.price, p.cost, p.category_id, p.tax_rate_id)
        for sku, p in products(tenant).items()
    }
    exported = tenant.client().get(EXPORT)
    assert exported.status_code == 200
    assert exported["Content-Type"].startswith("text/csv")
    body = exported.content.decode()
    assert body.splitlines()[0] == HEADER.strip()
    assert body.replace("\r\n", "\n") == text.replace("7501,89.50", "7501,89.50")
    again = upload(tenant.client(), exported.content)
    assert again.json() == {"created": 0, "updated": 0}
    after = {
        sku: (p.name, p.price, p.cost, p.category_id, p.tax_rate_id)
        for sku, p in products(tenant).items()
    }
    assert after == before


def test_export_four_cases(anonymous, tenant, other_tenant):
    Product.objects.create(company=tenant.company, sku="MINE", name="Mine", price=1)
    assert anonymous.get(EXPORT).status_code == 401
    assert tenant.client(tenant.member(codes=[])).get(EXPORT).status_code == 403
    theirs = other_tenant.client().get(EXPORT).content.decode()
    assert "MINE" not in theirs
    assert "MINE" in tenant.client(tenant.member("stock_clerk")).get(EXPORT).content.decode()


def test_import_command(tenant, tmp_path, capsys):
    path = tmp_path / "catalog.csv"
    path.write_text("sku,name,price\nC1,Cmd,3\nC2,Cmd 2,4\n", encoding="utf-8")
    call_command(
        "import_products",
        str(path),
        "--company",
        str(tenant.company.pk),
        "--user",
        tenant.admin.user.email,
    )
    assert capsys.readouterr().out.strip() == "created 2, updated 0"
    assert set(products(tenant)) == {"C1", "C2"}
    event = AuditEvent.objects.get(action="product.import")
    assert event.user == tenant.admin.user


def test_import_command_reports_every_bad_row(tenant, tmp_path, capsys):
    path = tmp_path / "bad.csv"
    path.write_text("sku,name,price\nC1,,3\nC2,X,-1\n", encoding="utf-8")
    with pytest.raises(CommandError, match="2 problems"):
        call_command("import_products", str(path), "--company", str(tenant.company.pk))
    err = capsys.readouterr().err
    assert "Row 2, name" in err and "Row 3, price" in err
    assert not Product.objects.exists()
