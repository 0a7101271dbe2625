from django.conf import settings
from django.core.serializers.json import DjangoJSONEncoder
from django.db import models
from django.db.models import Q

from companies.models import Company


class AlertKind(models.TextChoices):
    LOW_STOCK = "low_stock", "Low stock"
    STOCKOUT_FORECAST = "stockout_forecast", "Stock-out forecast"
    CASH_DIFFERENCE = "cash_difference", "Cash difference"
    REFUND_ANOMALY = "refund_anomaly", "Unusual voids or refunds"
    BELOW_COST_SALE = "below_cost_sale", "Sale below cost"
    DEAD_STOCK = "dead_stock", "Dead stock"


class AlertSeverity(models.TextChoices):
    INFO = "info", "Info"
    WARNING = "warning", "Warning"
    CRITICAL = "critical", "Critical"


class AlertStatus(models.TextChoices):
    OPEN = "open", "Open"
    RESOLVED = "resolved", "Resolved"


class Alert(models.Model):
    """Something an owner should look at; one open alert per kind and subject."""

    Kind = AlertKind
    Severity = AlertSeverity
    Status = AlertStatus

    company = models.ForeignKey(Company, on_delete=models.CASCADE, related_name="+")
    kind = models.CharField(max_length=32, choices=AlertKind.choices)
    severity = models.CharField(max_length=8, choices=AlertSeverity.choices)
    status = models.CharField(max_length=8, choices=AlertStatus.choices, default=AlertStatus.OPEN)
    title = models.CharField(max_length=200)
    message = models.TextField()
    subject_type = models.CharField(max_length=32)
    subject_id = models.BigIntegerField()
    data = models.JSONField(default=dict, blank=True, encoder=DjangoJSONEncoder)
    created_at = models.DateTimeField(auto_now_add=True)
    resolved_at = models.DateTimeField(null=True, blank=True)
    resolved_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )

    class Meta:
        ordering = ["-created_at", "-id"]
        default_permissions = ("view", "add", "change")
        permissions = [("view_reports", "Can view sales and inventory reports")]
        constraints = [
            models.UniqueConstraint(
                fields=["company", "kind", "subject_type", "subject_id"],
                condition=Q(status="open"),
                name="alert_one_open_per_subject",
            )
        ]
        indexes = [models.Index(fields=["company", "status", "kind"], name="alert_company_status")]

    def __str__(self):
        return self.title
