"""Sales test helpers: stock comes in through inventory's receipt service, shifts and sales go
through the sales services, so every row a test starts from is one the application wrote."""

from decimal import Decimal

from accounts.models import AuditEvent, Membership
from catalog.models import Product
from companies.models import CompanySettings, Register
from config.models import IdempotencyKey
from inventory.models import StockLevel, StockMovement
from inventory.services import StockLine, stock_receive
from sales import services
from sales.models import CashMovement, Payment, Refund, RefundLine, Sale, SaleLine, Shift
from sales.services import PaymentRequest, RefundLineRequest, SaleLineRequest
from tests.catalog.factories import CustomerFactory, ProductFactory, TaxRateFactory
from tests.factories import RegisterFactory

D = Decimal
SALES = "/api/v1/sales"
SHIFTS = "/api/v1/shifts"


def actor(membership: Membership) -> Membership:
    """The membership as the API's authentication leaves it: re-read with its company and
    settings, and attached to its user so that `user.has_perm` answers from its roles."""
    fresh = Membership.objects.select_related("company__settings", "user").get(pk=membership.pk)
    fresh.user.membership = fresh
    return fresh


def configure(tenant, **fields) -> None:
    """Change the company's settings (prices_include_tax, require_open_shift, ...)."""
    CompanySettings.objects.filter(company=tenant.company).update(**fields)


def tax_rate(tenant, rate: str):
    return TaxRateFactory(company=tenant.company, name=f"Tax {rate}", rate=D(rate))


def product(tenant, **fields) -> Product:
    fields.setdefault("tax_rate", None)
    return ProductFactory(company=tenant.company, **fields)


def customer(tenant, **fields):
    return CustomerFactory(company=tenant.company, **fields)


def register(tenant, **fields) -> Register:
    fields.setdefault("location", tenant.location)
    return RegisterFactory(company=tenant.company, **fields)


def receive(tenant, *lines, location=None):
    """`lines` are (product, quantity, unit_cost) received at `location` (the store)."""
    return stock_receive(
        actor=actor(tenant.admin),
        location=location or tenant.location,
        lines=[StockLine(product=p, quantity=D(str(q)), unit_cost=D(str(c))) for p, q, c in lines],
    )


def open_shift(tenant, *, on=None, opening_cash="0.00", by=None) -> Shift:
    return services.shift_open(
        actor=actor(by or tenant.admin),
        register=on or tenant.register,
        opening_cash=D(opening_cash),
    )


def close_shift(tenant, shift: Shift, counted_cash: str, by=None) -> dict:
    return services.shift_close(
        actor=actor(by or tenant.admin), shift=shift, counted_cash=D(counted_cash)
    )


def sell(tenant, lines, payments, *, on=None, by=None, discount_percent="0", customer=None):
    """`lines` are (product, quantity) or (product, quantity, line discount percent) or
    (product, quantity, line discount percent, unit price); `payments` (method, amount)."""
    requests = []
    for line in lines:
        p, q, *rest = line
        discount = D(rest[0]) if rest else D("0")
        price = D(rest[1]) if len(rest) > 1 and rest[1] is not None else None
        requests.append(
            SaleLineRequest(
                product_id=p.pk, quantity=D(str(q)), unit_price=price, discount_percent=discount
            )
        )
    return services.sale_complete(
        actor=actor(by or tenant.admin),
        register=on or tenant.register,
        lines=requests,
        payments=[PaymentRequest(method=m, amount=D(a)) for m, a in payments],
        customer=customer,
        discount_percent=D(discount_percent),
    )


def refund(tenant, sale: Sale, lines, *, method="cash", restock=True, on=None, by=None):
    """`lines` are (sale line, quantity)."""
    return services.refund_create(
        actor=actor(by or tenant.admin),
        sale=sale,
        register=on or tenant.register,
        lines=[RefundLineRequest(sale_line_id=line.pk, quantity=D(str(q))) for line, q in lines],
        method=method,
        reason="customer returned it",
        restock=restock,
    )


def void(tenant, sale: Sale, by=None) -> Sale:
    return services.sale_void(actor=actor(by or tenant.admin), sale=sale, reason="mistake")


def level(product, location) -> StockLevel | None:
    return StockLevel.objects.filter(product=product, location=location).first()


def quantity(product, location) -> Decimal:
    found = level(product, location)
    return found.quantity if found is not None else D("0")


def sale_movements(sale) -> list[tuple]:
    return list(
        StockMovement.objects.filter(document_type="sale", document_id=sale.pk)
        .order_by("id")
        .values_list("product_id", "location_id", "kind", "quantity", "unit_cost")
    )


def refund_movements(refund) -> list[tuple]:
    return list(
        StockMovement.objects.filter(document_type="refund", document_id=refund.pk)
        .order_by("id")
        .values_list("product_id", "location_id", "kind", "quantity", "unit_cost")
    )


def rows(model, companies, *fields) -> list[tuple]:
    return sorted(model.objects.filter(company__in=companies).values_list("pk", *fields))


def sales_state(*companies) -> dict:
    """Everything a sales call could change, to assert that a refused call changed nothing."""
    return {
        "shifts": rows(
            Shift,
            companies,
            "register_id",
            "status",
            "opening_cash",
            "counted_cash",
            "expected_cash",
            "difference",
            "closed_at",
        ),
        "cash_movements": rows(CashMovement, companies, "shift_id", "kind", "amount"),
        "sales": rows(
            Sale,
            companies,
            "register_id",
            "receipt_sequence",
            "receipt_number",
            "status",
            "total",
            "refunded_total",
        ),
        "sale_lines": rows(SaleLine, companies, "sale_id", "refunded_quantity", "refunded_amount"),
        "payments": rows(Payment, companies, "sale_id", "method", "amount"),
        "refunds": rows(Refund, companies, "sale_id", "total"),
        "refund_lines": rows(RefundLine, companies, "refund_id", "quantity", "total"),
        "registers": rows(Register, companies, "receipt_counter"),
        "levels": rows(StockLevel, companies, "product_id", "location_id", "quantity", "unit_cost"),
        "movements": rows(StockMovement, companies, "product_id", "kind", "quantity"),
        "audit": rows(AuditEvent, companies, "action"),
        "idempotency": rows(IdempotencyKey, companies, "key", "state"),
    }


def audit_events(tenant, action: str) -> list[AuditEvent]:
    return list(AuditEvent.objects.filter(company=tenant.company, action=action).order_by("id"))
