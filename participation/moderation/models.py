"""Moderation of comments: reports, screening, the queue, coded decisions and appeals.

A comment that needs a moderator's eyes has one open queue item (pending, reported or appealed).
Decisions and appeals are append-only: the ORM refuses to flush a change to them, and the migration
adds database triggers that refuse UPDATE and DELETE, like the audit log. An appeal's outcome is
one more decision that points at the decision appealed (`appeal_of_id`).
"""

import enum

import sqlalchemy as sa
from flask_babel import lazy_gettext as _l
from sqlalchemy.orm import relationship

from participation.comments.models import CommentStatus
from participation.core.audit import append_only
from participation.core.models import TimedLock, UTCDateTime, utcnow
from participation.extensions import db


def _in(column, values):
    return f"{column} IN (" + ", ".join(f"'{v}'" for v in values) + ")"


COMMENT_STATUS_LABELS = {
    CommentStatus.PENDING: _l("Waiting for approval"),
    CommentStatus.VISIBLE: _l("Published"),
    CommentStatus.HIDDEN: _l("Hidden"),
    CommentStatus.REJECTED: _l("Rejected"),
}


class ReportReason(enum.StrEnum):
    SPAM = "spam"
    INSULT_OR_HATE = "insult_or_hate"
    PERSONAL_DATA = "personal_data"
    OFF_TOPIC = "off_topic"
    OTHER = "other"


REPORT_REASON_LABELS = {
    ReportReason.SPAM: _l("Spam or advertising"),
    ReportReason.INSULT_OR_HATE: _l("Insult or hate speech"),
    ReportReason.PERSONAL_DATA: _l("Personal data about someone"),
    ReportReason.OFF_TOPIC: _l("Off-topic"),
    ReportReason.OTHER: _l("Another reason (explain below)"),
}


class ScreeningRule(enum.StrEnum):
    LINKS = "links"
    REPEATED_TEXT = "repeated_text"
    WORD_LIST = "word_list"


SCREENING_RULE_LABELS = {
    ScreeningRule.LINKS: _l("Too many links"),
    ScreeningRule.REPEATED_TEXT: _l("Text repeated from other recent comments"),
    ScreeningRule.WORD_LIST: _l("Word from a screening list"),
}


class WordList(enum.StrEnum):
    """Screening lists, one per language and script."""

    AR = "ar"
    FR = "fr"
    ZGH = "zgh"
    DARIJA_ARABIC = "ary_arab"
    DARIJA_LATIN = "ary_latn"


WORD_LIST_LABELS = {
    WordList.AR: _l("Arabic"),
    WordList.FR: _l("French"),
    WordList.ZGH: _l("Amazigh (Tifinagh)"),
    WordList.DARIJA_ARABIC: _l("Moroccan Darija in Arabic script"),
    WordList.DARIJA_LATIN: _l("Moroccan Darija in Latin script"),
}


class ItemKind(enum.StrEnum):
    PENDING = "pending"
    REPORTED = "reported"
    APPEAL = "appeal"


ITEM_KIND_LABELS = {
    ItemKind.PENDING: _l("Waiting for approval"),
    ItemKind.REPORTED: _l("Reported"),
    ItemKind.APPEAL: _l("Appeal"),
}

PREMODERATION = "premoderation"  # why a pending item is in the queue when no screening rule fired
APPEAL = "appeal"
ITEM_REASON_LABELS = {
    PREMODERATION: _l("Pre-moderated discussion"),
    APPEAL: _l("The author appealed"),
    **SCREENING_RULE_LABELS,
    **REPORT_REASON_LABELS,
}


class Decision(enum.StrEnum):
    APPROVE = "approve"
    HIDE = "hide"
    REJECT = "reject"
    RESTORE = "restore"
    HOLD = "hold"  # the platform's alone: an edit tripped a screening rule, back to the queue


MODERATOR_DECISIONS = (Decision.APPROVE, Decision.HIDE, Decision.REJECT, Decision.RESTORE)


DECISION_LABELS = {
    Decision.APPROVE: _l("Approve"),
    Decision.HIDE: _l("Hide"),
    Decision.REJECT: _l("Reject"),
    Decision.RESTORE: _l("Restore"),
    Decision.HOLD: _l("Hold for review"),
}
DECISION_OUTCOME_LABELS = {
    Decision.APPROVE: _l("Approved"),
    Decision.HIDE: _l("Hidden"),
    Decision.REJECT: _l("Rejected"),
    Decision.RESTORE: _l("Restored"),
    Decision.HOLD: _l("Held for review"),
}

