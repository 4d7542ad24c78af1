"""Migrations build the schema the models describe; SQLite is set up for concurrent writers."""

import sqlalchemy as sa
from alembic.autogenerate import compare_metadata
from alembic.migration import MigrationContext

from participation.core import database
from participation.core.audit import AppendOnlyViolation, AuditEntry, record_audit
from participation.extensions import db

import pytest


def test_migrations_match_the_models(app):
    with db.engine.connect() as connection:
        context = MigrationContext.configure(connection, opts={"compare_type": True})
        differences = compare_metadata(context, db.metadata)
    assert differences == []


def test_upgrade_builds_every_table(app):
    tables = set(sa.inspect(db.engine).get_table_names())
    assert {t.name for t in db.metadata.sorted_tables} <= tables
    assert "alembic_version" in tables


def test_sqlite_database_is_in_wal_mode(app):
    if db.engine.dialect.name != "sqlite":
        pytest.skip("WAL is a SQLite setting")
    assert database.journal_mode(db.engine) == "wal"


def test_sqlite_connections_have_a_busy_timeout_and_foreign_keys(app):
    if db.engine.dialect.name != "sqlite":
        pytest.skip("SQLite setting")
    with db.engine.connect() as connection:
        assert (
            connection.exec_driver_sql("PRAGMA busy_timeout").scalar()
            == app.config["SQLITE_BUSY_TIMEOUT_MS"]
        )
        assert connection.exec_driver_sql("PRAGMA foreign_keys").scalar() == 1


def test_sqlite_write_transactions_begin_immediate(app):
    if db.engine.dialect.name != "sqlite":
        pytest.skip("SQLite setting")
    statements = []

    def capture(conn, cursor, statement, *args):
        statements.append(statement)

    sa.event.listen(db.engine, "before_cursor_execute", capture)
    try:
        with db.engine.begin() as connection:
            connection.execute(sa.text("SELECT 1"))
        token = database.write_intent.set(False)
        try:
            with db.engine.begin() as connection:
                connection.execute(sa.text("SELECT 1"))
        finally:
            database.write_intent.reset(token)
    finally:
        sa.event.remove(db.engine, "before_cursor_execute", capture)
    assert statements[0] == "BEGIN IMMEDIATE"
    assert "BEGIN" in statements
    assert statements.index("BEGIN") > 0


def test_audit_log_refuses_updates_through_the_orm(app):
    entry = record_audit(None, "test.action")
    db.session.commit()
    entry.action = "changed"
    with pytest.raises(AppendOnlyViolation):
        db.session.commit()
    db.session.rollback()
    db.session.delete(db.session.get(AuditEntry, entry.id))
    with pytest.raises(AppendOnlyViolation):
        db.session.commit()
    db.session.rollback()


@pytest.mark.parametrize(
    "statement", ["UPDATE audit_log SET action = 'x'", "DELETE FROM audit_log"]
)
def test_audit_log_refuses_updates_in_the_database(app, statement):
    record_audit(None, "test.action")
    db.session.commit()
    with pytest.raises(sa.exc.DatabaseError):
        with db.engine.begin() as connection:
            connection.exec_driver_sql(statement)
    assert db.session.scalar(sa.select(AuditEntry.action)) == "test.action"
