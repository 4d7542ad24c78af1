"""Backups (issue 14, item 7; SPEC §10): deploy/backup.sh then deploy/restore.sh into a fresh
database and a fresh instance directory give back every row of every table, the signatures and
the audit log as they were, and the attachment and open-data files byte for byte. The scripts run
as an operator runs them (docs/backups.md), against the test's PostgreSQL database."""

import hashlib
import io
import os
import shutil
import subprocess
import time
import uuid
from pathlib import Path

import pytest
import sqlalchemy as sa
from sqlalchemy.engine import make_url

from participation.auth.models import Role
from participation.consultations import attachments
from participation.core.audit import AuditEntry, record_audit
from participation.extensions import db
from participation.opendata.dumps import write_dumps
from participation.petitions import signing
from participation.petitions.models import Signature
from tests.factories import make_consultation, make_institution, make_user
from tests.petition_world import citizen, open_petition, world  # noqa: F401 (fixture)

POSTGRES_URL = os.environ.get("TEST_DATABASE_URL")
ROOT = Path(__file__).resolve().parents[2]
BACKUP, RESTORE = ROOT / "deploy" / "backup.sh", ROOT / "deploy" / "restore.sh"
PDF = b"%PDF-1.4\n1 0 obj << >> endobj\ntrailer << >>\n%%EOF\n"

pytestmark = pytest.mark.skipif(
    not POSTGRES_URL,
    reason="pg_dump and pg_restore need PostgreSQL: set TEST_DATABASE_URL (CI does)",
)


@pytest.fixture(autouse=True)
def tools():
    missing = [tool for tool in ("pg_dump", "pg_restore", "psql") if shutil.which(tool) is None]
    if missing:  # a required tool: CI installs postgresql-client, never skip silently
        pytest.fail(f"missing {', '.join(missing)}: install postgresql-client")


class Upload:
    def __init__(self, data, filename="projet.pdf"):
        self.stream = io.BytesIO(data)
        self.filename = filename


