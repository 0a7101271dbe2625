"""Rates come from settings (THROTTLE_*_RATE); counters live in the configured cache.

A counter per client and fixed window (a minute for "N/minute"), not DRF's log of every
request's time: DRF reads and rewrites that whole list through the cache on each request (two
round trips, and a list as long as the rate allows), which cost a barcode lookup about a
quarter of its time (bench/README.md). A fixed window lets a client reach twice the rate
across a window's edge, which is fine for abuse limits. With Redis the count is one command: a
script that increments the counter and sets its expiry when it creates it. A MULTI of SET NX EX
and INCR, four commands and four answers, took 116 us of the worker's CPU a count against 91.
"""

import functools

import redis
from django.conf import settings
from django.core.cache import cache
from rest_framework import throttling
from rest_framework.settings import api_settings

REDIS_CACHE = "django.core.cache.backends.redis.RedisCache"


# Atomic in Redis: no other command runs between the INCR and the EXPIRE.
_COUNT_HIT = """
local count = redis.call('INCR', KEYS[1])
if count == 1 then redis.call('EXPIRE', KEYS[1], ARGV[1]) end
return count
"""


@functools.cache
def _redis_counter(location: str):
    return redis.Redis.from_url(location).register_script(_COUNT_HIT)


def _redis_count():
    """The counting script on the default cache's Redis (its first server, which takes the
    writes), or None for another cache backend."""
    config = settings.CACHES["default"]
    if config["BACKEND"] != REDIS_CACHE:
        return None
    location = config["LOCATION"]
    if not isinstance(location, str):
        location = location[0]
    return _redis_counter(location.split(",")[0])


def count_hit(key: str, timeout: int) -> int:
    """Add one to the counter at `key`, created with `timeout` seconds to live; its new value."""
    count = _redis_count()
    if count is not None:
        return count(keys=[cache.make_key(key)], args=[timeout])
    cache.add(key, 0, timeout)
    try:
        return cache.incr(key)
    except ValueError:  # expired between the two calls
        cache.set(key, 1, timeout)
        return 1


class FixedWindowThrottle(throttling.SimpleRateThrottle):
    def get_rate(self):
        # Read at request time so settings overrides (tests, env) take effect.
        return api_settings.DEFAULT_THROTTLE_RATES[self.scope]

    def allow_request(self, request, view):
        if self.rate is None:
            return True
        client_key = self.get_cache_key(request, view)
        if client_key is None:
            return True
        now = self.timer()
        window = int(now // self.duration)
        self.retry_after = (window + 1) * self.duration - now
        return count_hit(f"{client_key}:{window}", self.duration + 1) <= self.num_requests

    def wait(self):
        return self.retry_after


class UserRateThrottle(FixedWindowThrottle, throttling.UserRateThrottle):
    """Per user; an anonymous request counts against its address."""


class ClientAddressThrottle(FixedWindowThrottle):
    def get_cache_key(self, request, view):
        return self.cache_format % {"scope": self.scope, "ident": self.get_ident(request)}


class BootstrapRateThrottle(ClientAddressThrottle):
    scope = "bootstrap"


class AuthRateThrottle(ClientAddressThrottle):
    scope = "auth"
