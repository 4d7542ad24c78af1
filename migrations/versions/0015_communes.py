"""communes: the territory below provinces, on identity profiles, petitions and communal councils

Revision ID: 0015_communes
Revises: 0014_translation_reviews
Create Date: 2026-12-20 09:00:00.000000

"""

import sqlalchemy as sa
from alembic import op

# revision identifiers, used by Alembic.
revision = "0015_communes"
down_revision = "0014_translation_reviews"
branch_labels = None
depends_on = None

REFERENCING = ("identity_profiles", "petitions", "institutions")


def upgrade():
    op.create_table(
        "communes",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("province_id", sa.Integer(), nullable=False),
        sa.Column("code", sa.String(length=16), nullable=False),
        sa.Column("kind", sa.String(length=8), nullable=False),
        sa.Column("name", sa.JSON(), nullable=False),
        sa.Column("population", sa.Integer(), nullable=True),
        sa.Column("population_year", sa.Integer(), nullable=True),
        sa.Column("has_arrondissements", sa.Boolean(), server_default=sa.false(), nullable=False),
        sa.CheckConstraint("kind IN ('urban', 'rural')", name=op.f("ck_communes_kind")),
        sa.CheckConstraint(
            "population IS NULL OR population >= 0", name=op.f("ck_communes_population")
        ),
        sa.ForeignKeyConstraint(
            ["province_id"], ["provinces.id"], name=op.f("fk_communes_province_id_provinces")
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_communes")),
        sa.UniqueConstraint("code", name=op.f("uq_communes_code")),
    )
    with op.batch_alter_table("communes", schema=None) as batch_op:
        batch_op.create_index(batch_op.f("ix_communes_province_id"), ["province_id"], unique=False)

    for table in REFERENCING:
        with op.batch_alter_table(table, schema=None) as batch_op:
            batch_op.add_column(sa.Column("commune_id", sa.Integer(), nullable=True))
            batch_op.create_index(batch_op.f(f"ix_{table}_commune_id"), ["commune_id"])
            batch_op.create_foreign_key(
                batch_op.f(f"fk_{table}_commune_id_communes"), "communes", ["commune_id"], ["id"]
            )
    with op.batch_alter_table("identity_profiles", schema=None) as batch_op:
        batch_op.create_check_constraint(
            batch_op.f("ck_identity_profiles_commune_abroad"), "commune_id IS NULL OR NOT abroad"
        )


def downgrade():
    with op.batch_alter_table("identity_profiles", schema=None) as batch_op:
        batch_op.drop_constraint(batch_op.f("ck_identity_profiles_commune_abroad"), type_="check")
    for table in REFERENCING:
        with op.batch_alter_table(table, schema=None) as batch_op:
            batch_op.drop_constraint(
                batch_op.f(f"fk_{table}_commune_id_communes"), type_="foreignkey"
            )
            batch_op.drop_index(batch_op.f(f"ix_{table}_commune_id"))
            batch_op.drop_column("commune_id")
    with op.batch_alter_table("communes", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_communes_province_id"))
    op.drop_table("communes")
