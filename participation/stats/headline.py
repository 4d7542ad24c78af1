"""The platform's headline numbers (public statistics page, `/api/v1/stats`, the OGP tracker's
commitment 15): a handful of aggregate queries, none over the signature rows (signatures are
summed from the sharded counters)."""

import sqlalchemy as sa

from participation.auth.models import User
from participation.comments.models import Comment, CommentStatus
from participation.consultations.models import AnswerSet, Consultation, ConsultationState
from participation.core.models import utcnow
from participation.extensions import db
from participation.petitions.models import Petition, PetitionState, SignatureCounter

PUBLIC_CONSULTATION_STATES = (
    ConsultationState.OPEN,
    ConsultationState.CLOSED,
    ConsultationState.OUTCOME_PUBLISHED,
)


def get_headline_numbers(now=None):
    """{name: integer}: people, consultations, comments, answers, petitions and signatures."""
    now = now or utcnow()
    consultation_state = Consultation.effective_state_sql(now)
    consultations = dict(
        db.session.execute(
            sa.select(consultation_state, sa.func.count())
            .where(consultation_state.in_([s.value for s in PUBLIC_CONSULTATION_STATES]))
            .group_by(consultation_state)
        ).all()
    )
    petitions = dict(
        db.session.execute(
            sa.select(Petition.state, sa.func.count()).group_by(Petition.state)
        ).all()
    )
    published = [
        s.value for s in PetitionState if s not in (PetitionState.DRAFT, PetitionState.SUBMITTED)
    ]
    return {
        "registered_people": db.session.scalar(
            sa.select(sa.func.count())
            .select_from(User)
            .where(User.deleted_at.is_(None), User.email_verified_at.is_not(None))
        ),
        "consultations_open": consultations.get(ConsultationState.OPEN.value, 0),
        "consultations_published": sum(consultations.values()),
        "consultations_with_outcome": consultations.get(
            ConsultationState.OUTCOME_PUBLISHED.value, 0
        ),
        "comments": db.session.scalar(
            sa.select(sa.func.count())
            .select_from(Comment)
            .where(Comment.status == CommentStatus.VISIBLE.value, Comment.deleted_at.is_(None))
        ),
        "questionnaire_answers": db.session.scalar(
            sa.select(sa.func.count()).select_from(AnswerSet)
        ),
        "petitions_published": sum(petitions.get(state, 0) for state in published),
        "petitions_open": petitions.get(PetitionState.OPEN.value, 0),
        "petitions_deposited": sum(
            petitions.get(s.value, 0)
            for s in (PetitionState.DEPOSITED, PetitionState.INADMISSIBLE, PetitionState.ANSWERED)
        ),
        "petitions_answered": petitions.get(PetitionState.ANSWERED.value, 0),
        "signatures": int(
            db.session.scalar(sa.select(sa.func.coalesce(sa.func.sum(SignatureCounter.count), 0)))
        ),
    }
