"""translators' desk: the translator role, and the reviews, flags and proposals of interface messages

Revision ID: 0014_translation_reviews
Revises: 0013_kind_texts_3_languages
Create Date: 2026-12-16 09:00:00.000000

"""

import sqlalchemy as sa
from alembic import op

# revision identifiers, used by Alembic.
revision = "0014_translation_reviews"
down_revision = "0013_kind_texts_3_languages"
branch_labels = None
depends_on = None

ROLES_BEFORE = "role IN ('officer', 'moderator', 'observer', 'administrator')"
ROLES_AFTER = "role IN ('officer', 'moderator', 'observer', 'administrator', 'translator')"
ACTIVE_GRANT_INDEX = dict(
    unique=True,
    sqlite_where=sa.text("revoked_at IS NULL"),
    postgresql_where=sa.text("revoked_at IS NULL"),
)


def _allow_roles(check):
    # SQLite rebuilds the table: its partial unique index is dropped first and made again after,
    # so that it keeps its WHERE clause.
    with op.batch_alter_table("role_grants", schema=None) as batch_op:
        batch_op.drop_index("uq_role_grants_active", **ACTIVE_GRANT_INDEX)
    with op.batch_alter_table("role_grants", schema=None) as batch_op:
        batch_op.drop_constraint(op.f("ck_role_grants_role"), type_="check")
        batch_op.create_check_constraint(op.f("ck_role_grants_role"), check)
    with op.batch_alter_table("role_grants", schema=None) as batch_op:
        batch_op.create_index("uq_role_grants_active", ["user_id", "role"], **ACTIVE_GRANT_INDEX)


def upgrade():
    _allow_roles(ROLES_AFTER)
    op.create_table(
        "translation_reviews",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("entry_key", sa.String(length=16), nullable=False),
        sa.Column("language", sa.String(length=8), nullable=False),
        sa.Column("msgid", sa.Text(), nullable=False),
        sa.Column("msgctxt", sa.Text(), nullable=False),
        sa.Column("kind", sa.String(length=10), nullable=False),
        sa.Column("catalog_text", sa.JSON(), nullable=False),
        sa.Column("proposal", sa.JSON(), nullable=True),
        sa.Column("note", sa.Text(), nullable=True),
        sa.Column("author_id", sa.Integer(), nullable=False),
        sa.Column("created_at", sa.DateTime(timezone=True), nullable=False),
        sa.CheckConstraint(
            "language IN ('ar', 'fr', 'zgh')", name=op.f("ck_translation_reviews_language")
        ),
        sa.CheckConstraint(
            "kind IN ('reviewed', 'flagged', 'proposed')", name=op.f("ck_translation_reviews_kind")
        ),
        sa.CheckConstraint(
            "(kind = 'proposed') = (proposal IS NOT NULL)",
            name=op.f("ck_translation_reviews_proposal"),
        ),
        sa.CheckConstraint(
            "kind <> 'flagged' OR note IS NOT NULL",
            name=op.f("ck_translation_reviews_flag_has_note"),
        ),
        sa.ForeignKeyConstraint(
            ["author_id"], ["users.id"], name=op.f("fk_translation_reviews_author_id_users")
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_translation_reviews")),
    )
    with op.batch_alter_table("translation_reviews", schema=None) as batch_op:
        batch_op.create_index(
            batch_op.f("ix_translation_reviews_author_id"), ["author_id"], unique=False
        )
        batch_op.create_index(
            "ix_translation_reviews_entry", ["entry_key", "language", "id"], unique=False
        )


def downgrade():
    with op.batch_alter_table("translation_reviews", schema=None) as batch_op:
        batch_op.drop_index("ix_translation_reviews_entry")
        batch_op.drop_index(batch_op.f("ix_translation_reviews_author_id"))
    op.drop_table("translation_reviews")
    # The role no longer exists: its grants, active or revoked, cannot stay under the old CHECK.
    op.execute(sa.text("DELETE FROM role_grants WHERE role = 'translator'"))
    _allow_roles(ROLES_BEFORE)
