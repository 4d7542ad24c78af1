"""Graceful degradation (issue 14, item 6): with PostgreSQL away every request is answered 503 with
Retry-After, in the page's language, never 500, and no write answered 503 was committed; service
comes back within 10 s of the database's return without restarting the application. With Redis
away pages and signing go on, the limits counted in the process's memory with a warning, and in
Redis again once it answers.

The application reaches PostgreSQL and Redis through tests/tcp_proxy.py, which the tests cut and
restore: the real servers, which others use, are never stopped."""

import logging
import os
import re
import socket
import time
from html import unescape

import pytest
import redis
import sqlalchemy as sa
from flask import abort
from flask_babel import force_locale
from sqlalchemy import event
from sqlalchemy.engine import make_url

from participation.auth.models import Role
from participation.comments.models import Comment
from participation.core import policy
from participation.core.errors import ERROR_MESSAGES, ERROR_TITLES, RETRY_AFTER_SECONDS
from participation.core.i18n import FORMAT_LOCALES
from participation.core.limits import FallbackStorage, RateLimits, make_storage
from participation.core.switches import SiteSwitch, Switch
from participation.extensions import db
from participation.petitions.models import Signature
from tests.conftest import Login, csrf_token
from tests.factories import make_user
from tests.petition_world import citizen, open_petition
from tests.tcp_proxy import TcpProxy

POSTGRES_URL = os.environ.get("TEST_DATABASE_URL")
REDIS_URL = os.environ.get("TEST_REDIS_URL")
RECOVERY_SECONDS = 10  # the bound, from the database's return to a served page
LANGUAGES = ("ar", "fr", "zgh")
DIRECTIONS = {"ar": "rtl", "fr": "ltr", "zgh": "ltr"}


@pytest.fixture(scope="module")
def postgres_proxy():
    if not POSTGRES_URL:
        pytest.skip("a PostgreSQL outage needs PostgreSQL: set TEST_DATABASE_URL (CI does)")
    url = make_url(POSTGRES_URL)
    proxy = TcpProxy((url.host or "127.0.0.1", url.port or 5432))
    yield proxy
    proxy.close()


@pytest.fixture
def database_link(postgres_proxy):
    """The application's only way to PostgreSQL; whole again after the test."""
    yield postgres_proxy
    postgres_proxy.restore()


@pytest.fixture(scope="module")
def redis_proxy():
    if not REDIS_URL:
        if os.environ.get("REQUIRE_REDIS") == "1":
            pytest.fail("TEST_REDIS_URL is not set but REQUIRE_REDIS=1")
        pytest.skip("a Redis outage needs Redis: set TEST_REDIS_URL=redis://127.0.0.1:6379/15")
    url = make_url(REDIS_URL)
    proxy = TcpProxy((url.host or "127.0.0.1", url.port or 6379))
    yield proxy
    proxy.close()


@pytest.fixture
def redis_link(redis_proxy):
    """The application's only way to Redis (an emptied database); whole again after the test."""
    client = redis.Redis.from_url(REDIS_URL)
    client.flushdb()
    yield redis_proxy
    redis_proxy.restore()
    client.flushdb()
    client.close()


@pytest.fixture
def config_overrides(request):
    overrides = {}
    if "database_link" in request.fixturenames:
        proxy = request.getfixturevalue("postgres_proxy")
        url = make_url(POSTGRES_URL).set(
            drivername="postgresql+psycopg", host="127.0.0.1", port=proxy.port
        )
        overrides["SQLALCHEMY_DATABASE_URI"] = url.render_as_string(hide_password=False)
    if "redis_link" in request.fixturenames:
        proxy = request.getfixturevalue("redis_proxy")
        overrides["RATELIMIT_STORAGE_URI"] = proxy.url(
            "redis", "/" + (make_url(REDIS_URL).database or "0")
        )
    return overrides


class Petition:
    """A petition's addresses, kept as plain values: the tests drop their session."""

    def __init__(self, petition):
        self.id, self.slug = petition.id, petition.slug

    def page(self, lang="fr"):
        return f"/{lang}/petitions/{self.id}-{self.slug}"


def assert_unavailable(response, lang="fr"):
    """A 503 with Retry-After: the translated page of `lang`, made without the database."""
    assert response.status_code == 503, response.get_data(as_text=True)[:2000]
    assert response.headers["Retry-After"] == str(RETRY_AFTER_SECONDS)
    assert "no-store" in response.headers["Cache-Control"]
    html = response.get_data(as_text=True)
    opening = re.search(r"<html[^>]*>", html).group(0)
    assert opening == f'<html lang="{lang}" dir="{DIRECTIONS[lang]}">'
    with force_locale(FORMAT_LOCALES[lang]):
        title, message = str(ERROR_TITLES[503]), str(ERROR_MESSAGES[503])
    assert re.search(r"<h1>(.*?)</h1>", html, re.S).group(1).strip() == title
    assert message in unescape(html)
    assert "account-nav" not in html


