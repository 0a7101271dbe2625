"""Every write of sales: shifts and cash, sales, voids and refunds."""

from dataclasses import dataclass
from decimal import Decimal

from django.db import IntegrityError, transaction
from django.utils import timezone

from accounts.models import Membership
from accounts.services import audit_record
from catalog.models import WHOLE_QUANTITY, Customer, Product
from catalog.selectors import products_with_tax_rates
from companies.locks import register_lock
from companies.models import Register
from config.api.errors import DomainError, DomainValidationError
from config.api.fields import money_exponent
from config.rows import attach_prefetched, insert, new, update_rows
from inventory.models import MovementKind
from inventory.services import StockChange, stock_apply

from . import permissions as perms
from .locks import sale_lock, shift_lock
from .models import CashMovement, Payment, PaymentMethod, Refund, RefundLine, Sale, SaleLine, Shift
from .pricing import ZERO, LineInput, price_sale, refund_amount
from .selectors import open_shift, shift_report

SALE_DOCUMENT = "sale"
REFUND_DOCUMENT = "refund"


# Shifts


def _refuse_inactive_register(register: Register) -> None:
    if not register.is_active:
        raise DomainError(
            "register_inactive", "The register is inactive.", status=400, attr="register"
        )


@transaction.atomic
def shift_open(*, actor: Membership, register: Register, opening_cash: Decimal) -> Shift:
    _refuse_inactive_register(register)
    register_lock(register.pk)
    already_open = DomainError("shift_already_open", "The register already has an open shift.")
    if open_shift(register_id=register.pk) is not None:
        raise already_open
    try:
        with transaction.atomic():
            return Shift.objects.create(
                company=actor.company,
                register=register,
                opened_by=actor.user,
                opening_cash=opening_cash,
            )
    except IntegrityError:
        raise already_open from None


def _refuse_closed(shift: Shift) -> None:
    if shift.status != Shift.Status.OPEN:
        raise DomainError("shift_closed", "The shift is closed.")


@transaction.atomic
def shift_cash_movement(
    *, actor: Membership, shift: Shift, kind: str, amount: Decimal, reason: str
) -> CashMovement:
    shift = shift_lock(shift.pk)
    _refuse_closed(shift)
    return CashMovement.objects.create(
        company=actor.company, shift=shift, kind=kind, amount=amount, reason=reason, user=actor.user
    )


@transaction.atomic
def shift_close(*, actor: Membership, shift: Shift, counted_cash: Decimal) -> dict:
    """Close with the counted cash; the Z report's expected cash and difference are kept."""
    register_lock(shift.register_id)  # no sale, void or refund lands on it while it closes
    shift = shift_lock(shift.pk)
    _refuse_closed(shift)
    report = shift_report(shift=shift)
    shift.status = Shift.Status.CLOSED
    shift.closed_by = actor.user
    shift.closed_at = timezone.now()
    shift.counted_cash = counted_cash
    shift.expected_cash = report["expected_cash"]
    shift.difference = counted_cash - report["expected_cash"]
    shift.save(
        update_fields=[
            "status",
            "closed_by",
            "closed_at",
            "counted_cash",
            "expected_cash",
            "difference",
        ]
    )
    audit_record(
        company=actor.company,
        user=actor.user,
        action="shift.close",
        obj=shift,
        data={
            "expected_cash": shift.expected_cash,
            "counted_cash": counted_cash,
            "difference": shift.difference,
        },
    )
    return shift_report(shift=shift)


# Sales


@dataclass(frozen=True)
class SaleLineRequest:
    product_id: int
    quantity: Decimal
    unit_price: Decimal | None = None
    discount_percent: Decimal = ZERO


@dataclass(frozen=True)
class PaymentRequest:
    method: str
    amount: Decimal
    reference: str = ""


def _line_products(actor: Membership, lines: list[SaleLineRequest]) -> dict[int, Product]:
    """The lines' products in one query; unknown, foreign or inactive ones are 400s."""
    products = products_with_tax_rates(
        company=actor.company, ids={line.product_id for line in lines}
    )
    errors = []
    for index, line in enumerate(lines):
        product = products.get(line.product_id)
        attr = f"lines.{index}.product"
        if product is None:
            errors.append(
                (attr, "does_not_exist", f'Invalid pk "{line.product_id}" - object does not exist.')
            )
        elif not product.is_active:
            errors.append((attr, "product_inactive", "This product is not for sale."))
        elif not product.fits(line.quantity):
            errors.append((f"lines.{index}.quantity", "whole_quantity", WHOLE_QUANTITY))
    if errors:
        raise DomainValidationError(errors)
    return products


