"""Settings, read from the environment and from the `.env` file at the project root."""

import re
import sys
from datetime import timedelta
from pathlib import Path

import environ

BASE_DIR = Path(__file__).resolve().parent.parent

env = environ.Env()
environ.Env.read_env(BASE_DIR / ".env", overwrite=False)

DEBUG = env.bool("DEBUG", default=False)
SECRET_KEY = env.str("SECRET_KEY", default="")
if not SECRET_KEY:
    if not DEBUG:
        # One line on stderr and a non-zero exit, rather than a traceback.
        sys.exit(
            "Refusing to start: SECRET_KEY is not set (set it in the environment or .env, "
            "or DEBUG=true for local development)."
        )
    SECRET_KEY = "django-insecure-local-development-only"  # noqa: S105

ALLOWED_HOSTS = env.list("ALLOWED_HOSTS", default=["localhost", "127.0.0.1", "[::1]"])
CSRF_TRUSTED_ORIGINS = env.list("CSRF_TRUSTED_ORIGINS", default=[])

INSTALLED_APPS = [
    # First, so that its templates (the back office's header) override the admin's own.
    "config",
    "config.backoffice.apps.BackOfficeAdminConfig",
    "django.contrib.auth",
    "django.contrib.contenttypes",
    "django.contrib.sessions",
    "django.contrib.messages",
    "django.contrib.staticfiles",
    "django.contrib.postgres",
    "rest_framework",
    "knox",
    "django_filters",
    "drf_spectacular",
    "drf_spectacular_sidecar",
    "drf_standardized_errors",
    "companies",
    "accounts",
    "catalog",
    "inventory",
    "sales",
    "analytics",
]

MIDDLEWARE = [
    "config.request_id.RequestIdMiddleware",
    "django.middleware.security.SecurityMiddleware",
    "whitenoise.middleware.WhiteNoiseMiddleware",
    "django.contrib.sessions.middleware.SessionMiddleware",
    "django.middleware.common.CommonMiddleware",
    "django.middleware.csrf.CsrfViewMiddleware",
    "django.contrib.auth.middleware.AuthenticationMiddleware",
    "django.contrib.messages.middleware.MessageMiddleware",
    "django.middleware.clickjacking.XFrameOptionsMiddleware",
]

ROOT_URLCONF = "config.urls"
WSGI_APPLICATION = "config.wsgi.application"
APPEND_SLASH = False

TEMPLATES = [
    {
        "BACKEND": "django.template.backends.django.DjangoTemplates",
        "DIRS": [],
        "APP_DIRS": True,
        "OPTIONS": {
            "context_processors": [
                "django.template.context_processors.request",
                "django.contrib.auth.context_processors.auth",
                "django.contrib.messages.context_processors.messages",
            ],
        },
    },
]

# Without DATABASE_URL a newcomer gets an embedded SQLite file; production and CI use PostgreSQL.
SQLITE_DEFAULT = f"sqlite:///{BASE_DIR / 'db.sqlite3'}"
DATABASES = {"default": env.db_url_config(env.str("DATABASE_URL", default="") or SQLITE_DEFAULT)}
if DATABASES["default"]["ENGINE"] == "django.db.backends.sqlite3":
    DATABASES["default"].setdefault("OPTIONS", {}).update(
        {
            "transaction_mode": "IMMEDIATE",
            "timeout": 20,
            "init_command": "PRAGMA journal_mode=WAL; PRAGMA synchronous=NORMAL;",
        }
    )
elif DATABASES["default"]["ENGINE"] == "django.db.backends.postgresql":
    DATABASES["default"]["ENGINE"] = "config.postgresql"
    DATABASES["default"]["CONN_MAX_AGE"] = env.int("CONN_MAX_AGE", default=60)
    DATABASES["default"]["CONN_HEALTH_CHECKS"] = True
    # JIT compiles only queries above jit_above_cost, here the year-long reports, and spent
    # more compiling them (50 to 300 ms a report, bench/README.md) than it saved.
    DATABASES["default"].setdefault("OPTIONS", {}).setdefault("options", "-c jit=off")
