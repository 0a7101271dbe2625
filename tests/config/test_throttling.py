"""The fixed-window throttle: counted in the default cache, in one Redis round trip on Redis."""

import uuid

import pytest
import redis
from django.conf import settings as django_settings
from django.core.cache import caches

from config.api import throttling

REDIS_URL = "redis://127.0.0.1:6379/15"


def limit_users_to(settings, rate: str):
    rates = {**django_settings.REST_FRAMEWORK["DEFAULT_THROTTLE_RATES"], "user": rate}
    settings.REST_FRAMEWORK = {**django_settings.REST_FRAMEWORK, "DEFAULT_THROTTLE_RATES": rates}


def statuses(client, count: int) -> list[int]:
    return [client.get("/api/v1/me").status_code for _ in range(count)]


@pytest.fixture
def redis_cache(settings):
    """The default cache on a Redis database of its own, under a fresh key prefix."""
    client = redis.Redis.from_url(REDIS_URL)
    try:
        client.ping()
    except redis.ConnectionError:
        pytest.skip("needs Redis on 127.0.0.1:6379")
    prefix = f"test-{uuid.uuid4().hex}"
    settings.CACHES = {
        "default": {
            "BACKEND": throttling.REDIS_CACHE,
            "LOCATION": REDIS_URL,
            "KEY_PREFIX": prefix,
        }
    }
    yield client
    for key in client.scan_iter(f"{prefix}:*"):
        client.delete(key)
    caches["default"].close()


@pytest.fixture
def clock(monkeypatch):
    """The throttles' clock, at the start of a minute until moved."""
    now = {"t": 1_800_000_000.0}
    monkeypatch.setattr(throttling.FixedWindowThrottle, "timer", lambda self: now["t"])
    return now


@pytest.mark.parametrize("backend", ["locmem", "redis"])
def test_the_rate_holds_within_a_window_and_resets_at_the_next(
    request, tenant, settings, clock, backend
):
    if backend == "redis":
        request.getfixturevalue("redis_cache")
    limit_users_to(settings, "3/minute")
    client = tenant.client()

    assert statuses(client, 4) == [200, 200, 200, 429]
    clock["t"] += 45
    refused = client.get("/api/v1/me")
    assert refused.status_code == 429 and refused["Retry-After"] == "15"
    clock["t"] += 15
    assert statuses(client, 4) == [200, 200, 200, 429]


def test_on_redis_a_window_is_one_counter_that_expires(tenant, settings, clock, redis_cache):
    limit_users_to(settings, "5/minute")
    assert statuses(tenant.client(), 2) == [200, 200]

    [key] = redis_cache.keys(f"{settings.CACHES['default']['KEY_PREFIX']}:*")
    assert int(redis_cache.get(key)) == 2
    assert 0 < redis_cache.ttl(key) <= 61


def test_users_are_counted_apart(tenant, settings, clock, redis_cache):
    limit_users_to(settings, "1/minute")
    first, second = tenant.client(), tenant.client(tenant.member("cashier"))
    assert statuses(first, 2) == [200, 429]
    assert statuses(second, 1) == [200]


def test_on_redis_the_count_survives_a_flush_of_its_script(tenant, settings, clock, redis_cache):
    # The script is sent by its hash; a Redis that restarted or ran SCRIPT FLUSH no longer
    # has it, and the client sends it again.
    limit_users_to(settings, "2/minute")
    client = tenant.client()
    assert statuses(client, 1) == [200]
    redis_cache.script_flush()
    assert statuses(client, 2) == [200, 429]


def test_a_counter_the_script_creates_expires_and_one_it_finds_keeps_its_expiry(redis_cache):
    assert [throttling.count_hit("window", 30) for _ in range(3)] == [1, 2, 3]
    [key] = redis_cache.keys("*:window")
    redis_cache.expire(key, 5)
    assert throttling.count_hit("window", 30) == 4
    assert 0 < redis_cache.ttl(key) <= 5
