"""The amounts of a sale, from catalog prices, discounts and tax rates: Decimal, explicit rounding.

Every amount is rounded to the currency's minor unit with ROUND_HALF_UP, line by line:
1. gross = unit price x quantity;
2. the line discount (its percent of gross) comes off;
3. the order discount (its percent of the lines' sum) is spread over the lines in proportion,
   the remainder going to the last line (what it can't take without going below zero, to the
   lines before it), so the lines sum exactly to it;
4. tax: with tax-inclusive prices the line total keeps its price and tax = total - total/(1+r);
   otherwise tax = net x r is added to the net.
The sale's figures are sums of the lines' figures, so lines always add up to the totals.
"""

from dataclasses import dataclass
from decimal import ROUND_HALF_UP, Decimal

HUNDRED = Decimal("100")
ZERO = Decimal("0")


@dataclass(frozen=True)
class LineInput:
    key: object  # whatever the caller uses to tie a priced line back to its input
    quantity: Decimal
    unit_price: Decimal
    discount_percent: Decimal
    tax_rate: Decimal


@dataclass(frozen=True)
class PricedLine:
    key: object
    quantity: Decimal
    unit_price: Decimal
    discount_percent: Decimal
    tax_rate: Decimal
    discount_amount: Decimal
    tax_amount: Decimal
    total: Decimal

    @property
    def net(self) -> Decimal:
        return self.total - self.tax_amount


@dataclass(frozen=True)
class PricedSale:
    lines: list[PricedLine]
    subtotal: Decimal
    discount_total: Decimal
    tax_total: Decimal
    total: Decimal


def _round(value: Decimal, exponent: Decimal) -> Decimal:
    return value.quantize(exponent, rounding=ROUND_HALF_UP)


def _spread(amount: Decimal, weights: list[Decimal], exponent: Decimal) -> list[Decimal]:
    """`amount` (at most the weights' sum) split in proportion to `weights`, each share
    rounded, the remainder on the last share; a share never exceeds its weight nor goes
    below zero, so what the last line can't take moves to the lines before it."""
    total_weight = sum(weights, ZERO)
    if not weights or total_weight == 0:
        return [ZERO for _ in weights]
    shares = [
        min(_round(amount * weight / total_weight, exponent), weight) for weight in weights[:-1]
    ]
    shares.append(ZERO)
    remainder = amount - sum(shares, ZERO)
    for index in reversed(range(len(shares))):
        if remainder == 0:
            break
        room = weights[index] - shares[index] if remainder > 0 else -shares[index]
        taken = min(remainder, room) if remainder > 0 else max(remainder, room)
        shares[index] += taken
        remainder -= taken
    return shares


def price_sale(
    lines: list[LineInput],
    *,
    order_discount_percent: Decimal,
    prices_include_tax: bool,
    exponent: Decimal,
) -> PricedSale:
    gross = [_round(line.unit_price * line.quantity, exponent) for line in lines]
    line_discounts = [
        _round(amount * line.discount_percent / HUNDRED, exponent)
        for amount, line in zip(gross, lines, strict=True)
    ]
    after_line = [amount - discount for amount, discount in zip(gross, line_discounts, strict=True)]
    order_discount = _round(sum(after_line, ZERO) * order_discount_percent / HUNDRED, exponent)
    order_shares = _spread(order_discount, after_line, exponent)

    priced = []
    for line, base, line_discount, order_share in zip(
        lines, after_line, line_discounts, order_shares, strict=True
    ):
        discounted = base - order_share
        rate = line.tax_rate / HUNDRED
        if prices_include_tax:
            total = discounted
            tax = total - _round(total / (1 + rate), exponent)
        else:
            tax = _round(discounted * rate, exponent)
            total = discounted + tax
        priced.append(
            PricedLine(
                key=line.key,
                quantity=line.quantity,
                unit_price=line.unit_price,
                discount_percent=line.discount_percent,
                tax_rate=line.tax_rate,
                discount_amount=line_discount + order_share,
                tax_amount=tax,
                total=total,
            )
        )
    return PricedSale(
        lines=priced,
        subtotal=sum((line.net for line in priced), ZERO),
        discount_total=sum((line.discount_amount for line in priced), ZERO),
        tax_total=sum((line.tax_amount for line in priced), ZERO),
        total=sum((line.total for line in priced), ZERO),
    )


def refund_amount(
    *, line_total, line_quantity, refunded_quantity, refunded_amount, quantity, exponent
):
    """The paid share of a sale line for `quantity` more units: refunding what remains refunds
    exactly what remains of the line's total, so refunding everything refunds the sale."""
    if refunded_quantity + quantity == line_quantity:
        return line_total - refunded_amount
    return _round(line_total * quantity / line_quantity, exponent)