DEFAULT_AUTO_FIELD = "django.db.models.BigAutoField"

CACHES = {"default": env.cache_url("CACHE_URL", default="locmemcache://")}

AUTH_USER_MODEL = "accounts.User"
AUTHENTICATION_BACKENDS = ["accounts.backends.MembershipBackend"]
AUTH_PASSWORD_VALIDATORS = [
    {"NAME": "django.contrib.auth.password_validation.UserAttributeSimilarityValidator"},
    {"NAME": "django.contrib.auth.password_validation.MinimumLengthValidator"},
    {"NAME": "django.contrib.auth.password_validation.CommonPasswordValidator"},
    {"NAME": "django.contrib.auth.password_validation.NumericPasswordValidator"},
]

LANGUAGE_CODE = "en-us"
TIME_ZONE = "UTC"
USE_I18N = True
USE_TZ = True

STATIC_URL = "static/"
STATIC_ROOT = BASE_DIR / "staticfiles"
STORAGES = {
    "default": {"BACKEND": "django.core.files.storage.FileSystemStorage"},
    "staticfiles": {"BACKEND": "whitenoise.storage.CompressedManifestStaticFilesStorage"},
}
if DEBUG:
    STORAGES["staticfiles"] = {"BACKEND": "django.contrib.staticfiles.storage.StaticFilesStorage"}

# Identity: X-User-Id / X-Company-Id headers are a v1 convenience, trusted only as configured.
IDENTITY_HEADERS_ENABLED = env.bool("IDENTITY_HEADERS_ENABLED", default=True)
IDENTITY_HEADERS_SECRET = env.str("IDENTITY_HEADERS_SECRET", default="")
BOOTSTRAP_TOKEN = env.str("BOOTSTRAP_TOKEN", default="")

REST_KNOX = {
    "AUTH_HEADER_PREFIX": "Bearer",
    "TOKEN_TTL": timedelta(hours=env.int("TOKEN_TTL_HOURS", default=12)),
    "TOKEN_LIMIT_PER_USER": None,
    "AUTO_REFRESH": False,
}

THROTTLE_RATES = {
    "user": env.str("THROTTLE_USER_RATE", default="1200/minute"),
    "bootstrap": env.str("THROTTLE_BOOTSTRAP_RATE", default="10/hour"),
    "auth": env.str("THROTTLE_AUTH_RATE", default="20/minute"),
}
for _scope, _rate in THROTTLE_RATES.items():
    if not re.fullmatch(r"[1-9][0-9]*/(s|sec|second|m|min|minute|h|hour|d|day)", _rate):
        sys.exit(
            f"Refusing to start: THROTTLE_{_scope.upper()}_RATE={_rate!r} is not of the form "
            "N/second|minute|hour|day."
        )

REST_FRAMEWORK = {
    "DEFAULT_AUTHENTICATION_CLASSES": [
        "accounts.authentication.BearerTokenAuthentication",
        "accounts.authentication.IdentityHeaderAuthentication",
    ],
    "DEFAULT_PERMISSION_CLASSES": ["config.api.permissions.DenyAll"],
    "DEFAULT_PAGINATION_CLASS": "config.api.pagination.PageNumberPagination",
    "PAGE_SIZE": 50,
    "DEFAULT_FILTER_BACKENDS": ["config.api.filters.FilterBackend"],
    "DEFAULT_RENDERER_CLASSES": ["rest_framework.renderers.JSONRenderer"],
    "DEFAULT_PARSER_CLASSES": [
        "config.api.parsers.JSONParser",
    ],
    "DEFAULT_SCHEMA_CLASS": "config.api.schema.AutoSchema",
    "EXCEPTION_HANDLER": "drf_standardized_errors.handler.exception_handler",
    "DEFAULT_THROTTLE_CLASSES": ["config.api.throttling.UserRateThrottle"],
    "DEFAULT_THROTTLE_RATES": THROTTLE_RATES,
    "NUM_PROXIES": env.int("NUM_PROXIES", default=0),
    "COERCE_DECIMAL_TO_STRING": True,
    "UNAUTHENTICATED_USER": None,
    "TEST_REQUEST_DEFAULT_FORMAT": "json",
}

