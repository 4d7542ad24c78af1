"""consultations: sections, corrections, attachments, follows, questionnaires, outcome reports

Revision ID: 0002_consultations
Revises: 0001_foundation
Create Date: 2026-11-29 05:43:08.800257

"""

import sqlalchemy as sa
from alembic import op


# revision identifiers, used by Alembic.
revision = "0002_consultations"
down_revision = "0001_foundation"
branch_labels = None
depends_on = None


def upgrade():
    op.create_table(
        "topics",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("slug", sa.String(length=60), nullable=False),
        sa.Column("name", sa.JSON(), nullable=False),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_topics")),
        sa.UniqueConstraint("slug", name=op.f("uq_topics_slug")),
    )
    op.create_table(
        "consultations",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("institution_id", sa.Integer(), nullable=False),
        sa.Column("created_by_id", sa.Integer(), nullable=True),
        sa.Column("title", sa.JSON(), nullable=False),
        sa.Column("summary", sa.JSON(), nullable=False),
        sa.Column("body", sa.JSON(), nullable=False),
        sa.Column("languages", sa.String(length=20), nullable=False),
        sa.Column("slug", sa.String(length=80), nullable=False),
        sa.Column("scope", sa.String(length=10), nullable=False),
        sa.Column("region_id", sa.Integer(), nullable=True),
        sa.Column("province_id", sa.Integer(), nullable=True),
        sa.Column("opens_at", sa.DateTime(timezone=True), nullable=True),
        sa.Column("closes_at", sa.DateTime(timezone=True), nullable=True),
        sa.Column("moderation_mode", sa.String(length=4), nullable=False),
        sa.Column("state", sa.String(length=20), nullable=False),
        sa.Column("search_text", sa.Text(), nullable=False),
        sa.Column("created_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("updated_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("opened_at", sa.DateTime(timezone=True), nullable=True),
        sa.Column("closed_at", sa.DateTime(timezone=True), nullable=True),
        sa.Column("outcome_published_at", sa.DateTime(timezone=True), nullable=True),
        sa.Column("withdrawn_at", sa.DateTime(timezone=True), nullable=True),
        sa.Column("withdrawal_reason", sa.Text(), nullable=True),
        sa.CheckConstraint(
            "moderation_mode IN ('pre', 'post')", name=op.f("ck_consultations_moderation_mode")
        ),
        sa.CheckConstraint(
            "scope IN ('national', 'region', 'province')", name=op.f("ck_consultations_scope")
        ),
        sa.CheckConstraint(
            "state IN ('draft', 'scheduled', 'open', 'closed', 'outcome_published', 'withdrawn')",
            name=op.f("ck_consultations_state"),
        ),
        sa.CheckConstraint(
            "opens_at IS NULL OR closes_at IS NULL OR opens_at < closes_at",
            name=op.f("ck_consultations_dates"),
        ),
        sa.ForeignKeyConstraint(
            ["created_by_id"], ["users.id"], name=op.f("fk_consultations_created_by_id_users")
        ),
        sa.ForeignKeyConstraint(
            ["institution_id"],
            ["institutions.id"],
            name=op.f("fk_consultations_institution_id_institutions"),
        ),
        sa.ForeignKeyConstraint(
            ["province_id"], ["provinces.id"], name=op.f("fk_consultations_province_id_provinces")
        ),
        sa.ForeignKeyConstraint(
            ["region_id"], ["regions.id"], name=op.f("fk_consultations_region_id_regions")
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_consultations")),
    )
    with op.batch_alter_table("consultations", schema=None) as batch_op:
        batch_op.create_index(
            batch_op.f("ix_consultations_institution_id"), ["institution_id"], unique=False
        )
        batch_op.create_index(
            batch_op.f("ix_consultations_province_id"), ["province_id"], unique=False
        )
        batch_op.create_index(batch_op.f("ix_consultations_region_id"), ["region_id"], unique=False)
        batch_op.create_index(batch_op.f("ix_consultations_state"), ["state"], unique=False)
        batch_op.create_index(
            "ix_consultations_state_closes_at", ["state", "closes_at"], unique=False
        )

    op.create_table(
        "consultation_answer_sets",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("consultation_id", sa.Integer(), nullable=False),
        sa.Column("user_id", sa.Integer(), nullable=False),
        sa.Column("answers", sa.JSON(), nullable=False),
        sa.Column("created_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("updated_at", sa.DateTime(timezone=True), nullable=False),
        sa.ForeignKeyConstraint(
            ["consultation_id"],
            ["consultations.id"],
            name=op.f("fk_consultation_answer_sets_consultation_id_consultations"),
            ondelete="CASCADE",
        ),
        sa.ForeignKeyConstraint(
            ["user_id"], ["users.id"], name=op.f("fk_consultation_answer_sets_user_id_users")
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_consultation_answer_sets")),
        sa.UniqueConstraint(
            "consultation_id", "user_id", name="uq_consultation_answer_sets_consultation_user"
        ),
    )
    with op.batch_alter_table("consultation_answer_sets", schema=None) as batch_op:
        batch_op.create_index(
            batch_op.f("ix_consultation_answer_sets_consultation_id"),
            ["consultation_id"],
            unique=False,
        )

    op.create_table(
        "consultation_attachments",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("consultation_id", sa.Integer(), nullable=False),
        sa.Column("original_name", sa.String(length=200), nullable=False),
        sa.Column("stored_name", sa.String(length=80), nullable=False),
        sa.Column("size", sa.Integer(), nullable=False),
        sa.Column("sha256", sa.String(length=64), nullable=False),
        sa.Column("uploaded_by_id", sa.Integer(), nullable=True),
        sa.Column("created_at", sa.DateTime(timezone=True), nullable=False),
        sa.ForeignKeyConstraint(
            ["consultation_id"],
            ["consultations.id"],
            name=op.f("fk_consultation_attachments_consultation_id_consultations"),
            ondelete="CASCADE",
        ),
        sa.ForeignKeyConstraint(
            ["uploaded_by_id"],
            ["users.id"],
            name=op.f("fk_consultation_attachments_uploaded_by_id_users"),
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_consultation_attachments")),
        sa.UniqueConstraint("stored_name", name=op.f("uq_consultation_attachments_stored_name")),
    )
    with op.batch_alter_table("consultation_attachments", schema=None) as batch_op:
        batch_op.create_index(
            batch_op.f("ix_consultation_attachments_consultation_id"),
            ["consultation_id"],
            unique=False,
        )

    op.create_table(
        "consultation_follows",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("consultation_id", sa.Integer(), nullable=False),
        sa.Column("user_id", sa.Integer(), nullable=False),
        sa.Column("created_at", sa.DateTime(timezone=True), nullable=False),
        sa.ForeignKeyConstraint(
            ["consultation_id"],
            ["consultations.id"],
            name=op.f("fk_consultation_follows_consultation_id_consultations"),
            ondelete="CASCADE",
        ),
        sa.ForeignKeyConstraint(
            ["user_id"], ["users.id"], name=op.f("fk_consultation_follows_user_id_users")
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_consultation_follows")),
        sa.UniqueConstraint(
            "consultation_id", "user_id", name="uq_consultation_follows_consultation_user"
        ),
    )
    with op.batch_alter_table("consultation_follows", schema=None) as batch_op:
        batch_op.create_index(
            batch_op.f("ix_consultation_follows_consultation_id"), ["consultation_id"], unique=False
        )
        batch_op.create_index(
            batch_op.f("ix_consultation_follows_user_id"), ["user_id"], unique=False
        )

    op.create_table(
        "consultation_outcomes",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("consultation_id", sa.Integer(), nullable=False),
        sa.Column("summary", sa.JSON(), nullable=False),
        sa.Column("final_text", sa.JSON(), nullable=False),
        sa.Column("final_text_url", sa.String(length=500), nullable=True),
        sa.Column("published_at", sa.DateTime(timezone=True), nullable=True),
        sa.Column("published_by_id", sa.Integer(), nullable=True),
        sa.ForeignKeyConstraint(
            ["consultation_id"],
            ["consultations.id"],
            name=op.f("fk_consultation_outcomes_consultation_id_consultations"),
            ondelete="CASCADE",
        ),
        sa.ForeignKeyConstraint(
            ["published_by_id"],
            ["users.id"],
            name=op.f("fk_consultation_outcomes_published_by_id_users"),
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_consultation_outcomes")),
        sa.UniqueConstraint(
            "consultation_id", name=op.f("uq_consultation_outcomes_consultation_id")
        ),
    )
    op.create_table(
        "consultation_questions",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("consultation_id", sa.Integer(), nullable=False),
        sa.Column("position", sa.Integer(), nullable=False),
        sa.Column("kind", sa.String(length=10), nullable=False),
        sa.Column("prompt", sa.JSON(), nullable=False),
        sa.Column("options", sa.JSON(), nullable=False),
        sa.Column("scale_min", sa.Integer(), nullable=True),
        sa.Column("scale_max", sa.Integer(), nullable=True),
        sa.Column("required", sa.Boolean(), nullable=False),
        sa.CheckConstraint(
            "kind IN ('single', 'multiple', 'scale', 'text')",
            name=op.f("ck_consultation_questions_kind"),
        ),
        sa.ForeignKeyConstraint(
            ["consultation_id"],
            ["consultations.id"],
            name=op.f("fk_consultation_questions_consultation_id_consultations"),
            ondelete="CASCADE",
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_consultation_questions")),
    )
    with op.batch_alter_table("consultation_questions", schema=None) as batch_op:
        batch_op.create_index(
            batch_op.f("ix_consultation_questions_consultation_id"),
            ["consultation_id"],
            unique=False,
        )

    op.create_table(
        "consultation_sections",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("consultation_id", sa.Integer(), nullable=False),
        sa.Column("position", sa.Integer(), nullable=False),
        sa.Column("heading", sa.JSON(), nullable=False),
        sa.Column("body", sa.JSON(), nullable=False),
        sa.Column("search_text", sa.Text(), nullable=False),
        sa.ForeignKeyConstraint(
            ["consultation_id"],
            ["consultations.id"],
            name=op.f("fk_consultation_sections_consultation_id_consultations"),
            ondelete="CASCADE",
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_consultation_sections")),
    )
    with op.batch_alter_table("consultation_sections", schema=None) as batch_op:
        batch_op.create_index(
            "ix_consultation_sections_order", ["consultation_id", "position"], unique=False
        )

    op.create_table(
        "consultation_topics",
        sa.Column("consultation_id", sa.Integer(), nullable=False),
        sa.Column("topic_id", sa.Integer(), nullable=False),
        sa.ForeignKeyConstraint(
            ["consultation_id"],
            ["consultations.id"],
            name=op.f("fk_consultation_topics_consultation_id_consultations"),
            ondelete="CASCADE",
        ),
        sa.ForeignKeyConstraint(
            ["topic_id"],
            ["topics.id"],
            name=op.f("fk_consultation_topics_topic_id_topics"),
            ondelete="CASCADE",
        ),
        sa.PrimaryKeyConstraint("consultation_id", "topic_id", name=op.f("pk_consultation_topics")),
    )
    op.create_table(
        "consultation_corrections",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("consultation_id", sa.Integer(), nullable=False),
        sa.Column("section_id", sa.Integer(), nullable=True),
        sa.Column("created_by_id", sa.Integer(), nullable=True),
        sa.Column("created_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("note", sa.JSON(), nullable=False),
        sa.ForeignKeyConstraint(
            ["consultation_id"],
            ["consultations.id"],
            name=op.f("fk_consultation_corrections_consultation_id_consultations"),
            ondelete="CASCADE",
        ),
        sa.ForeignKeyConstraint(
            ["created_by_id"],
            ["users.id"],
            name=op.f("fk_consultation_corrections_created_by_id_users"),
        ),
        sa.ForeignKeyConstraint(
            ["section_id"],
            ["consultation_sections.id"],
            name=op.f("fk_consultation_corrections_section_id_consultation_sections"),
            ondelete="SET NULL",
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_consultation_corrections")),
    )
    with op.batch_alter_table("consultation_corrections", schema=None) as batch_op:
        batch_op.create_index(
            batch_op.f("ix_consultation_corrections_consultation_id"),
            ["consultation_id"],
            unique=False,
        )

    op.create_table(
        "consultation_section_outcomes",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("report_id", sa.Integer(), nullable=False),
        sa.Column("section_id", sa.Integer(), nullable=False),
        sa.Column("heard", sa.JSON(), nullable=False),
        sa.Column("decision", sa.String(length=20), nullable=False),
        sa.Column("reasons", sa.JSON(), nullable=False),
        sa.CheckConstraint(
            "decision IN ('accepted', 'partly_accepted', 'not_accepted')",
            name=op.f("ck_consultation_section_outcomes_decision"),
        ),
        sa.ForeignKeyConstraint(
            ["report_id"],
            ["consultation_outcomes.id"],
            name=op.f("fk_consultation_section_outcomes_report_id_consultation_outcomes"),
            ondelete="CASCADE",
        ),
        sa.ForeignKeyConstraint(
            ["section_id"],
            ["consultation_sections.id"],
            name=op.f("fk_consultation_section_outcomes_section_id_consultation_sections"),
            ondelete="CASCADE",
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_consultation_section_outcomes")),
        sa.UniqueConstraint(
            "report_id", "section_id", name="uq_consultation_section_outcomes_report_section"
        ),
    )
    with op.batch_alter_table("consultation_section_outcomes", schema=None) as batch_op:
        batch_op.create_index(
            batch_op.f("ix_consultation_section_outcomes_report_id"), ["report_id"], unique=False
        )


def downgrade():
    with op.batch_alter_table("consultation_section_outcomes", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_consultation_section_outcomes_report_id"))

    op.drop_table("consultation_section_outcomes")
    with op.batch_alter_table("consultation_corrections", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_consultation_corrections_consultation_id"))

    op.drop_table("consultation_corrections")
    op.drop_table("consultation_topics")
    with op.batch_alter_table("consultation_sections", schema=None) as batch_op:
        batch_op.drop_index("ix_consultation_sections_order")

    op.drop_table("consultation_sections")
    with op.batch_alter_table("consultation_questions", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_consultation_questions_consultation_id"))

    op.drop_table("consultation_questions")
    op.drop_table("consultation_outcomes")
    with op.batch_alter_table("consultation_follows", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_consultation_follows_user_id"))
        batch_op.drop_index(batch_op.f("ix_consultation_follows_consultation_id"))

    op.drop_table("consultation_follows")
    with op.batch_alter_table("consultation_attachments", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_consultation_attachments_consultation_id"))

    op.drop_table("consultation_attachments")
    with op.batch_alter_table("consultation_answer_sets", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_consultation_answer_sets_consultation_id"))

    op.drop_table("consultation_answer_sets")
    with op.batch_alter_table("consultations", schema=None) as batch_op:
        batch_op.drop_index("ix_consultations_state_closes_at")
        batch_op.drop_index(batch_op.f("ix_consultations_state"))
        batch_op.drop_index(batch_op.f("ix_consultations_region_id"))
        batch_op.drop_index(batch_op.f("ix_consultations_province_id"))
        batch_op.drop_index(batch_op.f("ix_consultations_institution_id"))

    op.drop_table("consultations")
    op.drop_table("topics")
