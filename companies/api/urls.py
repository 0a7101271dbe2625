from django.urls import re_path

from config.api.routers import OptionalSlashRouter

from . import views

router = OptionalSlashRouter()
router.register("locations", views.LocationViewSet, basename="location")
router.register("registers", views.RegisterViewSet, basename="register")

urlpatterns = [
    re_path(r"^health/?$", views.HealthView.as_view(), name="health"),
    re_path(r"^bootstrap/?$", views.BootstrapView.as_view(), name="bootstrap"),
    re_path(r"^settings/?$", views.SettingsView.as_view(), name="settings"),
    *router.urls,
]