DRF_STANDARDIZED_ERRORS = {
    "EXCEPTION_HANDLER_CLASS": "config.api.errors.ExceptionHandler",
    "EXCEPTION_FORMATTER_CLASS": "config.api.errors.ExceptionFormatter",
    "ALLOWED_ERROR_STATUS_CODES": [
        "400",
        "401",
        "403",
        "404",
        "409",
        "413",
        "415",
        "422",
        "429",
        "500",
    ],
    "ERROR_SCHEMAS": {
        "413": "config.api.schema.PayloadTooLargeErrorResponseSerializer",
        "409": "config.api.schema.ConflictErrorResponseSerializer",
        "422": "config.api.schema.IdempotencyErrorResponseSerializer",
    },
}

SPECTACULAR_SETTINGS = {
    "TITLE": "POS backend API",
    "DESCRIPTION": (
        "Multi-tenant point-of-sale API. Identify with `X-User-Id` + `X-Company-Id` headers "
        "or `Authorization: Bearer <token>` + `X-Company-Id`. Errors share one envelope: "
        '`{"type", "errors": [{"code", "detail", "attr"}]}`. Lists are paginated.'
    ),
    "VERSION": "1.0.0",
    "SERVE_INCLUDE_SCHEMA": False,
    "SERVE_AUTHENTICATION": [],
    # Swagger UI's files are served from this server (no CDN: it must work offline).
    "SWAGGER_UI_DIST": "SIDECAR",
    "SWAGGER_UI_FAVICON_HREF": "SIDECAR",
    "COMPONENT_SPLIT_REQUEST": True,
    "ENUM_NAME_OVERRIDES": {
        name: f"drf_standardized_errors.openapi_serializers.{name}.choices"
        for name in (
            "ValidationErrorEnum",
            "ClientErrorEnum",
            "ServerErrorEnum",
            "ErrorCode401Enum",
            "ErrorCode403Enum",
            "ErrorCode404Enum",
            "ErrorCode405Enum",
            "ErrorCode406Enum",
            "ErrorCode415Enum",
            "ErrorCode429Enum",
            "ErrorCode500Enum",
        )
    }
    | {
        "LocationKindEnum": "companies.models.LocationKind",
        "DocumentKindEnum": "inventory.models.DocumentKind",
        "MovementKindEnum": "inventory.models.MovementKind",
        "ShiftStatusEnum": "sales.models.ShiftStatus",
        "SaleStatusEnum": "sales.models.SaleStatus",
        "PaymentMethodEnum": "sales.models.PaymentMethod",
        "CashMovementKindEnum": "sales.models.CashMovementKind",
        "AlertKindEnum": "analytics.models.AlertKind",
        "AlertSeverityEnum": "analytics.models.AlertSeverity",
        "AlertStatusEnum": "analytics.models.AlertStatus",
    },
    "POSTPROCESSING_HOOKS": [
        "drf_standardized_errors.openapi_hooks.postprocess_schema_enums",
        "config.api.schema.postprocess_error_attrs",
        "config.api.schema.postprocess_query_text",
    ],
}

# TLS ends at the proxy; these default on in production and can be turned off explicitly.
# Only behind a proxy that sets X-Forwarded-Proto itself; a client reaching the app directly
# could otherwise claim https.
if env.bool("TRUST_X_FORWARDED_PROTO", default=True):
    SECURE_PROXY_SSL_HEADER = ("HTTP_X_FORWARDED_PROTO", "https")
