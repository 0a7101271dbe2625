from django.http import JsonResponse
from django.urls import path

from config.urls import handler400, handler403, handler404, handler500  # noqa: F401
from config.urls import urlpatterns as production_urlpatterns


def fixed(request):
    """The floor of any API call: Django and its middleware, no database, no DRF."""
    return JsonResponse({"status": "ok"})


urlpatterns = [path("bench/fixed", fixed), *production_urlpatterns]
