import enum

import sqlalchemy as sa
from flask_babel import lazy_gettext as _l
from flask_babel import lazy_pgettext
from sqlalchemy.orm import relationship

from participation.core.audit import append_only
from participation.core.models import TranslatedFields, UTCDateTime, utcnow
from participation.core.search import joined_text
from participation.extensions import db


class ConsultationState(enum.StrEnum):
    DRAFT = "draft"
    SCHEDULED = "scheduled"
    OPEN = "open"
    CLOSED = "closed"
    OUTCOME_PUBLISHED = "outcome_published"
    WITHDRAWN = "withdrawn"


S = ConsultationState
# The whole lifecycle: only these moves exist, and only services make them.
TRANSITIONS = {
    S.DRAFT: {S.SCHEDULED},
    S.SCHEDULED: {S.DRAFT, S.OPEN, S.WITHDRAWN},
    S.OPEN: {S.CLOSED, S.WITHDRAWN},
    S.CLOSED: {S.OUTCOME_PUBLISHED},
    S.OUTCOME_PUBLISHED: set(),
    S.WITHDRAWN: set(),
}

STATE_LABELS = {
    S.DRAFT: _l("Draft"),
    S.SCHEDULED: _l("Scheduled"),
    S.OPEN: _l("Open for comments"),
    S.CLOSED: _l("Closed"),
    S.OUTCOME_PUBLISHED: _l("Outcome published"),
    S.WITHDRAWN: _l("Withdrawn"),
}
PUBLIC_STATES = {S.OPEN, S.CLOSED, S.OUTCOME_PUBLISHED, S.WITHDRAWN, S.SCHEDULED}


class Scope(enum.StrEnum):
    NATIONAL = "national"
    REGION = "region"
    PROVINCE = "province"


SCOPE_LABELS = {
    Scope.NATIONAL: _l("National"),
    Scope.REGION: _l("Region"),
    Scope.PROVINCE: _l("Prefecture or province"),
}


class ModerationMode(enum.StrEnum):
    PRE = "pre"
    POST = "post"


MODERATION_LABELS = {
    ModerationMode.PRE: _l("Pre-moderation: comments appear after a moderator approves them"),
    ModerationMode.POST: _l("Post-moderation: comments appear at once and may be hidden later"),
}


class Decision(enum.StrEnum):
    ACCEPTED = "accepted"
    PARTLY_ACCEPTED = "partly_accepted"
    NOT_ACCEPTED = "not_accepted"


DECISION_LABELS = {
    # "Accepted" also says that a committee member accepted an invitation: a context apiece.
    Decision.ACCEPTED: lazy_pgettext("decision on the proposals about a section", "Accepted"),
    Decision.PARTLY_ACCEPTED: _l("Partly accepted"),
    Decision.NOT_ACCEPTED: _l("Not accepted"),
}


class ClosingChangeKind(enum.StrEnum):
    CLOSED_EARLY = "closed_early"
    EXTENDED = "extended"


class QuestionKind(enum.StrEnum):
    SINGLE = "single"
    MULTIPLE = "multiple"
    SCALE = "scale"
    TEXT = "text"


QUESTION_KIND_LABELS = {
    QuestionKind.SINGLE: _l("Single choice"),
    QuestionKind.MULTIPLE: _l("Multiple choice"),
    QuestionKind.SCALE: _l("Scale"),
    QuestionKind.TEXT: _l("Free text"),
}


def _check_in(column, enum_cls):
    return f"{column} IN (" + ", ".join(f"'{m.value}'" for m in enum_cls) + ")"


consultation_topics = sa.Table(
    "consultation_topics",
    db.metadata,
    sa.Column(
        "consultation_id",
        sa.Integer,
        sa.ForeignKey("consultations.id", ondelete="CASCADE"),
        primary_key=True,
    ),
    sa.Column(
        "topic_id", sa.Integer, sa.ForeignKey("topics.id", ondelete="CASCADE"), primary_key=True
    ),
)


class Topic(TranslatedFields, db.Model):
    __tablename__ = "topics"

    id = sa.Column(sa.Integer, primary_key=True)
    slug = sa.Column(sa.String(60), nullable=False, unique=True)
    name = sa.Column(sa.JSON, nullable=False)