S = CommentStatus
# What each decision does to a comment, by its current status. A decision that keeps the status
# (approving a reported comment, confirming a hide, upholding an appealed decision) needs an open
# queue item: otherwise there is nothing to decide.
DECISION_EFFECTS = {
    Decision.APPROVE: {S.PENDING: S.VISIBLE, S.VISIBLE: S.VISIBLE},
    Decision.HIDE: {S.VISIBLE: S.HIDDEN, S.HIDDEN: S.HIDDEN},
    Decision.REJECT: {
        S.PENDING: S.REJECTED,
        S.VISIBLE: S.REJECTED,
        S.HIDDEN: S.REJECTED,
        S.REJECTED: S.REJECTED,
    },
    Decision.RESTORE: {S.HIDDEN: S.VISIBLE, S.REJECTED: S.VISIBLE},
    Decision.HOLD: {S.VISIBLE: S.PENDING},
}
APPEALABLE_DECISIONS = {Decision.HIDE, Decision.REJECT}


class DecisionReason(enum.StrEnum):
    RESPECTS_RULES = "respects_rules"
    DECISION_CORRECTED = "decision_corrected"
    SPAM = "spam"
    INSULT_OR_HATE = "insult_or_hate"
    PERSONAL_DATA = "personal_data"
    OFF_TOPIC = "off_topic"
    UNLAWFUL = "unlawful"
    OTHER = "other"
    REPORTED = "reported"  # the platform hid the comment after enough reports, pending review
    SCREENED = "screened"  # the platform held an edited comment that tripped a screening rule


AUTOMATIC_REASONS = (DecisionReason.REPORTED, DecisionReason.SCREENED)


DECISION_REASON_LABELS = {
    DecisionReason.RESPECTS_RULES: _l("It respects the participation rules"),
    DecisionReason.DECISION_CORRECTED: _l("The earlier decision was a mistake"),
    DecisionReason.SPAM: _l("Spam or advertising"),
    DecisionReason.INSULT_OR_HATE: _l("Insult or hate speech"),
    DecisionReason.PERSONAL_DATA: _l("Personal data about someone"),
    DecisionReason.OFF_TOPIC: _l("Off-topic"),
    DecisionReason.UNLAWFUL: _l("Unlawful content"),
    DecisionReason.OTHER: _l("Another breach of the participation rules"),
    DecisionReason.REPORTED: _l("Reported by several participants, waiting for a moderator"),
    DecisionReason.SCREENED: _l(
        "Changed after publication in a way the automatic checks hold for a moderator"
    ),
}
R = DecisionReason
# Which reasons a moderator may give for each decision; REPORTED and SCREENED are the platform's alone.
DECISION_REASONS = {
    Decision.APPROVE: (R.RESPECTS_RULES, R.DECISION_CORRECTED),
    Decision.RESTORE: (R.RESPECTS_RULES, R.DECISION_CORRECTED),
    Decision.HIDE: (R.SPAM, R.INSULT_OR_HATE, R.PERSONAL_DATA, R.OFF_TOPIC, R.UNLAWFUL, R.OTHER),
    Decision.REJECT: (R.SPAM, R.INSULT_OR_HATE, R.PERSONAL_DATA, R.OFF_TOPIC, R.UNLAWFUL, R.OTHER),
}


class CommentReport(db.Model):
    """A citizen reports a comment, once. Reports stay open until a moderator decides."""

    __tablename__ = "comment_reports"

    id = sa.Column(sa.Integer, primary_key=True)
    comment_id = sa.Column(sa.Integer, sa.ForeignKey("comments.id"), nullable=False)
    reporter_id = sa.Column(sa.Integer, sa.ForeignKey("users.id"), nullable=False, index=True)
    reason = sa.Column(sa.String(20), nullable=False)
    details = sa.Column(sa.Text, nullable=True)
    created_at = sa.Column(UTCDateTime, nullable=False, default=utcnow)
    resolved_at = sa.Column(UTCDateTime, nullable=True)

    __table_args__ = (
        sa.UniqueConstraint("comment_id", "reporter_id"),
        sa.CheckConstraint(_in("reason", [r.value for r in ReportReason]), name="reason"),
        sa.CheckConstraint("reason <> 'other' OR details IS NOT NULL", name="other_explained"),
    )

    @property
    def reason_label(self):
        return REPORT_REASON_LABELS[ReportReason(self.reason)]