def _check_price_and_discount_rights(actor, lines, products, order_discount_percent) -> list[dict]:
    """403 unless the actor may override these prices and give these discounts; returns what
    the audit trail must record."""
    max_percent = actor.company.settings.max_discount_percent
    overrides, discounts = [], []
    for index, line in enumerate(lines):
        product = products[line.product_id]
        if line.unit_price is not None and line.unit_price != product.price:
            overrides.append(
                {
                    "line": index,
                    "product": product.pk,
                    "catalog": product.price,
                    "sold": line.unit_price,
                }
            )
        effective = 100 - (100 - line.discount_percent) * (100 - order_discount_percent) / 100
        if effective > 0:
            discounts.append(
                {
                    "line": index,
                    "product": product.pk,
                    "percent": effective.quantize(Decimal("0.01")),
                }
            )
    if overrides and not actor.user.has_perm(perms.OVERRIDE_PRICE):
        raise DomainError(
            "permission_denied", "Overriding a price needs sales.override_price.", status=403
        )
    if discounts and not actor.user.has_perm(perms.APPLY_DISCOUNT):
        raise DomainError("permission_denied", "A discount needs sales.apply_discount.", status=403)
    large = [d for d in discounts if d["percent"] > max_percent]
    if large and not actor.user.has_perm(perms.APPROVE_LARGE_DISCOUNT):
        raise DomainError(
            "permission_denied",
            f"A discount above {max_percent}% needs sales.approve_large_discount.",
            status=403,
        )
    return [
        *({"kind": "price_override", **item} for item in overrides),
        *(
            {"kind": "discount", "large": item["percent"] > max_percent, **item}
            for item in discounts
        ),
    ]


def _check_payments(total: Decimal, payments: list[PaymentRequest]) -> Decimal:
    """The change: only cash may exceed the total, and only up to the cash tendered."""
    paid = sum((p.amount for p in payments), ZERO)
    if paid < total:
        raise DomainError(
            "insufficient_payment",
            f"Payments of {paid} do not cover the total of {total}.",
            status=400,
            attr="payments",
        )
    change = paid - total
    cash = sum((p.amount for p in payments if p.method == PaymentMethod.CASH), ZERO)
    if change > cash:
        raise DomainError(
            "overpayment",
            "Only cash can exceed the total (the excess is the change).",
            status=400,
            attr="payments",
        )
    return change


def _price(line: SaleLineRequest, product: Product) -> Decimal:
    return line.unit_price if line.unit_price is not None else product.price


def _tax_rate(product: Product) -> Decimal:
    return product.tax_rate.rate if product.tax_rate_id else ZERO


def _receipt_number(register: Register, sequence: int) -> str:
    return f"{register.receipt_prefix}-{sequence:06d}"


