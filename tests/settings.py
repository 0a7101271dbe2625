"""The production settings, with what a test client over plain HTTP needs."""

import os

os.environ.setdefault("SECRET_KEY", "tests-only-secret-key-not-for-production-use")
os.environ.setdefault("DEBUG", "false")
os.environ.setdefault("SECURE_SSL_REDIRECT", "false")

from config.settings import *  # noqa: F403
