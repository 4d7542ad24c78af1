"""Test fixtures: an app on a clean database per test, a client, factories, mail helpers.

The schema is built once per session by running the real migrations (so every test run also
proves `flask db upgrade` works). The app is built once per session too (see `Apps`); each test
then gets a clean database: on SQLite a copy of the migrated template file, on PostgreSQL
(TEST_DATABASE_URL) the same tables truncated. Data that many tests read (the API's data set, the
demo) is built once per module and copied into each test's database (see `Snapshot`).
"""

import contextlib
import copy
import gc
import os
import shutil
from pathlib import Path

import pytest
import sqlalchemy as sa
from sqlalchemy.engine import make_url
from flask import current_app, g, session
from flask.testing import FlaskClient
from flask_login import login_user
from flask_migrate import upgrade

from config import TestingConfig
from participation import create_app
from participation.core import page_cache
from participation.core.database import dispose_engines
from participation.core.switches import forget_switches
from participation.extensions import db, rate_limits
from tests.factories import PASSWORD


def _per_worker_services():
    """With pytest-xdist (`-n 2`, the README's test command), each worker process is a test run of
    its own: it gets a PostgreSQL database of its own (the given one's name plus the worker's,
    created here, dropped at the end) and a Redis database of its own (the given number minus the
    worker's), so that no worker truncates or flushes what another is using. Set before anything
    reads them: the test modules and the subprocesses they start read the environment."""
    worker = os.environ.get("PYTEST_XDIST_WORKER")
    if not worker:
        return None
    number = int(worker.removeprefix("gw"))
    redis_url = os.environ.get("TEST_REDIS_URL")
    if redis_url:
        base, _slash, database = redis_url.rpartition("/")
        os.environ["TEST_REDIS_URL"] = f"{base}/{int(database or 0) - number}"
    database_url = os.environ.get("TEST_DATABASE_URL")
    if not database_url:
        return None
    given = make_url(database_url)
    mine = given.set(database=f"{given.database}_{worker}")
    with _server(given) as connection:
        exists = connection.exec_driver_sql(
            "SELECT 1 FROM pg_database WHERE datname = %(name)s", {"name": mine.database}
        ).first()
        if not exists:
            connection.exec_driver_sql(f'CREATE DATABASE "{mine.database}"')
    os.environ["TEST_DATABASE_URL"] = mine.render_as_string(hide_password=False)
    return mine


@contextlib.contextmanager
def _server(url):
    """A connection to the server's maintenance database, for CREATE and DROP DATABASE."""
    engine = sa.create_engine(
        url.set(drivername="postgresql+psycopg", database="postgres"), isolation_level="AUTOCOMMIT"
    )
    try:
        with engine.connect() as connection:
            yield connection
    finally:
        engine.dispose()


WORKER_DATABASE = _per_worker_services()
POSTGRES_URL = os.environ.get("TEST_DATABASE_URL")


def pytest_sessionfinish(session):
    """A worker's own database goes with it (WITH (FORCE): the session's engines may still hold
    connections)."""
    if WORKER_DATABASE is not None:
        with _server(WORKER_DATABASE) as connection:
            connection.exec_driver_sql(
                f'DROP DATABASE IF EXISTS "{WORKER_DATABASE.database}" WITH (FORCE)'
            )


class IsolatedClient(FlaskClient):
    """Tests keep one application context open (for the database), and Flask reuses it for
    requests; clear `g` before each request so no request sees the previous one's user or locale."""

    def open(self, *args, **kwargs):
        for key in list(vars(g)):
            delattr(g, key)
        return super().open(*args, **kwargs)


# The suite's processes and the subprocesses it starts (flask commands, gunicorn) run the
# testing configuration unless a test says otherwise; set once, before anything reads it.
os.environ.setdefault("PARTICIPATION_CONFIG", "testing")


def make_config(tmp_path, database_url, **overrides):
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


@pytest.fixture(scope="session", autouse=True)
def _environment_unchanged():
    """The suite leaves the process environment as it found it (monkeypatch.setenv restores
    itself by the end of its test): a variable a test leaves behind changes every later test and
    every subprocess they start, as PROMETHEUS_MULTIPROC_DIR did when a test loaded
    deploy/gunicorn.conf.py. Checked once, at the end of the session."""
    before = {k: v for k, v in os.environ.items() if not k.startswith("PYTEST_")}
    yield
    after = {k: v for k, v in os.environ.items() if not k.startswith("PYTEST_")}
    changed = sorted(k for k in after.keys() | before.keys() if after.get(k) != before.get(k))
    assert changed == [], f"a test changed the environment: {changed}"


