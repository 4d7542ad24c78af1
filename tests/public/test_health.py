"""/healthz and /readyz, the load balancer's and the operators' questions to a node (SPEC §9,
issue 14 item 4): alive without a database; ready only with the database reachable, Redis
reachable when configured and the schema at the migrations' head; uncached; and answered for a
probe addressed to the node's own address, which TRUSTED_HOSTS would otherwise refuse."""

import os
import uuid

import pytest
import sqlalchemy as sa
from alembic.script import ScriptDirectory
from flask_migrate import stamp

from participation import create_app
from participation.core.database import dispose_engines
from participation.extensions import db
from tests.conftest import POSTGRES_URL, make_config

# Nothing listens on port 1: a connection there is refused at once.
CLOSED_POSTGRES = "postgresql+psycopg://participation:s3cret-password@127.0.0.1:1/participation"
CLOSED_REDIS = "redis://:s3cret-password@127.0.0.1:1/10"


def _readyz(client):
    response = client.get("/readyz")
    assert "no-store" in response.headers["Cache-Control"].split(", ")
    assert response.mimetype == "application/json"
    return response.status_code, response.get_json()


@pytest.fixture
def app_on(tmp_path):
    """An app of its own on another database (built per test; closed afterwards)."""
    built = []

    def build(database_url, **overrides):
        app = create_app(make_config(tmp_path / f"app{len(built)}", database_url, **overrides))
        built.append(app)
        return app

    yield build
    for app in built:
        with app.app_context():
            dispose_engines(app)


def test_healthz_answers_without_the_database(app_on):
    app = app_on(CLOSED_POSTGRES)
    response = app.test_client().get("/healthz")
    assert response.status_code == 200
    assert response.get_json() == {"status": "ok"}
    assert response.headers["Cache-Control"] == "no-store"


def test_readyz_is_ready_on_a_migrated_database(app, client):
    status, body = _readyz(client)
    assert status == 200, body
    assert body == {
        "status": "ready",
        "checks": {"database": "ok", "migrations": "ok", "redis": "not configured"},
    }


def test_readyz_is_503_when_the_database_is_unreachable(app_on):
    app = app_on(CLOSED_POSTGRES)
    response = app.test_client().get("/readyz")
    assert response.status_code == 503
    assert "no-store" in response.headers["Cache-Control"].split(", ")
    assert response.get_json() == {
        "status": "not ready",
        "checks": {"database": "unreachable", "migrations": "unknown", "redis": "not configured"},
    }
    assert "s3cret" not in response.get_data(as_text=True)


@pytest.mark.parametrize("config_overrides", [{"REDIS_URL": CLOSED_REDIS}])
def test_readyz_is_503_when_redis_is_configured_and_down(app, client):
    status, body = _readyz(client)
    assert status == 503
    assert body["checks"] == {"database": "ok", "migrations": "ok", "redis": "unreachable"}
    assert "s3cret" not in str(body)


def test_readyz_is_ready_with_redis_up(app, client):
    url = os.environ.get("TEST_REDIS_URL")
    if not url:
        if os.environ.get("REQUIRE_REDIS") == "1":
            pytest.fail("TEST_REDIS_URL is not set but REQUIRE_REDIS=1")
        pytest.skip("set TEST_REDIS_URL=redis://127.0.0.1:6379/10 to check Redis in /readyz")
    app.config["REDIS_URL"] = url
    status, body = _readyz(client)
    assert status == 200, body
    assert body["checks"]["redis"] == "ok"


@pytest.fixture
def throwaway_database_url(tmp_path):
    """An empty database of its own: a PostgreSQL database on the test server, or a SQLite file."""
    if not POSTGRES_URL:
        yield f"sqlite:///{tmp_path / 'throwaway.db'}"
        return
    name = f"participation_readyz_{uuid.uuid4().hex[:12]}"
    server = sa.create_engine(
        POSTGRES_URL.replace("postgresql://", "postgresql+psycopg://", 1),
        isolation_level="AUTOCOMMIT",
    )
    with server.connect() as connection:
        connection.exec_driver_sql(f'CREATE DATABASE "{name}"')
    try:
        yield server.url.set(database=name).render_as_string(hide_password=False)
    finally:
        with server.connect() as connection:
            connection.exec_driver_sql(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')
        server.dispose()


def test_readyz_is_503_when_the_database_is_behind_the_code(app_on, throwaway_database_url):
    app = app_on(throwaway_database_url)
    with app.app_context():
        scripts = ScriptDirectory(app.extensions["migrate"].directory)
        (head,) = scripts.get_heads()
        previous = scripts.get_revision(head).down_revision
        stamp(revision=previous)
        db.session.remove()
    status, body = _readyz(app.test_client())
    assert status == 503
    assert body["checks"] == {
        "database": "ok",
        "migrations": f"database at {previous}, code at {head}",
        "redis": "not configured",
    }


def test_readyz_is_503_on_a_database_never_migrated(app_on, throwaway_database_url):
    status, body = _readyz(app_on(throwaway_database_url).test_client())
    assert status == 503
    assert body["checks"]["database"] == "ok"
    assert body["checks"]["migrations"].startswith("database at no revision, code at ")


def test_probes_answer_a_node_addressed_by_its_own_address(app, client):
    """A load balancer checks http://10.0.0.11:8000/readyz: not a trusted host, yet answered;
    every other path keeps the 400 for that host."""
    node = "http://10.0.0.11:8000"
    assert client.get("/readyz", base_url=node).status_code == 200
    assert client.get("/healthz", base_url=node).status_code == 200
    assert client.get("/fr/", base_url=node).status_code == 400
    assert client.get("/readyz/x", base_url=node).status_code == 400


def test_probes_set_no_cookie_and_need_no_session(app, client):
    for path in ("/healthz", "/readyz"):
        response = client.get(path)
        assert "Set-Cookie" not in response.headers
