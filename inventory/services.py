"""Every change of stock: the documents, and the one function that moves stock for them all."""

from dataclasses import dataclass
from decimal import ROUND_HALF_UP, Decimal

from django.db import transaction
from django.utils import timezone

from accounts.models import Membership, User
from accounts.services import audit_record
from catalog.models import WHOLE_QUANTITY, Product
from companies.models import Company, Location
from config.api.errors import DomainError, DomainValidationError
from config.api.fields import money_exponent
from config.rows import insert, new, update_rows

from .locks import stock_levels_lock
from .models import StockDocument, StockLevel, StockMovement

Kind = StockMovement.Kind
# Movements that bring stock in at a known cost and so move the weighted average.
COSTED_INBOUND = {Kind.RECEIPT, Kind.TRANSFER_IN, Kind.VOID, Kind.RETURN}


@dataclass(frozen=True)
class StockChange:
    """One signed change of one level.

    `unit_cost` is the cost of stock coming in (None: the level's current average);
    `cost_from` takes it from another location's level instead (a transfer's source);
    `counted` sets the level to a counted figure, the change being the difference.
    """

    product: Product
    location_id: int
    kind: str
    quantity: Decimal = Decimal("0")
    unit_cost: Decimal | None = None
    cost_from: int | None = None
    counted: Decimal | None = None
    reason: str = ""


def _unit_cost(change: "StockChange", level: StockLevel, levels: dict) -> Decimal:
    """The cost of the stock this change moves: given, the source's (transfers), or the
    level's average; a level holding nothing has no average, so the product's cost."""
    if change.cost_from is not None:
        return levels[(change.product.pk, change.cost_from)].unit_cost
    if change.unit_cost is not None:
        return change.unit_cost
    return level.unit_cost if level.quantity > 0 else change.product.cost


def _weighted_average(old_qty, old_cost, qty, cost, exponent) -> Decimal:
    if old_qty <= 0:
        return cost
    total = old_qty * old_cost + qty * cost
    return (total / (old_qty + qty)).quantize(exponent, rounding=ROUND_HALF_UP)


# No savepoint of its own (two more round trips on every sale): see the docstring.
@transaction.atomic(savepoint=False)
def stock_apply(
    *,
    company: Company,
    user: User | None,
    changes: list[StockChange],
    document_type: str,
    document_id: int,
) -> list[StockMovement]:
    """Apply signed changes as one all-or-nothing step, in a constant number of queries.

    Locks every affected level at once (pk order), refuses any decrease that would leave a
    level below zero unless the company allows negative stock (409 `insufficient_stock`
    naming every product short), then updates the levels and inserts the movements in bulk.
    It takes no savepoint: inside a caller's transaction a refusal fails that whole
    transaction, so a caller must not catch `insufficient_stock` and go on querying in it.
    """
    if not changes:
        return []
    levels = stock_levels_lock(company, {(c.product.pk, c.location_id) for c in changes})
    allow_negative = company.settings.allow_negative_stock
    exponent = money_exponent(company)
    now = timezone.now()
    movements, short, costs = [], set(), {}
    for change in changes:
        level = levels[(change.product.pk, change.location_id)]
        quantity = (
            change.counted - level.quantity if change.counted is not None else change.quantity
        )
        new_quantity = level.quantity + quantity
        if quantity < 0 and new_quantity < 0 and not allow_negative:
            short.add(change.product.pk)
        unit_cost = _unit_cost(change, level, levels)
        # Costed stock coming in moves the average; an empty level takes any incoming cost.
        if quantity > 0 and (change.kind in COSTED_INBOUND or level.quantity <= 0):
            level.unit_cost = _weighted_average(
                level.quantity, level.unit_cost, quantity, unit_cost, exponent
            )
            if change.kind == Kind.RECEIPT and change.unit_cost is not None:
                costs[change.product.pk] = level.unit_cost  # the product's cost follows receipts
        level.quantity = new_quantity
        level.updated_at = now
        movements.append(
            new(  # a sale makes one a line
                StockMovement,
                company_id=company.pk,
                product_id=change.product.pk,
                location_id=change.location_id,
                kind=change.kind,
                quantity=quantity,
                unit_cost=unit_cost,
                balance_after=new_quantity,
                reason=change.reason,
                user_id=user.pk if user is not None else None,
                document_type=document_type,
                document_id=document_id,
            )
        )
    if short:
        raise DomainError(
            "insufficient_stock",
            f"Not enough stock of products {sorted(short)}.",
        )
    update_rows(StockLevel, levels.values(), ["quantity", "unit_cost", "updated_at"])
    insert(StockMovement, movements)
    if costs:
        products = [Product(pk=pk, cost=cost, updated_at=now) for pk, cost in costs.items()]
        update_rows(Product, products, ["cost", "updated_at"])
    return movements


# Documents


@dataclass(frozen=True)
class StockLine:
    product: Product
    quantity: Decimal = Decimal("0")
    unit_cost: Decimal | None = None


