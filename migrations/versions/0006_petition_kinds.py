"""petition kinds; communes' population

Revision ID: 0006_petition_kinds
Revises: 0005_moderation
Create Date: 2026-11-29 06:21:06.643544

"""

from alembic import op
import sqlalchemy as sa


# revision identifiers, used by Alembic.
revision = "0006_petition_kinds"
down_revision = "0005_moderation"
branch_labels = None
depends_on = None


def upgrade():
    op.create_table(
        "petition_kinds",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("key", sa.String(length=60), nullable=False),
        sa.Column("category", sa.String(length=10), nullable=False),
        sa.Column("level", sa.String(length=10), nullable=False),
        sa.Column("name", sa.JSON(), nullable=False),
        sa.Column("law", sa.String(length=200), nullable=False),
        sa.Column("addressee", sa.JSON(), nullable=False),
        sa.Column("institution_id", sa.Integer(), nullable=True),
        sa.Column("institution_kind", sa.String(length=32), nullable=False),
        sa.Column("signatures_required", sa.Integer(), nullable=True),
        sa.Column("signatures_by_population", sa.JSON(), nullable=True),
        sa.Column("signatures_with_arrondissements", sa.Integer(), nullable=True),
        sa.Column("per_province_min_share", sa.Float(), nullable=True),
        sa.Column("min_committee_members", sa.Integer(), nullable=False),
        sa.Column("min_committee_regions", sa.Integer(), nullable=True),
        sa.Column("deadlines_days", sa.JSON(), nullable=False),
        sa.Column("rejection_notice_months", sa.Integer(), nullable=True),
        sa.Column("signing_window_days", sa.Integer(), nullable=False),
        sa.Column("associations_may_petition", sa.Boolean(), nullable=False),
        sa.Column("appeal_allowed", sa.Boolean(), nullable=False),
        sa.Column("grounds", sa.JSON(), nullable=False),
        sa.Column("legal_status", sa.String(length=10), nullable=False),
        sa.Column("note", sa.Text(), nullable=True),
        sa.Column("active", sa.Boolean(), nullable=False),
        sa.Column("updated_at", sa.DateTime(timezone=True), nullable=False),
        sa.CheckConstraint(
            "category IN ('petition', 'motion')", name=op.f("ck_petition_kinds_category")
        ),
        sa.CheckConstraint(
            "legal_status IN ('verified', 'uncertain')", name=op.f("ck_petition_kinds_legal_status")
        ),
        sa.CheckConstraint(
            "level IN ('national', 'region', 'province', 'commune')",
            name=op.f("ck_petition_kinds_level"),
        ),
        sa.CheckConstraint(
            "min_committee_members >= 1", name=op.f("ck_petition_kinds_min_committee_members")
        ),
        sa.CheckConstraint(
            "signatures_required IS NULL OR signatures_required > 0",
            name=op.f("ck_petition_kinds_signatures_required"),
        ),
        sa.CheckConstraint(
            "signing_window_days > 0", name=op.f("ck_petition_kinds_signing_window_days")
        ),
        sa.ForeignKeyConstraint(
            ["institution_id"],
            ["institutions.id"],
            name=op.f("fk_petition_kinds_institution_id_institutions"),
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_petition_kinds")),
        sa.UniqueConstraint("key", name=op.f("uq_petition_kinds_key")),
    )
    with op.batch_alter_table("institutions", schema=None) as batch_op:
        batch_op.add_column(sa.Column("population", sa.Integer(), nullable=True))
        batch_op.add_column(
            sa.Column(
                "has_arrondissements", sa.Boolean(), server_default=sa.false(), nullable=False
            )
        )


def downgrade():
    with op.batch_alter_table("institutions", schema=None) as batch_op:
        batch_op.drop_column("has_arrondissements")
        batch_op.drop_column("population")

    op.drop_table("petition_kinds")
