"""Filters every list shares: ids and days, validated so bad input is a 400, never a 500."""

import django_filters
from django import forms
from django.db import models
from django_filters.rest_framework import DjangoFilterBackend
from drf_spectacular.utils import extend_schema_field

from config.timezones import company_day_start

from .fields import DAY_SCHEMA, day_validators
from .ids import ID_SCHEMA, MAX_ID


@extend_schema_field(ID_SCHEMA)
class IdFilter(django_filters.NumberFilter):
    """An object id (a foreign key's): another company's id simply matches nothing."""

    field_class = forms.IntegerField

    def __init__(self, *args, **kwargs):
        kwargs.setdefault("min_value", 1)
        kwargs.setdefault("max_value", MAX_ID)
        super().__init__(*args, **kwargs)


@extend_schema_field(DAY_SCHEMA)
class DayFilter(django_filters.DateFilter):
    """A day in the company's time zone, included: `bound` is "from" or "to"."""

    def __init__(self, *args, bound: str, **kwargs):
        self.bound = bound
        kwargs.setdefault("validators", day_validators())
        kwargs.setdefault(
            "help_text",
            f"YYYY-MM-DD in the company's time zone; the {'first' if bound == 'from' else 'last'}"
            " day, included.",
        )
        super().__init__(*args, **kwargs)

    def filter(self, qs, value):
        if value in django_filters.constants.EMPTY_VALUES:
            return qs
        company = self.parent.request.company
        if self.bound == "from":
            return qs.filter(**{f"{self.field_name}__gte": company_day_start(company, value)})
        return qs.filter(**{f"{self.field_name}__lt": company_day_start(company, value, days=1)})


class StrictBooleanField(forms.TypedChoiceField):
    """`true` or `false`; anything else is a 400 rather than silently no filter."""

    def __init__(self, *args, **kwargs):
        kwargs.update(
            choices=[("true", "true"), ("false", "false")],
            coerce=lambda value: value == "true",
            empty_value=None,
        )
        super().__init__(*args, **kwargs)


class StrictBooleanFilter(django_filters.BooleanFilter):
    field_class = StrictBooleanField


BLANK_QUERY_VALUE = "Give a value or leave the parameter out."


def refuses_empty(query_filter) -> bool:
    """Free text, and an empty ordering (no ordering asked), may be empty; typed values not."""
    return not isinstance(query_filter, django_filters.CharFilter | django_filters.OrderingFilter)


class FilterSet(django_filters.FilterSet):
    """The base of every list filter: boolean fields take only `true` or `false`, and an empty
    value (`?status=`) is a 400 rather than no filter, except for free text."""

    FILTER_DEFAULTS = {
        **django_filters.filterset.FILTER_FOR_DBFIELD_DEFAULTS,
        models.BooleanField: {"filter_class": StrictBooleanFilter},
    }

    def _typed_filters(self) -> list[str]:
        return [name for name, f in self.filters.items() if refuses_empty(f)]

    def is_valid(self):
        valid = super().is_valid()
        for name in self._typed_filters():
            if self.data.get(name) == "":
                self.form.add_error(name, forms.ValidationError(BLANK_QUERY_VALUE, code="blank"))
                valid = False
        return valid


class FilterBackend(DjangoFilterBackend):
    filterset_base = FilterSet
