from config.api.routers import OptionalSlashRouter

from . import views

router = OptionalSlashRouter()
router.register("shifts", views.ShiftViewSet, basename="shift")
router.register("sales", views.SaleViewSet, basename="sale")

urlpatterns = router.urls
