from decimal import Decimal

from django.db import models
from django.db.models import Q

from companies.models import Company


class TaxRate(models.Model):
    company = models.ForeignKey(Company, on_delete=models.CASCADE, related_name="tax_rates")
    name = models.CharField(max_length=64)
    rate = models.DecimalField(max_digits=5, decimal_places=2, help_text="Percent, 0 to 100.")

    class Meta:
        ordering = ["name", "id"]
        constraints = [
            models.UniqueConstraint(fields=["company", "name"], name="taxrate_unique_name"),
            models.CheckConstraint(
                condition=Q(rate__gte=0, rate__lte=100), name="taxrate_rate_0_to_100"
            ),
        ]

    def __str__(self):
        return f"{self.name} ({self.rate}%)"


class Category(models.Model):
    company = models.ForeignKey(Company, on_delete=models.CASCADE, related_name="categories")
    name = models.CharField(max_length=120)
    parent = models.ForeignKey(
        "self", null=True, blank=True, on_delete=models.PROTECT, related_name="children"
    )

    class Meta:
        verbose_name_plural = "categories"
        ordering = ["name", "id"]
        constraints = [
            models.UniqueConstraint(fields=["company", "name"], name="category_unique_name"),
            models.CheckConstraint(
                condition=~Q(parent=models.F("id")), name="category_not_own_parent"
            ),
        ]

    def __str__(self):
        return self.name


WHOLE_QUANTITY = "Sold by the unit: a whole number."


def fits_unit(unit: str, quantity: Decimal) -> bool:
    """Products sold by the unit take whole quantities; weighed or measured ones any."""
    return unit != Product.Unit.UNIT or quantity == quantity.to_integral_value()


class Product(models.Model):
    class Unit(models.TextChoices):
        UNIT = "unit", "Unit"
        KILOGRAM = "kg", "Kilogram"
        LITRE = "l", "Litre"

    company = models.ForeignKey(Company, on_delete=models.CASCADE, related_name="products")
    sku = models.CharField("SKU", max_length=64)
    barcode = models.CharField(max_length=64, blank=True, default="")
    name = models.CharField(max_length=200)
    category = models.ForeignKey(
        Category, null=True, blank=True, on_delete=models.PROTECT, related_name="products"
    )
    tax_rate = models.ForeignKey(
        TaxRate,
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="products",
        help_text="Null: not taxed.",
    )
    price = models.DecimalField(max_digits=14, decimal_places=2)
    cost = models.DecimalField(max_digits=14, decimal_places=2, default=Decimal("0"))
    track_inventory = models.BooleanField(default=True)
    is_active = models.BooleanField(default=True)
    reorder_point = models.DecimalField(max_digits=12, decimal_places=3, default=Decimal("0"))
    unit = models.CharField(max_length=4, choices=Unit.choices, default=Unit.UNIT)
    created_at = models.DateTimeField(auto_now_add=True)
    updated_at = models.DateTimeField(auto_now=True)

    class Meta:
        ordering = ["name", "id"]
        constraints = [
            models.UniqueConstraint(fields=["company", "sku"], name="product_unique_sku"),
            models.UniqueConstraint(
                fields=["company", "barcode"],
                condition=~Q(barcode=""),
                name="product_unique_barcode",
            ),
            models.CheckConstraint(condition=Q(price__gte=0), name="product_price_non_negative"),
            models.CheckConstraint(condition=Q(cost__gte=0), name="product_cost_non_negative"),
            models.CheckConstraint(
                condition=Q(reorder_point__gte=0), name="product_reorder_point_non_negative"
            ),
            models.CheckConstraint(
                condition=Q(unit__in=["unit", "kg", "l"]), name="product_unit_known"
            ),
        ]
        indexes = [models.Index(fields=["company", "name"], name="product_company_name")]

    def __str__(self):
        return f"{self.sku} {self.name}"

    def fits(self, quantity: Decimal) -> bool:
        return fits_unit(self.unit, quantity)


class Customer(models.Model):
    company = models.ForeignKey(Company, on_delete=models.CASCADE, related_name="customers")
    name = models.CharField(max_length=200)
    email = models.EmailField(blank=True, default="")
    phone = models.CharField(max_length=32, blank=True, default="")
    tax_id = models.CharField(max_length=32, blank=True, default="")
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        ordering = ["name", "id"]
        indexes = [models.Index(fields=["company", "name"], name="customer_company_name")]

    def __str__(self):
        return self.name