@transaction.atomic
def sale_complete(
    *,
    actor: Membership,
    register: Register,
    lines: list[SaleLineRequest],
    payments: list[PaymentRequest],
    customer: Customer | None = None,
    discount_percent: Decimal = ZERO,
    note: str = "",
) -> Sale:
    """A whole sale, as a register sends it: the server prices it, checks payments and rights,
    takes the stock, numbers the receipt and records the payments, in one transaction and a
    constant number of queries. A refused sale writes nothing and uses no receipt number.
    The sale comes back with its lines, payments and (no) refunds as written."""
    company = actor.company
    settings = company.settings
    _refuse_inactive_register(register)
    products = _line_products(actor, lines)
    audit_items = _check_price_and_discount_rights(actor, lines, products, discount_percent)
    exponent = money_exponent(company)
    priced = price_sale(
        [
            LineInput(
                key=index,
                quantity=line.quantity,
                unit_price=_price(line, products[line.product_id]),
                discount_percent=line.discount_percent,
                tax_rate=_tax_rate(products[line.product_id]),
            )
            for index, line in enumerate(lines)
        ],
        order_discount_percent=discount_percent,
        prices_include_tax=settings.prices_include_tax,
        exponent=exponent,
    )
    change = _check_payments(priced.total, payments)

    register = register_lock(register.pk)
    shift = open_shift(register_id=register.pk)
    if shift is None and settings.require_open_shift:
        raise DomainError("no_open_shift", "The register has no open shift.")
    sequence = register.receipt_counter + 1
    [sale] = insert(
        Sale,
        [
            Sale(
                company=company,
                register=register,
                shift=shift,
                cashier=actor.user,
                customer=customer,
                receipt_sequence=sequence,
                receipt_number=_receipt_number(register, sequence),
                note=note,
                discount_percent=discount_percent,
                subtotal=priced.subtotal,
                discount_total=priced.discount_total,
                tax_total=priced.tax_total,
                total=priced.total,
                paid_total=priced.total + change,
                change=change,
                quantity=sum((line.quantity for line in lines), ZERO),
            )
        ],
    )
    tracked = [
        index for index, line in enumerate(lines) if products[line.product_id].track_inventory
    ]
    movements = stock_apply(
        company=company,
        user=actor.user,
        changes=[
            StockChange(
                product=products[lines[index].product_id],
                location_id=register.location_id,
                kind=MovementKind.SALE,
                quantity=-lines[index].quantity,
                reason=sale.receipt_number,
            )
            for index in tracked
        ],
        document_type=SALE_DOCUMENT,
        document_id=sale.pk,
    )
    unit_costs = {index: m.unit_cost for index, m in zip(tracked, movements, strict=True)}
    register.receipt_counter = sequence
    update_rows(Register, [register], ["receipt_counter"])
    sale_lines = insert(
        SaleLine,
        (
            new(
                SaleLine,
                company_id=company.pk,
                sale_id=sale.pk,
                product_id=lines[line.key].product_id,
                name=products[lines[line.key].product_id].name,
                quantity=line.quantity,
                unit_price=line.unit_price,
                unit_cost=unit_costs.get(line.key, products[lines[line.key].product_id].cost),
                tax_rate=line.tax_rate,
                discount_percent=line.discount_percent,
                discount_amount=line.discount_amount,
                tax_amount=line.tax_amount,
                total=line.total,
                sold_at=sale.created_at,
            )
            for line in priced.lines
        ),
    )
    sale_payments = insert(
        Payment,
        (
            Payment(
                company=company,
                sale=sale,
                method=p.method,
                amount=p.amount,
                reference=p.reference,
                sold_at=sale.created_at,
            )
            for p in payments
        ),
    )
    attach_prefetched(sale, lines=sale_lines, payments=sale_payments, refunds=[])
    if audit_items:
        audit_record(
            company=company,
            user=actor.user,
            action="sale.price_and_discount",
            obj=sale,
            data={"receipt_number": sale.receipt_number, "items": audit_items},
        )
    return sale


@transaction.atomic
def sale_void(*, actor: Membership, sale: Sale, reason: str) -> Sale:
    """Cancel a sale while its shift is open, once: the stock goes back, audited."""
    register = register_lock(sale.register_id)
    sale = sale_lock(sale.pk)
    open_shift = (
        sale.shift_id is not None
        and Shift.objects.filter(pk=sale.shift_id, status=Shift.Status.OPEN).exists()
    )
    if sale.status != Sale.Status.COMPLETED or not open_shift:
        raise DomainError(
            "sale_not_voidable",
            "Only a completed, unrefunded sale of a still-open shift can be voided.",
        )
    lines = list(sale.lines.select_related("product"))
    stock_apply(
        company=actor.company,
        user=actor.user,
        changes=[
            StockChange(
                product=line.product,
                location_id=register.location_id,
                kind=MovementKind.VOID,
                quantity=line.quantity,
                unit_cost=line.unit_cost,
                reason=reason,
            )
            for line in lines
            if line.product.track_inventory
        ],
        document_type=SALE_DOCUMENT,
        document_id=sale.pk,
    )
    sale.status = Sale.Status.VOIDED
    sale.voided_at = timezone.now()
    sale.voided_by = actor.user
    sale.void_reason = reason
    sale.save(update_fields=["status", "voided_at", "voided_by", "void_reason"])
    sale.lines.update(voided=True)
    sale.payments.update(voided=True)
    audit_record(
        company=actor.company,
        user=actor.user,
        action="sale.void",
        obj=sale,
        data={"receipt_number": sale.receipt_number, "total": sale.total, "reason": reason},
    )
    return sale


