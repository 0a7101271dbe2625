from decimal import Decimal

from django.conf import settings
from django.db import models

from catalog.models import Product
from companies.models import Company, Location


class StockLevel(models.Model):
    """The current quantity of a product at a location; it changes only with a movement."""

    # Indexed by stocklevel_unique_place, which starts with it.
    company = models.ForeignKey(Company, on_delete=models.CASCADE, related_name="+", db_index=False)
    product = models.ForeignKey(Product, on_delete=models.PROTECT, related_name="stock_levels")
    location = models.ForeignKey(Location, on_delete=models.PROTECT, related_name="stock_levels")
    quantity = models.DecimalField(max_digits=12, decimal_places=3, default=Decimal("0"))
    unit_cost = models.DecimalField(
        max_digits=14, decimal_places=2, default=Decimal("0"), help_text="Weighted average."
    )
    updated_at = models.DateTimeField(auto_now=True)

    class Meta:
        ordering = ["product_id", "location_id"]
        default_permissions = ("view",)
        constraints = [
            models.UniqueConstraint(
                fields=["company", "product", "location"], name="stocklevel_unique_place"
            ),
            models.CheckConstraint(
                condition=models.Q(unit_cost__gte=0), name="stocklevel_unit_cost_non_negative"
            ),
        ]

    def __str__(self):
        return f"{self.product_id}@{self.location_id}: {self.quantity}"


class DocumentKind(models.TextChoices):
    RECEIPT = "receipt", "Receipt"
    ADJUSTMENT = "adjustment", "Adjustment"
    TRANSFER = "transfer", "Transfer"
    COUNT = "count", "Count"


class AdjustmentReason(models.TextChoices):
    DAMAGE = "damage", "Damage"
    LOSS = "loss", "Loss"
    THEFT = "theft", "Theft"
    CORRECTION = "correction", "Correction"
    OTHER = "other", "Other"


class MovementKind(models.TextChoices):
    RECEIPT = "receipt", "Receipt"
    SALE = "sale", "Sale"
    VOID = "void", "Void"
    RETURN = "return", "Return"
    ADJUSTMENT = "adjustment", "Adjustment"
    TRANSFER_OUT = "transfer_out", "Transfer out"
    TRANSFER_IN = "transfer_in", "Transfer in"
    COUNT = "count", "Count"


class StockDocument(models.Model):
    """A receipt, adjustment, transfer or count: who did it, why, and where."""

    Kind = DocumentKind
    Reason = AdjustmentReason

    company = models.ForeignKey(Company, on_delete=models.CASCADE, related_name="+")
    kind = models.CharField(max_length=16, choices=Kind.choices)
    location = models.ForeignKey(Location, on_delete=models.PROTECT, related_name="+")
    to_location = models.ForeignKey(
        Location, null=True, blank=True, on_delete=models.PROTECT, related_name="+"
    )
    supplier = models.CharField(max_length=200, blank=True, default="")
    reference = models.CharField(max_length=100, blank=True, default="")
    reason = models.CharField(max_length=16, choices=Reason.choices, blank=True, default="")
    note = models.TextField(blank=True, default="")
    user = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, on_delete=models.SET_NULL, related_name="+"
    )
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        ordering = ["-created_at", "-id"]
        default_permissions = ()
        permissions = [
            ("receive_stock", "Can receive stock"),
            ("adjust_stock", "Can adjust stock"),
            ("transfer_stock", "Can transfer stock"),
            ("count_stock", "Can count stock"),
        ]

    def __str__(self):
        return f"{self.kind} #{self.pk}"


class StockMovement(models.Model):
    """The append-only ledger: every level is the sum of its movements."""

    Kind = MovementKind

    # Indexed by movement_place and movement_company_recent, which start with it: a sale
    # writes a movement a line, and each index is one more write.
    company = models.ForeignKey(Company, on_delete=models.CASCADE, related_name="+", db_index=False)
    product = models.ForeignKey(Product, on_delete=models.PROTECT, related_name="stock_movements")
    location = models.ForeignKey(Location, on_delete=models.PROTECT, related_name="+")
    kind = models.CharField(max_length=16, choices=Kind.choices)
    quantity = models.DecimalField(max_digits=12, decimal_places=3, help_text="Signed.")
    unit_cost = models.DecimalField(max_digits=14, decimal_places=2)
    balance_after = models.DecimalField(max_digits=12, decimal_places=3)
    reason = models.CharField(max_length=200, blank=True, default="")
    user = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, on_delete=models.SET_NULL, related_name="+"
    )
    document_type = models.CharField(max_length=32)
    document_id = models.BigIntegerField()
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        ordering = ["-created_at", "-id"]
        default_permissions = ("view",)
        indexes = [
            models.Index(fields=["company", "-created_at", "-id"], name="movement_company_recent"),
            models.Index(fields=["company", "product", "location"], name="movement_place"),
            models.Index(fields=["document_type", "document_id"], name="movement_document"),
        ]

    def __str__(self):
        return f"{self.kind} {self.quantity} of {self.product_id}@{self.location_id}"
