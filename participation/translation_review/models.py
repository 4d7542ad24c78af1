"""The translators' desk (SPEC §7): what native speakers say about the interface messages.

Every action is a row: an entry marked reviewed, flagged with a note, or given a proposed text, in
one language, by one translator. The row keeps the catalog's text as it stood when the action was
taken, so that the status of an entry (queries.py) follows the catalog: once maintainers merge a
proposal or fix a flagged text, the entry is waiting for a review again.
"""

import enum

import sqlalchemy as sa
from flask_babel import lazy_gettext as _l
from sqlalchemy.orm import relationship

from participation.core.models import UTCDateTime, utcnow
from participation.extensions import db

NOTE_MAX_LENGTH = 1000
PROPOSAL_MAX_LENGTH = 4000


class ReviewKind(enum.StrEnum):
    REVIEWED = "reviewed"
    FLAGGED = "flagged"
    PROPOSED = "proposed"


class ReviewStatus(enum.StrEnum):
    """An entry's status in one language: its latest review row made on the current text."""

    NOT_REVIEWED = "not_reviewed"
    REVIEWED = "reviewed"
    FLAGGED = "flagged"
    PROPOSED = "proposed"


STATUS_LABELS = {
    ReviewStatus.NOT_REVIEWED: _l("Not reviewed"),
    ReviewStatus.REVIEWED: _l("Reviewed"),
    ReviewStatus.FLAGGED: _l("Flagged"),
    ReviewStatus.PROPOSED: _l("Text proposed"),
}


class TranslationReview(db.Model):
    __tablename__ = "translation_reviews"

    id = sa.Column(sa.Integer, primary_key=True)
    # sha1 of msgctxt and msgid (catalog.entry_key): one short key per catalog entry, for the index
    entry_key = sa.Column(sa.String(16), nullable=False)
    language = sa.Column(sa.String(8), nullable=False)
    msgid = sa.Column(sa.Text, nullable=False)  # the singular msgid of a plural entry
    msgctxt = sa.Column(sa.Text, nullable=False, default="")  # "" when the entry has no context
    kind = sa.Column(sa.String(10), nullable=False)
    catalog_text = sa.Column(sa.JSON, nullable=False)  # [msgstr] or [msgstr[0], ...] at the time
    proposal = sa.Column(
        sa.JSON(none_as_null=True), nullable=True
    )  # proposed: one text per plural form
    note = sa.Column(sa.Text, nullable=True)  # flagged: why; proposed: optional
    author_id = sa.Column(sa.Integer, sa.ForeignKey("users.id"), nullable=False, index=True)
    created_at = sa.Column(UTCDateTime, nullable=False, default=utcnow)

    author = relationship("User")

    __table_args__ = (
        sa.CheckConstraint("language IN ('ar', 'fr', 'zgh')", name="language"),
        sa.CheckConstraint(
            "kind IN (" + ", ".join(f"'{k.value}'" for k in ReviewKind) + ")", name="kind"
        ),
        sa.CheckConstraint("(kind = 'proposed') = (proposal IS NOT NULL)", name="proposal"),
        sa.CheckConstraint("kind <> 'flagged' OR note IS NOT NULL", name="flag_has_note"),
        sa.Index("ix_translation_reviews_entry", "entry_key", "language", "id"),
    )

    @property
    def review_kind(self):
        return ReviewKind(self.kind)
