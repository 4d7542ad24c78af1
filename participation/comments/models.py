"""Comments and "useful" votes.

A comment hangs on a target (target_type, target_id) that another area describes (targets.py).
Replies keep the id of their thread's first comment (root_id), so a whole thread loads in one
query. A deleted comment stays as a tombstone: its text is cleared, its replies keep their place.
"""

import enum

import sqlalchemy as sa
from flask_babel import lazy_gettext as _l
from sqlalchemy.orm import relationship

from participation.comments.markdown import render
from participation.core.models import UTCDateTime, utcnow
from participation.extensions import db

MAX_DEPTH = 3  # a comment that starts a thread is at depth 0; replies go down to depth 3


class CommentStatus(enum.StrEnum):
    PENDING = "pending"
    VISIBLE = "visible"
    HIDDEN = "hidden"
    REJECTED = "rejected"


S = CommentStatus
# Every move a comment's status can make after creation; services.change_comment_status is the only
# place that makes one (the overseer's decisions call it): approve, reject, hide, restore, and restore on appeal.
STATUS_TRANSITIONS = {
    S.PENDING: {S.VISIBLE, S.REJECTED},
    S.VISIBLE: {S.HIDDEN, S.REJECTED, S.PENDING},  # PENDING: an edit tripped a screening rule
    S.HIDDEN: {S.VISIBLE, S.REJECTED},
    S.REJECTED: {S.VISIBLE},
}

# Shown to the author only, on their own comment, to say why nobody else sees it.
STATUS_NOTICES = {
    S.PENDING: _l(
        "Waiting for moderation: only you can see this comment until a moderator approves it."
    ),
    S.HIDDEN: _l("Hidden by a moderator: only you can see this comment."),
    S.REJECTED: _l("Rejected by a moderator: only you can see this comment."),
}


class Stance(enum.StrEnum):
    AGREE = "agree"
    DISAGREE = "disagree"
    NEUTRAL = "neutral"


STANCE_LABELS = {
    Stance.AGREE: _l("Agree"),
    Stance.DISAGREE: _l("Disagree"),
    Stance.NEUTRAL: _l("Neutral"),
}
STANCE_CHOICES = {
    Stance.AGREE: _l("I agree"),
    Stance.DISAGREE: _l("I disagree"),
    Stance.NEUTRAL: _l("I am neutral"),
}


class Comment(db.Model):
    __tablename__ = "comments"

    id = sa.Column(sa.Integer, primary_key=True)
    target_type = sa.Column(sa.String(40), nullable=False)
    target_id = sa.Column(sa.Integer, nullable=False)
    parent_id = sa.Column(sa.Integer, sa.ForeignKey("comments.id"), nullable=True, index=True)
    root_id = sa.Column(sa.Integer, sa.ForeignKey("comments.id"), nullable=True, index=True)
    depth = sa.Column(sa.Integer, nullable=False, default=0)
    author_id = sa.Column(sa.Integer, sa.ForeignKey("users.id"), nullable=False, index=True)
    body_source = sa.Column(sa.Text, nullable=False)  # the Markdown the author wrote
    body_html = sa.Column(sa.Text, nullable=False)  # rendered and sanitised when written
    stance = sa.Column(sa.String(10), nullable=True)
    status = sa.Column(sa.String(10), nullable=False)
    is_official = sa.Column(sa.Boolean, nullable=False, default=False)
    official_institution_id = sa.Column(sa.Integer, sa.ForeignKey("institutions.id"), nullable=True)
    created_at = sa.Column(UTCDateTime, nullable=False, default=utcnow)
    edited_at = sa.Column(UTCDateTime, nullable=True)
    deleted_at = sa.Column(UTCDateTime, nullable=True)
    useful_count = sa.Column(sa.Integer, nullable=False, default=0)

    author = relationship("User")
    official_institution = relationship("Institution")

    __table_args__ = (
        sa.CheckConstraint(
            "status IN (" + ", ".join(f"'{s.value}'" for s in CommentStatus) + ")", name="status"
        ),
        sa.CheckConstraint(
            "stance IS NULL OR (parent_id IS NULL AND stance IN ("
            + ", ".join(f"'{s.value}'" for s in Stance)
            + "))",
            name="stance",
        ),
        sa.CheckConstraint(f"depth >= 0 AND depth <= {MAX_DEPTH}", name="depth"),
        sa.CheckConstraint(
            "(parent_id IS NULL AND root_id IS NULL AND depth = 0)"
            " OR (parent_id IS NOT NULL AND root_id IS NOT NULL AND depth > 0)",
            name="thread",
        ),
        sa.CheckConstraint(
            "(is_official) = (official_institution_id IS NOT NULL)", name="official"
        ),
        sa.CheckConstraint("useful_count >= 0", name="useful_count"),
        sa.Index("ix_comments_target", "target_type", "target_id", "status", "created_at"),
    )

    def place_in_thread(self, parent):
        """Start a thread (parent None) or go under `parent`, remembering the thread's first comment."""
        self.parent_id = parent.id if parent else None
        self.root_id = (parent.root_id or parent.id) if parent else None
        self.depth = parent.depth + 1 if parent else 0

    def write(self, source):
        """Keep the author's text (checked by markdown.clean_source) and its sanitised HTML."""
        self.body_source = source
        self.body_html = render(source)

    @property
    def is_deleted(self):
        return self.deleted_at is not None

    @property
    def accepts_replies(self):
        return self.depth < MAX_DEPTH

    @property
    def status_notice(self):
        return STATUS_NOTICES.get(CommentStatus(self.status))

    @property
    def stance_label(self):
        return STANCE_LABELS[Stance(self.stance)] if self.stance else None


class CommentVote(db.Model):
    """A citizen found a comment useful: one vote per citizen and comment."""

    __tablename__ = "comment_votes"

    id = sa.Column(sa.Integer, primary_key=True)
    comment_id = sa.Column(
        sa.Integer, sa.ForeignKey("comments.id", ondelete="CASCADE"), nullable=False
    )
    user_id = sa.Column(sa.Integer, sa.ForeignKey("users.id"), nullable=False, index=True)
    created_at = sa.Column(UTCDateTime, nullable=False, default=utcnow)

    __table_args__ = (sa.UniqueConstraint("comment_id", "user_id"),)
