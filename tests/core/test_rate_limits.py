"""Rate limits use memory by default and Redis when configured (REDIS_URL in production)."""

import threading
import time

import os

import pytest

from participation.core.limits import RateLimits
from participation.extensions import rate_limits
from tests.conftest import csrf_token
from tests.factories import make_user
from tests.conftest import Clock

REDIS_URL = os.environ.get("TEST_REDIS_URL")


def test_default_storage_is_in_memory_without_an_expiry_thread(monkeypatch):
    from config import DevelopmentConfig
    from participation.core.limit_storage import SweepingMemoryStorage

    monkeypatch.delenv("REDIS_URL", raising=False)
    assert DevelopmentConfig().RATELIMIT_STORAGE_URI == "sweeping-memory://"
    storage = limits_storage("sweeping-memory://")
    assert isinstance(storage, SweepingMemoryStorage)
    started = []
    monkeypatch.setattr(threading.Timer, "start", lambda timer: started.append(timer))
    for i in range(5):
        time.sleep(
            0.02
        )  # longer than the 10 ms after which limits' MemoryStorage starts another thread
        storage.incr(f"user:{i}", expiry=60)
    assert started == []
    assert storage.get("user:4") == 1


def test_the_in_memory_counters_expire_and_are_swept(monkeypatch):
    clock = Clock(1_800_000_000.0)
    monkeypatch.setattr(
        time, "time", clock
    )  # limits' MemoryStorage stamps and checks expiry with time.time()
    storage = limits_storage("sweeping-memory://")
    storage.incr("ip:203.0.113.9", expiry=60)
    storage.incr("ip:203.0.113.9", expiry=60)
    storage.incr("user:1", expiry=3600)
    clock.now += 59
    assert storage.get("ip:203.0.113.9") == 2
    clock.now += 1
    assert storage.get("ip:203.0.113.9") == 0  # an expired window counts nothing, swept or not
    storage.incr("ip:198.51.100.1", expiry=60)
    clock.now += 61
    assert "ip:198.51.100.1" in storage.storage  # expired, but nothing has read or swept it yet
    storage.next_sweep = 0  # as if SWEEP_SECONDS had passed
    storage.incr("user:2", expiry=60)
    assert "ip:198.51.100.1" not in storage.storage
    assert storage.get("user:1") == 1


def test_the_app_limits_with_the_configured_storage(app):
    from participation.core.limit_storage import SweepingMemoryStorage

    assert isinstance(RateLimits.strategy().storage, SweepingMemoryStorage)


def limits_storage(uri):
    from limits.storage import storage_from_string

    return storage_from_string(uri)


def test_redis_url_selects_redis_storage(monkeypatch):
    from config import DevelopmentConfig

    monkeypatch.setenv("REDIS_URL", "redis://example.invalid:6379/0")
    assert DevelopmentConfig().RATELIMIT_STORAGE_URI == "redis://example.invalid:6379/0"


@pytest.fixture
def redis_url():
    if not REDIS_URL:
        if os.environ.get("REQUIRE_REDIS") == "1":
            pytest.fail("TEST_REDIS_URL is not set but REQUIRE_REDIS=1")
        pytest.skip("set TEST_REDIS_URL=redis://127.0.0.1:6379/15 to test Redis-backed limits")
    import redis

    client = redis.Redis.from_url(REDIS_URL)
    client.flushdb()
    yield REDIS_URL
    client.flushdb()
    client.close()


@pytest.fixture
def config_overrides(request):
    if "redis_url" in request.fixturenames:
        return {"RATELIMIT_STORAGE_URI": request.getfixturevalue("redis_url")}
    return {}


def test_login_limit_with_redis_storage(redis_url, app, client):
    assert app.config["RATELIMIT_STORAGE_URI"] == redis_url
    user = make_user()
    token = csrf_token(client, "/fr/account/login")
    statuses = [
        client.post(
            "/fr/account/login",
            data={"email": user.email, "password": "wrong", "csrf_token": token},
        ).status_code
        for _ in range(11)
    ]
    assert statuses[:10] == [200] * 10
    assert statuses[10] == 429
    import redis

    assert redis.Redis.from_url(redis_url).dbsize() > 0  # the counters live in Redis
    rate_limits.reset()
