"""OGP commitments tracker: commitments, milestones, evidence links, append-only progress notes

Revision ID: 0010_ogp_commitments
Revises: 0009_signature_network
Create Date: 2026-11-29 08:23:34.277010

"""

from alembic import op
import sqlalchemy as sa

# Progress notes are append-only (a correction is a new note): the database refuses UPDATE and DELETE.
NOTE_TRIGGERS = {
    "sqlite": [
        "CREATE TRIGGER ogp_progress_notes_no_update BEFORE UPDATE ON ogp_progress_notes "
        "BEGIN SELECT RAISE(ABORT, 'ogp_progress_notes is append-only'); END",
        "CREATE TRIGGER ogp_progress_notes_no_delete BEFORE DELETE ON ogp_progress_notes "
        "BEGIN SELECT RAISE(ABORT, 'ogp_progress_notes is append-only'); END",
    ],
    "postgresql": [
        "CREATE FUNCTION ogp_progress_notes_append_only() RETURNS trigger LANGUAGE plpgsql AS $$ "
        "BEGIN RAISE EXCEPTION 'ogp_progress_notes is append-only'; END $$",
        "CREATE TRIGGER ogp_progress_notes_no_change BEFORE UPDATE OR DELETE ON ogp_progress_notes "
        "FOR EACH ROW EXECUTE FUNCTION ogp_progress_notes_append_only()",
    ],
}
NOTE_TRIGGERS_DROP = {
    "sqlite": [
        "DROP TRIGGER ogp_progress_notes_no_update",
        "DROP TRIGGER ogp_progress_notes_no_delete",
    ],
    "postgresql": [
        "DROP TRIGGER ogp_progress_notes_no_change ON ogp_progress_notes",
        "DROP FUNCTION ogp_progress_notes_append_only()",
    ],
}

# revision identifiers, used by Alembic.
revision = "0010_ogp_commitments"
down_revision = "0009_signature_network"
branch_labels = None
depends_on = None


def upgrade():
    op.create_table(
        "ogp_commitments",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("number", sa.Integer(), nullable=False),
        sa.Column("theme", sa.String(length=40), nullable=False),
        sa.Column("title", sa.JSON(), nullable=False),
        sa.Column("description", sa.JSON(), nullable=False),
        sa.Column("status", sa.String(length=12), nullable=False),
        sa.Column("lead_institution_id", sa.Integer(), nullable=True),
        sa.Column("created_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("updated_at", sa.DateTime(timezone=True), nullable=False),
        sa.CheckConstraint(
            "status IN ('not_started', 'in_progress', 'completed', 'delayed', 'withdrawn')",
            name=op.f("ck_ogp_commitments_status"),
        ),
        sa.CheckConstraint("number > 0", name=op.f("ck_ogp_commitments_number")),
        sa.ForeignKeyConstraint(
            ["lead_institution_id"],
            ["institutions.id"],
            name=op.f("fk_ogp_commitments_lead_institution_id_institutions"),
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_ogp_commitments")),
        sa.UniqueConstraint("number", name=op.f("uq_ogp_commitments_number")),
    )
    with op.batch_alter_table("ogp_commitments", schema=None) as batch_op:
        batch_op.create_index(batch_op.f("ix_ogp_commitments_theme"), ["theme"], unique=False)

    op.create_table(
        "ogp_evidence_links",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("commitment_id", sa.Integer(), nullable=False),
        sa.Column("url", sa.String(length=500), nullable=False),
        sa.Column("label", sa.JSON(), nullable=False),
        sa.Column("added_by_id", sa.Integer(), nullable=True),
        sa.Column("created_at", sa.DateTime(timezone=True), nullable=False),
        sa.ForeignKeyConstraint(
            ["added_by_id"], ["users.id"], name=op.f("fk_ogp_evidence_links_added_by_id_users")
        ),
        sa.ForeignKeyConstraint(
            ["commitment_id"],
            ["ogp_commitments.id"],
            name=op.f("fk_ogp_evidence_links_commitment_id_ogp_commitments"),
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_ogp_evidence_links")),
    )
    with op.batch_alter_table("ogp_evidence_links", schema=None) as batch_op:
        batch_op.create_index(
            batch_op.f("ix_ogp_evidence_links_commitment_id"), ["commitment_id"], unique=False
        )

    op.create_table(
        "ogp_milestones",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("commitment_id", sa.Integer(), nullable=False),
        sa.Column("title", sa.JSON(), nullable=False),
        sa.Column("due_on", sa.Date(), nullable=False),
        sa.Column("done_on", sa.Date(), nullable=True),
        sa.Column("created_at", sa.DateTime(timezone=True), nullable=False),
        sa.ForeignKeyConstraint(
            ["commitment_id"],
            ["ogp_commitments.id"],
            name=op.f("fk_ogp_milestones_commitment_id_ogp_commitments"),
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_ogp_milestones")),
    )
    with op.batch_alter_table("ogp_milestones", schema=None) as batch_op:
        batch_op.create_index(
            batch_op.f("ix_ogp_milestones_commitment_id"), ["commitment_id"], unique=False
        )

    op.create_table(
        "ogp_progress_notes",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("commitment_id", sa.Integer(), nullable=False),
        sa.Column("body", sa.JSON(), nullable=False),
        sa.Column("noted_on", sa.Date(), nullable=False),
        sa.Column("author_id", sa.Integer(), nullable=True),
        sa.Column("corrects_id", sa.Integer(), nullable=True),
        sa.Column("created_at", sa.DateTime(timezone=True), nullable=False),
        sa.ForeignKeyConstraint(
            ["author_id"], ["users.id"], name=op.f("fk_ogp_progress_notes_author_id_users")
        ),
        sa.ForeignKeyConstraint(
            ["commitment_id"],
            ["ogp_commitments.id"],
            name=op.f("fk_ogp_progress_notes_commitment_id_ogp_commitments"),
        ),
        sa.ForeignKeyConstraint(
            ["corrects_id"],
            ["ogp_progress_notes.id"],
            name=op.f("fk_ogp_progress_notes_corrects_id_ogp_progress_notes"),
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_ogp_progress_notes")),
    )
    with op.batch_alter_table("ogp_progress_notes", schema=None) as batch_op:
        batch_op.create_index(
            batch_op.f("ix_ogp_progress_notes_commitment_id"), ["commitment_id"], unique=False
        )

    for statement in NOTE_TRIGGERS.get(op.get_bind().dialect.name, []):
        op.execute(statement)


def downgrade():
    for statement in NOTE_TRIGGERS_DROP.get(op.get_bind().dialect.name, []):
        op.execute(statement)
    with op.batch_alter_table("ogp_progress_notes", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_ogp_progress_notes_commitment_id"))

    op.drop_table("ogp_progress_notes")
    with op.batch_alter_table("ogp_milestones", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_ogp_milestones_commitment_id"))

    op.drop_table("ogp_milestones")
    with op.batch_alter_table("ogp_evidence_links", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_ogp_evidence_links_commitment_id"))

    op.drop_table("ogp_evidence_links")
    with op.batch_alter_table("ogp_commitments", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_ogp_commitments_theme"))

    op.drop_table("ogp_commitments")
