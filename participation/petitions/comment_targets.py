"""Petitions as comment targets: public discussion while a petition is open."""

from flask import url_for

from participation.comments.targets import CommentTarget, register_target_type
from participation.core.i18n import current_language, user_text
from participation.extensions import db
from participation.petitions.models import Petition, PetitionState
from participation.petitions.permissions import can_view_petition


def _petition_target(petition_id):
    petition = db.session.get(Petition, petition_id)
    if petition is None:
        return None
    return CommentTarget(
        target_type="petition",
        target_id=petition.id,
        title=user_text(petition, "title"),
        url=url_for(
            "petitions.detail",
            lang_code=current_language(),
            petition_id=petition.id,
            slug=petition.slug,
        ),
        accepts_comments=petition.status == PetitionState.OPEN,
        moderation_mode="post",
        allows_stance=False,
        institution_id=petition.addressee_id,
        is_visible_to=lambda user: can_view_petition(user, petition),
    )


def register_petition_comment_target():
    register_target_type("petition", _petition_target)
