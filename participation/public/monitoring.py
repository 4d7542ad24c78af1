"""The figures of /metrics computed from the database when Prometheus asks (SPEC §9; the route
is participation/public/metrics.py, which registers these with the kernel's metrics module).

One query each per scrape (every 15 to 60 seconds), never in the signing path: signatures counted
(the sum of the sharded counters) and held for review; the outbox's queued, retrying and failed
messages and the age of the oldest one waiting; the moderation queue's length and its overdue
items, as the moderators' desk counts them (moderation.queries).
"""

import sqlalchemy as sa
from prometheus_client.core import GaugeMetricFamily

from participation.core.mail import FAILED, QUEUED, OutboxMessage
from participation.core.models import as_utc, utcnow
from participation.extensions import db
from participation.moderation.queries import count_overdue_items, count_waiting_items
from participation.petitions.models import Signature, SignatureCounter
from participation.petitions.queries import is_held_sql


def signature_families():
    counted, held = db.session.execute(
        sa.select(
            sa.select(sa.func.coalesce(sa.func.sum(SignatureCounter.count), 0)).scalar_subquery(),
            sa.select(sa.func.count(Signature.id)).where(is_held_sql()).scalar_subquery(),
        )
    ).one()
    signatures = GaugeMetricFamily(
        "participation_signatures",
        "Signatures counted (the petitions' counters) and held for review.",
        labels=["state"],
    )
    signatures.add_metric(["counted"], int(counted))
    signatures.add_metric(["held"], int(held))
    return [signatures]


def outbox_families():
    retrying = sa.and_(OutboxMessage.status == QUEUED, OutboxMessage.last_error.is_not(None))
    state = sa.case(
        (retrying, "retrying"), (OutboxMessage.status == QUEUED, "queued"), else_=FAILED
    )
    rows = db.session.execute(
        sa.select(state, sa.func.count(OutboxMessage.id), sa.func.min(OutboxMessage.created_at))
        .where(OutboxMessage.status.in_([QUEUED, FAILED]))
        .group_by(state)
    ).all()
    found = {name: (count, oldest) for name, count, oldest in rows}
    messages = GaugeMetricFamily(
        "participation_outbox_messages",
        "Mail not delivered: queued (never tried), retrying (failed, tried again later) and "
        "failed (gave up after MAIL_MAX_ATTEMPTS).",
        labels=["state"],
    )
    for name in ("queued", "retrying", FAILED):
        messages.add_metric([name], found.get(name, (0, None))[0])
    waiting = [oldest for name, (_, oldest) in found.items() if name != FAILED and oldest]
    oldest = GaugeMetricFamily(
        "participation_outbox_oldest_waiting_seconds",
        "Age of the oldest message still to deliver (0 when none waits).",
    )
    now = utcnow()
    oldest.add_metric([], max((now - as_utc(t)).total_seconds() for t in waiting) if waiting else 0)
    return [messages, oldest]


def moderation_families():
    waiting = GaugeMetricFamily(
        "participation_moderation_waiting_items",
        "The moderation queue: comments, held signatures and petitions awaiting review.",
    )
    waiting.add_metric([], count_waiting_items())
    overdue = GaugeMetricFamily(
        "participation_moderation_overdue_items",
        "Items of the queue waiting longer than MODERATION_OVERDUE_HOURS.",
    )
    overdue.add_metric([], count_overdue_items())
    return [waiting, overdue]