class Consultation(TranslatedFields, db.Model):
    __tablename__ = "consultations"

    id = sa.Column(sa.Integer, primary_key=True)
    institution_id = sa.Column(
        sa.Integer, sa.ForeignKey("institutions.id"), nullable=False, index=True
    )
    created_by_id = sa.Column(sa.Integer, sa.ForeignKey("users.id"), nullable=True)
    title = sa.Column(sa.JSON, nullable=False)
    summary = sa.Column(sa.JSON, nullable=False, default=dict)
    body = sa.Column(sa.JSON, nullable=False, default=dict)
    languages = sa.Column(
        sa.String(20), nullable=False, default=""
    )  # " ar fr ": languages of the title
    slug = sa.Column(sa.String(80), nullable=False, default="consultation")
    scope = sa.Column(sa.String(10), nullable=False, default=Scope.NATIONAL.value)
    region_id = sa.Column(sa.Integer, sa.ForeignKey("regions.id"), nullable=True, index=True)
    province_id = sa.Column(sa.Integer, sa.ForeignKey("provinces.id"), nullable=True, index=True)
    opens_at = sa.Column(UTCDateTime, nullable=True)
    closes_at = sa.Column(UTCDateTime, nullable=True)
    moderation_mode = sa.Column(sa.String(4), nullable=False, default=ModerationMode.POST.value)
    state = sa.Column(sa.String(20), nullable=False, default=S.DRAFT.value, index=True)
    search_text = sa.Column(sa.Text, nullable=False, default="")  # normalised, see search.py
    created_at = sa.Column(UTCDateTime, nullable=False, default=utcnow)
    updated_at = sa.Column(UTCDateTime, nullable=False, default=utcnow, onupdate=utcnow)
    opened_at = sa.Column(UTCDateTime, nullable=True)
    closed_at = sa.Column(UTCDateTime, nullable=True)
    outcome_published_at = sa.Column(UTCDateTime, nullable=True)
    withdrawn_at = sa.Column(UTCDateTime, nullable=True)
    withdrawal_reason = sa.Column(sa.Text, nullable=True)

    institution = relationship("Institution", lazy="joined")
    region = relationship("Region")
    province = relationship("Province")
    topics = relationship(
        "Topic", secondary=consultation_topics, lazy="selectin", order_by="Topic.slug"
    )
    sections = relationship(
        "Section",
        back_populates="consultation",
        order_by="Section.position",
        cascade="all, delete-orphan",
    )
    corrections = relationship(
        "Correction", order_by="Correction.created_at", cascade="all, delete-orphan"
    )
    attachments = relationship(
        "Attachment",
        order_by="Attachment.id",
        cascade="all, delete-orphan",
        back_populates="consultation",
    )
    questions = relationship(
        "Question",
        order_by="Question.position",
        cascade="all, delete-orphan",
        back_populates="consultation",
    )
    outcome = relationship("OutcomeReport", uselist=False, cascade="all, delete-orphan")
    # Append-only records: never deleted through the ORM (the database refuses it too).
    closing_changes = relationship(
        "ClosingDateChange",
        order_by="ClosingDateChange.id",
        back_populates="consultation",
        passive_deletes="all",
    )

    __table_args__ = (
        sa.CheckConstraint(_check_in("state", ConsultationState), name="state"),
        sa.CheckConstraint(_check_in("scope", Scope), name="scope"),
        sa.CheckConstraint(_check_in("moderation_mode", ModerationMode), name="moderation_mode"),
        sa.CheckConstraint(
            "opens_at IS NULL OR closes_at IS NULL OR opens_at < closes_at", name="dates"
        ),
        sa.Index("ix_consultations_state_closes_at", "state", "closes_at"),
    )

    @property
    def status(self):
        return ConsultationState(self.state)

    def effective_state(self, now=None):
        """The state the clock says, even before the scheduled job has recorded it.

        Opening and closing happen on time without anyone clicking: `flask consultations tick`
        records them (and sends the e-mails), and every read uses this so no page is ever wrong.
        """
        now = now or utcnow()
        state = self.status
        if state == S.SCHEDULED and self.opens_at is not None and self.opens_at <= now:
            state = S.OPEN
        if state == S.OPEN and self.closes_at is not None and self.closes_at <= now:
            state = S.CLOSED
        return state

    @classmethod
    def effective_state_sql(cls, now):
        """effective_state() as a SQL expression, for listings and filters."""
        return sa.case(
            (
                sa.and_(cls.state.in_([S.SCHEDULED.value, S.OPEN.value]), cls.closes_at <= now),
                S.CLOSED.value,
            ),
            (sa.and_(cls.state == S.SCHEDULED.value, cls.opens_at <= now), S.OPEN.value),
            else_=cls.state,
        )

    def state_label(self, now=None):
        return STATE_LABELS[self.effective_state(now)]

    def time_left(self, now=None):
        now = now or utcnow()
        if self.effective_state(now) != S.OPEN or self.closes_at is None:
            return None
        return self.closes_at - now

    def refresh_search_text(self):
        """Keep `search_text` in step with the texts the search matches (core/search.py)."""
        self.search_text = joined_text(
            self.title,
            self.summary,
            self.body,
            *[section.heading for section in self.sections],
            *[section.body for section in self.sections],
        )

    @property
    def url_slug(self):
        return f"{self.id}-{self.slug}"


