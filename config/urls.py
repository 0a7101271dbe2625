from django.contrib import admin
from django.urls import include, path, re_path
from drf_spectacular.views import SpectacularAPIView, SpectacularSwaggerView

from config.api import fallback

API_APPS = ["companies", "accounts", "catalog", "inventory", "sales", "analytics"]

urlpatterns = [
    path("admin/", admin.site.urls),
    re_path(r"^api/schema/?$", SpectacularAPIView.as_view(), name="schema"),
    re_path(r"^api/docs/?$", SpectacularSwaggerView.as_view(url_name="schema"), name="docs"),
    path("api/v1/", include([path("", include(f"{app}.api.urls")) for app in API_APPS])),
]

handler400 = fallback.bad_request
handler403 = fallback.permission_denied
handler404 = fallback.not_found
handler500 = fallback.server_error
