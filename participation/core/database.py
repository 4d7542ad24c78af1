"""Database engine set-up that differs by dialect.

SQLite (the embedded default) needs three things to behave under concurrent writers: WAL journal
mode (set once, when the database file is created, by the migrations), write transactions that
take the write lock at BEGIN (so two requests cannot both read then fail on upgrading their read
lock), and a busy timeout so a waiting writer queues instead of failing at once.

Whether a transaction will write is known from the request method: GET/HEAD/OPTIONS requests read
with a plain (deferred) BEGIN so readers never queue behind writers; everything else, including
CLI commands and jobs, begins IMMEDIATE.
"""

from contextvars import ContextVar

import sqlalchemy as sa
from sqlalchemy import event

write_intent = ContextVar("sqlite_write_intent", default=True)


def configure_engine(engine, busy_timeout_ms):
    if engine.dialect.name != "sqlite":
        return

    @event.listens_for(engine, "connect")
    def _on_connect(dbapi_connection, _record):
        # Hand transaction control to SQLAlchemy's "begin" event below instead of pysqlite's.
        dbapi_connection.isolation_level = None
        cursor = dbapi_connection.cursor()
        cursor.execute(f"PRAGMA busy_timeout = {int(busy_timeout_ms)}")
        cursor.execute("PRAGMA foreign_keys = ON")
        cursor.close()

    @event.listens_for(engine, "begin")
    def _on_begin(connection):
        connection.exec_driver_sql("BEGIN IMMEDIATE" if write_intent.get() else "BEGIN")


def declares_write_intent(engine):
    """Whether requests must declare their write intent (SQLite: the only reader of it)."""
    return engine.dialect.name == "sqlite"


def declare_write_intent(method, g):
    """Before a request: GET, HEAD and OPTIONS read; the token is kept in `g` for the reset."""
    g.write_intent_token = write_intent.set(method not in {"GET", "HEAD", "OPTIONS"})


def reset_write_intent(g):
    token = g.pop("write_intent_token", None)
    if token is not None:
        write_intent.reset(token)


def add_engine(app, name, engine):
    """An engine besides Flask-SQLAlchemy's (the signing path's autocommit one), so that
    dispose_engines() closes its connections too."""
    app.extensions.setdefault("participation_engines", {})[name] = engine
    return engine


def dispose_engines(app):
    """Close every pooled connection the application holds (end of a test, of a benchmark)."""
    from participation.extensions import db

    db.engine.dispose()
    for engine in app.extensions.get("participation_engines", {}).values():
        engine.dispose()


def enable_wal(engine):
    """Switch a SQLite database to WAL; a no-op elsewhere. WAL is persistent in the file."""
    if engine.dialect.name != "sqlite" or engine.url.database in (None, "", ":memory:"):
        return
    raw = engine.raw_connection()
    try:
        raw.driver_connection.execute("PRAGMA journal_mode = WAL")
    finally:
        raw.close()


def journal_mode(engine):
    with engine.connect() as connection:
        return connection.execute(sa.text("PRAGMA journal_mode")).scalar()


def ping(session):
    """A cheap round trip, for the health check."""
    return session.execute(sa.text("SELECT 1")).scalar() == 1