class Section(TranslatedFields, db.Model):
    __tablename__ = "consultation_sections"

    id = sa.Column(sa.Integer, primary_key=True)
    consultation_id = sa.Column(
        sa.Integer, sa.ForeignKey("consultations.id", ondelete="CASCADE"), nullable=False
    )
    position = sa.Column(sa.Integer, nullable=False)
    heading = sa.Column(sa.JSON, nullable=False)
    body = sa.Column(sa.JSON, nullable=False, default=dict)
    search_text = sa.Column(sa.Text, nullable=False, default="")

    consultation = relationship("Consultation", back_populates="sections")

    __table_args__ = (sa.Index("ix_consultation_sections_order", "consultation_id", "position"),)


class Correction(TranslatedFields, db.Model):
    """A dated, public correction to an open consultation (only drafts are freely editable)."""

    __tablename__ = "consultation_corrections"

    id = sa.Column(sa.Integer, primary_key=True)
    consultation_id = sa.Column(
        sa.Integer,
        sa.ForeignKey("consultations.id", ondelete="CASCADE"),
        nullable=False,
        index=True,
    )
    section_id = sa.Column(
        sa.Integer, sa.ForeignKey("consultation_sections.id", ondelete="SET NULL"), nullable=True
    )
    created_by_id = sa.Column(sa.Integer, sa.ForeignKey("users.id"), nullable=True)
    created_at = sa.Column(UTCDateTime, nullable=False, default=utcnow)
    note = sa.Column(sa.JSON, nullable=False)

    section = relationship("Section")


class ClosingDateChange(TranslatedFields, db.Model):
    """An open consultation closed early or extended by its institution: the closing date before
    and after, and the public reason. The consultation's `closes_at` is what its state follows;
    these rows are its public history (append-only)."""

    __tablename__ = "consultation_closing_changes"

    id = sa.Column(sa.Integer, primary_key=True)
    consultation_id = sa.Column(
        sa.Integer,
        sa.ForeignKey("consultations.id", ondelete="CASCADE"),
        nullable=False,
        index=True,
    )
    kind = sa.Column(sa.String(12), nullable=False)
    previous_closes_at = sa.Column(UTCDateTime, nullable=False)
    closes_at = sa.Column(UTCDateTime, nullable=False)
    reason = sa.Column(sa.JSON, nullable=False)
    created_at = sa.Column(UTCDateTime, nullable=False, default=utcnow)

    consultation = relationship("Consultation", back_populates="closing_changes")

    __table_args__ = (
        sa.CheckConstraint(_check_in("kind", ClosingChangeKind), name="kind"),
        sa.CheckConstraint(
            "(kind = 'extended' AND closes_at > previous_closes_at) "
            "OR (kind = 'closed_early' AND closes_at < previous_closes_at)",
            name="direction",
        ),
    )

    @property
    def closed_early(self):
        return self.kind == ClosingChangeKind.CLOSED_EARLY.value


append_only(ClosingDateChange)


class Attachment(db.Model):
    __tablename__ = "consultation_attachments"

    id = sa.Column(sa.Integer, primary_key=True)
    consultation_id = sa.Column(
        sa.Integer,
        sa.ForeignKey("consultations.id", ondelete="CASCADE"),
        nullable=False,
        index=True,
    )
    original_name = sa.Column(sa.String(200), nullable=False)
    stored_name = sa.Column(sa.String(80), nullable=False, unique=True)
    size = sa.Column(sa.Integer, nullable=False)
    sha256 = sa.Column(sa.String(64), nullable=False)
    uploaded_by_id = sa.Column(sa.Integer, sa.ForeignKey("users.id"), nullable=True)
    created_at = sa.Column(UTCDateTime, nullable=False, default=utcnow)

    consultation = relationship("Consultation", back_populates="attachments")