@pytest.fixture
def config_overrides():
    """Override in a test module to change settings: return a dict of config attributes."""
    return {}


@pytest.fixture
def extend_app():
    """Override in a conftest or test module (or parametrize) with a function that adds test-only
    routes or request hooks to an app. Flask refuses them once an app has served a request, so the
    tests that name the same function share an app of their own."""
    return None


# Settings read once, by create_app() or an extension's init_app(): a test that overrides one of
# them gets an app built with it (shared by the tests that override it the same way). Every other
# setting is read when used, so an override is applied to the shared app for one test.
CREATION_SETTINGS = frozenset(
    {
        "TRUSTED_PROXIES",
        "RATELIMIT_STORAGE_URI",
        "SQLALCHEMY_DATABASE_URI",
        "SQLALCHEMY_ENGINE_OPTIONS",
        "SQLALCHEMY_BINDS",
        "SQLITE_BUSY_TIMEOUT_MS",
        "INSTANCE_PATH",
        "BABEL_TRANSLATION_DIRECTORIES",
        "BABEL_DEFAULT_TIMEZONE",
        "BABEL_DEFAULT_LOCALE",
        "BABEL_DOMAIN",
    }
)


class Apps:
    """The apps of a test session, built once each: building one compiles no template and no URL
    rule yet, and every test that builds its own pays for all of them again."""

    def __init__(self, directory):
        self.directory = directory
        self.apps = {}

    def get(self, at_creation, extend_app):
        key = (
            tuple(sorted((name, repr(value)) for name, value in at_creation.items())),
            extend_app,
        )
        if key not in self.apps:
            directory = self.directory / f"app{len(self.apps)}"
            url = POSTGRES_URL or f"sqlite:///{directory / 'test.db'}"
            app = create_app(make_config(directory, url, **at_creation))
            app.test_client_class = IsolatedClient
            if extend_app is not None:
                extend_app(app)
            self.apps[key] = (app, copy.deepcopy(dict(app.config)))
            gc.collect()
            gc.freeze()  # the app lives as long as the session (see pytest_collection_finish)
        return self.apps[key]


@pytest.fixture(scope="session")
def apps(tmp_path_factory):
    return Apps(tmp_path_factory.mktemp("apps"))


def _restore_database(template):
    """The migrated schema and nothing else: the template file copied over the app's (SQLite; no
    connection is open, so there is no WAL to lose), or every table truncated (PostgreSQL)."""
    if POSTGRES_URL:
        _truncate_all()
        return
    path = Path(db.engine.url.database)
    for leftover in (path.with_name(path.name + "-wal"), path.with_name(path.name + "-shm")):
        leftover.unlink(missing_ok=True)
    shutil.copyfile(template, path)


@contextlib.contextmanager
def isolated(app, settings, template, tmp_path, overrides=None):
    """One test's use of a shared app: a clean database, an instance folder of its own, its
    settings; the settings, the rate limit counters and the switch cache are put back after."""
    instance = tmp_path / "instance"
    instance.mkdir()
    app.config.update(
        overrides or {},
        INSTANCE_PATH=str(instance),
        MAIL_FILE_DIR=str(instance / "mail"),
        ATTACHMENT_DIR=str(instance / "attachments"),
    )
    shared_instance_path, app.instance_path = app.instance_path, str(instance)
    try:
        with app.app_context():
            dispose_engines(app)
            _restore_database(template)
            rate_limits.reset()
            forget_switches()
            page_cache.clear()
        yield app
    finally:
        with app.app_context():
            dispose_engines(app)
            forget_switches()
        app.instance_path = shared_instance_path
        app.config.clear()
        app.config.update(copy.deepcopy(settings))


