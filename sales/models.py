from decimal import Decimal

from django.conf import settings
from django.db import models
from django.db.models import F, Q

from catalog.models import Customer, Product
from companies.models import Company, Register

ZERO = Decimal("0")


def money_field(**kwargs):
    return models.DecimalField(max_digits=14, decimal_places=2, **kwargs)


def quantity_field(**kwargs):
    return models.DecimalField(max_digits=12, decimal_places=3, **kwargs)


class ShiftStatus(models.TextChoices):
    OPEN = "open", "Open"
    CLOSED = "closed", "Closed"


class Shift(models.Model):
    """A cash session on a register: opened with a float, closed with a count."""

    Status = ShiftStatus

    company = models.ForeignKey(Company, on_delete=models.CASCADE, related_name="+")
    register = models.ForeignKey(Register, on_delete=models.PROTECT, related_name="shifts")
    status = models.CharField(max_length=8, choices=ShiftStatus.choices, default=ShiftStatus.OPEN)
    opened_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+"
    )
    opened_at = models.DateTimeField(auto_now_add=True)
    opening_cash = money_field()
    closed_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.PROTECT, related_name="+"
    )
    closed_at = models.DateTimeField(null=True, blank=True)
    counted_cash = money_field(null=True, blank=True)
    expected_cash = money_field(null=True, blank=True)
    difference = money_field(null=True, blank=True)

    class Meta:
        ordering = ["-opened_at", "-id"]
        default_permissions = ("view",)
        permissions = [("manage_shift", "Can open, use and close shifts")]
        constraints = [
            models.UniqueConstraint(
                fields=["company", "register"],
                condition=Q(status="open"),
                name="shift_one_open_per_register",
            ),
            models.CheckConstraint(
                condition=Q(opening_cash__gte=0), name="shift_opening_cash_non_negative"
            ),
        ]

    def __str__(self):
        return f"Shift {self.pk} on {self.register_id} ({self.status})"


class CashMovementKind(models.TextChoices):
    PAY_IN = "pay_in", "Pay in"
    PAY_OUT = "pay_out", "Pay out"


class CashMovement(models.Model):
    Kind = CashMovementKind

    company = models.ForeignKey(Company, on_delete=models.CASCADE, related_name="+")
    shift = models.ForeignKey(Shift, on_delete=models.PROTECT, related_name="cash_movements")
    kind = models.CharField(max_length=8, choices=CashMovementKind.choices)
    amount = money_field()
    reason = models.CharField(max_length=200)
    user = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+")
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        ordering = ["created_at", "id"]
        default_permissions = ()
        constraints = [
            models.CheckConstraint(condition=Q(amount__gt=0), name="cashmovement_amount_positive")
        ]

    def __str__(self):
        return f"{self.kind} {self.amount}"


class SaleStatus(models.TextChoices):
    COMPLETED = "completed", "Completed"
    VOIDED = "voided", "Voided"
    PARTIALLY_REFUNDED = "partially_refunded", "Partially refunded"
    REFUNDED = "refunded", "Refunded"


class Sale(models.Model):
    Status = SaleStatus

    # Both indexed by the indexes below that start with them (sale_company_recent,
    # sale_shift_status).
    company = models.ForeignKey(Company, on_delete=models.CASCADE, related_name="+", db_index=False)
    register = models.ForeignKey(Register, on_delete=models.PROTECT, related_name="sales")
    shift = models.ForeignKey(
        Shift,
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="sales",
        db_index=False,
    )
    cashier = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+"
    )
    customer = models.ForeignKey(
        Customer, null=True, blank=True, on_delete=models.PROTECT, related_name="sales"
    )
    receipt_sequence = models.PositiveBigIntegerField()
    receipt_number = models.CharField(max_length=40)
    status = models.CharField(
        max_length=20, choices=SaleStatus.choices, default=SaleStatus.COMPLETED
    )
    note = models.CharField(max_length=500, blank=True, default="")
    discount_percent = models.DecimalField(max_digits=5, decimal_places=2, default=ZERO)
    subtotal = money_field()
    discount_total = money_field()
    tax_total = money_field()
    total = money_field()
    paid_total = money_field()
    change = money_field()
    refunded_total = money_field(default=ZERO)
    # Its lines' quantities summed, like the money totals: reports by day, hour, cashier or
    # register read it instead of joining a year of lines to their sales.
    quantity = quantity_field(default=ZERO)
    created_at = models.DateTimeField(auto_now_add=True)
    voided_at = models.DateTimeField(null=True, blank=True)
    voided_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.PROTECT, related_name="+"
    )
    void_reason = models.CharField(max_length=200, blank=True, default="")

    class Meta:
        ordering = ["-created_at", "-id"]
        default_permissions = ("add", "view")
        permissions = [
            ("void_sale", "Can void a sale"),
            ("refund_sale", "Can refund a sale"),
            ("override_price", "Can sell at a price other than the catalog's"),
            ("apply_discount", "Can apply discounts up to the company's limit"),
            ("approve_large_discount", "Can apply discounts above the company's limit"),
        ]
        constraints = [
            models.UniqueConstraint(
                fields=["company", "register", "receipt_sequence"], name="sale_unique_sequence"
            ),
            models.UniqueConstraint(
                fields=["company", "receipt_number"], name="sale_unique_receipt_number"
            ),
            models.CheckConstraint(
                condition=Q(paid_total=F("total") + F("change")),
                name="sale_paid_is_total_plus_change",
            ),
            models.CheckConstraint(
                condition=Q(refunded_total__lte=F("total")), name="sale_refunds_within_total"
            ),
        ]
        indexes = [
            models.Index(fields=["company", "-created_at"], name="sale_company_recent"),
            models.Index(fields=["shift", "status"], name="sale_shift_status"),
        ]

    def __str__(self):
        return self.receipt_number


