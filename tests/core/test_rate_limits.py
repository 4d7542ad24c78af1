"""Rate limits use memory by default and Redis when configured (REDIS_URL in production)."""
import os

import pytest

from participation.extensions import limiter
from tests.conftest import csrf_token
from tests.factories import make_user

REDIS_URL = os.environ.get("TEST_REDIS_URL")


def test_default_storage_is_in_memory(app):
    assert app.config["RATELIMIT_STORAGE_URI"] == "memory://"


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
        client.post("/fr/account/login", data={"email": user.email, "password": "wrong", "csrf_token": token}).status_code
        for _ in range(11)
    ]
    assert statuses[:10] == [200] * 10 and statuses[10] == 429
    import redis

    assert redis.Redis.from_url(redis_url).dbsize() > 0  # the counters live in Redis
    limiter.reset()
