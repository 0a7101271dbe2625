"""The amounts of a sale, worked by hand, checked to the cent: first through
`sales.pricing.price_sale`, then the very same table end to end through POST /api/v1/sales.

Rules (API.md "A sale", DESIGN.md "Money, quantities, taxes"), every step rounded to the
currency's minor unit with ROUND_HALF_UP:
  gross = price x quantity; the line discount comes off; the order discount is spread over the
  lines in proportion to what is left of them, the remainder on the last line; with tax-inclusive
  prices tax = total - total / (1 + rate), else tax = net x rate is added.
In the comments "r(x)" is x rounded half up to the minor unit.
"""

from dataclasses import dataclass
from decimal import Decimal

import pytest

from companies.models import Company
from sales.models import Sale, SaleLine
from sales.pricing import LineInput, price_sale, refund_amount
from tests.sales.factories import SALES, configure, product, tax_rate

D = Decimal
NO_TAX = None


@dataclass(frozen=True)
class Line:
    price: str
    quantity: str
    tax: str | None  # the product's tax rate, or NO_TAX (a product without one)
    discount: str  # the line's discount percent
    expected: tuple[str, str, str]  # discount_amount, tax_amount, total
    unit: str = "unit"


@dataclass(frozen=True)
class Case:
    inclusive: bool
    lines: list[Line]
    totals: tuple[str, str, str, str]  # subtotal, discount_total, tax_total, total
    order_discount: str = "0"
    currency: str = "MXN"


