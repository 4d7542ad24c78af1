from dataclasses import dataclass

import sqlalchemy as sa
from sqlalchemy.orm import selectinload

from participation.extensions import db
from participation.petitions.models import PetitionKind


def list_petition_kinds(*, active_only=False):
    query = sa.select(PetitionKind).order_by(PetitionKind.category.desc(), PetitionKind.id)
    if active_only:
        query = query.where(PetitionKind.active)
    return db.session.scalars(query).all()


@dataclass
class PetitionFilters:
    state: str | None = None
    kind_id: int | None = None
    category: str | None = None
    addressee_id: int | None = None
    region_id: int | None = None
    q: str | None = None


def list_public_petitions(filters=None, *, page=1, per_page=20):
    """Public petitions and motions, newest first, filtered by state, kind, category (petition or
    motion), addressee institution, region (of territorial petitions) and words (Arabic-aware)."""
    from participation.core.search import matches_all, search_terms
    from participation.petitions.models import Petition, PetitionKind
    from participation.petitions.permissions import PUBLIC_STATES

    filters = filters or PetitionFilters()
    states = [s.value for s in PUBLIC_STATES]
    query = (
        sa.select(Petition)
        .where(Petition.state.in_(states))
        .options(selectinload(Petition.addressee))
        .order_by(Petition.published_at.desc().nulls_last(), Petition.id.desc())
    )
    if filters.state in states:
        query = query.where(Petition.state == filters.state)
    if filters.kind_id:
        query = query.where(Petition.kind_id == filters.kind_id)
    if filters.category in ("petition", "motion"):
        query = query.where(Petition.kind_id.in_(sa.select(PetitionKind.id).where(PetitionKind.category == filters.category)))
    if filters.addressee_id:
        query = query.where(Petition.addressee_id == filters.addressee_id)
    if filters.region_id:
        query = query.where(Petition.region_id == filters.region_id)
    terms = search_terms(filters.q or "")
    if terms:
        query = query.where(matches_all(Petition.search_text, terms))
    return db.paginate(query, page=page, per_page=per_page, error_out=False)


def list_addressees():
    """Institutions that have public petitions, for the listing's filter."""
    from participation.institutions.models import Institution
    from participation.petitions.models import Petition
    from participation.petitions.permissions import PUBLIC_STATES

    with_petitions = sa.select(Petition.addressee_id).where(Petition.state.in_([s.value for s in PUBLIC_STATES]))
    return db.session.scalars(sa.select(Institution).where(Institution.id.in_(with_petitions)).order_by(Institution.id)).all()


def list_user_petitions(user):
    """Petitions the person initiated or whose committee they joined, newest first."""
    from participation.petitions.models import CommitteeMember, Petition

    joined = sa.select(CommitteeMember.petition_id).where(CommitteeMember.user_id == user.id)
    return db.session.scalars(
        sa.select(Petition).where(sa.or_(Petition.initiator_id == user.id, Petition.id.in_(joined))).order_by(Petition.id.desc())
    ).all()


def list_petitions_awaiting_review():
    from participation.petitions.models import Petition, PetitionState

    return db.session.scalars(
        sa.select(Petition).where(Petition.state == PetitionState.SUBMITTED.value).order_by(Petition.submitted_at)
    ).all()


def list_communal_councils():
    from participation.institutions.models import Institution, InstitutionKind

    return db.session.scalars(
        sa.select(Institution).where(Institution.kind == InstitutionKind.COMMUNAL_COUNCIL.value, Institution.active).order_by(Institution.id)
    ).all()


def get_petition_state(petition_id):
    from participation.petitions.models import Petition

    return db.session.scalar(sa.select(Petition.state).where(Petition.id == petition_id))


def get_petition(petition_id):
    """A petition with its committee (members, their accounts and identities) in three queries."""
    from sqlalchemy.orm import selectinload

    from participation.auth.models import User
    from participation.petitions.models import CommitteeMember, Petition

    return db.session.scalar(
        sa.select(Petition)
        .where(Petition.id == petition_id)
        .options(selectinload(Petition.members).selectinload(CommitteeMember.user).selectinload(User.identity))
    )


def list_signed_petitions(user):
    from participation.petitions.models import Petition, Signature

    signed = sa.select(Signature.petition_id).where(Signature.user_id == user.id)
    return db.session.scalars(sa.select(Petition).where(Petition.id.in_(signed)).order_by(Petition.id.desc())).all()


def list_inbox(institution_id, *, done=False):
    """Petitions deposited with an institution, with their steps: those still to process, or
    (done) those it declared inadmissible or answered, and those withdrawn after deposit."""
    from sqlalchemy.orm import selectinload

    from participation.petitions.models import Petition, PetitionState

    states = [PetitionState.DEPOSITED.value] if not done else [
        PetitionState.INADMISSIBLE.value, PetitionState.ANSWERED.value, PetitionState.WITHDRAWN.value
    ]
    return db.session.scalars(
        sa.select(Petition)
        .where(Petition.addressee_id == institution_id, Petition.deposited_at.is_not(None), Petition.state.in_(states))
        .options(selectinload(Petition.steps))
        .order_by(Petition.deposited_at)
    ).all()