class Follow(db.Model):
    __tablename__ = "consultation_follows"

    id = sa.Column(sa.Integer, primary_key=True)
    consultation_id = sa.Column(
        sa.Integer,
        sa.ForeignKey("consultations.id", ondelete="CASCADE"),
        nullable=False,
        index=True,
    )
    user_id = sa.Column(sa.Integer, sa.ForeignKey("users.id"), nullable=False, index=True)
    created_at = sa.Column(UTCDateTime, nullable=False, default=utcnow)

    user = relationship("User")

    __table_args__ = (
        sa.UniqueConstraint(
            "consultation_id", "user_id", name="uq_consultation_follows_consultation_user"
        ),
    )


class Question(TranslatedFields, db.Model):
    __tablename__ = "consultation_questions"

    id = sa.Column(sa.Integer, primary_key=True)
    consultation_id = sa.Column(
        sa.Integer,
        sa.ForeignKey("consultations.id", ondelete="CASCADE"),
        nullable=False,
        index=True,
    )
    position = sa.Column(sa.Integer, nullable=False)
    kind = sa.Column(sa.String(10), nullable=False)
    prompt = sa.Column(sa.JSON, nullable=False)
    options = sa.Column(sa.JSON, nullable=False, default=list)  # [{"ar": ..., "fr": ...}, ...]
    scale_min = sa.Column(sa.Integer, nullable=True)
    scale_max = sa.Column(sa.Integer, nullable=True)
    required = sa.Column(sa.Boolean, nullable=False, default=False)

    consultation = relationship("Consultation", back_populates="questions")

    __table_args__ = (sa.CheckConstraint(_check_in("kind", QuestionKind), name="kind"),)

    @property
    def kind_label(self):
        return QUESTION_KIND_LABELS[QuestionKind(self.kind)]


class AnswerSet(db.Model):
    """One citizen's answers to a consultation's questionnaire; editable until closing."""

    __tablename__ = "consultation_answer_sets"

    id = sa.Column(sa.Integer, primary_key=True)
    consultation_id = sa.Column(
        sa.Integer,
        sa.ForeignKey("consultations.id", ondelete="CASCADE"),
        nullable=False,
        index=True,
    )
    user_id = sa.Column(sa.Integer, sa.ForeignKey("users.id"), nullable=False)
    answers = sa.Column(sa.JSON, nullable=False, default=dict)  # {"<question id>": value}
    created_at = sa.Column(UTCDateTime, nullable=False, default=utcnow)
    updated_at = sa.Column(UTCDateTime, nullable=False, default=utcnow, onupdate=utcnow)

    user = relationship("User")

    __table_args__ = (
        sa.UniqueConstraint(
            "consultation_id", "user_id", name="uq_consultation_answer_sets_consultation_user"
        ),
    )


class OutcomeReport(TranslatedFields, db.Model):
    """ "You said, we did": what the institution heard and decided, section by section."""

    __tablename__ = "consultation_outcomes"

    id = sa.Column(sa.Integer, primary_key=True)
    consultation_id = sa.Column(
        sa.Integer,
        sa.ForeignKey("consultations.id", ondelete="CASCADE"),
        nullable=False,
        unique=True,
    )
    summary = sa.Column(sa.JSON, nullable=False, default=dict)
    final_text = sa.Column(sa.JSON, nullable=False, default=dict)
    final_text_url = sa.Column(sa.String(500), nullable=True)
    published_at = sa.Column(UTCDateTime, nullable=True)
    published_by_id = sa.Column(sa.Integer, sa.ForeignKey("users.id"), nullable=True)

    sections = relationship("SectionOutcome", cascade="all, delete-orphan", lazy="selectin")


class SectionOutcome(TranslatedFields, db.Model):
    __tablename__ = "consultation_section_outcomes"

    id = sa.Column(sa.Integer, primary_key=True)
    report_id = sa.Column(
        sa.Integer,
        sa.ForeignKey("consultation_outcomes.id", ondelete="CASCADE"),
        nullable=False,
        index=True,
    )
    section_id = sa.Column(
        sa.Integer, sa.ForeignKey("consultation_sections.id", ondelete="CASCADE"), nullable=False
    )
    heard = sa.Column(sa.JSON, nullable=False, default=dict)
    decision = sa.Column(sa.String(20), nullable=False)
    reasons = sa.Column(sa.JSON, nullable=False, default=dict)

    __table_args__ = (
        sa.CheckConstraint(_check_in("decision", Decision), name="decision"),
        sa.UniqueConstraint(
            "report_id", "section_id", name="uq_consultation_section_outcomes_report_section"
        ),
    )

    @property
    def decision_label(self):
        return DECISION_LABELS[Decision(self.decision)]