def _refuse_untracked_and_fractions(lines: list[StockLine], field: str = "quantity") -> None:
    errors = []
    for index, line in enumerate(lines):
        if not line.product.track_inventory:
            errors.append(
                (f"lines.{index}.product", "not_tracked", "This product does not track stock.")
            )
        if not line.product.fits(line.quantity):
            errors.append((f"lines.{index}.{field}", "whole_quantity", WHOLE_QUANTITY))
    if errors:
        raise DomainValidationError(errors)


def _refuse_inactive(location: Location, attr: str) -> None:
    if not location.is_active:
        raise DomainError("location_inactive", "The location is inactive.", status=400, attr=attr)


DOCUMENT = "stock_document"


def _document(actor: Membership, **fields) -> StockDocument:
    return StockDocument.objects.create(company=actor.company, user=actor.user, **fields)


def _move_stock(actor: Membership, document: StockDocument, changes: list[StockChange]) -> None:
    """Apply the document's changes; its lines are the movements they make."""
    document.movements = stock_apply(
        company=actor.company,
        user=actor.user,
        changes=changes,
        document_type=DOCUMENT,
        document_id=document.pk,
    )


@transaction.atomic
def stock_receive(
    *,
    actor: Membership,
    location: Location,
    lines: list[StockLine],
    supplier: str = "",
    reference: str = "",
) -> StockDocument:
    """Goods in: quantities rise and the average cost (and the product's cost) follows."""
    _refuse_inactive(location, "location")
    _refuse_untracked_and_fractions(lines)
    document = _document(
        actor,
        kind=StockDocument.Kind.RECEIPT,
        location=location,
        supplier=supplier,
        reference=reference,
    )
    _move_stock(
        actor,
        document,
        [
            StockChange(
                product=line.product,
                location_id=location.pk,
                kind=Kind.RECEIPT,
                quantity=line.quantity,
                unit_cost=line.unit_cost,
                reason=reference or supplier,
            )
            for line in lines
        ],
    )
    return document


@transaction.atomic
def stock_adjust(
    *, actor: Membership, location: Location, reason: str, note: str, lines: list[StockLine]
) -> StockDocument:
    """Damage, loss, theft or a correction: signed quantities, audited."""
    _refuse_inactive(location, "location")
    _refuse_untracked_and_fractions(lines)
    document = _document(
        actor, kind=StockDocument.Kind.ADJUSTMENT, location=location, reason=reason, note=note
    )
    _move_stock(
        actor,
        document,
        [
            StockChange(
                product=line.product,
                location_id=location.pk,
                kind=Kind.ADJUSTMENT,
                quantity=line.quantity,
                reason=reason,
            )
            for line in lines
        ],
    )
    audit_record(
        company=actor.company,
        user=actor.user,
        action="stock.adjust",
        obj=document,
        data={
            "location": location.pk,
            "reason": reason,
            "note": note,
            "lines": [{"product": line.product.pk, "quantity": line.quantity} for line in lines],
        },
    )
    return document


@transaction.atomic
def stock_transfer(
    *, actor: Membership, from_location: Location, to_location: Location, lines: list[StockLine]
) -> StockDocument:
    """Move quantity, at its average cost, between two locations of the company."""
    if from_location.pk == to_location.pk:
        raise DomainError(
            "same_location",
            "A transfer needs two different locations.",
            status=400,
            attr="to_location",
        )
    _refuse_inactive(from_location, "from_location")
    _refuse_inactive(to_location, "to_location")
    _refuse_untracked_and_fractions(lines)
    document = _document(
        actor, kind=StockDocument.Kind.TRANSFER, location=from_location, to_location=to_location
    )
    changes = []
    for line in lines:
        changes.append(
            StockChange(
                product=line.product,
                location_id=from_location.pk,
                kind=Kind.TRANSFER_OUT,
                quantity=-line.quantity,
                reason=f"to {to_location.name}",
            )
        )
        changes.append(
            StockChange(
                product=line.product,
                location_id=to_location.pk,
                kind=Kind.TRANSFER_IN,
                quantity=line.quantity,
                cost_from=from_location.pk,
                reason=f"from {from_location.name}",
            )
        )
    _move_stock(actor, document, changes)
    return document


@transaction.atomic
def stock_count(*, actor: Membership, location: Location, lines: list[StockLine]) -> StockDocument:
    """A physical count: each level becomes the counted figure; the difference is recorded."""
    _refuse_inactive(location, "location")
    _refuse_untracked_and_fractions(lines, field="counted_quantity")
    products = [line.product.pk for line in lines]
    if len(set(products)) != len(products):
        raise DomainError(
            "duplicate_product", "Count each product once per document.", status=400, attr="lines"
        )
    document = _document(actor, kind=StockDocument.Kind.COUNT, location=location)
    _move_stock(
        actor,
        document,
        [
            StockChange(
                product=line.product,
                location_id=location.pk,
                kind=Kind.COUNT,
                counted=line.quantity,
            )
            for line in lines
        ],
    )
    audit_record(
        company=actor.company,
        user=actor.user,
        action="stock.count",
        obj=document,
        data={
            "location": location.pk,
            "lines": [
                {
                    "product": m.product_id,
                    "counted": m.balance_after,
                    "difference": m.quantity,
                }
                for m in document.movements
            ],
        },
    )
    return document
