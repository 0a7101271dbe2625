"""Every company-scoped ModelAdmin, as staff of another company and as members without the
permission: lists, change and delete pages, and the choices of related fields."""

import json

import pytest
from django.contrib import admin
from django.forms import ModelChoiceField

from accounts.models import User
from catalog.models import Product
from companies.models import Company
from config.backoffice.options import CompanyScopedAdmin, PlatformAdmin
from tests.seed import SECRET

from .conftest import SCOPED_ADMINS, admin_id, admin_url, backoffice_client

pytestmark = pytest.mark.django_db


def first_company_object(model_admin, tenant):
    obj = model_admin.model._default_manager.filter(company=tenant.company).order_by("pk").first()
    assert obj is not None, f"tests.seed creates no {model_admin.model.__name__}"
    return obj


def snapshot(model, company):
    return sorted(
        json.dumps(row, sort_keys=True, default=str)
        for row in model._default_manager.filter(company=company).values()
    )


def test_every_admin_is_company_scoped_or_platform_only():
    for model_admin in admin.site._registry.values():
        assert isinstance(model_admin, CompanyScopedAdmin | PlatformAdmin), model_admin


def test_the_walk_sees_the_admins():
    labels = {admin_id(a) for a in SCOPED_ADMINS}
    assert {"catalog.product", "sales.sale", "accounts.membership", "analytics.alert"} <= labels
    assert len(SCOPED_ADMINS) >= 15


def opened_by_outsider(world, model_admin, page):
    """B's admin opens a page of the model's admin: it opens, with no trace of A's rows."""
    _, outsider = world
    response = backoffice_client(outsider.admin).get(admin_url(model_admin, page))
    assert response.status_code == 200
    assert SECRET not in response.content.decode()
    return response


@pytest.mark.parametrize("model_admin", SCOPED_ADMINS, ids=admin_id)
def test_another_companys_staff_list_none_of_its_rows(world, model_admin):
    tenant, _ = world
    shown = opened_by_outsider(world, model_admin, "changelist").context["cl"].queryset
    assert not shown.filter(company=tenant.company).exists()


@pytest.mark.parametrize("model_admin", SCOPED_ADMINS, ids=admin_id)
@pytest.mark.parametrize("page", ["change", "delete", "history"])
def test_another_companys_object_is_404(world, model_admin, page):
    tenant, outsider = world
    obj = first_company_object(model_admin, tenant)
    before = snapshot(model_admin.model, tenant.company)
    client = backoffice_client(outsider.admin)
    url = admin_url(model_admin, page, obj.pk)
    response = client.get(url)
    assert response.status_code == 404
    assert response["Content-Type"].startswith("text/html")  # a page, not the API's JSON
    assert client.post(url, {"post": "yes", "name": "taken"}).status_code == 404
    assert snapshot(model_admin.model, tenant.company) == before


@pytest.mark.parametrize("model_admin", SCOPED_ADMINS, ids=admin_id)
def test_a_bulk_delete_of_another_companys_ids_deletes_nothing(world, model_admin):
    tenant, outsider = world
    obj = first_company_object(model_admin, tenant)
    before = snapshot(model_admin.model, tenant.company)
    backoffice_client(outsider.admin).post(
        admin_url(model_admin, "changelist"),
        {"action": "delete_selected", "_selected_action": [obj.pk], "post": "yes"},
    )
    assert snapshot(model_admin.model, tenant.company) == before


def related_choice_fields(form):
    return {
        name: field.queryset
        for name, field in form.fields.items()
        if isinstance(field, ModelChoiceField)
    }


ADDABLE = [a for a in SCOPED_ADMINS if "add" in a.api_actions]


@pytest.mark.parametrize("model_admin", ADDABLE, ids=admin_id)
def test_related_choices_are_the_companys_own(world, model_admin):
    tenant, outsider = world
    response = opened_by_outsider(world, model_admin, "add")
    choices = related_choice_fields(response.context["adminform"].form)
    for name, queryset in choices.items():
        model = queryset.model
        if model is Company:
            assert list(queryset) == [outsider.company], name
        elif model is User:
            assert not queryset.filter(memberships__company=tenant.company).exists(), name
        elif any(f.name == "company" for f in model._meta.fields):
            assert not queryset.filter(company=tenant.company).exists(), name


def test_the_walk_checks_related_choices(world):
    """Not vacuous: products offer categories and tax rates, memberships roles."""
    _, outsider = world
    client = backoffice_client(outsider.admin)
    product = client.get(admin_url(admin.site._registry[Product], "add"))
    assert {"category", "tax_rate", "company"} <= set(
        related_choice_fields(product.context["adminform"].form)
    )


@pytest.mark.parametrize("model_admin", SCOPED_ADMINS, ids=admin_id)
def test_a_member_without_backoffice_access_is_sent_to_sign_in(world, model_admin):
    tenant, _ = world
    client = backoffice_client(tenant.member("cashier"))
    obj = first_company_object(model_admin, tenant)
    for url in (
        admin_url(model_admin, "changelist"),
        admin_url(model_admin, "change", obj.pk),
        admin_url(model_admin, "delete", obj.pk),
    ):
        response = client.get(url)
        assert response.status_code == 302, url
        assert response["Location"].startswith("/admin/login/"), url


@pytest.mark.parametrize("model_admin", SCOPED_ADMINS, ids=admin_id)
def test_a_member_without_the_models_permission_is_403(world, backoffice_only, model_admin):
    tenant, _ = world
    client = backoffice_client(backoffice_only)
    obj = first_company_object(model_admin, tenant)
    before = snapshot(model_admin.model, tenant.company)
    for url in (
        admin_url(model_admin, "changelist"),
        admin_url(model_admin, "add"),
        admin_url(model_admin, "change", obj.pk),
        admin_url(model_admin, "delete", obj.pk),
    ):
        assert client.get(url).status_code == 403, url
        assert client.post(url, {"post": "yes"}).status_code == 403, url
    assert snapshot(model_admin.model, tenant.company) == before


def test_the_index_lists_only_what_the_roles_allow(tenant, backoffice_only):
    response = backoffice_client(backoffice_only).get("/admin/")
    assert response.status_code == 200
    assert response.context["app_list"] == []
    cashier_like = tenant.member(codes=["accounts.access_backoffice", "catalog.view_product"])
    apps = backoffice_client(cashier_like).get("/admin/").context["app_list"]
    assert [(a["app_label"], [m["object_name"] for m in a["models"]]) for a in apps] == [
        ("catalog", ["Product"])
    ]
