"""dashboards: monthly pre-aggregated counts, petition threshold moments, creation-time indexes

Revision ID: 0011_dashboards
Revises: 0010_ogp_commitments
Create Date: 2026-11-29 08:35:10.270473

"""

from alembic import op
import sqlalchemy as sa


# revision identifiers, used by Alembic.
revision = "0011_dashboards"
down_revision = "0010_ogp_commitments"
branch_labels = None
depends_on = None


def upgrade():
    op.create_table(
        "stats_monthly_counts",
        sa.Column("month", sa.Date(), nullable=False),
        sa.Column("metric", sa.String(length=20), nullable=False),
        sa.Column("region_key", sa.Integer(), nullable=False),
        sa.Column("institution_key", sa.Integer(), nullable=False),
        sa.Column("language", sa.String(length=8), nullable=False),
        sa.Column("count", sa.BigInteger(), nullable=False),
        sa.Column("refreshed_at", sa.DateTime(timezone=True), nullable=False),
        sa.PrimaryKeyConstraint(
            "month",
            "metric",
            "region_key",
            "institution_key",
            "language",
            name=op.f("pk_stats_monthly_counts"),
        ),
    )
    op.create_table(
        "stats_petition_thresholds",
        sa.Column("petition_id", sa.Integer(), nullable=False),
        sa.Column("reached_at", sa.DateTime(timezone=True), nullable=False),
        sa.ForeignKeyConstraint(
            ["petition_id"],
            ["petitions.id"],
            name=op.f("fk_stats_petition_thresholds_petition_id_petitions"),
        ),
        sa.PrimaryKeyConstraint("petition_id", name=op.f("pk_stats_petition_thresholds")),
    )
    op.create_index("ix_comments_created_at", "comments", ["created_at"], unique=False)
    op.create_index(
        "ix_consultation_answer_sets_created_at",
        "consultation_answer_sets",
        ["created_at"],
        unique=False,
    )
    op.create_index(
        "ix_petition_signatures_created_at",
        "petition_signatures",
        ["created_at"],
        unique=False,
        postgresql_using="brin",
        postgresql_with={"autosummarize": "on"},
    )
    op.create_index("ix_users_created_at", "users", ["created_at"], unique=False)


def downgrade():
    op.drop_index("ix_users_created_at", table_name="users")
    op.drop_index("ix_petition_signatures_created_at", table_name="petition_signatures")
    op.drop_index("ix_consultation_answer_sets_created_at", table_name="consultation_answer_sets")
    op.drop_index("ix_comments_created_at", table_name="comments")
    op.drop_table("stats_petition_thresholds")
    op.drop_table("stats_monthly_counts")
