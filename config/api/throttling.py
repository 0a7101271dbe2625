"""Rates come from settings (THROTTLE_*_RATE); counters live in the configured cache."""

from rest_framework import throttling
from rest_framework.settings import api_settings


class _SettingsRates:
    """Read the rates at request time so settings overrides (tests, env) take effect."""

    def get_rate(self):
        return api_settings.DEFAULT_THROTTLE_RATES[self.scope]


class UserRateThrottle(_SettingsRates, throttling.UserRateThrottle):
    pass


class ClientAddressThrottle(_SettingsRates, throttling.SimpleRateThrottle):
    def get_cache_key(self, request, view):
        return self.cache_format % {"scope": self.scope, "ident": self.get_ident(request)}


class BootstrapRateThrottle(ClientAddressThrottle):
    scope = "bootstrap"


class AuthRateThrottle(ClientAddressThrottle):
    scope = "auth"