CASES = {
    # 10.00 x 2 = 20.00; net r(20.00 / 1.16 = 17.2413...) = 17.24; tax 20.00 - 17.24 = 2.76
    # 10.00 x 1 = 10.00; net r(10.00 / 1.16 = 8.6206...) = 8.62; tax 1.38
    # subtotal 17.24 + 8.62 = 25.86; tax 2.76 + 1.38 = 4.14; total 30.00
    "tax_inclusive": Case(
        inclusive=True,
        lines=[
            Line("10.00", "2", "16.00", "0", ("0.00", "2.76", "20.00")),
            Line("10.00", "1", "16.00", "0", ("0.00", "1.38", "10.00")),
        ],
        totals=("25.86", "0.00", "4.14", "30.00"),
    ),
    # 10.00 x 2 = 20.00 net; tax 20.00 x 0.16 = 3.20; total 23.20
    # 0.05 x 1 net; tax r(0.05 x 0.10 = 0.005) = 0.01 (half up, not to even); total 0.06
    # subtotal 20.05; tax 3.21; total 23.26
    "tax_exclusive": Case(
        inclusive=False,
        lines=[
            Line("10.00", "2", "16.00", "0", ("0.00", "3.20", "23.20")),
            Line("0.05", "1", "10.00", "0", ("0.00", "0.01", "0.06")),
        ],
        totals=("20.05", "0.00", "3.21", "23.26"),
    ),
    # 12.50 x 3 = 37.50; 10% = 3.75 off -> 33.75; net r(33.75 / 1.16 = 29.0948...) = 29.09;
    #   tax 4.66
    # 0.25 x 1; 10% = r(0.025) = 0.03 off -> 0.22; 0% tax
    # subtotal 29.09 + 0.22 = 29.31; discounts 3.75 + 0.03 = 3.78; tax 4.66; total 33.97
    "line_discounts_inclusive": Case(
        inclusive=True,
        lines=[
            Line("12.50", "3", "16.00", "10", ("3.75", "4.66", "33.75")),
            Line("0.25", "1", "0.00", "10", ("0.03", "0.00", "0.22")),
        ],
        totals=("29.31", "3.78", "4.66", "33.97"),
    ),
    # 12.50 x 3 = 37.50; 15% = r(5.625) = 5.63 off -> net 31.87;
    #   tax r(31.87 x 0.16 = 5.0992) = 5.10; total 36.97
    "line_discount_exclusive": Case(
        inclusive=False,
        lines=[Line("12.50", "3", "16.00", "15", ("5.63", "5.10", "36.97"))],
        totals=("31.87", "5.63", "5.10", "36.97"),
    ),
    # Three lines of 10.00; order discount r(30.00 x 3.33% = 0.999) = 1.00, spread
    # r(10 x 1.00 / 30 = 0.333) = 0.33, 0.33 and the remainder 1.00 - 0.66 = 0.34 on the last.
    # net 9.67, tax r(9.67 x 0.16 = 1.5472) = 1.55, total 11.22
    # net 9.67 at 0%: total 9.67; net 9.66 with no tax rate: total 9.66
    # subtotal 29.00; discounts 1.00; tax 1.55; total 30.55
    "order_discount_remainder_on_the_last_line": Case(
        inclusive=False,
        order_discount="3.33",
        lines=[
            Line("10.00", "1", "16.00", "0", ("0.33", "1.55", "11.22")),
            Line("10.00", "1", "0.00", "0", ("0.33", "0.00", "9.67")),
            Line("10.00", "1", NO_TAX, "0", ("0.34", "0.00", "9.66")),
        ],
        totals=("29.00", "1.00", "1.55", "30.55"),
    ),
    # 12.50 x 2 = 25.00, 10% = 2.50 off -> 22.50;  7.30 x 3 = 21.90
    # order discount r(44.40 x 15% = 6.66) = 6.66, spread:
    #   first r(22.50 x 6.66 / 44.40 = 3.375) = 3.38; last 6.66 - 3.38 = 3.28 (not r(3.285))
    # first: 22.50 - 3.38 = 19.12; net r(19.12 / 1.16 = 16.4827...) = 16.48; tax 2.64;
    #   discount 2.50 + 3.38 = 5.88
    # last: 21.90 - 3.28 = 18.62; net r(18.62 / 1.16 = 16.0517...) = 16.05; tax 2.57
    # subtotal 32.53; discounts 9.16; tax 5.21; total 37.74 (= 46.90 - 9.16)
    "line_and_order_discounts": Case(
        inclusive=True,
        order_discount="15",
        lines=[
            Line("12.50", "2", "16.00", "10", ("5.88", "2.64", "19.12")),
            Line("7.30", "3", "16.00", "0", ("3.28", "2.57", "18.62")),
        ],
        totals=("32.53", "9.16", "5.21", "37.74"),
    ),
    # 24.90 x 1.235 kg = 30.7515 -> 30.75; net r(30.75 / 1.16 = 26.5086...) = 26.51; tax 4.24
    # 3.00 x 0.335 kg = 1.005 -> 1.01 (half up; half to even would give 1.00); no tax rate
    # 18.00 x 0.001 kg = 0.018 -> 0.02; 0%
    # subtotal 26.51 + 1.01 + 0.02 = 27.54; tax 4.24; total 31.78
    "kg_quantities_with_three_decimals": Case(
        inclusive=True,
        lines=[
            Line("24.90", "1.235", "16.00", "0", ("0.00", "4.24", "30.75"), unit="kg"),
            Line("3.00", "0.335", NO_TAX, "0", ("0.00", "0.00", "1.01"), unit="kg"),
            Line("18.00", "0.001", "0.00", "0", ("0.00", "0.00", "0.02"), unit="kg"),
        ],
        totals=("27.54", "0.00", "4.24", "31.78"),
    ),
    # 3 x 0.333 kg at 1.00: each line 0.333 -> 0.33, so 0.99 for the three, while one line of
    # 0.999 kg is 1.00; 3 units at 0.33 = 0.99 at 16%: net r(0.99 / 1.16 = 0.8534...) = 0.85,
    # tax 0.14.  total 0.33 x 3 + 1.00 + 0.99 = 2.98; tax 0.14; subtotal 2.84
    "three_times_0_333": Case(
        inclusive=True,
        lines=[
            Line("1.00", "0.333", NO_TAX, "0", ("0.00", "0.00", "0.33"), unit="kg"),
            Line("1.00", "0.333", NO_TAX, "0", ("0.00", "0.00", "0.33"), unit="kg"),
            Line("1.00", "0.333", NO_TAX, "0", ("0.00", "0.00", "0.33"), unit="kg"),
            Line("1.00", "0.999", NO_TAX, "0", ("0.00", "0.00", "1.00"), unit="kg"),
            Line("0.33", "3", "16.00", "0", ("0.00", "0.14", "0.99")),
        ],
        totals=("2.84", "0.00", "0.14", "2.98"),
    ),
    # 10.00 x 2 = 20.00, 100% off: total 0, tax 0
    "hundred_percent_line_discount": Case(
        inclusive=True,
        lines=[Line("10.00", "2", "16.00", "100", ("20.00", "0.00", "0.00"))],
        totals=("0.00", "20.00", "0.00", "0.00"),
    ),
    # 20.00 + 5.00; order discount 100% = 25.00: shares 20.00 and the remainder 5.00
    "hundred_percent_order_discount": Case(
        inclusive=False,
        order_discount="100",
        lines=[
            Line("10.00", "2", "16.00", "0", ("20.00", "0.00", "0.00")),
            Line("5.00", "1", "0.00", "0", ("5.00", "0.00", "0.00")),
        ],
        totals=("0.00", "25.00", "0.00", "0.00"),
    ),
    # 9.99 x 2 = 19.98 at 0%: no tax; 5.00 with no tax rate: no tax. total 24.98
    "zero_rate_and_no_rate": Case(
        inclusive=False,
        lines=[
            Line("9.99", "2", "0.00", "0", ("0.00", "0.00", "19.98")),
            Line("5.00", "1", NO_TAX, "0", ("0.00", "0.00", "5.00")),
        ],
        totals=("24.98", "0.00", "0.00", "24.98"),
    ),
    # JPY has no minor unit: everything rounds to whole yen.
    # 1000 x 3 = 3000, 5% = 150 off -> 2850;  298 x 1 = 298
    # order discount r(3148 x 3% = 94.44) = 94: first r(2850 x 94 / 3148 = 85.10) = 85, last 9
    # first: 2765; net r(2765 / 1.10 = 2513.63) = 2514; tax 251; discount 150 + 85 = 235
    # last: 289; net r(289 / 1.10 = 262.72) = 263; tax 26; discount 9
    # subtotal 2777; discounts 244; tax 277; total 3054 (= 3298 - 244)
    "jpy_tax_inclusive": Case(
        currency="JPY",
        inclusive=True,
        order_discount="3",
        lines=[
            Line("1000", "3", "10.00", "5", ("235", "251", "2765")),
            Line("298", "1", "10.00", "0", ("9", "26", "289")),
        ],
        totals=("2777", "244", "277", "3054"),
    ),
    # 150 x 3 = 450 net, 8% = 36 -> 486;  125 net, 10% = r(12.5) = 13 -> 138
    # subtotal 575; tax 49; total 624
    "jpy_tax_exclusive": Case(
        currency="JPY",
        inclusive=False,
        lines=[
            Line("150", "3", "8.00", "0", ("0", "36", "486")),
            Line("125", "1", "10.00", "0", ("0", "13", "138")),
        ],
        totals=("575", "0", "49", "624"),
    ),
}


