"""The API's scalar fields: strict about JSON types, described exactly in the schema.

Strings must be JSON strings, booleans JSON booleans, decimals decimal strings (`"12.50"`) or
JSON numbers; money and quantities are Decimal with explicit rounding rules. Each field's
schema is built from the same rule that checks it (`config.api.schema` maps them).
"""

import datetime as dt
import re
from decimal import Decimal, InvalidOperation
from functools import cache, cached_property

from django.core.validators import (
    EmailValidator,
    MaxValueValidator,
    MinValueValidator,
    RegexValidator,
)
from drf_spectacular.utils import extend_schema_field
from rest_framework import serializers
from rest_framework.settings import api_settings

from companies.currencies import MONEY_DECIMAL_PLACES, currency_decimals

from .ids import ID_SCHEMA, parse_id

MONEY_MAX_DIGITS = 14
QUANTITY_MAX_DIGITS = 12
QUANTITY_DECIMAL_PLACES = 3


# No NUL (DRF refuses it, PostgreSQL can't store it). Whitespace is what str.strip() trims,
# spelled out: `\s` differs between regex engines (Python's takes \x1c-\x1f, ECMA's doesn't).
# Lone surrogates, which DRF refuses too, have no UTF-8 form and no place in a pattern (regex
# engines such as Rust's refuse such a class).
def _class_body(codes: list[int]) -> str:
    """Code points as the inside of a character class, consecutive ones as ranges."""
    runs: list[list[int]] = []
    for code in codes:
        if runs and code == runs[-1][1] + 1:
            runs[-1][1] = code
        else:
            runs.append([code, code])
    return "".join(
        f"\\u{low:04x}" + (f"-\\u{high:04x}" if high > low else "") for low, high in runs
    )


_SPACES = _class_body([code for code in range(0x10000) if chr(code).isspace()])
SPACE = f"[{_SPACES}]"
TEXT_CHAR = r"[^\u0000]"
VISIBLE_CHAR = f"[^{_SPACES}\\u0000]"


class CharField(serializers.CharField):
    """Text only: a number or a boolean is refused, not turned into a string. Text checked by a
    regular expression is taken as sent (the expression is the whole rule, as the schema says)."""

    def __init__(self, **kwargs):
        if any(isinstance(v, RegexValidator) for v in kwargs.get("validators", ())):
            kwargs.setdefault("trim_whitespace", False)
        super().__init__(**kwargs)

    def to_internal_value(self, data):
        if not isinstance(data, str):
            self.fail("invalid")
        return super().to_internal_value(data)

    def text_pattern(self) -> str | None:
        """The input this field takes, as a regular expression (None: its own validators say).

        Trimmed fields measure their length after trimming, so the pattern, not
        minLength/maxLength, carries the bounds."""
        if any(isinstance(v, RegexValidator) for v in self.validators):
            return None
        if not self.trim_whitespace:
            return f"^{TEXT_CHAR}*$"
        # Non-blank text trims to `low` to `high` characters, first and last visible.
        low, high = max(self.min_length or 1, 1), self.max_length
        if high == 1:
            core = VISIBLE_CHAR
        else:
            inner = f"{TEXT_CHAR}{{{max(low - 2, 0)},{'' if high is None else high - 2}}}"
            core = f"{VISIBLE_CHAR}(?:{inner}{VISIBLE_CHAR})" + ("?" if low == 1 else "")
        optional = "?" if self.allow_blank else ""
        return rf"^{SPACE}*(?:{core}){optional}{SPACE}*$"


# What Django's EmailValidator takes, in ASCII: a dot-atom before the @, host labels, and a
# top-level label of 2 to 63 letters and inner dashes (or punycode). Non-ASCII domains, quoted
# local parts, IP literals and "localhost", which it also takes, are refused, so that this
# pattern is the whole rule.
_ATOM = "[-!#$%&'*+/=?^_`{}|~0-9A-Za-z]+"
_LABEL = "[A-Za-z0-9](?:[A-Za-z0-9-]{0,61}[A-Za-z0-9])?"
_TOP_LABEL = "(?:[A-Za-z][A-Za-z-]{0,61}[A-Za-z]|xn--[A-Za-z0-9]{1,59})"
EMAIL_PATTERN = rf"^{_ATOM}(?:\.{_ATOM})*@{_LABEL}(?:\.{_LABEL})*\.{_TOP_LABEL}$"


