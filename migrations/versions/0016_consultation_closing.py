"""consultations closed early or extended: the public, dated history of their closing dates

Revision ID: 0016_consultation_closing
Revises: 0015_communes
Create Date: 2026-12-20 10:00:00.000000

"""

import sqlalchemy as sa
from alembic import op

# revision identifiers, used by Alembic.
revision = "0016_consultation_closing"
down_revision = "0015_communes"
branch_labels = None
depends_on = None

TABLE = "consultation_closing_changes"

# Append-only, as the audit log and the moderators' decisions: the history of a closing date is
# written once (the ORM refuses too: core.audit.append_only).
APPEND_ONLY = {
    "sqlite": [
        f"CREATE TRIGGER {TABLE}_no_update BEFORE UPDATE ON {TABLE} "
        f"BEGIN SELECT RAISE(ABORT, '{TABLE} is append-only'); END",
        f"CREATE TRIGGER {TABLE}_no_delete BEFORE DELETE ON {TABLE} "
        f"BEGIN SELECT RAISE(ABORT, '{TABLE} is append-only'); END",
    ],
    "postgresql": [
        f"CREATE FUNCTION {TABLE}_append_only() RETURNS trigger LANGUAGE plpgsql AS $$ "
        f"BEGIN RAISE EXCEPTION '{TABLE} is append-only'; END $$",
        f"CREATE TRIGGER {TABLE}_no_change BEFORE UPDATE OR DELETE ON {TABLE} "
        f"FOR EACH ROW EXECUTE FUNCTION {TABLE}_append_only()",
    ],
}
DROP_APPEND_ONLY = {
    "sqlite": [f"DROP TRIGGER {TABLE}_no_update", f"DROP TRIGGER {TABLE}_no_delete"],
    "postgresql": [
        f"DROP TRIGGER {TABLE}_no_change ON {TABLE}",
        f"DROP FUNCTION {TABLE}_append_only()",
    ],
}


def _run(statements):
    for statement in statements.get(op.get_bind().dialect.name, []):
        op.execute(statement)


def upgrade():
    op.create_table(
        TABLE,
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("consultation_id", sa.Integer(), nullable=False),
        sa.Column("kind", sa.String(length=12), nullable=False),
        sa.Column("previous_closes_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("closes_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("reason", sa.JSON(), nullable=False),
        sa.Column("created_at", sa.DateTime(timezone=True), nullable=False),
        sa.CheckConstraint("kind IN ('closed_early', 'extended')", name=op.f(f"ck_{TABLE}_kind")),
        sa.CheckConstraint(
            "(kind = 'extended' AND closes_at > previous_closes_at) "
            "OR (kind = 'closed_early' AND closes_at < previous_closes_at)",
            name=op.f(f"ck_{TABLE}_direction"),
        ),
        sa.ForeignKeyConstraint(
            ["consultation_id"],
            ["consultations.id"],
            name=op.f(f"fk_{TABLE}_consultation_id_consultations"),
            ondelete="CASCADE",
        ),
        sa.PrimaryKeyConstraint("id", name=op.f(f"pk_{TABLE}")),
    )
    with op.batch_alter_table(TABLE, schema=None) as batch_op:
        batch_op.create_index(
            batch_op.f(f"ix_{TABLE}_consultation_id"), ["consultation_id"], unique=False
        )
    _run(APPEND_ONLY)


def downgrade():
    _run(DROP_APPEND_ONLY)
    with op.batch_alter_table(TABLE, schema=None) as batch_op:
        batch_op.drop_index(batch_op.f(f"ix_{TABLE}_consultation_id"))
    op.drop_table(TABLE)