def exponent(currency: str) -> Decimal:
    return D("1") if currency == "JPY" else D("0.01")


# --- price_sale --------------------------------------------------------------------------------


@pytest.mark.parametrize("name", list(CASES))
def test_price_sale_worked_table(name):
    case = CASES[name]
    priced = price_sale(
        [
            LineInput(
                key=index,
                quantity=D(line.quantity),
                unit_price=D(line.price),
                discount_percent=D(line.discount),
                tax_rate=D(line.tax) if line.tax is not None else D("0"),
            )
            for index, line in enumerate(case.lines)
        ],
        order_discount_percent=D(case.order_discount),
        prices_include_tax=case.inclusive,
        exponent=exponent(case.currency),
    )
    assert [line.key for line in priced.lines] == list(range(len(case.lines)))
    assert [(p.discount_amount, p.tax_amount, p.total) for p in priced.lines] == [
        tuple(D(x) for x in line.expected) for line in case.lines
    ]
    assert (priced.subtotal, priced.discount_total, priced.tax_total, priced.total) == tuple(
        D(x) for x in case.totals
    )
    # The invariants, whatever the figures.
    assert priced.subtotal == priced.total - priced.tax_total
    assert priced.discount_total == sum(p.discount_amount for p in priced.lines)
    assert priced.total == sum(p.total for p in priced.lines)
    assert priced.tax_total == sum(p.tax_amount for p in priced.lines)
    for p in priced.lines:
        assert p.total == p.total.quantize(exponent(case.currency))
        assert p.net == p.total - p.tax_amount
        assert p.total >= 0 and p.tax_amount >= 0


