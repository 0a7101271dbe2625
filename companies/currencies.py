"""ISO 4217 currencies in use today and their minor units, from CLDR data (Babel)."""

from functools import cache

from babel.core import get_global
from babel.numbers import get_currency_precision


@cache
def active_currency_codes() -> frozenset[str]:
    return frozenset(
        code
        for territory_currencies in get_global("territory_currencies").values()
        for code, _start, end, tender in territory_currencies
        if end is None and tender
    )


def currency_decimals(code: str) -> int:
    return get_currency_precision(code)