class EmailField(CharField, serializers.EmailField):
    """An e-mail address as sent (no padding), matching EMAIL_PATTERN: the pattern is the whole
    rule, in the schema too (validators disagree about `format: email`)."""

    def __init__(self, **kwargs):
        kwargs.setdefault("trim_whitespace", False)
        super().__init__(**kwargs)
        # The pattern takes a subset of what EmailValidator takes: one check, one error.
        self.validators = [v for v in self.validators if not isinstance(v, EmailValidator)]
        self.validators.append(
            RegexValidator(EMAIL_PATTERN, message=self.error_messages["invalid"])
        )


@extend_schema_field(ID_SCHEMA)
class IdField(serializers.IntegerField):
    """An object id: 1 to 2**63-1, as a JSON integer or (in a query) digits."""

    def to_internal_value(self, data):
        pk = parse_id(data)
        if pk is None:
            self.fail("invalid")
        return pk


class BooleanField(serializers.BooleanField):
    """JSON true or false only: 0, "1" or "yes" are refused."""

    def to_internal_value(self, data):
        if isinstance(data, bool):
            return data
        self.fail("invalid", input=data)


def _digits(count: int) -> str:
    return rf"[0-9]{{0,{count}}}" if count else ""


def _fraction(places: int) -> str:
    return rf"(?:\.[0-9]{{1,{places}}})?" if places else ""


# A plain decimal: ASCII digits; no exponent, spaces, "+" or leading zeros.
PLAIN_DECIMAL = re.compile(r"-?(?:0|[1-9][0-9]*)(?:\.[0-9]+)?")


class DecimalField(serializers.DecimalField):
    """A decimal string (`"12.50"`, `"-3"`) or a JSON number; `nonzero` refuses zero.

    `pattern()` and `number_schema()` describe exactly what passes: the plain-decimal format,
    the digits, the sign and the bounds (the checks themselves keep their own error codes)."""

    default_error_messages = {"zero_quantity": "Must not be zero."}

    def __init__(self, *, nonzero: bool = False, **kwargs):
        self.nonzero = nonzero
        super().__init__(**kwargs)

    def to_representation(self, value):
        # DRF's rounds each value in a copy of the decimal context with max_digits as its
        # precision (a 20-line sale shows 170 decimals); the same rounding in the default
        # context, whose 28 digits hold any of our values, costs a third. Values too large
        # for it, and everything DRF's does differently, go DRF's way.
        if type(value) is not Decimal or self.decimal_places is None or self.localize:
            return super().to_representation(value)
        try:
            shown = value.quantize(self._quantum, rounding=self.rounding)
        except InvalidOperation:
            return super().to_representation(value)
        return f"{shown:f}" if self._as_string else shown

    @cached_property
    def _quantum(self) -> Decimal:
        return Decimal(1).scaleb(-self.decimal_places)

    @cached_property
    def _as_string(self) -> bool:
        return getattr(self, "coerce_to_string", api_settings.COERCE_DECIMAL_TO_STRING)

    def validate_empty_values(self, data):
        # Only null is null: DRF's DecimalField would also take "" for it.
        return serializers.Field.validate_empty_values(self, data)

    def to_internal_value(self, data):
        if isinstance(data, bool) or (isinstance(data, str) and not PLAIN_DECIMAL.fullmatch(data)):
            self.fail("invalid")
        value = super().to_internal_value(data)
        signed = isinstance(data, str) and data.startswith("-")
        if signed and self.min_value is not None and self.min_value >= 0:
            self.fail("min_value", min_value=self.min_value)  # "-0": the pattern has no sign
        if self.nonzero and value == 0:
            self.fail("zero_quantity")
        return value

    def _whole(self) -> int:
        return self.max_digits - self.decimal_places

    def pattern(self) -> str:
        whole, places = self._whole(), self.decimal_places
        minimum, maximum = self.min_value, self.max_value
        any_number = rf"(?:0|[1-9]{_digits(whole - 1)}){_fraction(places)}"
        # Above zero: a non-zero whole part, or 0 with some non-zero decimal.
        small = ["0" * zeros + "[1-9]" + _digits(places - zeros - 1) for zeros in range(places)]
        positive = rf"(?:[1-9]{_digits(whole - 1)}{_fraction(places)}"
        positive += rf"|0\.(?:{'|'.join(small)}))" if places else ")"
        unit = Decimal(1).scaleb(-places)
        if maximum is not None:
            raise ValueError(f"no pattern for a maximum of {maximum}: use PercentField")
        if minimum is None:
            return rf"^-?{positive if self.nonzero else any_number}$"
        if minimum == 0 and not self.nonzero:
            return rf"^{any_number}$"
        if minimum in (0, unit):
            return rf"^{positive}$"
        raise ValueError(f"no pattern for a minimum of {minimum}")

    def number_schema(self) -> dict:
        limit = float(Decimal(10) ** self._whole())
        schema = {
            "type": "number",
            "multipleOf": float(Decimal(1).scaleb(-self.decimal_places)),
            "maximum": limit if self.max_value is None else float(self.max_value),
            "exclusiveMaximum": self.max_value is None,
        }
        if self.min_value is None:
            schema.update(minimum=-limit, exclusiveMinimum=True)
            if self.nonzero:
                schema["not"] = {"enum": [0]}
        else:
            above_zero = self.min_value > 0 or self.nonzero
            schema.update(minimum=0 if above_zero else float(self.min_value))
            schema.update(exclusiveMinimum=above_zero)
        return schema


