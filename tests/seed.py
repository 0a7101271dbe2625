"""Rows of a first company in every table, named with a secret a second company must never see."""

from decimal import Decimal

from analytics.services import alerts_run
from catalog.models import Category, Customer, Product, TaxRate
from inventory.services import StockLine, stock_receive
from sales.services import (
    PaymentRequest,
    RefundLineRequest,
    SaleLineRequest,
    refund_create,
    sale_complete,
    shift_cash_movement,
    shift_open,
)
from tests.factories import AuditEventFactory, LocationFactory, RegisterFactory, RoleFactory

SECRET = "zz-secret-of-a"


def seed_first_company(tenant):
    """Rows of company A in every table an API route reads."""
    LocationFactory(company=tenant.company, name=f"{SECRET} location")
    RegisterFactory(company=tenant.company, location=tenant.location, name=f"{SECRET} register")
    RoleFactory(company=tenant.company, name=f"{SECRET} role")
    member = tenant.member("cashier")
    member.user.email = f"{SECRET}@example.com"
    member.user.save()
    AuditEventFactory(company=tenant.company, action=f"{SECRET}.event")
    tax_rate = TaxRate.objects.create(company=tenant.company, name=f"{SECRET} tax", rate=16)
    category = Category.objects.create(company=tenant.company, name=f"{SECRET} category")
    product = Product.objects.create(
        company=tenant.company,
        sku=f"{SECRET}-sku",
        name=f"{SECRET} product",
        price=10,
        tax_rate=tax_rate,
        category=category,
    )
    Customer.objects.create(company=tenant.company, name=f"{SECRET} customer")
    stock_receive(
        actor=tenant.admin,
        location=tenant.location,
        supplier=f"{SECRET} supplier",
        lines=[StockLine(product=product, quantity=Decimal(5), unit_cost=Decimal(3))],
    )
    shift = shift_open(actor=tenant.admin, register=tenant.register, opening_cash=Decimal(100))
    shift_cash_movement(
        actor=tenant.admin, shift=shift, kind="pay_in", amount=Decimal(5), reason=SECRET
    )
    sale = sale_complete(
        actor=tenant.admin,
        register=tenant.register,
        lines=[SaleLineRequest(product_id=product.pk, quantity=Decimal(2))],
        payments=[PaymentRequest(method="cash", amount=Decimal(50))],
        note=f"{SECRET} sale",
    )
    alerts_run(company=tenant.company)
    refund_create(
        actor=tenant.admin,
        sale=sale,
        register=tenant.register,
        lines=[RefundLineRequest(sale_line_id=sale.lines.get().pk, quantity=Decimal(1))],
        method="cash",
        reason=f"{SECRET} refund",
        restock=True,
    )
