"""Deployment checks of our own, run by `manage.py check --deploy`."""

from django.conf import settings
from django.core.checks import Tags, Warning, register


@register(Tags.security, deploy=True)
def check_trust_settings(app_configs, **kwargs):
    warnings = []
    if settings.IDENTITY_HEADERS_ENABLED and not settings.IDENTITY_HEADERS_SECRET:
        warnings.append(
            Warning(
                "Identity headers are trusted from any client: anyone who can reach the server "
                "can act as any user.",
                hint="Set IDENTITY_HEADERS_SECRET (sent by your gateway as X-Gateway-Secret), "
                "or IDENTITY_HEADERS_ENABLED=false to use bearer tokens only.",
                id="pos.W001",
            )
        )
    if not settings.BOOTSTRAP_TOKEN:
        warnings.append(
            Warning(
                "POST /api/v1/bootstrap is open: anyone can create companies.",
                hint="Set BOOTSTRAP_TOKEN.",
                id="pos.W002",
            )
        )
    backend = settings.CACHES["default"]["BACKEND"]
    if backend.endswith(("locmem.LocMemCache", "dummy.DummyCache")):
        warnings.append(
            Warning(
                "The cache is per process, so each worker counts throttles on its own.",
                hint="Set CACHE_URL to a shared cache, e.g. redis://127.0.0.1:6379/0.",
                id="pos.W003",
            )
        )
    return warnings
