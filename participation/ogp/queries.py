"""Read-side queries of the commitments tracker, and the platform's own headline numbers shown
on commitment 15 (this platform)."""

import sqlalchemy as sa
from sqlalchemy.orm import selectinload

from participation.core.search import joined_text, search_terms
from participation.extensions import db
from participation.ogp.models import Commitment, Milestone, ProgressNote

PLATFORM_COMMITMENT = 15  # "إنشاء منصة إلكترونية لـ«مشاركة المواطنين»": this platform


def list_commitments():
    """The commitments in the plan's order, with their milestones (two queries)."""
    return db.session.scalars(
        sa.select(Commitment)
        .order_by(Commitment.number)
        .options(selectinload(Commitment.milestones))
    ).all()


def list_matching_commitments(query):
    """The commitments whose title or description, in any language, holds every word of `query`
    (core/search.py's Arabic-aware matching), in the plan's order; [] for a query without words.
    Matched here rather than in SQL: the plan has 18 commitments, all public, and no search column."""
    terms = search_terms(query)
    if not terms:
        return []
    return [
        commitment
        for commitment in list_commitments()
        if all(term in joined_text(commitment.title, commitment.description) for term in terms)
    ]


def paginate_commitments(*, page=1, per_page=20):
    query = (
        sa.select(Commitment)
        .order_by(Commitment.number)
        .options(selectinload(Commitment.milestones))
    )
    return db.paginate(query, page=page, per_page=per_page, error_out=False)


def get_commitment(number):
    """One commitment with its milestones, evidence and notes (and their authors), or None."""
    return db.session.scalar(
        sa.select(Commitment)
        .where(Commitment.number == number)
        .options(
            selectinload(Commitment.milestones),
            selectinload(Commitment.evidence),
            selectinload(Commitment.notes).selectinload(ProgressNote.author),
            selectinload(Commitment.lead_institution),
        )
    )


def get_milestone(commitment, milestone_id):
    return db.session.scalar(
        sa.select(Milestone).where(
            Milestone.id == milestone_id, Milestone.commitment_id == commitment.id
        )
    )


def get_note(commitment, note_id):
    return db.session.scalar(
        sa.select(ProgressNote).where(
            ProgressNote.id == note_id, ProgressNote.commitment_id == commitment.id
        )
    )
