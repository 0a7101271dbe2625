"""Another company's ids in request bodies: every scoped related field of every API serializer.

The serializers are found by walking each app's `api.serializers` module, and their fields
(nested serializers and lists included) by walking `fields`; serializers added later are
covered without editing this file. Each scoped field is given an object of the second company
(a `does_not_exist` error on that field, so the request is a 400 before any write) and, as the
control that makes the test able to fail, an object of the first company (no error on that
field). The API tests of each app send such bodies over HTTP and check nothing was written.
"""

import inspect
from importlib import import_module

import pytest
from django.apps import apps
from rest_framework import serializers
from rest_framework.test import APIRequestFactory

from config.api.serializers import CompanyPrimaryKeyRelatedField, CompanySlugRelatedField
from tests.seed import seed_first_company

SCOPED = (CompanyPrimaryKeyRelatedField, CompanySlugRelatedField)


def api_serializers():
    found = []
    for config in apps.get_app_configs():
        try:
            module = import_module(f"{config.name}.api.serializers")
        except ModuleNotFoundError:
            continue
        for _, cls in inspect.getmembers(module, inspect.isclass):
            abstract = issubclass(cls, serializers.ModelSerializer) and not hasattr(cls, "Meta")
            own = cls.__module__ == module.__name__
            if issubclass(cls, serializers.Serializer) and own and not abstract:
                found.append(cls)
    return found


def scoped_fields(serializer, path=()):
    """(path, field) for every writable company-scoped related field, nested ones included;
    a list of related ids has the path of its first item."""
    for name, field in serializer.fields.items():
        if field.read_only:
            continue
        if isinstance(field, serializers.ListSerializer | serializers.ListField) and isinstance(
            field.child, serializers.Serializer
        ):
            yield from scoped_fields(field.child, (*path, name, 0))
        elif isinstance(field, serializers.Serializer):
            yield from scoped_fields(field, (*path, name))
        elif isinstance(field, serializers.ManyRelatedField) and isinstance(
            field.child_relation, SCOPED
        ):
            yield (*path, name, 0), field.child_relation
        elif isinstance(field, SCOPED):
            yield (*path, name), field


def build(path, value):
    """The body that puts `value` at `path` (list positions as 0)."""
    if not path:
        return value
    head, *rest = path
    inner = build(rest, value)
    return [inner] if head == 0 else {head: inner}


def attr_of(path):
    return ".".join(str(part) for part in path)


CASES = [(cls, path) for cls in api_serializers() for path, _ in scoped_fields(cls())]


def test_the_walk_finds_the_scoped_fields():
    attrs = {(cls.__name__, attr_of(path)) for cls, path in CASES}
    assert ("SaleInputSerializer", "register") in attrs
    assert ("RefundInputSerializer", "register") in attrs
    assert ("TransferSerializer", "lines.0.product") in attrs
    assert ("MembershipCreateSerializer", "roles.0") in attrs
    assert ("ProductSerializer", "category") in attrs
    assert len(CASES) >= 15


def seed_other_company(tenant):
    """One object of each kind a body can name (bootstrap made the location, register, roles)."""
    from tests.catalog.factories import CategoryFactory
    from tests.factories import RoleFactory
    from tests.sales import factories as s

    s.product(tenant, sku="B-1", category=CategoryFactory(company=tenant.company))
    s.tax_rate(tenant, "8.00")
    s.customer(tenant, name="Their customer")
    RoleFactory(company=tenant.company, name="their own role")  # a name only they have


def _value(field, instance):
    if isinstance(field, CompanySlugRelatedField):
        return getattr(instance, field.slug_field)
    return instance.pk


@pytest.mark.parametrize(
    "serializer_class, path", CASES, ids=[f"{c.__name__}.{attr_of(p)}" for c, p in CASES]
)
def test_another_companys_object_is_does_not_exist(tenant, other_tenant, serializer_class, path):
    seed_first_company(tenant)
    seed_other_company(other_tenant)
    request = APIRequestFactory().post("/")
    request.company, request.user = tenant.company, tenant.admin.user
    context = {"request": request}
    field = dict(scoped_fields(serializer_class(context=context)))[path]
    model = field.queryset.model
    attr = attr_of(path)
    # DRF answers a list of related ids on the list, not the item.
    many = isinstance(field.parent, serializers.ManyRelatedField)
    error_path = path[:-1] if many else path

    mine = model.objects.filter(company=tenant.company).order_by("pk").first()
    theirs = model.objects.filter(company=other_tenant.company).order_by("pk")
    if isinstance(field, CompanySlugRelatedField):  # by name: one the first company lacks
        names = model.objects.filter(company=tenant.company).values(field.slug_field)
        theirs = theirs.exclude(**{f"{field.slug_field}__in": names})
    theirs = theirs.first()
    assert mine is not None and theirs is not None, f"seed a {model.__name__} for both"

    refused = serializer_class(data=build(path, _value(field, theirs)), context=context)
    assert not refused.is_valid()
    codes = [e.code for e in _errors_at(refused.errors, error_path)]
    assert codes == ["does_not_exist"], (attr, refused.errors)

    accepted = serializer_class(data=build(path, _value(field, mine)), context=context)
    accepted.is_valid()
    assert _errors_at(accepted.errors, error_path) == [], (attr, accepted.errors)


def _errors_at(errors, path):
    node = errors
    for part in path:
        if isinstance(node, list):
            node = node[part] if part < len(node) else {}
        elif isinstance(node, dict):
            node = node.get(part, [])
        else:
            return []
    return list(node) if isinstance(node, list) else []
