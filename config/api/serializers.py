"""Serializers whose related fields and uniqueness checks are confined to the caller's company."""

import copy
from functools import cached_property

from django.core.exceptions import ImproperlyConfigured
from django.core.exceptions import ValidationError as DjangoValidationError
from django.db import models
from django.db.models import UniqueConstraint
from drf_spectacular.utils import extend_schema_field
from rest_framework import serializers
from rest_framework.exceptions import ErrorDetail
from rest_framework.fields import SkipField
from rest_framework.relations import PKOnlyObject

from config.rows import company_object

from . import fields
from .filters import BLANK_QUERY_VALUE
from .ids import ID_SCHEMA, parse_id


def request_company(serializer_field):
    return serializer_field.context["request"].company


def _whole_table(queryset) -> bool:
    """Whether a queryset (or manager) selects every row of its model, as it stands."""
    query = queryset.all().query
    return not (
        query.where
        or query.select_related
        or query.extra
        or query.combinator
        or query.is_sliced
        or query.distinct
    )


@extend_schema_field(ID_SCHEMA)
class CompanyPrimaryKeyRelatedField(serializers.PrimaryKeyRelatedField):
    """An id of another company's object is 'does not exist', exactly like a missing id."""

    def __init__(self, **kwargs):
        super().__init__(**kwargs)
        if self.queryset is not None and not _whole_table(self.queryset):
            raise ImproperlyConfigured(
                "A company-scoped id field reads its model's rows scoped by company alone: "
                "give it the model's whole queryset (and a default manager that hides none)."
            )

    def get_queryset(self):
        return super().get_queryset().filter(company=request_company(self))

    def to_internal_value(self, data):
        pk = parse_id(data)
        if pk is None:
            self.fail("incorrect_type", data_type=type(data).__name__)
        # Hand-written (config.rows): every sale and stock document reads its register,
        # products or location, and the ORM's compiling cost several times the read.
        found = company_object(self.queryset.model, pk=pk, company_id=request_company(self).pk)
        if found is None:
            self.fail("does_not_exist", pk_value=pk)
        return found


class CompanySlugRelatedField(serializers.SlugRelatedField):
    default_error_messages = {"invalid": "Expected a name (a string without NUL characters)."}

    def get_queryset(self):
        return super().get_queryset().filter(company=request_company(self))

    def to_internal_value(self, data):
        if not isinstance(data, str) or "\x00" in data:
            self.fail("invalid")
        return super().to_internal_value(data)


SCOPED_RELATED_FIELDS = (CompanyPrimaryKeyRelatedField, CompanySlugRelatedField)


def _needs_deep_copy(field) -> bool:
    """Fields holding child fields, or a mutable default that each copy must have its own of."""
    return (
        isinstance(field, serializers.BaseSerializer)
        or any(hasattr(field, name) for name in ("child", "child_relation"))
        or isinstance(getattr(field, "default", None), list | dict | set)
    )


def _shallow_copy(field):
    # What copy.copy does for these plain objects, without its dispatch through __reduce_ex__
    # (serializing a product took 123 us with copy.copy, 79 us with this).
    copied = object.__new__(type(field))
    copied.__dict__.update(field.__dict__)
    return copied


# Comments, not docstrings, on these bases: the schema would show a docstring on every model.
class FieldsBuiltOnce:
    # DRF builds every field for each serializer instance (deep copies of the declared ones,
    # and a ModelSerializer's from its model): a fifth of a barcode lookup's CPU. The fields
    # depend on the class alone, so each class builds them once, unbound, and each instance
    # binds its own shallow copies. A field holding child fields (a nested serializer, a list)
    # is copied deeply: its children are bound to it, and must reach this instance's context
    # through it; so is one with a mutable default.

    def get_fields(self):
        cls = type(self)
        if "_built_fields" not in cls.__dict__:
            cls._built_fields = [
                (name, field, copy.deepcopy if _needs_deep_copy(field) else _shallow_copy)
                for name, field in super().get_fields().items()
            ]
        return {name: copied(field) for name, field, copied in cls._built_fields}

    # DRF walks `fields` (a mapping written in Python) for these on every row it reads or
    # shows; an instance's fields don't change once built, and a list's child serializer
    # is one instance for all its rows.
    @cached_property
    def _writable_fields(self) -> list:
        return [field for field in self.fields.values() if not field.read_only]

    @cached_property
    def _readable_fields(self) -> list:
        return [field for field in self.fields.values() if not field.write_only]


class Serializer(FieldsBuiltOnce, serializers.Serializer):
    pass


