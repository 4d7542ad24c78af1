"""moderation: reports, screening, the queue, append-only decisions and appeals

Revision ID: 0005_moderation
Revises: 0004_users_2fa_blocking
Create Date: 2026-11-29 06:19:20.506641

"""

import sqlalchemy as sa
from alembic import op

# Moderation decisions and appeals are append-only: the database itself refuses UPDATE and DELETE.
APPEND_ONLY = ("moderation_decisions", "moderation_appeals")


def _triggers(table):
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


def _drop_triggers(table):
    return {
        "sqlite": [f"DROP TRIGGER {table}_no_update", f"DROP TRIGGER {table}_no_delete"],
        "postgresql": [
            f"DROP TRIGGER {table}_no_change ON {table}",
            f"DROP FUNCTION {table}_append_only()",
        ],
    }


# revision identifiers, used by Alembic.
revision = "0005_moderation"
down_revision = "0004_users_2fa_blocking"
branch_labels = None
depends_on = None


def upgrade():
    op.create_table(
        "screening_settings",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("check_links", sa.Boolean(), nullable=False),
        sa.Column("max_links", sa.Integer(), nullable=False),
        sa.Column("check_repeats", sa.Boolean(), nullable=False),
        sa.Column("repeat_window_hours", sa.Integer(), nullable=False),
        sa.Column("repeat_min_length", sa.Integer(), nullable=False),
        sa.Column("check_words", sa.Boolean(), nullable=False),
        sa.Column("word_lists", sa.JSON(), nullable=False),
        sa.Column("updated_at", sa.DateTime(timezone=True), nullable=True),
        sa.Column("updated_by_id", sa.Integer(), nullable=True),
        sa.CheckConstraint("id = 1", name=op.f("ck_screening_settings_single_row")),
        sa.CheckConstraint("max_links >= 0", name=op.f("ck_screening_settings_max_links")),
        sa.CheckConstraint(
            "repeat_min_length >= 0", name=op.f("ck_screening_settings_repeat_min_length")
        ),
        sa.CheckConstraint(
            "repeat_window_hours > 0", name=op.f("ck_screening_settings_repeat_window_hours")
        ),
        sa.ForeignKeyConstraint(
            ["updated_by_id"], ["users.id"], name=op.f("fk_screening_settings_updated_by_id_users")
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_screening_settings")),
    )
    op.create_table(
        "comment_fingerprints",
        sa.Column("comment_id", sa.Integer(), nullable=False),
        sa.Column("digest", sa.String(length=64), nullable=False),
        sa.Column("created_at", sa.DateTime(timezone=True), nullable=False),
        sa.ForeignKeyConstraint(
            ["comment_id"],
            ["comments.id"],
            name=op.f("fk_comment_fingerprints_comment_id_comments"),
            ondelete="CASCADE",
        ),
        sa.PrimaryKeyConstraint("comment_id", name=op.f("pk_comment_fingerprints")),
    )
    with op.batch_alter_table("comment_fingerprints", schema=None) as batch_op:
        batch_op.create_index(
            "ix_comment_fingerprints_digest", ["digest", "created_at"], unique=False
        )

    op.create_table(
        "comment_reports",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("comment_id", sa.Integer(), nullable=False),
        sa.Column("reporter_id", sa.Integer(), nullable=False),
        sa.Column("reason", sa.String(length=20), nullable=False),
        sa.Column("details", sa.Text(), nullable=True),
        sa.Column("created_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("resolved_at", sa.DateTime(timezone=True), nullable=True),
        sa.CheckConstraint(
            "reason <> 'other' OR details IS NOT NULL",
            name=op.f("ck_comment_reports_other_explained"),
        ),
        sa.CheckConstraint(
            "reason IN ('spam', 'insult_or_hate', 'personal_data', 'off_topic', 'other')",
            name=op.f("ck_comment_reports_reason"),
        ),
        sa.ForeignKeyConstraint(
            ["comment_id"], ["comments.id"], name=op.f("fk_comment_reports_comment_id_comments")
        ),
        sa.ForeignKeyConstraint(
            ["reporter_id"], ["users.id"], name=op.f("fk_comment_reports_reporter_id_users")
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_comment_reports")),
        sa.UniqueConstraint(
            "comment_id", "reporter_id", name=op.f("uq_comment_reports_comment_id_reporter_id")
        ),
    )
    with op.batch_alter_table("comment_reports", schema=None) as batch_op:
        batch_op.create_index(
            batch_op.f("ix_comment_reports_reporter_id"), ["reporter_id"], unique=False
        )

    op.create_table(
        "moderation_items",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("comment_id", sa.Integer(), nullable=False),
        sa.Column("kind", sa.String(length=10), nullable=False),
        sa.Column("reason", sa.String(length=20), nullable=False),
        sa.Column("institution_id", sa.Integer(), nullable=True),
        sa.Column("language", sa.String(length=8), nullable=True),
        sa.Column("opened_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("closed_at", sa.DateTime(timezone=True), nullable=True),
        sa.Column("locked_by_id", sa.Integer(), nullable=True),
        sa.Column("locked_until", sa.DateTime(timezone=True), nullable=True),
        sa.CheckConstraint(
            "kind IN ('pending', 'reported', 'appeal')", name=op.f("ck_moderation_items_kind")
        ),
        sa.CheckConstraint(
            "(locked_by_id IS NULL) = (locked_until IS NULL)", name=op.f("ck_moderation_items_lock")
        ),
        sa.CheckConstraint(
            "reason IN ('premoderation', 'appeal', 'links', 'repeated_text', 'word_list', 'spam', 'insult_or_hate', 'personal_data', 'off_topic', 'other')",
            name=op.f("ck_moderation_items_reason"),
        ),
        sa.ForeignKeyConstraint(
            ["comment_id"], ["comments.id"], name=op.f("fk_moderation_items_comment_id_comments")
        ),
        sa.ForeignKeyConstraint(
            ["institution_id"],
            ["institutions.id"],
            name=op.f("fk_moderation_items_institution_id_institutions"),
        ),
        sa.ForeignKeyConstraint(
            ["locked_by_id"], ["users.id"], name=op.f("fk_moderation_items_locked_by_id_users")
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_moderation_items")),
    )
    with op.batch_alter_table("moderation_items", schema=None) as batch_op:
        batch_op.create_index(
            batch_op.f("ix_moderation_items_comment_id"), ["comment_id"], unique=False
        )
        batch_op.create_index(
            batch_op.f("ix_moderation_items_institution_id"), ["institution_id"], unique=False
        )
        batch_op.create_index("ix_moderation_items_open", ["closed_at", "opened_at"], unique=False)
        batch_op.create_index(
            "uq_moderation_items_open_comment",
            ["comment_id"],
            unique=True,
            sqlite_where=sa.text("closed_at IS NULL"),
            postgresql_where=sa.text("closed_at IS NULL"),
        )

    op.create_table(
        "screening_flags",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("comment_id", sa.Integer(), nullable=False),
        sa.Column("rule", sa.String(length=20), nullable=False),
        sa.Column("details", sa.JSON(), nullable=False),
        sa.Column("created_at", sa.DateTime(timezone=True), nullable=False),
        sa.CheckConstraint(
            "rule IN ('links', 'repeated_text', 'word_list')", name=op.f("ck_screening_flags_rule")
        ),
        sa.ForeignKeyConstraint(
            ["comment_id"], ["comments.id"], name=op.f("fk_screening_flags_comment_id_comments")
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_screening_flags")),
    )
    with op.batch_alter_table("screening_flags", schema=None) as batch_op:
        batch_op.create_index(
            batch_op.f("ix_screening_flags_comment_id"), ["comment_id"], unique=False
        )

    op.create_table(
        "moderation_decisions",
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
        sa.CheckConstraint(
            "(moderator_id IS NULL) = (reason = 'reported')",
            name=op.f("ck_moderation_decisions_automatic"),
        ),
        sa.CheckConstraint(
            "decision IN ('approve', 'hide', 'reject', 'restore')",
            name=op.f("ck_moderation_decisions_decision"),
        ),
        sa.CheckConstraint(
            "from_status IN ('pending', 'visible', 'hidden', 'rejected')",
            name=op.f("ck_moderation_decisions_from_status"),
        ),
        sa.CheckConstraint(
            "reason IN ('respects_rules', 'decision_corrected', 'spam', 'insult_or_hate', 'personal_data', 'off_topic', 'unlawful', 'other', 'reported')",
            name=op.f("ck_moderation_decisions_reason"),
        ),
        sa.CheckConstraint(
            "to_status IN ('pending', 'visible', 'hidden', 'rejected')",
            name=op.f("ck_moderation_decisions_to_status"),
        ),
        sa.ForeignKeyConstraint(
            ["appeal_of_id"],
            ["moderation_decisions.id"],
            name=op.f("fk_moderation_decisions_appeal_of_id_moderation_decisions"),
        ),
        sa.ForeignKeyConstraint(
            ["comment_id"],
            ["comments.id"],
            name=op.f("fk_moderation_decisions_comment_id_comments"),
        ),
        sa.ForeignKeyConstraint(
            ["item_id"],
            ["moderation_items.id"],
            name=op.f("fk_moderation_decisions_item_id_moderation_items"),
        ),
        sa.ForeignKeyConstraint(
            ["moderator_id"], ["users.id"], name=op.f("fk_moderation_decisions_moderator_id_users")
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_moderation_decisions")),
        sa.UniqueConstraint("appeal_of_id", name=op.f("uq_moderation_decisions_appeal_of_id")),
    )
    with op.batch_alter_table("moderation_decisions", schema=None) as batch_op:
        batch_op.create_index(
            batch_op.f("ix_moderation_decisions_comment_id"), ["comment_id"], unique=False
        )
        batch_op.create_index(
            batch_op.f("ix_moderation_decisions_created_at"), ["created_at"], unique=False
        )
        batch_op.create_index(
            batch_op.f("ix_moderation_decisions_item_id"), ["item_id"], unique=False
        )
        batch_op.create_index(
            batch_op.f("ix_moderation_decisions_moderator_id"), ["moderator_id"], unique=False
        )

    op.create_table(
        "moderation_appeals",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("decision_id", sa.Integer(), nullable=False),
        sa.Column("comment_id", sa.Integer(), nullable=False),
        sa.Column("author_id", sa.Integer(), nullable=False),
        sa.Column("text", sa.Text(), nullable=False),
        sa.Column("created_at", sa.DateTime(timezone=True), nullable=False),
        sa.ForeignKeyConstraint(
            ["author_id"], ["users.id"], name=op.f("fk_moderation_appeals_author_id_users")
        ),
        sa.ForeignKeyConstraint(
            ["comment_id"], ["comments.id"], name=op.f("fk_moderation_appeals_comment_id_comments")
        ),
        sa.ForeignKeyConstraint(
            ["decision_id"],
            ["moderation_decisions.id"],
            name=op.f("fk_moderation_appeals_decision_id_moderation_decisions"),
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_moderation_appeals")),
        sa.UniqueConstraint("decision_id", name=op.f("uq_moderation_appeals_decision_id")),
    )
    with op.batch_alter_table("moderation_appeals", schema=None) as batch_op:
        batch_op.create_index(
            batch_op.f("ix_moderation_appeals_author_id"), ["author_id"], unique=False
        )
        batch_op.create_index(
            batch_op.f("ix_moderation_appeals_comment_id"), ["comment_id"], unique=False
        )
        batch_op.create_index(
            batch_op.f("ix_moderation_appeals_created_at"), ["created_at"], unique=False
        )

    for table in APPEND_ONLY:
        for statement in _triggers(table).get(op.get_bind().dialect.name, []):
            op.execute(statement)


def downgrade():
    for table in APPEND_ONLY:
        for statement in _drop_triggers(table).get(op.get_bind().dialect.name, []):
            op.execute(statement)
    with op.batch_alter_table("moderation_appeals", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_moderation_appeals_created_at"))
        batch_op.drop_index(batch_op.f("ix_moderation_appeals_comment_id"))
        batch_op.drop_index(batch_op.f("ix_moderation_appeals_author_id"))

    op.drop_table("moderation_appeals")
    with op.batch_alter_table("moderation_decisions", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_moderation_decisions_moderator_id"))
        batch_op.drop_index(batch_op.f("ix_moderation_decisions_item_id"))
        batch_op.drop_index(batch_op.f("ix_moderation_decisions_created_at"))
        batch_op.drop_index(batch_op.f("ix_moderation_decisions_comment_id"))

    op.drop_table("moderation_decisions")
    with op.batch_alter_table("screening_flags", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_screening_flags_comment_id"))

    op.drop_table("screening_flags")
    with op.batch_alter_table("moderation_items", schema=None) as batch_op:
        batch_op.drop_index(
            "uq_moderation_items_open_comment",
            sqlite_where=sa.text("closed_at IS NULL"),
            postgresql_where=sa.text("closed_at IS NULL"),
        )
        batch_op.drop_index("ix_moderation_items_open")
        batch_op.drop_index(batch_op.f("ix_moderation_items_institution_id"))
        batch_op.drop_index(batch_op.f("ix_moderation_items_comment_id"))

    op.drop_table("moderation_items")
    with op.batch_alter_table("comment_reports", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_comment_reports_reporter_id"))

    op.drop_table("comment_reports")
    with op.batch_alter_table("comment_fingerprints", schema=None) as batch_op:
        batch_op.drop_index("ix_comment_fingerprints_digest")

    op.drop_table("comment_fingerprints")
    op.drop_table("screening_settings")
