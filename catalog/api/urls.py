from config.api.routers import OptionalSlashRouter

from . import views

router = OptionalSlashRouter()
router.register("tax-rates", views.TaxRateViewSet, basename="tax-rate")
router.register("categories", views.CategoryViewSet, basename="category")
router.register("products", views.ProductViewSet, basename="product")
router.register("customers", views.CustomerViewSet, basename="customer")

urlpatterns = router.urls
