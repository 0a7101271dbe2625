from django.apps import AppConfig


class ConfigConfig(AppConfig):
    """The project's shared plumbing: an app for its idempotency keys table and its checks."""

    default_auto_field = "django.db.models.BigAutoField"
    name = "config"
    verbose_name = "API plumbing"

    def ready(self):
        from . import checks  # noqa: F401 - registers the deployment checks
