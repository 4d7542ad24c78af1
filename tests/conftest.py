"""Test fixtures: an app on a clean database per test, a client, factories, mail helpers.

The schema is built once per session by running the real migrations (so every test run also
proves `flask db upgrade` works). Each test then gets a clean database: on SQLite a copy of the
migrated template file, on PostgreSQL (TEST_DATABASE_URL) the same tables truncated.
"""
import os
import shutil
from pathlib import Path

import pytest
import sqlalchemy as sa
from flask import g
from flask.testing import FlaskClient
from flask_migrate import upgrade

from config import TestingConfig
from participation import create_app
from participation.core.database import dispose_engines
from participation.extensions import db, rate_limits

POSTGRES_URL = os.environ.get("TEST_DATABASE_URL")


class IsolatedClient(FlaskClient):
    """Tests keep one application context open (for the database), and Flask reuses it for
    requests; clear `g` before each request so no request sees the previous one's user or locale."""

    def open(self, *args, **kwargs):
        for key in list(vars(g)):
            delattr(g, key)
        return super().open(*args, **kwargs)


def make_config(tmp_path, database_url, **overrides):
    os.environ.setdefault("PARTICIPATION_CONFIG", "testing")
    config = TestingConfig()
    config.INSTANCE_PATH = str(tmp_path / "instance")
    config.SQLALCHEMY_DATABASE_URI = database_url
    config.MAIL_FILE_DIR = str(tmp_path / "instance" / "mail")
    config.ATTACHMENT_DIR = str(tmp_path / "instance" / "attachments")
    config.RATELIMIT_STORAGE_URI = "sweeping-memory://"
    config.SERVER_NAME = "participation.test"
    config.PREFERRED_URL_SCHEME = "http"
    config.SESSION_COOKIE_SECURE = False
    for key, value in overrides.items():
        setattr(config, key, value)
    return config


def _migrate(database_url, tmp_path):
    app = create_app(make_config(tmp_path, database_url))
    with app.app_context():
        if db.engine.dialect.name == "postgresql":
            with db.engine.begin() as connection:
                connection.exec_driver_sql("DROP SCHEMA public CASCADE; CREATE SCHEMA public")
        upgrade()
        db.engine.dispose()


@pytest.fixture(scope="session")
def database_template(tmp_path_factory):
    """The migrated schema: a template SQLite file, or the PostgreSQL URL after upgrade."""
    base = tmp_path_factory.mktemp("schema")
    if POSTGRES_URL:
        _migrate(POSTGRES_URL, base)
        return POSTGRES_URL
    path = base / "template.db"
    _migrate(f"sqlite:///{path}", base)
    return path


def _clean_database_url(template, tmp_path):
    if POSTGRES_URL:
        return POSTGRES_URL
    path = tmp_path / "test.db"
    shutil.copyfile(template, path)
    return f"sqlite:///{path}"


def _truncate_all():
    if db.engine.dialect.name != "postgresql":
        return
    tables = ", ".join(f'"{t.name}"' for t in db.metadata.sorted_tables)
    with db.engine.begin() as connection:
        connection.exec_driver_sql(f"TRUNCATE {tables} RESTART IDENTITY CASCADE")


@pytest.fixture
def config_overrides():
    """Override in a test module to change settings: return a dict of config attributes."""
    return {}


@pytest.fixture
def app(database_template, tmp_path, config_overrides):
    app = create_app(make_config(tmp_path, _clean_database_url(database_template, tmp_path), **config_overrides))
    app.test_client_class = IsolatedClient
    with app.app_context():
        _truncate_all()
        rate_limits.reset()
        with app.test_request_context():
            yield app
        db.session.remove()
        dispose_engines(app)


@pytest.fixture
def client(app):
    return app.test_client()


class Login:
    def __init__(self, client):
        self.client = client

    def __call__(self, user, password="correct horse battery"):
        response = self.client.post(
            "/fr/account/login", data={"email": user.email, "password": password, "csrf_token": csrf_token(self.client, "/fr/account/login")}
        )
        assert response.status_code == 302, response.get_data(as_text=True)
        return response


@pytest.fixture
def login(client):
    return Login(client)


def csrf_token(client, path):
    """Fetch a page and read the CSRF token from its first form."""
    import re

    html = client.get(path).get_data(as_text=True)
    match = re.search(r'name="csrf_token" type="hidden" value="([^"]+)"', html) or re.search(
        r'name="csrf_token" value="([^"]+)"', html
    )
    assert match, f"no CSRF token on {path}"
    return match.group(1)


@pytest.fixture
def post_form(client):
    """POST a form the way a browser does: with the CSRF token of the page that shows it."""

    def post(path, data=None, *, form_page=None, **kwargs):
        payload = dict(data or {})
        payload["csrf_token"] = csrf_token(client, form_page or path)
        return client.post(path, data=payload, **kwargs)

    return post


@pytest.fixture
def outbox(app):
    """The mail outbox rows, newest last."""
    from participation.core.mail import OutboxMessage

    def messages(**filters):
        query = sa.select(OutboxMessage).order_by(OutboxMessage.id)
        for key, value in filters.items():
            query = query.where(getattr(OutboxMessage, key) == value)
        return db.session.scalars(query).all()

    return messages


@pytest.fixture
def territories(app):
    from participation.institutions.services import load_territories

    load_territories()
    db.session.commit()


def pytest_collection_modifyitems(config, items):
    root = Path(__file__).parent
    for item in items:
        if (root / "browser") in Path(item.fspath).parents:
            item.add_marker(pytest.mark.browser)
