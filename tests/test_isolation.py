"""Tenant isolation: every API route, walked from the URL resolver, as a second company.

Routes added later are covered without editing this file; a route whose model has no rows of
the first company fails here until `seed_first_company` creates some, so the walk is never
vacuous.
"""

import json
import re

import pytest
from django.contrib.auth.models import Permission
from django.urls import URLPattern, URLResolver, get_resolver

from tests.seed import SECRET, seed_first_company

API_PREFIX = "api/v1/"
# Models that are not company data: every company sees the same rows.
GLOBAL_MODELS = {Permission}


def _walk(patterns, prefix=""):
    for entry in patterns:
        pattern = prefix + str(entry.pattern).lstrip("^")
        if isinstance(entry, URLResolver):
            yield from _walk(entry.url_patterns, pattern)
        elif isinstance(entry, URLPattern):
            yield pattern.rstrip("$"), entry.callback


def api_routes():
    """(path regex, view class, {method: action} or None) for every tenant API route."""
    routes = []
    for pattern, callback in _walk(get_resolver().url_patterns):
        if not pattern.startswith(API_PREFIX):
            continue
        view_class = getattr(callback, "cls", None) or callback.view_class
        if view_class.authentication_classes == []:
            continue  # public: health, bootstrap, auth/token
        routes.append((pattern, view_class, getattr(callback, "actions", None)))
    return routes


ROUTES = api_routes()


def concrete(pattern: str, value) -> str:
    path = re.sub(r"\(\?P<\w+>[^)]*\)", str(value), pattern)
    return "/" + path.replace("/?", "")


def model_of(view_class):
    queryset = getattr(view_class, "queryset", None)
    return queryset.model if queryset is not None else None


def snapshot(model, company):
    return sorted(
        json.dumps(row, sort_keys=True, default=str)
        for row in model.objects.filter(company=company).values()
    )


def assert_no_secret(response):
    assert SECRET not in response.content.decode(), response.content


@pytest.fixture
def world(tenant, other_tenant):
    seed_first_company(tenant)
    return tenant, other_tenant


def test_the_walk_sees_the_routes():
    patterns = {pattern for pattern, _, _ in ROUTES}
    assert "api/v1/me/?" in patterns
    assert any(p.startswith("api/v1/users/") for p in patterns)
    assert len(ROUTES) >= 10


@pytest.mark.parametrize("pattern, view_class, actions", ROUTES, ids=[r[0] for r in ROUTES])
def test_no_identity_is_401(anonymous, world, pattern, view_class, actions):
    methods = (
        actions.keys()
        if actions
        else [m for m in ("get", "post", "patch", "delete") if hasattr(view_class, m)]
    )
    for method in list(methods):
        if method not in view_class.http_method_names:
            continue
        response = getattr(anonymous, method)(concrete(pattern, 1), {}, format="json")
        assert response.status_code == 401, (method, pattern)
        if method == "head":
            continue
        assert response.json()["errors"][0]["code"] == "not_authenticated"


@pytest.mark.parametrize("pattern, view_class, actions", ROUTES, ids=[r[0] for r in ROUTES])
def test_second_company_sees_and_changes_nothing(world, pattern, view_class, actions):
    tenant, outsider = world
    client = outsider.client()
    model = model_of(view_class)
    has_lookup = "(?P<" in pattern

    if model is None or model in GLOBAL_MODELS:
        assert not has_lookup, f"{pattern}: a detail route needs a company-owned model"
        response = client.get(concrete(pattern, 0))
        assert response.status_code in (200, 405), pattern
        assert_no_secret(response)
        if response.status_code == 200 and "company_id" in response.json():
            assert response.json()["company_id"] == outsider.company.pk
        return

    assert any(f.name == "company" for f in model._meta.fields), model
    if not has_lookup and "get" not in actions:
        return  # a collection-level write (an import, a stock document); tested with it
    lookup = view_class.lookup_field
    first_company_keys = set(
        model.objects.filter(company=tenant.company).values_list(lookup, flat=True)
    )
    assert first_company_keys, f"seed_first_company creates no {model.__name__}"

    if not has_lookup:
        response = client.get(concrete(pattern, 0), {"page_size": 500})
        assert response.status_code == 200, pattern
        assert_no_secret(response)
        if actions["get"] == "list":
            seen = {row["id"] for row in response.json()["results"]}
            assert not seen & first_company_keys, pattern
        return

    before = snapshot(model, tenant.company)
    key = sorted(first_company_keys)[0]
    for method in list(actions):
        if method not in view_class.http_method_names:
            continue
        response = getattr(client, method)(concrete(pattern, key), {}, format="json")
        assert response.status_code == 404, (method, pattern, response.content)
        if method == "head":
            continue
        assert response.json()["errors"][0]["code"] == "not_found"
        assert_no_secret(response)
    assert snapshot(model, tenant.company) == before, pattern