SECURE_SSL_REDIRECT = env.bool("SECURE_SSL_REDIRECT", default=not DEBUG)
SESSION_COOKIE_SECURE = env.bool("SESSION_COOKIE_SECURE", default=not DEBUG)
CSRF_COOKIE_SECURE = env.bool("CSRF_COOKIE_SECURE", default=not DEBUG)
SECURE_HSTS_SECONDS = env.int("SECURE_HSTS_SECONDS", default=0 if DEBUG else 31536000)
SECURE_HSTS_INCLUDE_SUBDOMAINS = env.bool("SECURE_HSTS_INCLUDE_SUBDOMAINS", default=not DEBUG)
SECURE_HSTS_PRELOAD = env.bool("SECURE_HSTS_PRELOAD", default=not DEBUG)
SECURE_CONTENT_TYPE_NOSNIFF = True
SECURE_REFERRER_POLICY = "same-origin"
X_FRAME_OPTIONS = "DENY"
# /health answers plain HTTP to load balancers and probes on loopback.
SECURE_REDIRECT_EXEMPT = [r"^api/v1/health/?$"]

# The most lines one stock document or sale may carry.
DOCUMENT_MAX_LINES = env.int("DOCUMENT_MAX_LINES", default=500)
# Idempotency keys are kept this long (at least 24 hours), and a claim is taken over when the
# request that made it has run this many seconds (its worker died).
IDEMPOTENCY_KEY_TTL_HOURS = max(24, env.int("IDEMPOTENCY_KEY_TTL_HOURS", default=48))
IDEMPOTENCY_CLAIM_TIMEOUT = env.int("IDEMPOTENCY_CLAIM_TIMEOUT", default=120)

# Alert rules' thresholds (analytics/rules.py).
ALERT_STOCKOUT_WINDOW_DAYS = env.int("ALERT_STOCKOUT_WINDOW_DAYS", default=28)
ALERT_STOCKOUT_COVER_DAYS = env.int("ALERT_STOCKOUT_COVER_DAYS", default=7)
ALERT_CASH_DIFFERENCE_PERCENT = env.int("ALERT_CASH_DIFFERENCE_PERCENT", default=1)
ALERT_CASH_DIFFERENCE_AMOUNT = env.int("ALERT_CASH_DIFFERENCE_AMOUNT", default=10)
ALERT_REFUND_WINDOW_DAYS = env.int("ALERT_REFUND_WINDOW_DAYS", default=7)
ALERT_REFUND_FACTOR = env.int("ALERT_REFUND_FACTOR", default=3)
ALERT_REFUND_MIN_EVENTS = env.int("ALERT_REFUND_MIN_EVENTS", default=3)
ALERT_DEAD_STOCK_DAYS = env.int("ALERT_DEAD_STOCK_DAYS", default=60)
ALERT_LOOKBACK_DAYS = env.int("ALERT_LOOKBACK_DAYS", default=30)

# Product CSV imports: the largest file and the most rows one import takes.
IMPORT_MAX_BYTES = env.int("IMPORT_MAX_BYTES", default=10 * 1024 * 1024)
IMPORT_MAX_ROWS = env.int("IMPORT_MAX_ROWS", default=100_000)
DATA_UPLOAD_MAX_MEMORY_SIZE = env.int("DATA_UPLOAD_MAX_MEMORY_SIZE", default=2 * 1024 * 1024)
FILE_UPLOAD_MAX_MEMORY_SIZE = env.int("FILE_UPLOAD_MAX_MEMORY_SIZE", default=10 * 1024 * 1024)

LOG_LEVEL = env.str("LOG_LEVEL", default="INFO").upper()
LOGGING = {
    "version": 1,
    "disable_existing_loggers": False,
    "filters": {"request_id": {"()": "config.request_id.RequestIdLogFilter"}},
    "formatters": {
        "plain": {
            "format": "%(asctime)s %(levelname)s %(name)s [request_id=%(request_id)s] %(message)s"
        }
    },
    "handlers": {
        "console": {
            "class": "logging.StreamHandler",
            "filters": ["request_id"],
            "formatter": "plain",
        }
    },
    "root": {"handlers": ["console"], "level": LOG_LEVEL},
    "loggers": {
        "django.db.backends": {"level": "INFO"},
    },
}
