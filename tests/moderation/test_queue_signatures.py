"""The moderators' queue with what petitions bring to it (SPEC §5): held signatures and
petitions awaiting review, paged with comments' items, oldest first, in a bounded number of
queries; the backlog count."""

from datetime import timedelta

import sqlalchemy as sa

from participation.auth.models import User
from participation.core.models import utcnow
from participation.extensions import db
from participation.moderation.queries import QueueFilters, count_waiting_items, list_queue
from participation.petitions import services as petition_services
from participation.petitions.models import PetitionKind
from tests.petition_world import (
    citizen,
    data,
    full_committee,
    open_petition,
    provinces_of_regions,
)


def test_the_queue_lists_held_signatures_and_petitions_awaiting_review_oldest_first(
    app, held_by_ip
):
    petition, *_ = open_petition()
    held = held_by_ip(petition, 2)
    held[0].created_at = utcnow() - timedelta(days=3)
    initiator = citizen()
    kind = db.session.scalar(
        sa.select(PetitionKind).where(PetitionKind.key == "petition_head_of_government")
    )
    submitted = petition_services.create_petition(initiator, kind, data())
    full_committee(submitted, initiator, provinces_of_regions(1), 5)
    petition_services.submit_petition(initiator, submitted)
    submitted.submitted_at = utcnow() - timedelta(days=1)
    db.session.commit()

    _pagination, entries = list_queue(QueueFilters())
    assert [
        (e.source, getattr(e, "signature", e).id if e.source == "signature" else e.petition.id)
        for e in entries
    ] == [
        ("signature", held[0].id),
        ("petition", submitted.id),
        ("signature", held[1].id),
    ]
    assert entries[0].overdue and not entries[2].overdue
    assert entries[0].petition.id == petition.id and entries[0].region.id == held[0].region_id

    def sources(**filters):
        return [(e.source, e.since) for e in list_queue(QueueFilters(**filters))[1]]

    assert [s for s, _ in sources(kind="signature")] == ["signature", "signature"]
    assert [s for s, _ in sources(kind="petition")] == ["petition"]
    assert sources(kind="reported") == [] and sources(language="fr") == []
    assert [s for s, _ in sources(reason="ip")] == ["signature", "signature"]
    assert sources(reason="account") == [] and sources(reason="spam") == []
    assert len(sources(older_than_days=2)) == 1
    assert [s for s, _ in sources(kind="signature", petition_id=petition.id)] == [
        "signature",
        "signature",
    ]
    assert sources(kind="signature", petition_id=submitted.id) == []
    assert count_waiting_items() == 3


def test_the_queue_runs_a_bounded_number_of_queries(app, held_by_ip, note, author):
    from tests.comments.factories import make_comment
    from tests.moderation.helpers import item_for

    petition, *_ = open_petition()
    statements = []

    def count(*_args):
        statements.append(1)

    def run():
        statements.clear()
        sa.event.listen(db.engine, "before_cursor_execute", count)
        try:
            list_queue(QueueFilters())
        finally:
            sa.event.remove(db.engine, "before_cursor_execute", count)
        return len(statements)

    held_by_ip(petition, 1)
    item_for(make_comment(note, author))
    petition_id, author_id = petition.id, author.id
    db.session.expunge_all()
    few = run()
    held_by_ip(db.session.get(type(petition), petition_id), 6, ip="198.51.100.1")
    for _ in range(4):
        item_for(make_comment(note, db.session.get(User, author_id)))
    db.session.expunge_all()
    assert run() == few <= 12


# Decisions
