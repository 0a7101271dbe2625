from django.urls import re_path

from config.api.routers import OptionalSlashRouter

from . import views

router = OptionalSlashRouter()
router.register("permissions", views.PermissionViewSet, basename="permission")
router.register("roles", views.RoleViewSet, basename="role")
router.register("users", views.UserViewSet, basename="user")
router.register("audit-events", views.AuditEventViewSet, basename="audit-event")

urlpatterns = [
    re_path(r"^auth/token/?$", views.TokenView.as_view(), name="auth-token"),
    re_path(r"^me/?$", views.MeView.as_view(), name="me"),
    *router.urls,
]
