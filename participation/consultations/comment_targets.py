"""Consultations and their sections as comment targets (the comments component is generic)."""

import sqlalchemy as sa
from flask import url_for

from participation.auth.models import User
from participation.comments.targets import CommentTarget, register_target_type
from participation.consultations.models import Consultation, ConsultationState, Section
from participation.consultations.permissions import can_view_consultation
from participation.core.i18n import current_language, user_text
from participation.extensions import db


def _consultation_target(consultation_id):
    consultation = db.session.get(Consultation, consultation_id)
    if consultation is None:
        return None
    return CommentTarget(
        target_type="consultation",
        target_id=consultation.id,
        title=user_text(consultation, "title"),
        url=url_for(
            "consultations.detail",
            lang_code=current_language(),
            consultation_id=consultation.id,
            slug=consultation.slug,
        ),
        accepts_comments=consultation.effective_state() == ConsultationState.OPEN,
        moderation_mode=consultation.moderation_mode,
        allows_stance=False,
        institution_id=consultation.institution_id,
        is_visible_to=lambda user: can_view_consultation(user, consultation),
    )


def _section_target(section_id):
    section = db.session.get(Section, section_id)
    if section is None:
        return None
    consultation = section.consultation
    return CommentTarget(
        target_type="section",
        target_id=section.id,
        title=user_text(section, "heading"),
        url=url_for(
            "consultations.section",
            lang_code=current_language(),
            consultation_id=consultation.id,
            slug=consultation.slug,
            section_id=section.id,
        ),
        accepts_comments=consultation.effective_state() == ConsultationState.OPEN,
        moderation_mode=consultation.moderation_mode,
        allows_stance=True,
        institution_id=consultation.institution_id,
        is_visible_to=lambda user: can_view_consultation(user, consultation),
    )


def register_comment_targets():
    register_target_type("consultation", _consultation_target)
    register_target_type("section", _section_target)


def participant_users(consultation):
    """Everyone who commented on the consultation or on one of its sections."""
    from participation.comments.models import Comment

    section_ids = sa.select(Section.id).where(Section.consultation_id == consultation.id)
    authors = sa.select(Comment.author_id).where(
        sa.or_(
            sa.and_(Comment.target_type == "consultation", Comment.target_id == consultation.id),
            sa.and_(Comment.target_type == "section", Comment.target_id.in_(section_ids)),
        )
    )
    return db.session.scalars(sa.select(User).where(User.id.in_(authors))).all()


def comment_totals(consultations):
    """{consultation id: visible comments on it and its sections}, in two queries for any number."""
    from participation.comments.queries import count_comments

    consultation_ids = [c.id for c in consultations]
    section_owner = {s.id: c.id for c in consultations for s in c.sections}
    totals = dict.fromkeys(consultation_ids, 0)
    for consultation_id, n in count_comments("consultation", consultation_ids).items():
        totals[consultation_id] += n
    for section_id, n in count_comments("section", list(section_owner)).items():
        totals[section_owner[section_id]] += n
    return totals
