"""Read-side queries of the API (and of the open-data dumps) that the areas' own queries do not
cover: public comments of a consultation as a flat list. Petitions are read through
petitions/queries.py, the area's one read side. Each runs a fixed number of SQL queries."""

import sqlalchemy as sa
from sqlalchemy.orm import selectinload

from participation.comments import queries as comment_queries
from participation.comments.models import Comment
from participation.consultations.models import Section
from participation.extensions import db


def _public_comments_of(consultation_ids):
    """SQL: the comments anyone may read on these consultations and their sections, by the
    comments area's own rule (visible, not deleted, author not blocked)."""
    section_ids = sa.select(Section.id).where(Section.consultation_id.in_(consultation_ids))
    return sa.or_(
        sa.and_(*comment_queries.public_comment_conditions("consultation", consultation_ids)),
        sa.and_(*comment_queries.public_comment_conditions("section", section_ids)),
    )


def _public_comments(consultation_ids):
    return (
        sa.select(Comment)
        .where(_public_comments_of(consultation_ids))
        .options(selectinload(Comment.author))
    )


def list_public_comments(consultation_id, *, page=1, per_page=20):
    query = _public_comments([consultation_id]).order_by(Comment.created_at, Comment.id)
    return db.paginate(query, page=page, per_page=per_page, error_out=False)


def iter_public_comments(consultation_ids):
    """Every public comment of these consultations, in batches (bounded memory for the dumps)."""
    yield from db.session.scalars(
        _public_comments(consultation_ids).order_by(Comment.id).execution_options(yield_per=500)
    )
