"""verifiable counts: receipt hashes on signatures, receipt removals, the append-only count log

Revision ID: 0018_count_log
Revises: 0017_recovery_codes
Create Date: 2026-12-21 10:00:00.000000

"""

import hashlib
import secrets

import sqlalchemy as sa
from alembic import op

# revision identifiers, used by Alembic.
revision = "0018_count_log"
down_revision = "0017_recovery_codes"
branch_labels = None
depends_on = None

TABLE = "petition_count_log"
RECEIPT_DOMAIN = b"participation/receipt/v1\x00"  # as participation/petitions/receipts.py


def _append_only(table):
    return {
        "sqlite": [
            f"CREATE TRIGGER {table}_no_update BEFORE UPDATE ON {table} "
            f"BEGIN SELECT RAISE(ABORT, '{table} is append-only'); END",
            f"CREATE TRIGGER {table}_no_delete BEFORE DELETE ON {table} "
            f"BEGIN SELECT RAISE(ABORT, '{table} is append-only'); END",
        ],
        "postgresql": [
            f"CREATE FUNCTION {table}_append_only() RETURNS trigger LANGUAGE plpgsql AS $$ "
            f"BEGIN RAISE EXCEPTION '{table} is append-only'; END $$",
            f"CREATE TRIGGER {table}_no_change BEFORE UPDATE OR DELETE ON {table} "
            f"FOR EACH ROW EXECUTE FUNCTION {table}_append_only()",
        ],
    }


def _drop_append_only(table):
    return {
        "sqlite": [f"DROP TRIGGER {table}_no_update", f"DROP TRIGGER {table}_no_delete"],
        "postgresql": [
            f"DROP TRIGGER {table}_no_change ON {table}",
            f"DROP FUNCTION {table}_append_only()",
        ],
    }


def _run(statements):
    for statement in statements.get(op.get_bind().dialect.name, []):
        op.execute(statement)


def _backfill_receipts():
    """Signatures made before receipts: the hash of a random code nobody is ever told, so they
    count in the log like the others (docs/verifiable-counts.md, 'Signatures older than
    receipts')."""
    bind = op.get_bind()
    signatures = sa.table("petition_signatures", sa.column("id"), sa.column("receipt_hash"))
    ids = bind.execute(
        sa.select(signatures.c.id).where(signatures.c.receipt_hash.is_(None))
    ).scalars()
    update = (
        sa.update(signatures)
        .where(signatures.c.id == sa.bindparam("signature_id"))
        .values(receipt_hash=sa.bindparam("value"))
    )
    batch = []
    for signature_id in list(ids):
        value = hashlib.sha256(RECEIPT_DOMAIN + secrets.token_bytes(20)).hexdigest()
        batch.append({"signature_id": signature_id, "value": value})
        if len(batch) == 1000:
            bind.execute(update, batch)
            batch = []
    if batch:
        bind.execute(update, batch)


def upgrade():
    with op.batch_alter_table("petition_signatures", schema=None) as batch_op:
        batch_op.add_column(sa.Column("receipt_hash", sa.String(length=64), nullable=True))
    _backfill_receipts()
    with op.batch_alter_table("petition_signatures", schema=None) as batch_op:
        batch_op.create_index("ix_petition_signatures_receipt_hash", ["receipt_hash"], unique=True)
    op.create_table(
        "petition_receipt_removals",
        sa.Column("id", sa.BigInteger().with_variant(sa.Integer(), "sqlite"), nullable=False),
        sa.Column("petition_id", sa.Integer(), nullable=False),
        sa.Column("receipt_hash", sa.String(length=64), nullable=False),
        sa.Column("reason", sa.String(length=12), nullable=False),
        sa.Column("created_at", sa.DateTime(timezone=True), nullable=False),
        sa.CheckConstraint(
            "reason IN ('withdrawn', 'invalidated', 'unaccounted')",
            name=op.f("ck_petition_receipt_removals_reason"),
        ),
        sa.ForeignKeyConstraint(
            ["petition_id"],
            ["petitions.id"],
            name=op.f("fk_petition_receipt_removals_petition_id_petitions"),
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_petition_receipt_removals")),
    )
    with op.batch_alter_table("petition_receipt_removals", schema=None) as batch_op:
        batch_op.create_index(
            "ix_petition_receipt_removals_petition_hash",
            ["petition_id", "receipt_hash"],
            unique=False,
        )
    op.create_table(
        TABLE,
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("petition_id", sa.Integer(), nullable=False),
        sa.Column("sequence", sa.Integer(), nullable=False),
        sa.Column("recorded_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("event", sa.String(length=16), nullable=False),
        sa.Column("count", sa.Integer(), nullable=False),
        sa.Column("root", sa.String(length=64), nullable=False),
        sa.Column("added", sa.JSON(), nullable=False),
        sa.Column("removed", sa.JSON(), nullable=False),
        sa.Column("previous_hash", sa.String(length=64), nullable=False),
        sa.Column("entry_hash", sa.String(length=64), nullable=False),
        sa.CheckConstraint("count >= 0", name=op.f("ck_petition_count_log_count_not_negative")),
        sa.ForeignKeyConstraint(
            ["petition_id"],
            ["petitions.id"],
            name=op.f("fk_petition_count_log_petition_id_petitions"),
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_petition_count_log")),
        sa.UniqueConstraint(
            "petition_id", "sequence", name="uq_petition_count_log_petition_sequence"
        ),
    )
    _run(_append_only(TABLE))


def downgrade():
    _run(_drop_append_only(TABLE))
    op.drop_table(TABLE)
    with op.batch_alter_table("petition_receipt_removals", schema=None) as batch_op:
        batch_op.drop_index("ix_petition_receipt_removals_petition_hash")
    op.drop_table("petition_receipt_removals")
    with op.batch_alter_table("petition_signatures", schema=None) as batch_op:
        batch_op.drop_index("ix_petition_signatures_receipt_hash")
        batch_op.drop_column("receipt_hash")