def test_the_order_discount_of_many_equal_lines_sums_exactly():
    # 7 lines of 1.43 (10.01), 5% = r(0.5005) = 0.50: shares r(1.43 x 0.50 / 10.01 = 0.0714)
    # = 0.07 x 6 = 0.42, the last 0.50 - 0.42 = 0.08; totals 1.36 x 6 and 1.35, 9.51 in all.
    lines = [LineInput(i, D("1"), D("1.43"), D("0"), D("0")) for i in range(7)]
    priced = price_sale(
        lines, order_discount_percent=D("5"), prices_include_tax=True, exponent=D("0.01")
    )
    assert [p.discount_amount for p in priced.lines] == [D("0.07")] * 6 + [D("0.08")]
    assert [p.total for p in priced.lines] == [D("1.36")] * 6 + [D("1.35")]
    assert (priced.discount_total, priced.total) == (D("0.50"), D("9.51"))


def test_an_empty_sale_prices_to_zero():
    priced = price_sale(
        [], order_discount_percent=D("10"), prices_include_tax=True, exponent=D("1")
    )
    assert (priced.lines, priced.total, priced.discount_total) == ([], D("0"), D("0"))


@pytest.mark.parametrize(
    "line_total, line_quantity, refunded_quantity, refunded_amount, quantity, expected",
    [
        # 10.00 for 3: one unit is r(3.333) = 3.33, twice; the last one 10.00 - 6.66 = 3.34
        ("10.00", "3", "0", "0", "1", "3.33"),
        ("10.00", "3", "1", "3.33", "1", "3.33"),
        ("10.00", "3", "2", "6.66", "1", "3.34"),
        # everything at once: exactly the line's total
        ("10.00", "3", "0", "0", "3", "10.00"),
        # 1.235 kg for 30.75: 0.5 kg is r(30.75 x 0.5 / 1.235 = 12.449) = 12.45
        ("30.75", "1.235", "0", "0", "0.5", "12.45"),
        ("30.75", "1.235", "0.5", "12.45", "0.735", "18.30"),
        # a line sold at 0 refunds 0
        ("0.00", "2", "0", "0", "1", "0.00"),
    ],
)
def test_refund_amount_is_the_paid_share(
    line_total, line_quantity, refunded_quantity, refunded_amount, quantity, expected
):
    assert refund_amount(
        line_total=D(line_total),
        line_quantity=D(line_quantity),
        refunded_quantity=D(refunded_quantity),
        refunded_amount=D(refunded_amount),
        quantity=D(quantity),
        exponent=D("0.01"),
    ) == D(expected)


# --- the same table through POST /api/v1/sales -------------------------------------------------


