from django.urls import re_path

from config.api.routers import OptionalSlashRouter

from . import views

router = OptionalSlashRouter()
router.register("alerts", views.AlertViewSet, basename="alert")

urlpatterns = [
    re_path(r"^reports/sales/?$", views.SalesReportView.as_view(), name="report-sales"),
    re_path(
        r"^reports/inventory-valuation/?$",
        views.InventoryValuationView.as_view(),
        name="report-inventory-valuation",
    ),
    *router.urls,
]