@pytest.fixture
def fresh_database():
    """An empty database on the test server, dropped after the test."""
    name = f"restore_{uuid.uuid4().hex[:12]}"
    server = sa.create_engine(
        make_url(POSTGRES_URL).set(drivername="postgresql+psycopg", database="postgres"),
        isolation_level="AUTOCOMMIT",
    )
    with server.connect() as connection:
        connection.exec_driver_sql(f'CREATE DATABASE "{name}"')
    url = make_url(POSTGRES_URL).set(drivername="postgresql+psycopg", database=name)
    yield url.render_as_string(hide_password=False)
    with server.connect() as connection:
        connection.exec_driver_sql(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')
    server.dispose()


def seed(app):
    """Signatures (counted and held), audit entries, an attachment and the open-data dumps."""
    petition, *_ = open_petition()
    app.config["SIGNING_LIMIT_PER_IP"] = "3 per day"
    for _ in range(5):  # three counted, two held as suspect
        signing.sign_petition(citizen(), petition, consent=True, ip="203.0.113.9")
    institution = make_institution()
    officer = make_user(roles=[Role.OFFICER], institution=institution)
    consultation = make_consultation(institution=institution, state="draft")
    attachments.add_attachment(officer, consultation, Upload(PDF + os.urandom(2048)))
    record_audit(officer, "backup.test", consultation, note="ⵜⴰⵎⴰⵣⵉⵖⵜ et français")
    db.session.commit()
    write_dumps()


def run(*command, env=None):
    result = subprocess.run(
        [str(part) for part in command],
        env={**os.environ, **(env or {})},
        capture_output=True,
        text=True,
        timeout=600,
    )
    assert result.returncode == 0, result.stdout + result.stderr
    return result


def rows(connection, table, order_by="id"):
    return connection.execute(sa.text(f'SELECT * FROM "{table}" ORDER BY {order_by}')).all()


def counts(engine):
    with engine.connect() as connection:
        tables = connection.execute(
            sa.text("SELECT tablename FROM pg_tables WHERE schemaname = 'public' ORDER BY 1")
        ).scalars()
        return {
            table: connection.execute(sa.text(f'SELECT count(*) FROM "{table}"')).scalar()
            for table in tables
        }


def digests(directory):
    directory = Path(directory)
    return {
        str(path.relative_to(directory)): hashlib.sha256(path.read_bytes()).hexdigest()
        for path in sorted(directory.rglob("*"))
        if path.is_file()
    }


def test_a_backup_restores_into_a_fresh_database_and_instance(app, world, tmp_path, fresh_database):
    seed(app)
    source_files = Path(app.config["ATTACHMENT_DIR"])
    open_data = Path(app.instance_path) / "open-data"
    assert digests(source_files) and digests(open_data)
    backups = tmp_path / "backups"
    # Retention: a backup older than BACKUP_KEEP_DAYS and a crash's leftover go; a recent one stays.
    old, leftover, recent = (
        backups / "20200101T000000Z",
        backups / "20200102T000000Z.partial",
        backups / "20990101T000000Z",
    )
    for directory in (old, leftover, recent):
        directory.mkdir(parents=True)
    ten_days_ago = time.time() - 10 * 86400
    for directory in (old, leftover):
        os.utime(directory, (ten_days_ago, ten_days_ago))

    run(
        BACKUP,
        env={
            "DATABASE_URL": db.engine.url.render_as_string(hide_password=False),
            "INSTANCE_PATH": app.instance_path,
            "ATTACHMENT_DIR": str(source_files),
            "BACKUP_DIR": str(backups),
            "BACKUP_KEEP_DAYS": "7",
        },
    )
    made = [p for p in backups.iterdir() if p not in (old, leftover, recent)]
    assert len(made) == 1 and not made[0].name.endswith(".partial")
    assert not old.exists() and not leftover.exists() and recent.exists()
    backup = made[0]
    assert {p.name for p in backup.iterdir()} == {
        "database.dump",
        "attachments.tar",
        "open-data.tar",
        "MANIFEST",
        "SHA256SUMS",
    }
    assert (backup / "database.dump").read_bytes()[:5] == b"PGDMP"  # pg_dump's custom format

    restored_instance = tmp_path / "restored-instance"
    run(RESTORE, backup, fresh_database, restored_instance)

    source, restored = db.engine, sa.create_engine(fresh_database)
    try:
        db.session.remove()
        assert counts(restored) == counts(source)
        assert counts(source)["petition_signatures"] == 5 and counts(source)["audit_log"] >= 1
        with source.connect() as a, restored.connect() as b:
            assert rows(b, "petition_signatures") == rows(a, "petition_signatures")
            assert rows(b, "audit_log") == rows(a, "audit_log")
            assert rows(b, "alembic_version", "version_num") == rows(
                a, "alembic_version", "version_num"
            )
            # The restored sequences go on after the restored rows.
            assert b.execute(sa.text("SELECT nextval('audit_log_id_seq')")).scalar() > max(
                row.id for row in rows(a, "audit_log")
            )
        assert (
            db.session.scalar(
                sa.select(sa.func.count())
                .select_from(Signature)
                .where(Signature.status == "suspect")
            )
            == 2
        )
        assert db.session.scalar(
            sa.select(AuditEntry.details).where(AuditEntry.action == "backup.test")
        ) == {"note": "ⵜⴰⵎⴰⵣⵉⵖⵜ et français"}
    finally:
        restored.dispose()
    assert digests(restored_instance / "attachments") == digests(source_files)
    assert digests(restored_instance / "open-data") == digests(open_data)


def test_restore_refuses_a_database_that_is_not_empty(app, tmp_path, fresh_database):
    backups = tmp_path / "backups"
    env = {
        "DATABASE_URL": db.engine.url.render_as_string(hide_password=False),
        "INSTANCE_PATH": app.instance_path,
        "BACKUP_DIR": str(backups),
    }
    run(BACKUP, env=env)
    (backup,) = backups.iterdir()
    run(RESTORE, backup, fresh_database, tmp_path / "first")
    again = subprocess.run(
        [str(RESTORE), str(backup), fresh_database, str(tmp_path / "second")],
        capture_output=True,
        text=True,
    )
    assert again.returncode != 0
    assert "restore into an empty database" in again.stderr


def test_restore_refuses_a_backup_that_does_not_match_its_checksums(app, tmp_path, fresh_database):
    backups = tmp_path / "backups"
    run(
        BACKUP,
        env={
            "DATABASE_URL": db.engine.url.render_as_string(hide_password=False),
            "INSTANCE_PATH": app.instance_path,
            "BACKUP_DIR": str(backups),
        },
    )
    (backup,) = backups.iterdir()
    with open(backup / "attachments.tar", "ab") as handle:
        handle.write(b"\0")
    result = subprocess.run(
        [str(RESTORE), str(backup), fresh_database, str(tmp_path / "restored")],
        capture_output=True,
        text=True,
    )
    assert result.returncode != 0
    assert "does not match its SHA256SUMS" in result.stderr