class ModelSerializer(FieldsBuiltOnce, serializers.ModelSerializer):
    # Model fields as the API's strict fields (config.api.fields).

    serializer_field_mapping = {
        **serializers.ModelSerializer.serializer_field_mapping,
        models.BooleanField: fields.BooleanField,
        models.CharField: fields.CharField,
        models.DecimalField: fields.DecimalField,
        models.EmailField: fields.EmailField,
        models.TextField: fields.CharField,
    }

    @cached_property
    def _representers(self) -> list:
        # Per readable field: (name, attribute, field, shown as is). The attribute is the
        # model's own column it shows, read straight from the instance (DRF's get_attribute
        # walks a path and checks for mappings and callables at each step), or a foreign key's
        # id for a plain primary-key field, which shows it as it is; None: DRF's way
        # (relations, paths, methods). Listed once an instance: a list's child serializer
        # renders every row.
        model_fields = {f.name: f for f in self.Meta.model._meta.concrete_fields}
        representers = []
        for field in self._readable_fields:
            model_field = model_fields.get(field.source)
            attribute, as_is = None, False
            if model_field is not None and model_field.is_relation:
                if _shows_the_id(field):
                    attribute, as_is = model_field.attname, True
            elif model_field is not None and (
                type(field).get_attribute is serializers.Field.get_attribute
            ):
                attribute = field.source
            representers.append((field.field_name, attribute, field, as_is))
        return representers

    def to_representation(self, instance):
        if not isinstance(instance, self.Meta.model):
            return super().to_representation(instance)
        ret = {}
        for name, attribute, field, as_is in self._representers:
            if attribute is not None:
                value = getattr(instance, attribute)
                if as_is:
                    ret[name] = value
                    continue
            else:
                try:
                    value = field.get_attribute(instance)
                except SkipField:
                    continue
                if isinstance(value, PKOnlyObject) and value.pk is None:
                    value = None
            ret[name] = None if value is None else field.to_representation(value)
        return ret


def _shows_the_id(field) -> bool:
    """A primary-key related field that, as DRF runs it, shows the foreign key's id unchanged."""
    kind = type(field)
    return (
        isinstance(field, serializers.PrimaryKeyRelatedField)
        and kind.get_attribute is serializers.RelatedField.get_attribute
        and kind.to_representation is serializers.PrimaryKeyRelatedField.to_representation
        and kind.use_pk_only_optimization
        is serializers.PrimaryKeyRelatedField.use_pk_only_optimization
        and field.pk_field is None
    )


class CompanyModelSerializer(ModelSerializer):
    # Base for every serializer of a company-owned model. Generated related fields are scoped
    # to the company; declared ones must be too (checked when the fields are built), and unique
    # constraints that include `company` are checked here so a duplicate is a 400 on its field
    # rather than an integrity error.

    serializer_related_field = CompanyPrimaryKeyRelatedField

    def get_fields(self):
        fields = super().get_fields()
        for name, field in fields.items():
            related = getattr(field, "child_relation", field)
            if (
                isinstance(related, serializers.RelatedField)
                and not related.read_only
                and not isinstance(related, SCOPED_RELATED_FIELDS)
            ):
                raise TypeError(
                    f"{type(self).__name__}.{name} must be a company-scoped related field"
                )
        return fields

    def validate(self, attrs):
        attrs = super().validate(attrs)
        self._validate_company_unique_constraints(attrs)
        return attrs

    def _validate_company_unique_constraints(self, attrs):
        model = self.Meta.model
        concrete = {f.name for f in model._meta.concrete_fields}
        values = {k: v for k, v in attrs.items() if k in concrete}
        if self.instance is not None:
            candidate = model(
                **{
                    f.attname: getattr(self.instance, f.attname)
                    for f in model._meta.concrete_fields
                }
            )
            candidate._state.adding = False
            for name, value in values.items():
                setattr(candidate, name, value)
        else:
            candidate = model(company=request_company(self), **values)
        for constraint in model._meta.constraints:
            if not isinstance(constraint, UniqueConstraint) or "company" not in constraint.fields:
                continue
            checked = [name for name in constraint.fields if name != "company"]
            if not any(name in attrs for name in checked):
                continue
            try:
                constraint.validate(model, candidate)
            except DjangoValidationError:
                field = checked[-1]
                label = model._meta.get_field(field).verbose_name
                raise serializers.ValidationError(
                    {
                        field: [
                            ErrorDetail(
                                f"A {model._meta.verbose_name} with this {label} already exists.",
                                code="unique",
                            )
                        ]
                    }
                ) from None


class QuerySerializer(serializers.Serializer):
    """Query parameters read by a serializer: an empty value (`?from=`) is a 400, as a wrong
    one is, not taken as absent (free text that may be blank excepted)."""

    def to_internal_value(self, data):
        blank = {
            name: [ErrorDetail(BLANK_QUERY_VALUE, code="blank")]
            for name, field in self.fields.items()
            if data.get(name) == "" and not getattr(field, "allow_blank", False)
        }
        if blank:
            raise serializers.ValidationError(blank)
        return super().to_internal_value(data)


class RowSerializer(serializers.Serializer):
    """A read-only row given as a dict keyed by field name, such as a report's.

    Each value is read by key rather than through each field's `get_attribute`, which cost as
    much as the rendering itself in a report of 10,000 rows."""

    @cached_property
    def _row_fields(self) -> list:
        # Listed once for all rows: DRF's _readable_fields generator is rebuilt for each row.
        return [
            (field.field_name, field.source, field.to_representation)
            for field in self._readable_fields
        ]

    def to_representation(self, instance):
        return {
            name: None if (value := instance[source]) is None else represent(value)
            for name, source, represent in self._row_fields
        }
