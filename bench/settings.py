"""The production settings, serving one more route: a bare view the bench compares with."""

from config.settings import *  # noqa: F403

ROOT_URLCONF = "bench.urls"