def post_case(tenant, case: Case):
    """Set the company up as the case says, create its products and post the sale as the admin
    (who may give any discount); cash pays the total plus 5 currency units of change."""
    Company.objects.filter(pk=tenant.company.pk).update(currency=case.currency)
    configure(tenant, prices_include_tax=case.inclusive, require_open_shift=False)
    rates, products, body_lines = {}, {}, []
    for line in case.lines:
        if line.tax is not None and line.tax not in rates:
            rates[line.tax] = tax_rate(tenant, line.tax)
        key = (line.price, line.tax, line.unit)
        if key not in products:
            products[key] = product(
                tenant,
                price=D(line.price),
                tax_rate=rates.get(line.tax),
                unit=line.unit,
                track_inventory=False,
            )
        body_lines.append(
            {
                "product": products[key].pk,
                "quantity": line.quantity,
                "discount_percent": line.discount,
            }
        )
    total = D(case.totals[3])
    payments = [{"method": "cash", "amount": str(total + 5)}] if total > 0 else []
    body = {
        "register": tenant.register.pk,
        "lines": body_lines,
        "discount_percent": case.order_discount,
        "payments": payments,
    }
    response = tenant.client().post(SALES, body, format="json")
    assert response.status_code == 201, response.content
    return response, [products[(x.price, x.tax, x.unit)] for x in case.lines]


@pytest.mark.parametrize("name", list(CASES))
def test_post_sale_worked_table(tenant, name):
    case = CASES[name]
    response, line_products = post_case(tenant, case)
    body = response.json()
    zero = "0" if case.currency == "JPY" else "0.00"
    change = "5" if case.currency == "JPY" else "5.00"
    total = D(case.totals[3])

    # The answer, as strings with the currency's decimals.
    assert [(x["discount_amount"], x["tax_amount"], x["total"]) for x in body["lines"]] == [
        line.expected for line in case.lines
    ]
    assert [x["product"] for x in body["lines"]] == [p.pk for p in line_products]
    assert [x["unit_price"] for x in body["lines"]] == [line.price for line in case.lines]
    assert (body["subtotal"], body["discount_total"], body["tax_total"], body["total"]) == (
        case.totals
    )
    if total > 0:
        assert (body["paid_total"], body["change"]) == (str(total + 5), change)
        assert [(p["method"], p["amount"]) for p in body["payments"]] == [("cash", str(total + 5))]
    else:
        assert (body["paid_total"], body["change"], body["payments"]) == (zero, zero, [])

    # What is stored.
    sale = Sale.objects.get(pk=body["id"])
    stored = list(SaleLine.objects.filter(sale=sale).order_by("id"))
    assert [(x.discount_amount, x.tax_amount, x.total) for x in stored] == [
        tuple(D(v) for v in line.expected) for line in case.lines
    ]
    assert [(x.product_id, x.quantity, x.unit_price, x.tax_rate) for x in stored] == [
        (p.pk, D(line.quantity), D(line.price), D(line.tax or "0"))
        for p, line in zip(line_products, case.lines, strict=True)
    ]
    assert (sale.subtotal, sale.discount_total, sale.tax_total, sale.total) == tuple(
        D(x) for x in case.totals
    )
    assert sale.discount_percent == D(case.order_discount)
    assert sale.subtotal == sale.total - sale.tax_total
    assert sale.discount_total == sum(x.discount_amount for x in stored)
    assert sale.total == sum(x.total for x in stored)
    assert sale.tax_total == sum(x.tax_amount for x in stored)
    assert sale.paid_total - sale.change == sale.total
    assert sale.paid_total == sum(p.amount for p in sale.payments.all())


def test_a_sale_that_costs_nothing_needs_no_payment(tenant):
    response, _ = post_case(tenant, CASES["hundred_percent_line_discount"])
    sale = Sale.objects.get(pk=response.json()["id"])
    assert (sale.total, sale.paid_total, sale.change, sale.payments.count()) == (
        D("0"),
        D("0"),
        D("0"),
        0,
    )
    assert sale.status == Sale.Status.COMPLETED


