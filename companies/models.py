from decimal import Decimal

from django.core.validators import MaxValueValidator, MinValueValidator, RegexValidator
from django.db import models


class Company(models.Model):
    name = models.CharField(max_length=200)
    currency = models.CharField(max_length=3, help_text="ISO 4217 code")
    timezone = models.CharField(max_length=64, help_text="IANA time zone")
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        verbose_name_plural = "companies"
        default_permissions = ()

    def __str__(self):
        return self.name


class CompanySettings(models.Model):
    company = models.OneToOneField(Company, on_delete=models.CASCADE, related_name="settings")
    prices_include_tax = models.BooleanField(default=True)
    allow_negative_stock = models.BooleanField(default=False)
    require_open_shift = models.BooleanField(default=True)
    max_discount_percent = models.DecimalField(
        max_digits=5,
        decimal_places=2,
        default=Decimal("20.00"),
        validators=[MinValueValidator(Decimal("0")), MaxValueValidator(Decimal("100"))],
    )
    receipt_header = models.TextField(blank=True, default="")
    receipt_footer = models.TextField(blank=True, default="")
    low_stock_threshold = models.DecimalField(
        max_digits=12,
        decimal_places=3,
        default=Decimal("5.000"),
        validators=[MinValueValidator(Decimal("0"))],
    )
    updated_at = models.DateTimeField(auto_now=True)

    class Meta:
        verbose_name_plural = "company settings"
        default_permissions = ("change",)
        constraints = [
            models.CheckConstraint(
                condition=models.Q(max_discount_percent__gte=0, max_discount_percent__lte=100),
                name="settings_max_discount_percent_range",
            ),
            models.CheckConstraint(
                condition=models.Q(low_stock_threshold__gte=0),
                name="settings_low_stock_threshold_non_negative",
            ),
        ]

    def __str__(self):
        return f"Settings of {self.company}"


class LocationKind(models.TextChoices):
    STORE = "store", "Store"
    WAREHOUSE = "warehouse", "Warehouse"


class Location(models.Model):
    Kind = LocationKind

    company = models.ForeignKey(Company, on_delete=models.CASCADE, related_name="locations")
    name = models.CharField(max_length=120)
    kind = models.CharField(max_length=16, choices=Kind.choices, default=Kind.STORE)
    is_active = models.BooleanField(default=True)
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        default_permissions = ("view", "add", "change")
        ordering = ["id"]
        constraints = [
            models.UniqueConstraint(fields=["company", "name"], name="location_unique_name"),
        ]

    def __str__(self):
        return self.name


receipt_prefix_validator = RegexValidator(
    r"^[A-Za-z0-9-]{1,12}$", "Use 1 to 12 letters, digits or hyphens."
)


class Register(models.Model):
    company = models.ForeignKey(Company, on_delete=models.CASCADE, related_name="registers")
    location = models.ForeignKey(Location, on_delete=models.PROTECT, related_name="registers")
    name = models.CharField(max_length=120)
    receipt_prefix = models.CharField(max_length=12, validators=[receipt_prefix_validator])
    # The last receipt sequence used; incremented under this row's lock in the sale's transaction.
    receipt_counter = models.PositiveBigIntegerField(default=0)
    is_active = models.BooleanField(default=True)
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        default_permissions = ("view", "add", "change")
        ordering = ["id"]
        constraints = [
            models.UniqueConstraint(fields=["company", "name"], name="register_unique_name"),
            models.UniqueConstraint(
                fields=["company", "receipt_prefix"], name="register_unique_receipt_prefix"
            ),
        ]

    def __str__(self):
        return self.name
