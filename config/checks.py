"""Checks of our own: the database's, at every start; the deployment's, run by
`manage.py check --deploy`."""

import sqlite3

from django.conf import settings
from django.core.checks import Error, Tags, Warning, register

# RETURNING from a bulk insert (3.35) and json_each built in (3.38): config/rows.py uses both.
MIN_SQLITE = (3, 38)


@register(Tags.compatibility)
def check_sqlite_version(app_configs, **kwargs):
    engine = settings.DATABASES["default"]["ENGINE"]
    if engine != "django.db.backends.sqlite3" or sqlite3.sqlite_version_info >= MIN_SQLITE:
        return []
    return [
        Error(
            f"SQLite {sqlite3.sqlite_version} is older than "
            f"{'.'.join(map(str, MIN_SQLITE))}, which this project needs.",
            hint="Use a Python built with a newer SQLite, or PostgreSQL.",
            id="pos.E001",
        )
    ]


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