class ScreeningFlag(db.Model):
    """A screening rule fired when the comment was submitted."""

    __tablename__ = "screening_flags"

    id = sa.Column(sa.Integer, primary_key=True)
    comment_id = sa.Column(sa.Integer, sa.ForeignKey("comments.id"), nullable=False, index=True)
    rule = sa.Column(sa.String(20), nullable=False)
    details = sa.Column(sa.JSON, nullable=False, default=dict)
    created_at = sa.Column(UTCDateTime, nullable=False, default=utcnow)

    __table_args__ = (
        sa.CheckConstraint(_in("rule", [r.value for r in ScreeningRule]), name="rule"),
    )

    @property
    def label(self):
        return SCREENING_RULE_LABELS[ScreeningRule(self.rule)]


class CommentFingerprint(db.Model):
    """A digest of a comment's normalised text, to find the same text posted again."""

    __tablename__ = "comment_fingerprints"

    comment_id = sa.Column(
        sa.Integer, sa.ForeignKey("comments.id", ondelete="CASCADE"), primary_key=True
    )
    digest = sa.Column(sa.String(64), nullable=False)
    created_at = sa.Column(UTCDateTime, nullable=False, default=utcnow)

    __table_args__ = (sa.Index("ix_comment_fingerprints_digest", "digest", "created_at"),)


class ScreeningSettings(db.Model):
    """The administrators' screening settings: one row, created when first saved (until then
    queries.get_screening_settings() gives the defaults of wordlists.py)."""

    __tablename__ = "screening_settings"

    id = sa.Column(sa.Integer, primary_key=True)
    check_links = sa.Column(sa.Boolean, nullable=False)
    max_links = sa.Column(sa.Integer, nullable=False)
    check_repeats = sa.Column(sa.Boolean, nullable=False)
    repeat_window_hours = sa.Column(sa.Integer, nullable=False)
    repeat_min_length = sa.Column(sa.Integer, nullable=False)
    check_words = sa.Column(sa.Boolean, nullable=False)
    word_lists = sa.Column(sa.JSON, nullable=False)  # {WordList value: "one term per line"}
    updated_at = sa.Column(UTCDateTime, nullable=True)
    updated_by_id = sa.Column(sa.Integer, sa.ForeignKey("users.id"), nullable=True)

    __table_args__ = (
        sa.CheckConstraint("id = 1", name="single_row"),
        sa.CheckConstraint("max_links >= 0", name="max_links"),
        sa.CheckConstraint("repeat_window_hours > 0", name="repeat_window_hours"),
        sa.CheckConstraint("repeat_min_length >= 0", name="repeat_min_length"),
    )

    def terms(self, word_list):
        return [
            line.strip()
            for line in (self.word_lists or {}).get(word_list, "").splitlines()
            if line.strip()
        ]


class ModerationItem(TimedLock, db.Model):
    """A comment waiting in the queue. At most one open item per comment."""

    __tablename__ = "moderation_items"

    id = sa.Column(sa.Integer, primary_key=True)
    comment_id = sa.Column(sa.Integer, sa.ForeignKey("comments.id"), nullable=False, index=True)
    kind = sa.Column(sa.String(10), nullable=False)
    reason = sa.Column(sa.String(20), nullable=False)
    institution_id = sa.Column(
        sa.Integer, sa.ForeignKey("institutions.id"), nullable=True, index=True
    )
    language = sa.Column(sa.String(8), nullable=True)
    opened_at = sa.Column(UTCDateTime, nullable=False, default=utcnow)
    closed_at = sa.Column(UTCDateTime, nullable=True)
    locked_by_id = sa.Column(sa.Integer, sa.ForeignKey("users.id"), nullable=True)
    locked_until = sa.Column(UTCDateTime, nullable=True)

    comment = relationship("Comment")
    institution = relationship("Institution")
    locked_by = relationship("User")

    __table_args__ = (
        sa.CheckConstraint(_in("kind", [k.value for k in ItemKind]), name="kind"),
        sa.CheckConstraint(_in("reason", [str(r) for r in ITEM_REASON_LABELS]), name="reason"),
        sa.CheckConstraint("(locked_by_id IS NULL) = (locked_until IS NULL)", name="lock"),
        sa.Index("ix_moderation_items_open", "closed_at", "opened_at"),
        sa.Index(
            "uq_moderation_items_open_comment",
            "comment_id",
            unique=True,
            sqlite_where=sa.text("closed_at IS NULL"),
            postgresql_where=sa.text("closed_at IS NULL"),
        ),
    )

    @classmethod
    def open_for(cls, comment, *, kind, reason, institution_id=None, language=None):
        """The comment's open item, or a new one: a comment waits in the queue only once."""
        item = db.session.scalar(
            sa.select(cls).where(cls.comment_id == comment.id, cls.closed_at.is_(None))
        )
        if item is None:
            item = cls(
                comment_id=comment.id,
                kind=ItemKind(kind).value,
                reason=reason,
                institution_id=institution_id,
                language=language,
                opened_at=utcnow(),
            )
            db.session.add(item)
            db.session.flush()
        return item

    @property
    def is_open(self):
        return self.closed_at is None

    @property
    def kind_label(self):
        return ITEM_KIND_LABELS[ItemKind(self.kind)]

    @property
    def reason_label(self):
        return ITEM_REASON_LABELS[self.reason]