@dataclass(frozen=True)
class RefundLineRequest:
    sale_line_id: int
    quantity: Decimal


@transaction.atomic
def refund_create(
    *,
    actor: Membership,
    sale: Sale,
    register: Register,
    lines: list[RefundLineRequest],
    method: str,
    reason: str,
    restock: bool,
) -> Refund:
    """Give back part of a sale: each line's paid share, never more than sold less refunded.
    The refund comes back with its lines as written."""
    exponent = money_exponent(actor.company)
    register_lock(register.pk)
    sale = sale_lock(sale.pk)
    if sale.status == Sale.Status.VOIDED:
        raise DomainError("sale_not_refundable", "A voided sale can't be refunded.")
    sale_lines = {line.pk: line for line in sale.lines.select_related("product")}
    errors = []
    for index, line in enumerate(lines):
        sale_line = sale_lines.get(line.sale_line_id)
        if sale_line is None:
            errors.append(
                (f"lines.{index}.sale_line", "does_not_exist", "Not a line of this sale.")
            )
        elif not sale_line.product.fits(line.quantity):
            errors.append((f"lines.{index}.quantity", "whole_quantity", WHOLE_QUANTITY))
    if errors:
        raise DomainValidationError(errors)
    requested: dict[int, Decimal] = {}
    for line in lines:
        requested[line.sale_line_id] = requested.get(line.sale_line_id, ZERO) + line.quantity
    for line_id, quantity in requested.items():
        sale_line = sale_lines[line_id]
        if sale_line.refunded_quantity + quantity > sale_line.quantity:
            left = sale_line.quantity - sale_line.refunded_quantity
            raise DomainError("refund_exceeds_sale", f"Line {line_id}: {left} left to refund.")
    shift = open_shift(register_id=register.pk)
    if method == PaymentMethod.CASH and shift is None:
        raise DomainError("no_open_shift", "A cash refund needs an open shift on the register.")

    refund = Refund.objects.create(
        company=actor.company,
        sale=sale,
        register=register,
        shift=shift,
        user=actor.user,
        reason=reason,
        restock=restock,
        method=method,
        total=ZERO,
    )
    refund_lines = []
    for line_id, quantity in requested.items():
        sale_line = sale_lines[line_id]
        amount = refund_amount(
            line_total=sale_line.total,
            line_quantity=sale_line.quantity,
            refunded_quantity=sale_line.refunded_quantity,
            refunded_amount=sale_line.refunded_amount,
            quantity=quantity,
            exponent=exponent,
        )
        sale_line.refunded_quantity += quantity
        sale_line.refunded_amount += amount
        refund_lines.append(
            RefundLine(
                company=actor.company,
                refund=refund,
                sale_line=sale_line,
                product=sale_line.product,
                quantity=quantity,
                total=amount,
            )
        )
    RefundLine.objects.bulk_create(refund_lines)
    update_rows(
        SaleLine,
        [sale_lines[line_id] for line_id in requested],
        ["refunded_quantity", "refunded_amount"],
    )
    if restock:
        stock_apply(
            company=actor.company,
            user=actor.user,
            changes=[
                StockChange(
                    product=line.product,
                    location_id=register.location_id,
                    kind=MovementKind.RETURN,
                    quantity=line.quantity,
                    unit_cost=line.sale_line.unit_cost,
                    reason=reason,
                )
                for line in refund_lines
                if line.product.track_inventory
            ],
            document_type=REFUND_DOCUMENT,
            document_id=refund.pk,
        )
    refund.total = sum((line.total for line in refund_lines), ZERO)
    refund.save(update_fields=["total"])
    sale.refunded_total += refund.total
    fully = all(line.refunded_quantity == line.quantity for line in sale_lines.values())
    sale.status = Sale.Status.REFUNDED if fully else Sale.Status.PARTIALLY_REFUNDED
    sale.save(update_fields=["refunded_total", "status"])
    audit_record(
        company=actor.company,
        user=actor.user,
        action="sale.refund",
        obj=refund,
        data={
            "sale": sale.pk,
            "receipt_number": sale.receipt_number,
            "total": refund.total,
            "method": method,
            "restock": restock,
            "reason": reason,
        },
    )
    attach_prefetched(refund, lines=refund_lines)
    return refund