def count(model, **where):
    db.session.remove()
    query = sa.select(sa.func.count()).select_from(model)
    for name, value in where.items():
        query = query.where(getattr(model, name) == value)
    return db.session.scalar(query)


def served_again(client, path):
    """Ask for `path` until it is served; every answer meanwhile is a 503. The seconds it took."""
    returned = time.monotonic()
    deadline = returned + RECOVERY_SECONDS
    while True:
        response = client.get(path)
        if response.status_code == 200:
            return time.monotonic() - returned
        assert_unavailable(response, path.split("/")[1])
        assert time.monotonic() < deadline, f"{path} not served {RECOVERY_SECONDS} s after"
        time.sleep(0.2)


def test_postgresql_away_is_a_503_everywhere_then_service_returns(
    app, client, login, database_link, world
):
    petition = Petition(open_petition()[0])
    signer = citizen()
    signer_id = signer.id
    moderator = make_user(roles=[Role.MODERATOR])
    # Every page's banner and a moderator's backlog notice read the database: not on this page.
    db.session.add(SiteSwitch(key=Switch.BANNER.value, enabled=True, message={"fr": "Annonce"}))
    db.session.commit()
    app.config["MODERATION_BACKLOG_NOTICE"] = 0
    moderators = app.test_client()
    Login(moderators)(moderator)
    login(signer)
    token = csrf_token(client, petition.page())
    db.session.remove()  # as in production, requests start with no transaction open
    assert client.get(petition.page()).status_code == 200

    database_link.cut()
    for lang in LANGUAGES:
        assert_unavailable(client.get(petition.page(lang)), lang)
        assert_unavailable(app.test_client().get(petition.page(lang)), lang)  # anonymous
    assert_unavailable(moderators.get("/fr/petitions/"))
    assert_unavailable(client.get("/fr/no-such-page"))  # a 404 page needs the account: 503
    signing = client.post(
        f"/fr/petitions/{petition.id}/sign", data={"consent": "y", "csrf_token": token}
    )
    assert_unavailable(signing)
    comment = client.post(
        f"/fr/comments/petition/{petition.id}", data={"body": "Je soutiens.", "csrf_token": token}
    )
    assert_unavailable(comment)
    api = client.get(f"/api/v1/petitions/{petition.id}")
    assert (api.status_code, api.json["error"]) == (503, "unavailable")
    assert api.headers["Retry-After"] == str(RETRY_AFTER_SECONDS)

    database_link.restore()
    assert served_again(client, petition.page()) < RECOVERY_SECONDS
    # Nothing answered 503 was written; signing (its own engine) and commenting work again.
    assert count(Signature, petition_id=petition.id) == 0
    assert count(Comment) == 0
    signing = client.post(
        f"/fr/petitions/{petition.id}/sign", data={"consent": "y", "csrf_token": token}
    )
    assert signing.status_code == 302
    assert count(Signature, petition_id=petition.id, user_id=signer_id) == 1


def test_a_write_whose_commit_failed_is_a_503_and_is_not_kept(
    app, client, login, database_link, world
):
    petition = Petition(open_petition()[0])
    login(citizen())
    token = csrf_token(client, petition.page())
    db.session.remove()

    def cut_before_the_commit(connection):
        database_link.cut()  # the INSERT went through; its COMMIT meets a dead connection

    event.listen(db.engine, "commit", cut_before_the_commit)
    try:
        response = client.post(
            f"/fr/comments/petition/{petition.id}",
            data={"body": "Je soutiens.", "csrf_token": token},
        )
    finally:
        event.remove(db.engine, "commit", cut_before_the_commit)
    assert_unavailable(response)
    database_link.restore()
    served_again(client, petition.page())
    assert count(Comment) == 0


def _database_failures(app):
    import psycopg

    @app.route("/<lang:lang_code>/test-database-away")
    @policy.public
    def database_away():
        raise psycopg.OperationalError("connection refused")

    @app.route("/<lang:lang_code>/test-pool-timeout")
    @policy.public
    def pool_timeout():
        raise sa.exc.TimeoutError("QueuePool limit reached")

    @app.route("/<lang:lang_code>/test-integrity")
    @policy.public
    def integrity():
        raise sa.exc.IntegrityError("INSERT", {}, Exception("duplicate key"))

    @app.route("/api/v1/test-database-away")
    @policy.public
    def api_database_away():
        raise sa.exc.OperationalError("SELECT 1", {}, Exception("server closed the connection"))

    @app.route("/<lang:lang_code>/test-aborted-503")
    @policy.public
    def aborted():
        abort(503)


