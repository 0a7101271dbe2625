from config.api.routers import OptionalSlashRouter

from . import views

router = OptionalSlashRouter()
router.register("stock/movements", views.StockMovementViewSet, basename="stock-movement")
router.register("stock/receipts", views.ReceiptViewSet, basename="stock-receipt")
router.register("stock/adjustments", views.AdjustmentViewSet, basename="stock-adjustment")
router.register("stock/transfers", views.TransferViewSet, basename="stock-transfer")
router.register("stock/counts", views.CountViewSet, basename="stock-count")
router.register("stock", views.StockLevelViewSet, basename="stock-level")

urlpatterns = router.urls