def test_jpy_refuses_amounts_with_decimals(tenant):
    Company.objects.filter(pk=tenant.company.pk).update(currency="JPY")
    configure(tenant, require_open_shift=False)
    item = product(tenant, price=D("100"), track_inventory=False)
    response = tenant.client().post(
        SALES,
        {
            "register": tenant.register.pk,
            "lines": [{"product": item.pk, "quantity": "1"}],
            "payments": [{"method": "cash", "amount": "100.50"}],
        },
        format="json",
    )
    assert response.status_code == 400, response.content
    assert response.json()["errors"][0]["attr"] == "payments.0.amount"
    assert not Sale.objects.filter(company=tenant.company).exists()


# --- the remainder of the order discount must fit in the last line ------------------------------

# (lines as (price, line discount %), order discount %, the order discount, the sale's total)
TIGHT_SPREADS = {
    # 3 x 1.00 and a 5.00 gift at 100% off. Order discount r(3.00 x 3.33% = 0.0999) = 0.10;
    # the proportional shares are 0.0333 each, r = 0.03, and nothing for the gift (it is worth
    # 0): 0.03 x 3 = 0.09, so 0.01 is left over, and it can't go to the gift.
    # total 3.00 - 0.10 = 2.90
    "free_last_line": (
        [("1.00", "0"), ("1.00", "0"), ("1.00", "0"), ("5.00", "100")],
        "3.33",
        "0.10",
        "2.90",
    ),
    # 5 x 1.00 and 0.01. Order discount r(5.01 x 2.4% = 0.12024) = 0.12; shares
    # r(1.00 x 0.12 / 5.01 = 0.0239) = 0.02 x 5 = 0.10; the last line is worth 0.01, not 0.02.
    # total 5.01 - 0.12 = 4.89
    "tiny_last_line": ([("1.00", "0")] * 5 + [("0.01", "0")], "2.4", "0.12", "4.89"),
}


@pytest.mark.parametrize("name", list(TIGHT_SPREADS))
def test_the_order_discount_never_takes_a_line_below_zero(name):
    lines, order_percent, order_discount, total = TIGHT_SPREADS[name]
    priced = price_sale(
        [
            LineInput(i, D("1"), D(price), D(discount), D("0"))
            for i, (price, discount) in enumerate(lines)
        ],
        order_discount_percent=D(order_percent),
        prices_include_tax=False,
        exponent=D("0.01"),
    )
    # what already holds: the lines sum exactly to the totals
    assert priced.total == D(total) == sum(p.total for p in priced.lines)
    gross = sum(D(price) for price, _ in lines)
    free = sum(D(price) for price, discount in lines if discount == "100")
    assert priced.discount_total == gross - D(total) == D(order_discount) + free
    # what does not: every line stays between 0 and its gross
    for p, (price, discount) in zip(priced.lines, lines, strict=True):
        assert D("0") <= p.total <= D(price)
        assert D("0") <= p.discount_amount <= D(price)
        if discount == "100":
            assert p.total == D("0")


def test_a_free_last_line_with_an_order_discount_sells_at_zero(tenant):
    configure(tenant, require_open_shift=False)
    item = product(tenant, price=D("1.00"), track_inventory=False)
    gift = product(tenant, price=D("5.00"), track_inventory=False)
    body = {
        "register": tenant.register.pk,
        "lines": [{"product": item.pk, "quantity": "1"}] * 3
        + [{"product": gift.pk, "quantity": "1", "discount_percent": "100"}],
        "discount_percent": "3.33",
        "payments": [{"method": "cash", "amount": "2.90"}],
    }
    response = tenant.client().post(SALES, body, format="json")
    assert response.status_code == 201, response.content
    assert response.json()["total"] == "2.90"
    # today the gift line shows "-0.01" with a discount of "5.01" on a 5.00 line
    assert [line["total"] for line in response.json()["lines"]][-1] == "0.00"
    assert all(not line["total"].startswith("-") for line in response.json()["lines"])
    assert not SaleLine.objects.filter(sale_id=response.json()["id"], total__lt=0).exists()