with_database_failures = pytest.mark.parametrize(
    "extend_app", [_database_failures], ids=["database failures"]
)


@with_database_failures
@pytest.mark.parametrize("lang", LANGUAGES)
@pytest.mark.parametrize("path", ["test-database-away", "test-pool-timeout"])
def test_database_errors_are_503_pages_in_the_language_of_the_url(app, lang, path, caplog):
    with caplog.at_level(logging.WARNING, logger="participation.core.errors"):
        assert_unavailable(app.test_client().get(f"/{lang}/{path}"), lang)
    assert "database unavailable on GET" in caplog.text


@with_database_failures
def test_database_errors_are_503_json_under_the_api(app):
    response = app.test_client().get("/api/v1/test-database-away")
    assert response.status_code == 503
    assert response.json == {"error": "unavailable", "message": str(ERROR_MESSAGES[503])}
    assert response.headers["Retry-After"] == str(RETRY_AFTER_SECONDS)


@with_database_failures
def test_other_database_errors_stay_500(app):
    app.config["PROPAGATE_EXCEPTIONS"] = False
    assert app.test_client().get("/fr/test-integrity").status_code == 500


@with_database_failures
def test_an_aborted_503_is_the_translated_page(app):
    response = app.test_client().get("/zgh/test-aborted-503")
    assert response.status_code == 503
    with force_locale(FORMAT_LOCALES["zgh"]):
        assert str(ERROR_TITLES[503]) in response.get_data(as_text=True)


# Redis ------------------------------------------------------------------------------------------


def test_signing_goes_on_without_redis_then_counts_in_redis_again(
    app, client, login, redis_link, world, caplog
):
    storage = RateLimits.strategy().storage
    assert isinstance(storage, FallbackStorage)
    storage.retry_seconds = 0  # try Redis again at the next hit, not FALLBACK_RETRY_SECONDS later
    petition = Petition(open_petition()[0])
    redis_link.cut()
    with caplog.at_level(logging.WARNING, logger="participation.core.limits"):
        first = citizen()
        login(first)
        first = first.id
        response = client.post(
            f"/fr/petitions/{petition.id}/sign",
            data={"consent": "y", "csrf_token": csrf_token(client, petition.page())},
        )
        assert response.status_code == 302
        assert storage.in_fallback
        assert "rate-limit storage unreachable" in caplog.text
        # Counted, not held: the limits were within bounds, counted in memory.
        assert count(Signature, user_id=first, status="counted") == 1

        redis_link.restore()
        second = citizen()
        login(second)
        second = second.id
        response = client.post(
            f"/fr/petitions/{petition.id}/sign",
            data={"consent": "y", "csrf_token": csrf_token(client, petition.page())},
        )
        assert response.status_code == 302
    assert not storage.in_fallback
    assert "rate-limit storage reachable again" in caplog.text
    assert count(Signature, user_id=second, status="counted") == 1
    keys = redis.Redis.from_url(REDIS_URL).keys("*")
    assert any(f"/user:{second}/".encode() in key for key in keys)  # counted in Redis again
    assert not any(f"/user:{first}/".encode() in key for key in keys)


def _closed_port():
    with socket.create_server(("127.0.0.1", 0)) as listener:
        return listener.getsockname()[1]


def test_limits_hold_in_memory_while_the_shared_storage_is_away(caplog):
    """No Redis needed: a storage address where nothing listens."""
    from limits import parse
    from limits.strategies import FixedWindowRateLimiter

    storage = make_storage(f"redis://127.0.0.1:{_closed_port()}/0")
    limiter = FixedWindowRateLimiter(storage)
    with caplog.at_level(logging.WARNING, logger="participation.core.limits"):
        answers = [limiter.hit(parse("2 per minute"), "sign", "user:1") for _ in range(3)]
    assert answers == [True, True, False]
    assert storage.in_fallback
    assert caplog.text.count("rate-limit storage unreachable") == 1  # once per outage
    assert storage.get("sign/user:1") >= 0  # reads answer from memory too


def test_memory_storages_need_no_fallback():
    from participation.core.limit_storage import SweepingMemoryStorage

    assert isinstance(make_storage("sweeping-memory://"), SweepingMemoryStorage)
