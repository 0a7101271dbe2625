"""ISO 4217 currencies in use today and their minor units, from CLDR data (Babel).

Money is stored with 2 decimal places, so a company may use any current currency whose
minor unit is 0, 1 or 2 digits (not the 3-digit dinars: BHD, IQD, JOD, KWD, LYD, OMR, TND).
"""

from functools import cache

from babel.core import get_global
from babel.numbers import get_currency_precision

MONEY_DECIMAL_PLACES = 2


@cache
def active_currency_codes() -> frozenset[str]:
    return frozenset(
        code
        for territory_currencies in get_global("territory_currencies").values()
        for code, _start, end, tender in territory_currencies
        if end is None and tender and get_currency_precision(code) <= MONEY_DECIMAL_PLACES
    )


def currency_decimals(code: str) -> int:
    return get_currency_precision(code)
