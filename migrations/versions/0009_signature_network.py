"""moderation of petitions' signatures: network hash and held limit on signatures, locks and
append-only decisions on held signatures; edited comments held again by screening

Revision ID: 0009_signature_network
Revises: 0008_petition_processing
Create Date: 2026-11-29 08:20:52.118533

"""

import sqlalchemy as sa
from alembic import op

# revision identifiers, used by Alembic.
revision = "0009_signature_network"
down_revision = "0008_petition_processing"
branch_labels = None
depends_on = None

STATUSES = "('pending', 'visible', 'hidden', 'rejected')"
OLD_DECISIONS = "('approve', 'hide', 'reject', 'restore')"
NEW_DECISIONS = "('approve', 'hide', 'reject', 'restore', 'hold')"
OLD_REASONS = "('respects_rules', 'decision_corrected', 'spam', 'insult_or_hate', 'personal_data', 'off_topic', 'unlawful', 'other', 'reported')"
NEW_REASONS = "('respects_rules', 'decision_corrected', 'spam', 'insult_or_hate', 'personal_data', 'off_topic', 'unlawful', 'other', 'reported', 'screened')"
OLD_AUTOMATIC = "(moderator_id IS NULL) = (reason = 'reported')"
NEW_AUTOMATIC = "(moderator_id IS NULL) = (reason IN ('reported', 'screened'))"


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


def _decisions_table(decisions, reasons, automatic):
    """moderation_decisions as 0005 created it, with the given check constraints (SQLite cannot
    alter a CHECK constraint: batch mode rebuilds the table from this description)."""
    return sa.Table(
        "moderation_decisions",
        sa.MetaData(),
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("comment_id", sa.Integer(), nullable=False),
        sa.Column("moderator_id", sa.Integer(), nullable=True),
        sa.Column("item_id", sa.Integer(), nullable=True),
        sa.Column("appeal_of_id", sa.Integer(), nullable=True),
        sa.Column("decision", sa.String(length=10), nullable=False),
        sa.Column("reason", sa.String(length=20), nullable=False),
        sa.Column("note", sa.Text(), nullable=True),
        sa.Column("from_status", sa.String(length=10), nullable=False),
        sa.Column("to_status", sa.String(length=10), nullable=False),
        sa.Column("created_at", sa.DateTime(timezone=True), nullable=False),
        sa.CheckConstraint(automatic, name="ck_moderation_decisions_automatic"),
        sa.CheckConstraint(f"decision IN {decisions}", name="ck_moderation_decisions_decision"),
        sa.CheckConstraint(
            f"from_status IN {STATUSES}", name="ck_moderation_decisions_from_status"
        ),
        sa.CheckConstraint(f"reason IN {reasons}", name="ck_moderation_decisions_reason"),
        sa.CheckConstraint(f"to_status IN {STATUSES}", name="ck_moderation_decisions_to_status"),
        sa.ForeignKeyConstraint(
            ["appeal_of_id"],
            ["moderation_decisions.id"],
            name="fk_moderation_decisions_appeal_of_id_moderation_decisions",
        ),
        sa.ForeignKeyConstraint(
            ["comment_id"], ["comments.id"], name="fk_moderation_decisions_comment_id_comments"
        ),
        sa.ForeignKeyConstraint(
            ["item_id"],
            ["moderation_items.id"],
            name="fk_moderation_decisions_item_id_moderation_items",
        ),
        sa.ForeignKeyConstraint(
            ["moderator_id"], ["users.id"], name="fk_moderation_decisions_moderator_id_users"
        ),
        sa.PrimaryKeyConstraint("id", name="pk_moderation_decisions"),
        sa.UniqueConstraint("appeal_of_id", name="uq_moderation_decisions_appeal_of_id"),
        sa.Index("ix_moderation_decisions_comment_id", "comment_id"),
        sa.Index("ix_moderation_decisions_created_at", "created_at"),
        sa.Index("ix_moderation_decisions_item_id", "item_id"),
        sa.Index("ix_moderation_decisions_moderator_id", "moderator_id"),
    )


def _change_decision_checks(old, new):
    """Swap the check constraints of moderation_decisions: (decisions, reasons, automatic)."""
    if op.get_bind().dialect.name == "sqlite":
        _run(_drop_append_only("moderation_decisions"))
        with op.batch_alter_table(
            "moderation_decisions", recreate="always", copy_from=_decisions_table(*new)
        ):
            pass
        _run(_append_only("moderation_decisions"))
        return
    for name, (_old, value) in zip(("decision", "reason", "automatic"), zip(old, new)):
        op.drop_constraint(
            op.f(f"ck_moderation_decisions_{name}"), "moderation_decisions", type_="check"
        )
        condition = value if name == "automatic" else f"{name} IN {value}"
        op.create_check_constraint(
            op.f(f"ck_moderation_decisions_{name}"), "moderation_decisions", condition
        )