class ModerationDecision(db.Model):
    """A decision on a comment, append-only. `moderator_id` is empty when the platform itself hid
    a comment after enough reports, or held an edited comment that tripped a screening rule."""

    __tablename__ = "moderation_decisions"

    id = sa.Column(sa.Integer, primary_key=True)
    comment_id = sa.Column(sa.Integer, sa.ForeignKey("comments.id"), nullable=False, index=True)
    moderator_id = sa.Column(sa.Integer, sa.ForeignKey("users.id"), nullable=True, index=True)
    item_id = sa.Column(sa.Integer, sa.ForeignKey("moderation_items.id"), nullable=True, index=True)
    appeal_of_id = sa.Column(
        sa.Integer, sa.ForeignKey("moderation_decisions.id"), nullable=True, unique=True
    )
    decision = sa.Column(sa.String(10), nullable=False)
    reason = sa.Column(sa.String(20), nullable=False)
    note = sa.Column(sa.Text, nullable=True)
    from_status = sa.Column(sa.String(10), nullable=False)
    to_status = sa.Column(sa.String(10), nullable=False)
    created_at = sa.Column(UTCDateTime, nullable=False, default=utcnow, index=True)

    comment = relationship("Comment")
    moderator = relationship("User")
    item = relationship("ModerationItem")

    __table_args__ = (
        sa.CheckConstraint(_in("decision", [d.value for d in Decision]), name="decision"),
        sa.CheckConstraint(_in("reason", [r.value for r in DecisionReason]), name="reason"),
        sa.CheckConstraint(
            _in("from_status", [s.value for s in CommentStatus]), name="from_status"
        ),
        sa.CheckConstraint(_in("to_status", [s.value for s in CommentStatus]), name="to_status"),
        sa.CheckConstraint(
            "(moderator_id IS NULL) = (reason IN ("
            + ", ".join(f"'{r.value}'" for r in AUTOMATIC_REASONS)
            + "))",
            name="automatic",
        ),
    )

    @property
    def is_automatic(self):
        return self.moderator_id is None

    @property
    def label(self):
        return DECISION_OUTCOME_LABELS[Decision(self.decision)]

    @property
    def reason_label(self):
        return DECISION_REASON_LABELS[DecisionReason(self.reason)]


class ModerationAppeal(db.Model):
    """The author asks for a hide or reject to be looked at again, once per decision; append-only."""

    __tablename__ = "moderation_appeals"

    id = sa.Column(sa.Integer, primary_key=True)
    decision_id = sa.Column(
        sa.Integer, sa.ForeignKey("moderation_decisions.id"), nullable=False, unique=True
    )
    comment_id = sa.Column(sa.Integer, sa.ForeignKey("comments.id"), nullable=False, index=True)
    author_id = sa.Column(sa.Integer, sa.ForeignKey("users.id"), nullable=False, index=True)
    text = sa.Column(sa.Text, nullable=False)
    created_at = sa.Column(UTCDateTime, nullable=False, default=utcnow, index=True)

    decision = relationship("ModerationDecision")


# The queue also holds what petitions bring to moderators (SPEC §5): signatures held as suspect
# by a signing limit, and petitions awaiting their admissibility review. Neither gets a queue item
# row (signing stays one INSERT): the queue reads them from the petitions' own tables.
class QueueKind(enum.StrEnum):
    SIGNATURE = "signature"
    PETITION = "petition"


QUEUE_KIND_LABELS = {
    **ITEM_KIND_LABELS,
    QueueKind.SIGNATURE: _l("Held signature"),
    QueueKind.PETITION: _l("Petition awaiting review"),
}


append_only(ModerationDecision, ModerationAppeal)