class SaleLine(models.Model):
    """A sold item, frozen as sold: name, prices, cost, tax and discounts at that moment."""

    company = models.ForeignKey(Company, on_delete=models.CASCADE, related_name="+")
    sale = models.ForeignKey(Sale, on_delete=models.CASCADE, related_name="lines")
    product = models.ForeignKey(Product, on_delete=models.PROTECT, related_name="sale_lines")
    name = models.CharField(max_length=200)
    quantity = quantity_field()
    unit_price = money_field()
    unit_cost = money_field()
    tax_rate = models.DecimalField(max_digits=5, decimal_places=2)
    discount_percent = models.DecimalField(max_digits=5, decimal_places=2, default=ZERO)
    discount_amount = money_field()
    tax_amount = money_field()
    total = money_field()
    refunded_quantity = quantity_field(default=ZERO)
    refunded_amount = money_field(default=ZERO)
    # The sale's created_at and whether it is voided, kept by sale_complete and sale_void: the
    # product and category reports filter a year of lines by them instead of joining the sales.
    sold_at = models.DateTimeField()
    voided = models.BooleanField(default=False)

    class Meta:
        ordering = ["id"]
        default_permissions = ()
        constraints = [
            models.CheckConstraint(condition=Q(quantity__gt=0), name="saleline_quantity_positive"),
            models.CheckConstraint(
                condition=Q(refunded_quantity__lte=F("quantity")),
                name="saleline_refund_within_quantity",
            ),
        ]
        indexes = [
            # Read in product order with everything the reports sum (PostgreSQL's index-only
            # scan), so grouping by product or category needs neither the sales nor a sort.
            models.Index(
                fields=["company", "product", "sold_at"],
                include=["sale", "quantity", "total", "discount_amount", "tax_amount"],
                condition=Q(voided=False),
                name="saleline_report",
            ),
        ]

    def __str__(self):
        return f"{self.quantity} x {self.name}"


class PaymentMethod(models.TextChoices):
    CASH = "cash", "Cash"
    CARD = "card", "Card"
    TRANSFER = "transfer", "Transfer"
    OTHER = "other", "Other"


class Payment(models.Model):
    Method = PaymentMethod

    company = models.ForeignKey(Company, on_delete=models.CASCADE, related_name="+")
    sale = models.ForeignKey(Sale, on_delete=models.CASCADE, related_name="payments")
    method = models.CharField(max_length=10, choices=PaymentMethod.choices)
    amount = money_field()
    reference = models.CharField(max_length=100, blank=True, default="")
    # The sale's created_at and void, kept as its lines' are, for the payment-method report.
    sold_at = models.DateTimeField()
    voided = models.BooleanField(default=False)

    class Meta:
        ordering = ["id"]
        default_permissions = ()
        constraints = [
            models.CheckConstraint(condition=Q(amount__gt=0), name="payment_amount_positive")
        ]
        indexes = [
            models.Index(
                fields=["company", "method", "sold_at"],
                include=["sale", "amount"],
                condition=Q(voided=False),
                name="payment_report",
            ),
        ]

    def __str__(self):
        return f"{self.method} {self.amount}"


class Refund(models.Model):
    company = models.ForeignKey(Company, on_delete=models.CASCADE, related_name="+")
    sale = models.ForeignKey(Sale, on_delete=models.PROTECT, related_name="refunds")
    register = models.ForeignKey(Register, on_delete=models.PROTECT, related_name="refunds")
    shift = models.ForeignKey(
        Shift, null=True, blank=True, on_delete=models.PROTECT, related_name="refunds"
    )
    user = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+")
    reason = models.CharField(max_length=200)
    restock = models.BooleanField(default=True)
    method = models.CharField(max_length=10, choices=PaymentMethod.choices)
    total = money_field()
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        ordering = ["-created_at", "-id"]
        default_permissions = ()
        indexes = [models.Index(fields=["company", "-created_at"], name="refund_company_recent")]

    def __str__(self):
        return f"Refund {self.pk} of {self.sale_id}"


class RefundLine(models.Model):
    company = models.ForeignKey(Company, on_delete=models.CASCADE, related_name="+")
    refund = models.ForeignKey(Refund, on_delete=models.CASCADE, related_name="lines")
    sale_line = models.ForeignKey(SaleLine, on_delete=models.PROTECT, related_name="refund_lines")
    product = models.ForeignKey(Product, on_delete=models.PROTECT, related_name="+")
    quantity = quantity_field()
    total = money_field()

    class Meta:
        ordering = ["id"]
        default_permissions = ()
        constraints = [
            models.CheckConstraint(condition=Q(quantity__gt=0), name="refundline_quantity_positive")
        ]

    def __str__(self):
        return f"{self.quantity} of line {self.sale_line_id}"
