"""The strict fields take exactly what their schema patterns say (config/api/fields.py)."""

import re
from decimal import Decimal

import jsonschema_rs
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st
from rest_framework import serializers

from config.api.fields import BooleanField, CharField, DecimalField, PercentField, QuantityField


def accepts(field, value) -> bool:
    try:
        field.run_validation(value)
    except serializers.ValidationError:
        return False
    return True


DECIMALS = [
    QuantityField(min_value=Decimal("0.001")),
    QuantityField(min_value=Decimal("0")),
    QuantityField(nonzero=True),
    QuantityField(),
    DecimalField(max_digits=14, decimal_places=2, min_value=Decimal("0.01")),
    PercentField(),
]
DECIMAL_TEXT = st.one_of(
    st.from_regex(r"-?\d{1,14}(\.\d{0,5})?", fullmatch=True),
    st.text(alphabet="-+.0123456789e \u0660", max_size=16),
    st.decimals(allow_nan=False, allow_infinity=False, places=4).map(str),
)


@pytest.mark.parametrize("field", DECIMALS, ids=lambda f: f.pattern())
@settings(max_examples=300, deadline=None)
@given(text=DECIMAL_TEXT)
def test_decimal_strings_pass_exactly_when_they_match_the_pattern(field, text):
    assert accepts(field, text) == bool(re.fullmatch(field.pattern(), text)), text


@pytest.mark.parametrize(
    ("field", "accepted", "refused"),
    [
        (QuantityField(min_value=Decimal("0.001")), ["1", "0.001", "2.5"], ["0", "0.000", "-1"]),
        (QuantityField(nonzero=True), ["-1.5", "3"], ["0", "-0", "0.0"]),
        (PercentField(), ["0", "100", "100.00", "12.5"], ["100.01", "-0", "101", "05"]),
        (QuantityField(), ["-0", "0"], ["1e3", " 1", "+1", "01", ".5", "", "1."]),
    ],
)
def test_decimal_examples(field, accepted, refused):
    assert [v for v in accepted if not accepts(field, v)] == []
    assert [v for v in refused if accepts(field, v)] == []


def test_decimal_numbers_and_types():
    field = QuantityField(min_value=Decimal("0.001"))
    assert field.run_validation(2) == Decimal("2") and field.run_validation(1.25) == Decimal("1.25")
    assert not accepts(field, True) and not accepts(field, 0) and not accepts(field, 0.0001)
    nullable = QuantityField(allow_null=True)
    assert nullable.run_validation(None) is None and not accepts(nullable, "")
    assert QuantityField(nonzero=True).number_schema()["not"] == {"enum": [0]}


TEXTS = [
    CharField(max_length=5),
    CharField(max_length=1),
    CharField(min_length=3, max_length=6),
    CharField(max_length=5, allow_blank=True),
    CharField(),
    CharField(max_length=5, trim_whitespace=False),
]


@pytest.mark.parametrize("field", TEXTS, ids=lambda f: f.text_pattern())
@settings(max_examples=300, deadline=None)
@given(text=st.text(alphabet=st.sampled_from("ab \t\n\x00\x1c\u00a0\u2028\U0001f600"), max_size=9))
def test_text_passes_exactly_when_it_matches_the_pattern(field, text):
    pattern = field.text_pattern()
    # Python's re and an ECMA-style engine (the fuzzer's validator) read the pattern alike.
    ecma = jsonschema_rs.validator_for({"type": "string", "pattern": pattern})
    assert ecma.is_valid(text) == bool(re.search(pattern, text)), repr(text)
    # Untrimmed text keeps its length bounds in minLength/maxLength.
    matches = bool(re.search(pattern, text)) and (
        field.trim_whitespace or 1 <= len(text) <= field.max_length
    )
    assert accepts(field, text) == matches, repr(text)


def test_strings_and_booleans_refuse_other_json_types():
    assert not accepts(CharField(), 0) and not accepts(CharField(), False)
    assert not accepts(BooleanField(), 0) and not accepts(BooleanField(), "true")
    assert BooleanField().run_validation(False) is False


@pytest.mark.parametrize(
    "address, taken",
    [
        ("ana@example.com", True),
        ("a.b+c@mail.example.mx", True),
        ("0@0.a", False),  # format: email would take it; Django's validator doesn't
        ("0@0.00", False),
        ("ana@xn--and-6ma2c.mx", True),
        ("ana@localhost", False),
        (" ana@example.com", False),
        ('"a b"@example.com', False),
        ("ana@ñandú.mx", False),
    ],
)
def test_email_addresses_pass_exactly_when_they_match_the_pattern(address, taken):
    from config.api.fields import EMAIL_PATTERN, EmailField

    assert accepts(EmailField(), address) == taken == bool(re.fullmatch(EMAIL_PATTERN, address))


@settings(max_examples=300, deadline=None)
@given(address=st.emails() | st.from_regex(r"[a-z0-9.-]{1,8}@[a-z0-9.-]{1,12}", fullmatch=True))
def test_the_email_pattern_takes_only_what_djangos_validator_takes(address):
    from django.core.exceptions import ValidationError
    from django.core.validators import validate_email

    from config.api.fields import EMAIL_PATTERN

    if re.fullmatch(EMAIL_PATTERN, address):
        try:
            validate_email(address)
        except ValidationError:
            pytest.fail(f"the pattern takes {address!r}, Django's validator doesn't")


@settings(max_examples=300, deadline=None)
@given(
    value=st.decimals(allow_nan=False, allow_infinity=False, min_value=-(10**12), max_value=10**12)
    | st.sampled_from([Decimal("-0"), Decimal("0E-9"), Decimal("1E+5"), Decimal("2.675")]),
    places=st.sampled_from([0, 2, 3]),
    as_string=st.booleans(),
)
def test_decimals_are_shown_as_drfs_own_field_shows_them(value, places, as_string):
    ours = DecimalField(max_digits=16, decimal_places=places, coerce_to_string=as_string)
    drfs = serializers.DecimalField(
        max_digits=16, decimal_places=places, coerce_to_string=as_string
    )
    try:
        expected = drfs.to_representation(value)
    except ArithmeticError:  # too many digits for DRF's context: ours may show it
        return
    shown = ours.to_representation(value)
    assert shown == expected and type(shown) is type(expected)
