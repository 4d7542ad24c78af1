"""What the translators' desk holds about a person, in the download and at account deletion
(core/personal_data.py; docs/personal-data.md)."""

import sqlalchemy as sa

from participation.core.personal_data import Erasure, personal_data_exporter, user_column
from participation.extensions import db
from participation.translation_review.models import TranslationReview

user_column(
    "translation_reviews.author_id",
    exported_in="translation_reviews",
    erasure=Erasure.KEPT,
    why="proposals are work on the interface's texts, exported to the catalogs; they point at "
    "the anonymised account",
)


@personal_data_exporter("translation_reviews")
def _export_translation_reviews(user):
    reviews = db.session.scalars(
        sa.select(TranslationReview)
        .where(TranslationReview.author_id == user.id)
        .order_by(TranslationReview.id)
    )
    return [
        {
            "language": review.language,
            "msgid": review.msgid,
            "msgctxt": review.msgctxt,
            "kind": review.kind,
            "proposal": review.proposal,
            "note": review.note,
            "created_at": review.created_at.isoformat(),
        }
        for review in reviews
    ]