class Snapshot:
    """Data built once (for a test module or the session) and given to each test as a copy of its
    own, so a test that writes changes its copy only. On SQLite, `build()` runs once on a clean
    database of `app` and the file it leaves is kept, with the files it wrote in the instance folder
    (open-data dumps, mail); `restore()` puts a copy of both in place of the test's clean database
    and in its instance folder. On PostgreSQL there is no file to copy: `restore()` runs `build()`
    again. `build()` returns plain values (ids, paths, text), not rows: its session is gone."""

    def __init__(self, app, settings, template, directory, build):
        self.build = build
        self.path = None
        self.result = None
        if POSTGRES_URL:
            return
        with isolated(app, settings, template, directory), app.app_context():
            with app.test_request_context():  # e-mails need absolute links
                self.result = build()
                db.session.commit()
            db.session.remove()
            dispose_engines(app)
            self.path = directory / "snapshot.db"
            shutil.copyfile(db.engine.url.database, self.path)
            self.instance = directory / "snapshot-instance"
            shutil.copytree(app.instance_path, self.instance)

    def restore(self):
        """In a test's application context, on its clean database: the built data, and what
        `build()` returned."""
        if self.path is None:
            result = self.build()
            db.session.commit()
            return result
        db.session.remove()
        dispose_engines(current_app)
        _restore_database(self.path)
        shutil.copytree(self.instance, current_app.instance_path, dirs_exist_ok=True)
        return self.result


DEMO_PASSWORD = "demo-password-123"


def _seed_demo():
    result = current_app.test_cli_runner().invoke(args=["seed-demo", "--password", DEMO_PASSWORD])
    assert result.exit_code == 0, result.output
    return result.output


@pytest.fixture(scope="session")
def seeded_demo(apps, database_template, tmp_path_factory):
    """`flask seed-demo --password DEMO_PASSWORD`, run once for the session on SQLite (it takes
    seconds, and a dozen tests read what it leaves)."""
    app, settings = apps.get({}, None)
    return Snapshot(app, settings, database_template, tmp_path_factory.mktemp("demo"), _seed_demo)


@pytest.fixture
def demo(app, seeded_demo):
    """The demo in this test's database and instance folder (a copy of the session's); returns what
    `flask seed-demo` printed."""
    return seeded_demo.restore()


@pytest.fixture
def app(apps, database_template, tmp_path, config_overrides, extend_app):
    """The session's app (pytest-flask's `client` and the others use it) on a clean database, with
    this test's settings, inside an application and a request context."""
    app, settings = apps.get(
        {k: v for k, v in config_overrides.items() if k in CREATION_SETTINGS}, extend_app
    )
    overrides = {k: v for k, v in config_overrides.items() if k not in CREATION_SETTINGS}
    with isolated(app, settings, database_template, tmp_path, overrides), app.app_context():
        with app.test_request_context():
            yield app
        db.session.remove()


class FormLogin:
    """Signs in through the sign-in form: for the tests about signing in."""

    def __init__(self, client):
        self.client = client

    def __call__(self, user, password=PASSWORD):
        response = self.client.post(
            "/fr/account/login",
            data={
                "email": user.email,
                "password": password,
                "csrf_token": csrf_token(self.client, "/fr/account/login"),
            },
        )
        assert response.status_code == 302, response.get_data(as_text=True)
        return response


class Login:
    """Signs in by writing the session that a successful sign-in leaves (Flask-Login's login_user()),
    without the form's page, its CSRF token and its password check: for the tests that are not
    about signing in. An account with a second factor goes through the form, which then asks for
    the code."""

    def __init__(self, client):
        self.client = client

    def __call__(self, user, password=PASSWORD):
        if user.totp_enabled:
            return FormLogin(self.client)(user, password)
        app = self.client.application
        with app.app_context(), app.test_request_context():
            login_user(user)
            written = dict(session)
        with self.client.session_transaction() as client_session:
            client_session.update(written)


def signed_in_client(app, user):
    """A test client of its own, signed in as `user` (Login): for a test with several readers."""
    client = app.test_client()
    Login(client)(user)
    return client


@pytest.fixture
def login(client):
    return Login(client)


@pytest.fixture
def login_with_form(client):
    return FormLogin(client)


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


class Clock:
    """A clock a test moves by hand (`clock.now += 10`): for the page cache's stores."""

    def __init__(self, now=1000.0):
        self.now = now

    def __call__(self):
        return self.now


@pytest.fixture
def cache_clock(app, monkeypatch):
    """The page cache's own clock, moved by the test instead of sleeping."""
    clock = Clock()
    monkeypatch.setattr(app.extensions["page_cache"].store, "clock", clock)
    return clock


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


def pytest_collection_finish(session):
    """The modules and test items collected stay for the whole run: moved out of the cyclic
    garbage collector's generations, so its full collections stop walking them again (about 5 %
    of a test process's CPU time)."""
    gc.collect()
    gc.freeze()


def pytest_collection_modifyitems(config, items):
    root = Path(__file__).parent
    for item in items:
        if (root / "browser") in Path(item.fspath).parents:
            item.add_marker(pytest.mark.browser)
