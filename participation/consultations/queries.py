"""Read side of consultations: listings with filters, search and sorting, in a bounded number of
queries whatever the number of consultations or comments."""

from dataclasses import dataclass

import sqlalchemy as sa
from sqlalchemy.orm import selectinload

from participation.consultations.models import (
    ClosingDateChange,
    Consultation,
    ConsultationState,
    Follow,
    Section,
    Topic,
)
from participation.core.models import utcnow
from participation.core.search import matches_all, search_terms
from participation.extensions import db

S = ConsultationState
SORTS = ("newest", "closing", "oldest")
PUBLIC_FILTER_STATES = (S.SCHEDULED, S.OPEN, S.CLOSED, S.OUTCOME_PUBLISHED, S.WITHDRAWN)


@dataclass
class ListingFilters:
    state: str | None = None
    institution_id: int | None = None
    region_id: int | None = None
    topic: str | None = None
    language: str | None = None
    q: str | None = None
    sort: str = "newest"


def list_public_consultations(filters, *, page=1, per_page=20, now=None):
    now = now or utcnow()
    effective = Consultation.effective_state_sql(now)
    query = sa.select(Consultation).where(Consultation.state != S.DRAFT.value)
    if filters.state in {s.value for s in PUBLIC_FILTER_STATES}:
        query = query.where(effective == filters.state)
    if filters.institution_id:
        query = query.where(Consultation.institution_id == filters.institution_id)
    if filters.region_id:
        # National consultations concern every region.
        query = query.where(
            sa.or_(Consultation.region_id == filters.region_id, Consultation.scope == "national")
        )
    if filters.topic:
        query = query.where(Consultation.topics.any(Topic.slug == filters.topic))
    if filters.language:
        query = query.where(Consultation.languages.like(f"% {filters.language} %"))
    terms = search_terms(filters.q or "")
    if terms:
        query = query.where(matches_all(Consultation.search_text, terms))
    if filters.sort == "closing":
        query = query.order_by(
            sa.case((effective == S.OPEN.value, 0), else_=1),
            Consultation.closes_at.asc(),
            Consultation.id,
        )
    elif filters.sort == "oldest":
        query = query.order_by(Consultation.opens_at.asc(), Consultation.id)
    else:
        query = query.order_by(Consultation.opens_at.desc(), Consultation.id.desc())
    return db.paginate(
        query.options(selectinload(Consultation.sections)),
        page=page,
        per_page=per_page,
        error_out=False,
    )


def list_institution_consultations(institution_id, *, page=1, per_page=50):
    query = (
        sa.select(Consultation)
        .where(Consultation.institution_id == institution_id)
        .order_by(Consultation.updated_at.desc(), Consultation.id.desc())
    )
    return db.paginate(query, page=page, per_page=per_page, error_out=False)


def get_consultation(consultation_id):
    return db.session.scalar(
        sa.select(Consultation)
        .where(Consultation.id == consultation_id)
        .options(
            selectinload(Consultation.sections),
            selectinload(Consultation.corrections),
            selectinload(Consultation.attachments),
            selectinload(Consultation.closing_changes),
        )
    )


def get_section(consultation, section_id):
    return db.session.scalar(
        sa.select(Section).where(
            Section.id == section_id, Section.consultation_id == consultation.id
        )
    )


def is_following(user, consultation):
    if not getattr(user, "is_authenticated", False):
        return False
    return (
        db.session.scalar(
            sa.select(Follow.id).where(
                Follow.consultation_id == consultation.id, Follow.user_id == user.id
            )
        )
        is not None
    )


def list_public_closing_changes():
    """Every published consultation's closing-date changes, by consultation then in order."""
    return db.session.scalars(
        sa.select(ClosingDateChange)
        .join(Consultation, Consultation.id == ClosingDateChange.consultation_id)
        .where(Consultation.state != S.DRAFT.value)
        .order_by(ClosingDateChange.consultation_id, ClosingDateChange.id)
    )
