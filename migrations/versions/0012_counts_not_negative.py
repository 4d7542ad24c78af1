"""signature counters never below zero: counters rebuilt from the rows where they drifted, then CHECK (count >= 0)

Before this revision parallel withdrawals could lower a counter below its rows, and below zero
(issue 11, finding 1), and `petitions reconcile --fix` put a petition's whole count into shard 0
while withdrawals take 1 from their signature's own shard. The CHECK could not be added over
such rows, and those shards would later refuse a withdrawal: every petition whose counters
differ from its counted rows, shard by shard, gets them rebuilt from the rows first. The other
petitions' counters are left as they are.

Revision ID: 0012_counts_not_negative
Revises: 0011_dashboards
Create Date: 2026-12-14 10:20:00.000000

"""

import sqlalchemy as sa
from alembic import op

# revision identifiers, used by Alembic.
revision = "0012_counts_not_negative"
down_revision = "0011_dashboards"
branch_labels = None
depends_on = None

# Counter minus counted rows for every (petition, province, shard) on either side; a petition
# drifted where one of them is not zero.
DRIFTED_PETITIONS = sa.text("""
SELECT petition_id FROM (
    SELECT petition_id, province_key, shard FROM (
        SELECT petition_id, province_key, shard, count AS difference FROM petition_signature_counters
        UNION ALL
        SELECT petition_id, COALESCE(province_id, 0), shard, -COUNT(*) FROM petition_signatures
        WHERE status = 'counted' GROUP BY petition_id, COALESCE(province_id, 0), shard
    ) AS both_sides
    GROUP BY petition_id, province_key, shard
    HAVING SUM(difference) <> 0
) AS drifted
GROUP BY petition_id
ORDER BY petition_id
""")

REBUILD = (
    sa.text("DELETE FROM petition_signature_counters WHERE petition_id = :petition_id"),
    sa.text("""
        INSERT INTO petition_signature_counters (petition_id, province_key, shard, region_key, count, updated_at)
        SELECT petition_id, COALESCE(province_id, 0), shard, MAX(COALESCE(region_id, 0)), COUNT(*), CURRENT_TIMESTAMP
        FROM petition_signatures
        WHERE petition_id = :petition_id AND status = 'counted'
        GROUP BY petition_id, COALESCE(province_id, 0), shard
    """),
)


def upgrade():
    connection = op.get_bind()
    for petition_id in connection.execute(DRIFTED_PETITIONS).scalars().all():
        for statement in REBUILD:
            connection.execute(statement, {"petition_id": petition_id})
    with op.batch_alter_table("petition_signature_counters", schema=None) as batch_op:
        batch_op.create_check_constraint(
            op.f("ck_petition_signature_counters_count_not_negative"), "count >= 0"
        )


def downgrade():
    with op.batch_alter_table("petition_signature_counters", schema=None) as batch_op:
        batch_op.drop_constraint(
            op.f("ck_petition_signature_counters_count_not_negative"), type_="check"
        )
