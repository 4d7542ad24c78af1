"""The library behaviour that the platform's two uses of private or bypassed library APIs rely on
(issue 12, item 6; kept because bench/private_apis.py measured them worth more than 5 % of a
signature, docs/benchmarks.md). The library is pinned to its major version in pyproject.toml;
an upgrade that changes what is relied on fails here, not silently in production."""

import threading
import time
from datetime import date, datetime, timedelta, timezone

import pytest
import sqlalchemy as sa
from limits.storage import MemoryStorage
from sqlalchemy.dialects import postgresql

from participation.core.driver_statements import DriverStatement
from participation.core.models import UTCDateTime
from participation.extensions import db
from tests.conftest import Clock

# core/limit_storage.py (limits 5): MemoryStorage calls its name-mangled __schedule_expiry on every
# hit, where it would start a thread 10 ms later; the sweeping storage overrides that hook and
# calls __expire_events, limits' own walk that frees expired counters, at most every 10 s.


def test_limits_memory_storage_calls_the_expiry_hook_on_every_hit():
    hits = []

    class Spy(MemoryStorage):
        def _MemoryStorage__schedule_expiry(self):
            hits.append(self.storage.copy())

    storage = Spy("memory://")
    storage.incr("ip:203.0.113.9", expiry=60)
    storage.incr("ip:203.0.113.9", expiry=60)
    storage.decr("ip:203.0.113.9")
    assert len(hits) == 3  # incr, incr, decr: each one calls the hook
    assert storage.get("ip:203.0.113.9") == 1


def test_limits_memory_storage_starts_a_thread_from_that_hook_only(monkeypatch):
    started = []
    monkeypatch.setattr(threading.Timer, "start", lambda timer: started.append(timer))
    storage = MemoryStorage("memory://")
    assert len(started) == 1  # the constructor's (core/limit_storage.py lets it run once)
    storage.timer = started[0]  # never started, so not alive: the next hit schedules another
    storage.incr("user:1", expiry=60)
    assert len(started) == 2


def test_limits_expire_events_frees_the_expired_counters_and_only_them(monkeypatch):
    clock = Clock(1_800_000_000.0)
    monkeypatch.setattr(time, "time", clock)  # MemoryStorage stamps and checks with time.time()
    storage = MemoryStorage("memory://")
    storage.incr("ip:198.51.100.1", expiry=60)
    storage.incr("user:2", expiry=3600)
    clock.now += 61
    storage._MemoryStorage__expire_events()
    assert "ip:198.51.100.1" not in storage.storage
    assert "ip:198.51.100.1" not in storage.expirations
    assert storage.storage["user:2"] == 1


# core/driver_statements.py (SQLAlchemy 2, psycopg 3): on PostgreSQL a statement compiled once is
# run on the DBAPI cursor with pyformat parameters, skipping SQLAlchemy's type processing, which
# must then have nothing to do for the values the signing path passes and reads.

SAMPLE = sa.Table(
    "driver_statement_sample",
    sa.MetaData(),
    sa.Column("id", sa.Integer, primary_key=True),
    sa.Column("name", sa.String(50)),
    sa.Column("at", UTCDateTime),
    sa.Column("expiry", sa.Date),
    sa.Column("secret", sa.LargeBinary),
    sa.Column("flag", sa.Boolean),
)


def _sample_insert():
    """Like the signing path's statements: typed bind parameters, a literal, RETURNING."""
    return (
        postgresql.insert(SAMPLE)
        .values(
            name=sa.bindparam("name", type_=SAMPLE.c.name.type),
            at=sa.bindparam("now", type_=SAMPLE.c.at.type),
            expiry=sa.bindparam("expiry", type_=SAMPLE.c.expiry.type),
            secret=sa.bindparam("secret", type_=SAMPLE.c.secret.type),
            flag=sa.literal(True),
        )
        .on_conflict_do_nothing()
        .returning(SAMPLE.c.id, SAMPLE.c.name, SAMPLE.c.at, SAMPLE.c.expiry, SAMPLE.c.secret)
    )


def test_a_driver_statement_compiles_to_the_drivers_named_parameters():
    compiled = _sample_insert().compile(dialect=postgresql.psycopg.dialect())
    sql = str(compiled)
    assert "%(name)s" in sql and "%(now)s" in sql and "%(expiry)s" in sql
    assert compiled.positiontup is None  # named, as DriverStatement passes them (a dict)
    # The statement's own values (the literal) are in compiled.params, merged under the caller's.
    assert True in compiled.params.values()