def upgrade():
    op.create_table(
        "signature_decisions",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("petition_id", sa.Integer(), nullable=False),
        sa.Column(
            "signature_id", sa.BigInteger().with_variant(sa.Integer(), "sqlite"), nullable=False
        ),
        sa.Column("moderator_id", sa.Integer(), nullable=False),
        sa.Column("decision", sa.String(length=10), nullable=False),
        sa.Column("held_limit", sa.String(length=8), nullable=True),
        sa.Column("note", sa.Text(), nullable=True),
        sa.Column("held_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("created_at", sa.DateTime(timezone=True), nullable=False),
        sa.CheckConstraint(
            "decision IN ('release', 'discard')", name=op.f("ck_signature_decisions_decision")
        ),
        sa.ForeignKeyConstraint(
            ["moderator_id"], ["users.id"], name=op.f("fk_signature_decisions_moderator_id_users")
        ),
        sa.ForeignKeyConstraint(
            ["petition_id"],
            ["petitions.id"],
            name=op.f("fk_signature_decisions_petition_id_petitions"),
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_signature_decisions")),
        sa.UniqueConstraint("signature_id", name=op.f("uq_signature_decisions_signature_id")),
    )
    op.create_index(
        "ix_signature_decisions_created_at", "signature_decisions", ["created_at"], unique=False
    )
    op.create_index(
        "ix_signature_decisions_moderator_id", "signature_decisions", ["moderator_id"], unique=False
    )
    op.create_index(
        "ix_signature_decisions_petition_id", "signature_decisions", ["petition_id"], unique=False
    )
    _run(_append_only("signature_decisions"))

    op.create_table(
        "signature_locks",
        sa.Column(
            "signature_id", sa.BigInteger().with_variant(sa.Integer(), "sqlite"), nullable=False
        ),
        sa.Column("locked_by_id", sa.Integer(), nullable=False),
        sa.Column("locked_until", sa.DateTime(timezone=True), nullable=False),
        sa.ForeignKeyConstraint(
            ["locked_by_id"], ["users.id"], name=op.f("fk_signature_locks_locked_by_id_users")
        ),
        sa.ForeignKeyConstraint(
            ["signature_id"],
            ["petition_signatures.id"],
            name=op.f("fk_signature_locks_signature_id_petition_signatures"),
            ondelete="CASCADE",
        ),
        sa.PrimaryKeyConstraint("signature_id", name=op.f("pk_signature_locks")),
    )

    op.add_column(
        "petition_signatures", sa.Column("network_hash", sa.String(length=32), nullable=True)
    )
    op.add_column(
        "petition_signatures", sa.Column("held_limit", sa.String(length=8), nullable=True)
    )
    op.create_index(
        "ix_petition_signatures_recent",
        "petition_signatures",
        ["created_at", "petition_id", "network_hash"],
        unique=False,
    )
    op.create_index(
        "ix_petition_signatures_suspect",
        "petition_signatures",
        ["created_at"],
        unique=False,
        sqlite_where=sa.text("status = 'suspect'"),
        postgresql_where=sa.text("status = 'suspect'"),
    )

    _change_decision_checks(
        (OLD_DECISIONS, OLD_REASONS, OLD_AUTOMATIC), (NEW_DECISIONS, NEW_REASONS, NEW_AUTOMATIC)
    )


def downgrade():
    _change_decision_checks(
        (NEW_DECISIONS, NEW_REASONS, NEW_AUTOMATIC), (OLD_DECISIONS, OLD_REASONS, OLD_AUTOMATIC)
    )
    op.drop_index(
        "ix_petition_signatures_suspect",
        table_name="petition_signatures",
        sqlite_where=sa.text("status = 'suspect'"),
        postgresql_where=sa.text("status = 'suspect'"),
    )
    op.drop_index("ix_petition_signatures_recent", table_name="petition_signatures")
    with op.batch_alter_table("petition_signatures", schema=None) as batch_op:
        batch_op.drop_column("held_limit")
        batch_op.drop_column("network_hash")
    op.drop_table("signature_locks")
    _run(_drop_append_only("signature_decisions"))
    op.drop_table("signature_decisions")
