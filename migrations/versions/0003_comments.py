"""comments: threaded comments on consultations, sections and petitions; "useful" votes

Revision ID: 0003_comments
Revises: 0002_consultations
Create Date: 2026-11-29 05:49:03.478449

"""

import sqlalchemy as sa
from alembic import op


# revision identifiers, used by Alembic.
revision = "0003_comments"
down_revision = "0002_consultations"
branch_labels = None
depends_on = None


def upgrade():
    op.create_table(
        "comments",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("target_type", sa.String(length=40), nullable=False),
        sa.Column("target_id", sa.Integer(), nullable=False),
        sa.Column("parent_id", sa.Integer(), nullable=True),
        sa.Column("root_id", sa.Integer(), nullable=True),
        sa.Column("depth", sa.Integer(), nullable=False),
        sa.Column("author_id", sa.Integer(), nullable=False),
        sa.Column("body_source", sa.Text(), nullable=False),
        sa.Column("body_html", sa.Text(), nullable=False),
        sa.Column("stance", sa.String(length=10), nullable=True),
        sa.Column("status", sa.String(length=10), nullable=False),
        sa.Column("is_official", sa.Boolean(), nullable=False),
        sa.Column("official_institution_id", sa.Integer(), nullable=True),
        sa.Column("created_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("edited_at", sa.DateTime(timezone=True), nullable=True),
        sa.Column("deleted_at", sa.DateTime(timezone=True), nullable=True),
        sa.Column("useful_count", sa.Integer(), nullable=False),
        sa.CheckConstraint(
            "stance IS NULL OR (parent_id IS NULL AND stance IN ('agree', 'disagree', 'neutral'))",
            name=op.f("ck_comments_stance"),
        ),
        sa.CheckConstraint(
            "status IN ('pending', 'visible', 'hidden', 'rejected')",
            name=op.f("ck_comments_status"),
        ),
        sa.CheckConstraint(
            "(is_official) = (official_institution_id IS NOT NULL)",
            name=op.f("ck_comments_official"),
        ),
        sa.CheckConstraint(
            "(parent_id IS NULL AND root_id IS NULL AND depth = 0) OR (parent_id IS NOT NULL AND root_id IS NOT NULL AND depth > 0)",
            name=op.f("ck_comments_thread"),
        ),
        sa.CheckConstraint("depth >= 0 AND depth <= 3", name=op.f("ck_comments_depth")),
        sa.CheckConstraint("useful_count >= 0", name=op.f("ck_comments_useful_count")),
        sa.ForeignKeyConstraint(
            ["author_id"], ["users.id"], name=op.f("fk_comments_author_id_users")
        ),
        sa.ForeignKeyConstraint(
            ["official_institution_id"],
            ["institutions.id"],
            name=op.f("fk_comments_official_institution_id_institutions"),
        ),
        sa.ForeignKeyConstraint(
            ["parent_id"], ["comments.id"], name=op.f("fk_comments_parent_id_comments")
        ),
        sa.ForeignKeyConstraint(
            ["root_id"], ["comments.id"], name=op.f("fk_comments_root_id_comments")
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_comments")),
    )
    with op.batch_alter_table("comments", schema=None) as batch_op:
        batch_op.create_index(batch_op.f("ix_comments_author_id"), ["author_id"], unique=False)
        batch_op.create_index(batch_op.f("ix_comments_parent_id"), ["parent_id"], unique=False)
        batch_op.create_index(batch_op.f("ix_comments_root_id"), ["root_id"], unique=False)
        batch_op.create_index(
            "ix_comments_target", ["target_type", "target_id", "status", "created_at"], unique=False
        )

    op.create_table(
        "comment_votes",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("comment_id", sa.Integer(), nullable=False),
        sa.Column("user_id", sa.Integer(), nullable=False),
        sa.Column("created_at", sa.DateTime(timezone=True), nullable=False),
        sa.ForeignKeyConstraint(
            ["comment_id"],
            ["comments.id"],
            name=op.f("fk_comment_votes_comment_id_comments"),
            ondelete="CASCADE",
        ),
        sa.ForeignKeyConstraint(
            ["user_id"], ["users.id"], name=op.f("fk_comment_votes_user_id_users")
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_comment_votes")),
        sa.UniqueConstraint(
            "comment_id", "user_id", name=op.f("uq_comment_votes_comment_id_user_id")
        ),
    )
    with op.batch_alter_table("comment_votes", schema=None) as batch_op:
        batch_op.create_index(batch_op.f("ix_comment_votes_user_id"), ["user_id"], unique=False)


def downgrade():
    with op.batch_alter_table("comment_votes", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_comment_votes_user_id"))

    op.drop_table("comment_votes")
    with op.batch_alter_table("comments", schema=None) as batch_op:
        batch_op.drop_index("ix_comments_target")
        batch_op.drop_index(batch_op.f("ix_comments_root_id"))
        batch_op.drop_index(batch_op.f("ix_comments_parent_id"))
        batch_op.drop_index(batch_op.f("ix_comments_author_id"))

    op.drop_table("comments")