def _processed(statement, dialect):
    """The bind parameters and result columns of `statement` that SQLAlchemy would process."""
    compiled = statement.compile(dialect=dialect)
    binds = {
        (bind.key, type(bind.type))
        for bind in compiled.binds.values()
        if bind.type.dialect_impl(dialect).bind_processor(dialect) is not None
    }
    results = {
        (column.key, type(column.type))
        for column in statement.exported_columns
        if column.type.dialect_impl(dialect).result_processor(dialect, None) is not None
    }
    return binds, results


def test_sqlalchemy_would_process_only_utc_datetimes_in_the_signing_statements():
    """What the cursor path skips, for the statements it runs: UTCDateTime only, whose bind
    processing returns an aware UTC value as it is on PostgreSQL, and whose result processing
    only moves psycopg's aware datetimes to UTC (the same instant; the signing path compares)."""
    # The area's statement builders, private to petitions, are what this contract is about.
    from participation.petitions.signers import _signer_and_petition_query
    from participation.petitions.signing import _signing_statements

    dialect = postgresql.psycopg.dialect()
    statements = _signing_statements("postgresql")
    for statement in (statements.insert, statements.insert_and_count):
        assert _processed(statement.statement, dialect) == ({("now", UTCDateTime)}, set())
    assert _processed(_signer_and_petition_query().statement, dialect) == (
        set(),
        {
            (name, UTCDateTime)
            for name in (
                "email_verified_at",
                "blocked_at",
                "totp_enabled_at",
                "petition_closes_at",
                "petition_published_at",
            )
        },
    )
    aware = datetime(2026, 11, 29, 10, 30, tzinfo=timezone.utc)
    assert UTCDateTime().process_bind_param(aware, dialect) == aware
    casablanca = timezone(timedelta(hours=1))
    local = UTCDateTime().process_result_value(aware.astimezone(casablanca), dialect)
    assert local == aware


@pytest.fixture
def sample_table(app):
    if db.engine.dialect.name != "postgresql":
        pytest.skip("the cursor path runs on PostgreSQL only (TEST_DATABASE_URL)")
    SAMPLE.create(db.engine)
    yield
    SAMPLE.drop(db.engine)


def test_the_cursor_path_returns_what_sqlalchemy_returns(sample_table):
    statement = DriverStatement(_sample_insert())
    now = datetime.now(timezone.utc).replace(microsecond=0)
    values = {"name": "Amina", "now": now, "expiry": date.today(), "secret": b"\x00\xff"}
    with db.engine.connect() as connection:
        through_cursor = statement.first(connection, values)
        through_sqlalchemy = connection.execute(
            statement.statement, {**values, "name": "Youssef"}
        ).first()
        connection.commit()
    assert through_cursor[1:] == ("Amina", now, date.today(), b"\x00\xff")
    assert tuple(through_sqlalchemy[2:]) == through_cursor[2:]
    at = through_cursor[2]
    assert at.utcoffset() == timedelta(0) or at == now  # aware, the same instant


def test_a_first_read_replaces_a_connection_the_server_closed(app):
    # The signing engine has no pre-ping (a round trip per signature): its first statement, a
    # read, is run with `reconnect`, which replaces a pooled connection found dead (a server
    # restart, here the backend terminated) and runs once more. Without it: the driver's error.
    if db.engine.dialect.name != "postgresql":
        pytest.skip("the cursor path runs on PostgreSQL only (TEST_DATABASE_URL)")
    engine = sa.create_engine(db.engine.url, isolation_level="AUTOCOMMIT", pool_pre_ping=False)
    statement = DriverStatement(sa.select(sa.literal(1).label("one"), sa.func.pg_backend_pid()))

    def terminate(pid):
        with db.engine.connect() as other:
            other.execute(sa.text("SELECT pg_terminate_backend(:pid)"), {"pid": pid})
            other.commit()

    try:
        with engine.connect() as connection:
            first_pid = statement.first(connection, {})[1]
        terminate(first_pid)
        with engine.connect() as connection:
            one, second_pid = statement.first(connection, {}, reconnect=True)
        assert one == 1 and second_pid != first_pid
        terminate(second_pid)
        with engine.connect() as connection, pytest.raises(engine.dialect.dbapi.OperationalError):
            statement.first(connection, {})
    finally:
        engine.dispose()
