"""Read-side queries of the API (and of the open-data dumps) that the areas' own queries do not
cover: public comments of a consultation as a flat list, petitions with the API's filters, and
signature counts for a page of petitions. Each runs a fixed number of SQL queries."""
import sqlalchemy as sa
from sqlalchemy.orm import selectinload

from participation.comments import queries as comment_queries
from participation.comments.models import Comment
from participation.consultations.models import Section
from participation.extensions import db
from participation.petitions.models import Petition, PetitionKind, SignatureCounter
from participation.petitions.permissions import PUBLIC_STATES

PUBLIC_PETITION_STATES = sorted(s.value for s in PUBLIC_STATES)


def _public_comments_of(consultation_ids):
    """SQL: the comments anyone may read on these consultations and their sections, by the
    comments area's own rule (visible, not deleted, author not blocked)."""
    section_ids = sa.select(Section.id).where(Section.consultation_id.in_(consultation_ids))
    return sa.or_(
        sa.and_(*comment_queries._public("consultation", consultation_ids)),
        sa.and_(*comment_queries._public("section", section_ids)),
    )


def _public_comments(consultation_ids):
    return sa.select(Comment).where(_public_comments_of(consultation_ids)).options(selectinload(Comment.author))


def list_public_comments(consultation_id, *, page=1, per_page=20):
    query = _public_comments([consultation_id]).order_by(Comment.created_at, Comment.id)
    return db.paginate(query, page=page, per_page=per_page, error_out=False)


def iter_public_comments(consultation_ids):
    """Every public comment of these consultations, in batches (bounded memory for the dumps)."""
    yield from db.session.scalars(_public_comments(consultation_ids).order_by(Comment.id).execution_options(yield_per=500))


def list_public_petitions(*, state=None, kind_key=None, addressee_id=None, region_id=None, page=1, per_page=20):
    query = (
        sa.select(Petition)
        .where(Petition.state.in_(PUBLIC_PETITION_STATES))
        .options(selectinload(Petition.addressee), selectinload(Petition.region))
        .order_by(Petition.published_at.desc().nulls_last(), Petition.id.desc())
    )
    if state:
        query = query.where(Petition.state == state)
    if kind_key:
        query = query.where(Petition.kind.has(PetitionKind.key == kind_key))
    if addressee_id:
        query = query.where(Petition.addressee_id == addressee_id)
    if region_id:
        query = query.where(Petition.region_id == region_id)
    return db.paginate(query, page=page, per_page=per_page, error_out=False)


def get_public_petition(petition_id):
    return db.session.scalar(
        sa.select(Petition)
        .where(Petition.id == petition_id, Petition.state.in_(PUBLIC_PETITION_STATES))
        .options(selectinload(Petition.steps), selectinload(Petition.members), selectinload(Petition.addressee))
    )


def count_signatures_of(petition_ids):
    """{petition id: counted signatures} from the sharded counters, every id present, one query."""
    petition_ids = list(petition_ids)
    counts = dict.fromkeys(petition_ids, 0)
    if petition_ids:
        rows = db.session.execute(
            sa.select(SignatureCounter.petition_id, sa.func.sum(SignatureCounter.count))
            .where(SignatureCounter.petition_id.in_(petition_ids))
            .group_by(SignatureCounter.petition_id)
        )
        counts.update({petition_id: int(total) for petition_id, total in rows})
    return counts


def get_public_petition_state(petition_id):
    from participation.petitions.queries import get_petition_state

    state = get_petition_state(petition_id)
    return state if state in PUBLIC_PETITION_STATES else None
