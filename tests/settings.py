"""The production settings, with what a test client over plain HTTP needs."""

import os

os.environ.setdefault("SECRET_KEY", "tests-only-secret-key-not-for-production-use")
os.environ.setdefault("DEBUG", "false")
os.environ.setdefault("SECURE_SSL_REDIRECT", "false")

from config.settings import *  # noqa: F403

# No collectstatic in tests: the admin's pages find their files in the apps.
STORAGES = {
    **STORAGES,  # noqa: F405
    "staticfiles": {"BACKEND": "django.contrib.staticfiles.storage.StaticFilesStorage"},
}