class MoneyField(DecimalField):
    """An amount in the company's currency: at most as many decimals as the currency has."""

    default_error_messages = {
        "currency_decimals": "{currency} amounts have at most {places} decimal places."
    }

    def __init__(self, **kwargs):
        kwargs.setdefault("min_value", Decimal("0"))
        super().__init__(max_digits=MONEY_MAX_DIGITS, decimal_places=MONEY_DECIMAL_PLACES, **kwargs)

    def to_internal_value(self, data):
        value = super().to_internal_value(data)
        company = self.context["request"].company
        exponent = money_exponent(company)
        if value != value.quantize(exponent):
            self.fail(
                "currency_decimals",
                currency=company.currency,
                places=currency_decimals(company.currency),
            )
        return value.quantize(Decimal("0.01"))

    def bind(self, field_name, parent):
        super().bind(field_name, parent)
        self.__dict__.pop("_exponent", None)  # a shallow copy (ModelSerializer) is bound anew

    @cached_property
    def _exponent(self) -> Decimal | None:
        # Read once per bound field: `context` walks up to the root serializer at each call.
        company = getattr(self.context.get("request"), "company", None)
        return None if company is None else money_exponent(company)

    def to_representation(self, value):
        if self._exponent is None or value is None:
            return super().to_representation(value)
        return str(Decimal(value).quantize(self._exponent))


class QuantityField(DecimalField):
    def __init__(self, **kwargs):
        super().__init__(
            max_digits=QUANTITY_MAX_DIGITS, decimal_places=QUANTITY_DECIMAL_PLACES, **kwargs
        )


class PercentField(DecimalField):
    """0 to 100, two decimals."""

    def __init__(self, **kwargs):
        kwargs.update(
            max_digits=5, decimal_places=2, min_value=Decimal("0"), max_value=Decimal("100")
        )
        super().__init__(**kwargs)

    def pattern(self) -> str:
        places = self.decimal_places
        return rf"^(?:100(?:\.0{{1,{places}}})?|[1-9]?[0-9]{_fraction(places)})$"


def money_exponent(company) -> Decimal:
    return _currency_exponent(company.currency)


@cache  # asked by every amount a response renders (50,000 times in a report of 10,000 rows)
def _currency_exponent(currency: str) -> Decimal:
    return Decimal(1).scaleb(-currency_decimals(currency))


# Days outside this range are refused rather than overflowing time-zone arithmetic.
FIRST_DAY = dt.date(1970, 1, 1)
LAST_DAY = dt.date(2999, 12, 31)
DAY_SCHEMA = {
    "type": "string",
    "format": "date",
    "pattern": r"^(19[7-9][0-9]|2[0-9]{3})-(0[1-9]|1[0-2])-(0[1-9]|[12][0-9]|3[01])$",
}


def day_validators():
    return [MinValueValidator(FIRST_DAY), MaxValueValidator(LAST_DAY)]


@extend_schema_field(DAY_SCHEMA)
class DayField(serializers.DateField):
    """A day, YYYY-MM-DD, from FIRST_DAY to LAST_DAY."""

    def __init__(self, **kwargs):
        kwargs.setdefault("validators", day_validators())
        super().__init__(**kwargs)
