"""petitions, committees, signatures with sharded counters, site switches

Revision ID: 0007_petitions
Revises: 0006_petition_kinds
Create Date: 2026-11-29 06:24:52.777824

"""

from alembic import op
import sqlalchemy as sa


# revision identifiers, used by Alembic.
revision = "0007_petitions"
down_revision = "0006_petition_kinds"
branch_labels = None
depends_on = None


def upgrade():
    op.create_table(
        "site_switches",
        sa.Column("key", sa.String(length=40), nullable=False),
        sa.Column("enabled", sa.Boolean(), nullable=False),
        sa.Column("message", sa.JSON(), nullable=False),
        sa.Column("updated_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("updated_by_id", sa.Integer(), nullable=True),
        sa.ForeignKeyConstraint(
            ["updated_by_id"], ["users.id"], name=op.f("fk_site_switches_updated_by_id_users")
        ),
        sa.PrimaryKeyConstraint("key", name=op.f("pk_site_switches")),
    )
    op.create_table(
        "petitions",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("kind_id", sa.Integer(), nullable=False),
        sa.Column("initiator_id", sa.Integer(), nullable=False),
        sa.Column("title", sa.JSON(), nullable=False),
        sa.Column("demands", sa.JSON(), nullable=False),
        sa.Column("memorandum", sa.JSON(), nullable=False),
        sa.Column("languages", sa.String(length=20), nullable=False),
        sa.Column("slug", sa.String(length=80), nullable=False),
        sa.Column("region_id", sa.Integer(), nullable=True),
        sa.Column("province_id", sa.Integer(), nullable=True),
        sa.Column("addressee_id", sa.Integer(), nullable=True),
        sa.Column("state", sa.String(length=12), nullable=False),
        sa.Column("signatures_required", sa.Integer(), nullable=True),
        sa.Column("review_note", sa.Text(), nullable=True),
        sa.Column("rejection_ground", sa.String(length=40), nullable=True),
        sa.Column("rejection_explanation", sa.Text(), nullable=True),
        sa.Column("withdrawal_reason", sa.Text(), nullable=True),
        sa.Column("search_text", sa.Text(), nullable=False),
        sa.Column("created_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("updated_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("submitted_at", sa.DateTime(timezone=True), nullable=True),
        sa.Column("published_at", sa.DateTime(timezone=True), nullable=True),
        sa.Column("closes_at", sa.DateTime(timezone=True), nullable=True),
        sa.Column("decided_at", sa.DateTime(timezone=True), nullable=True),
        sa.CheckConstraint(
            "state IN ('draft', 'submitted', 'open', 'rejected', 'expired', 'withdrawn', 'deposited')",
            name=op.f("ck_petitions_state"),
        ),
        sa.ForeignKeyConstraint(
            ["addressee_id"],
            ["institutions.id"],
            name=op.f("fk_petitions_addressee_id_institutions"),
        ),
        sa.ForeignKeyConstraint(
            ["initiator_id"], ["users.id"], name=op.f("fk_petitions_initiator_id_users")
        ),
        sa.ForeignKeyConstraint(
            ["kind_id"], ["petition_kinds.id"], name=op.f("fk_petitions_kind_id_petition_kinds")
        ),
        sa.ForeignKeyConstraint(
            ["province_id"], ["provinces.id"], name=op.f("fk_petitions_province_id_provinces")
        ),
        sa.ForeignKeyConstraint(
            ["region_id"], ["regions.id"], name=op.f("fk_petitions_region_id_regions")
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_petitions")),
    )
    with op.batch_alter_table("petitions", schema=None) as batch_op:
        batch_op.create_index(
            batch_op.f("ix_petitions_addressee_id"), ["addressee_id"], unique=False
        )
        batch_op.create_index(
            batch_op.f("ix_petitions_initiator_id"), ["initiator_id"], unique=False
        )
        batch_op.create_index(batch_op.f("ix_petitions_kind_id"), ["kind_id"], unique=False)
        batch_op.create_index(batch_op.f("ix_petitions_region_id"), ["region_id"], unique=False)
        batch_op.create_index(batch_op.f("ix_petitions_state"), ["state"], unique=False)

    op.create_table(
        "petition_committee_members",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("petition_id", sa.Integer(), nullable=False),
        sa.Column("user_id", sa.Integer(), nullable=True),
        sa.Column("email", sa.String(length=320), nullable=False),
        sa.Column("role", sa.String(length=10), nullable=False),
        sa.Column("invitation_hash", sa.String(length=64), nullable=True),
        sa.Column("invited_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("accepted_at", sa.DateTime(timezone=True), nullable=True),
        sa.CheckConstraint(
            "role IN ('member', 'agent', 'deputy')", name=op.f("ck_petition_committee_members_role")
        ),
        sa.CheckConstraint(
            "accepted_at IS NULL OR user_id IS NOT NULL",
            name=op.f("ck_petition_committee_members_accepted_by_user"),
        ),
        sa.ForeignKeyConstraint(
            ["petition_id"],
            ["petitions.id"],
            name=op.f("fk_petition_committee_members_petition_id_petitions"),
            ondelete="CASCADE",
        ),
        sa.ForeignKeyConstraint(
            ["user_id"], ["users.id"], name=op.f("fk_petition_committee_members_user_id_users")
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_petition_committee_members")),
        sa.UniqueConstraint(
            "invitation_hash", name=op.f("uq_petition_committee_members_invitation_hash")
        ),
        sa.UniqueConstraint(
            "petition_id", "email", name="uq_petition_committee_members_petition_email"
        ),
    )
    with op.batch_alter_table("petition_committee_members", schema=None) as batch_op:
        batch_op.create_index(
            batch_op.f("ix_petition_committee_members_petition_id"), ["petition_id"], unique=False
        )
        batch_op.create_index(
            batch_op.f("ix_petition_committee_members_user_id"), ["user_id"], unique=False
        )

    op.create_table(
        "petition_signature_counters",
        sa.Column("petition_id", sa.Integer(), nullable=False),
        sa.Column("province_key", sa.Integer(), nullable=False),
        sa.Column("shard", sa.SmallInteger(), nullable=False),
        sa.Column("region_key", sa.Integer(), nullable=False),
        sa.Column("count", sa.BigInteger(), nullable=False),
        sa.Column("updated_at", sa.DateTime(timezone=True), nullable=False),
        sa.ForeignKeyConstraint(
            ["petition_id"],
            ["petitions.id"],
            name=op.f("fk_petition_signature_counters_petition_id_petitions"),
        ),
        sa.PrimaryKeyConstraint(
            "petition_id", "province_key", "shard", name=op.f("pk_petition_signature_counters")
        ),
    )
    op.create_table(
        "petition_signatures",
        sa.Column("id", sa.BigInteger().with_variant(sa.Integer(), "sqlite"), nullable=False),
        sa.Column("petition_id", sa.Integer(), nullable=False),
        sa.Column("user_id", sa.Integer(), nullable=True),
        sa.Column("cin_hash", sa.String(length=64), nullable=True),
        sa.Column("region_id", sa.Integer(), nullable=True),
        sa.Column("province_id", sa.Integer(), nullable=True),
        sa.Column("first_name", sa.String(length=100), nullable=True),
        sa.Column("last_name", sa.String(length=100), nullable=True),
        sa.Column("address", sa.String(length=300), nullable=True),
        sa.Column("cin_encrypted", sa.Text(), nullable=True),
        sa.Column("cin_expiry", sa.Date(), nullable=True),
        sa.Column("status", sa.String(length=8), nullable=False),
        sa.Column("shard", sa.SmallInteger(), nullable=False),
        sa.Column("created_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("anonymised_at", sa.DateTime(timezone=True), nullable=True),
        sa.CheckConstraint(
            "status IN ('counted', 'suspect')", name=op.f("ck_petition_signatures_status")
        ),
        sa.ForeignKeyConstraint(
            ["petition_id"],
            ["petitions.id"],
            name=op.f("fk_petition_signatures_petition_id_petitions"),
        ),
        sa.ForeignKeyConstraint(
            ["user_id"], ["users.id"], name=op.f("fk_petition_signatures_user_id_users")
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_petition_signatures")),
        sa.UniqueConstraint("petition_id", "cin_hash", name="uq_petition_signatures_petition_cin"),
        sa.UniqueConstraint("petition_id", "user_id", name="uq_petition_signatures_petition_user"),
    )
    with op.batch_alter_table("petition_signatures", schema=None) as batch_op:
        batch_op.create_index(
            "ix_petition_signatures_petition_status", ["petition_id", "status"], unique=False
        )
        batch_op.create_index("ix_petition_signatures_user", ["user_id"], unique=False)


def downgrade():
    with op.batch_alter_table("petition_signatures", schema=None) as batch_op:
        batch_op.drop_index("ix_petition_signatures_user")
        batch_op.drop_index("ix_petition_signatures_petition_status")

    op.drop_table("petition_signatures")
    op.drop_table("petition_signature_counters")
    with op.batch_alter_table("petition_committee_members", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_petition_committee_members_user_id"))
        batch_op.drop_index(batch_op.f("ix_petition_committee_members_petition_id"))

    op.drop_table("petition_committee_members")
    with op.batch_alter_table("petitions", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_petitions_state"))
        batch_op.drop_index(batch_op.f("ix_petitions_region_id"))
        batch_op.drop_index(batch_op.f("ix_petitions_kind_id"))
        batch_op.drop_index(batch_op.f("ix_petitions_initiator_id"))
        batch_op.drop_index(batch_op.f("ix_petitions_addressee_id"))

    op.drop_table("petitions")
    op.drop_table("site_switches")
