"""The served OpenAPI document describes errors as the server answers them."""

import re

import pytest
from rest_framework.test import APIClient

from tests.conftest import error_attrs


@pytest.fixture(scope="module")
def document(django_db_blocker):
    with django_db_blocker.unblock():
        return APIClient().get("/api/schema?format=json").json()


def _component(document, name):
    return document["components"]["schemas"][name]


def test_list_item_attrs_are_patterns_that_match_real_errors(document, tenant):
    attr = _component(document, "V1SalesCreateLinesINDEXQuantityErrorComponent")["properties"]
    pattern = attr["attr"]["pattern"]
    response = tenant.client().post("/api/v1/sales", {"lines": [{"quantity": "x"}]})
    assert "lines.0.quantity" in error_attrs(response)
    assert re.fullmatch(pattern.strip("^$"), "lines.0.quantity")
    assert not re.fullmatch(pattern.strip("^$"), "lines.INDEX.quantity")


def test_non_field_errors_are_documented_as_null_attr(document):
    attr = _component(document, "V1SalesCreateNonFieldErrorsErrorComponent")["properties"]["attr"]
    assert attr == {"type": "string", "nullable": True, "enum": [None]}
    nested = _component(document, "V1SalesCreateLinesINDEXNonFieldErrorsErrorComponent")
    assert nested["properties"]["attr"]["pattern"] == r"^lines\.[0-9]+$"


def test_attr_unions_have_no_attr_discriminator(document):
    union = _component(document, "V1SalesCreateError")
    assert "discriminator" not in union and "oneOf" not in union and union["anyOf"]


def test_query_serializers_and_multipart_bodies_document_their_validation_errors(document):
    names = document["components"]["schemas"]
    assert "V1ReportsSalesRetrieveGroupByErrorComponent" in names
    assert "V1ReportsInventoryValuationRetrieveLocationErrorComponent" in names
    file_codes = _component(document, "V1ProductsImportCreateFileErrorComponent")
    assert {"too_many_rows", "invalid_header", "file_too_large"} <= set(
        file_codes["properties"]["code"]["enum"]
    )


def test_idempotent_posts_document_the_key_and_its_400(document):
    post = document["paths"]["/api/v1/sales/"]["post"]
    [header] = [p for p in post["parameters"] if p["name"] == "Idempotency-Key"]
    assert header["schema"]["maxLength"] == 255 and header["schema"]["minLength"] == 1
    codes = _component(document, "V1SalesCreateNonFieldErrorsErrorComponent")["properties"]
    assert "invalid_idempotency_key" in codes["code"]["enum"]


def _patterns(node):
    if isinstance(node, dict):
        if isinstance(node.get("pattern"), str):
            yield node["pattern"]
        for value in node.values():
            yield from _patterns(value)
    elif isinstance(node, list):
        for value in node:
            yield from _patterns(value)


def test_every_pattern_compiles_in_python_and_in_an_ecma_style_engine(document):
    import jsonschema_rs

    patterns = set(_patterns(document))
    assert len(patterns) > 20
    for pattern in patterns:
        re.compile(pattern)
        jsonschema_rs.validator_for({"type": "string", "pattern": pattern})  # raises if invalid
