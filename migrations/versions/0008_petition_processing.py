"""petition processing after deposit: dated steps, follows, deposit date, two new end states

Revision ID: 0008_petition_processing
Revises: 0007_petitions
Create Date: 2026-11-29 08:20:02.690453

"""

from alembic import op
import sqlalchemy as sa


# revision identifiers, used by Alembic.
revision = "0008_petition_processing"
down_revision = "0007_petitions"
branch_labels = None
depends_on = None

OLD_STATES = ("draft", "submitted", "open", "rejected", "expired", "withdrawn", "deposited")
NEW_STATES = OLD_STATES + ("inadmissible", "answered")


def upgrade():
    op.create_table(
        "petition_follows",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("petition_id", sa.Integer(), nullable=False),
        sa.Column("user_id", sa.Integer(), nullable=False),
        sa.Column("created_at", sa.DateTime(timezone=True), nullable=False),
        sa.ForeignKeyConstraint(
            ["petition_id"],
            ["petitions.id"],
            name=op.f("fk_petition_follows_petition_id_petitions"),
        ),
        sa.ForeignKeyConstraint(
            ["user_id"], ["users.id"], name=op.f("fk_petition_follows_user_id_users")
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_petition_follows")),
        sa.UniqueConstraint("petition_id", "user_id", name="uq_petition_follows_petition_user"),
    )
    with op.batch_alter_table("petition_follows", schema=None) as batch_op:
        batch_op.create_index(
            batch_op.f("ix_petition_follows_petition_id"), ["petition_id"], unique=False
        )
        batch_op.create_index(batch_op.f("ix_petition_follows_user_id"), ["user_id"], unique=False)

    op.create_table(
        "petition_steps",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("petition_id", sa.Integer(), nullable=False),
        sa.Column("kind", sa.String(length=12), nullable=False),
        sa.Column("occurred_on", sa.Date(), nullable=False),
        sa.Column("body", sa.JSON(), nullable=False),
        sa.Column("measures", sa.JSON(), nullable=False),
        sa.Column("admissible", sa.Boolean(), nullable=True),
        sa.Column("ground", sa.String(length=40), nullable=True),
        sa.Column("recorded_by_id", sa.Integer(), nullable=True),
        sa.Column("recorded_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("signers_notified_through", sa.BigInteger(), nullable=False),
        sa.Column("signers_notified_at", sa.DateTime(timezone=True), nullable=True),
        sa.CheckConstraint(
            "kind <> 'decision' OR admissible IS NOT NULL",
            name=op.f("ck_petition_steps_decision_outcome"),
        ),
        sa.CheckConstraint(
            "kind IN ('receipt', 'referral', 'roll_check', 'opinion', 'decision', 'adoption', 'answer')",
            name=op.f("ck_petition_steps_kind"),
        ),
        sa.ForeignKeyConstraint(
            ["petition_id"], ["petitions.id"], name=op.f("fk_petition_steps_petition_id_petitions")
        ),
        sa.ForeignKeyConstraint(
            ["recorded_by_id"], ["users.id"], name=op.f("fk_petition_steps_recorded_by_id_users")
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_petition_steps")),
        sa.UniqueConstraint("petition_id", "kind", name="uq_petition_steps_petition_kind"),
    )
    with op.batch_alter_table("petition_steps", schema=None) as batch_op:
        batch_op.create_index(
            batch_op.f("ix_petition_steps_petition_id"), ["petition_id"], unique=False
        )
        batch_op.create_index(
            "ix_petition_steps_signers_pending", ["signers_notified_at"], unique=False
        )

    with op.batch_alter_table("petitions", schema=None) as batch_op:
        batch_op.add_column(sa.Column("deposited_at", sa.DateTime(timezone=True), nullable=True))
        batch_op.add_column(
            sa.Column("signatories_anonymised_at", sa.DateTime(timezone=True), nullable=True)
        )
        batch_op.drop_constraint(op.f("ck_petitions_state"), type_="check")
        batch_op.create_check_constraint(
            op.f("ck_petitions_state"), "state IN (" + ", ".join(f"'{s}'" for s in NEW_STATES) + ")"
        )
    op.execute("UPDATE petitions SET deposited_at = decided_at WHERE state = 'deposited'")


def downgrade():
    with op.batch_alter_table("petitions", schema=None) as batch_op:
        batch_op.drop_constraint(op.f("ck_petitions_state"), type_="check")
        batch_op.create_check_constraint(
            op.f("ck_petitions_state"), "state IN (" + ", ".join(f"'{s}'" for s in OLD_STATES) + ")"
        )
        batch_op.drop_column("signatories_anonymised_at")
        batch_op.drop_column("deposited_at")

    with op.batch_alter_table("petition_steps", schema=None) as batch_op:
        batch_op.drop_index("ix_petition_steps_signers_pending")
        batch_op.drop_index(batch_op.f("ix_petition_steps_petition_id"))

    op.drop_table("petition_steps")
    with op.batch_alter_table("petition_follows", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_petition_follows_user_id"))
        batch_op.drop_index(batch_op.f("ix_petition_follows_petition_id"))

    op.drop_table("petition_follows")
