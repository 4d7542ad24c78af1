"""The OGP commitments tracker (SPEC §6): the 18 commitments of Morocco's 2018–2020 action plan,
their milestones, evidence links and the dated progress notes written by observers.

Progress notes are append-only, like the audit log: the ORM refuses to flush an update or a
delete of a note, and the migration adds database triggers that refuse both. A correction is a
new note that points at the note it corrects.
"""

import enum
from urllib.parse import urlsplit

import sqlalchemy as sa
from flask_babel import lazy_gettext as _l
from sqlalchemy import event
from sqlalchemy.orm import Session, relationship

from participation.core.audit import AppendOnlyViolation
from participation.core.models import TranslatedFields, UTCDateTime, utcnow
from participation.extensions import db


class CommitmentStatus(enum.StrEnum):
    NOT_STARTED = "not_started"
    IN_PROGRESS = "in_progress"
    COMPLETED = "completed"
    DELAYED = "delayed"
    WITHDRAWN = "withdrawn"


S = CommitmentStatus
# Completed and withdrawn can be reopened: observers correct the record when evidence says so.
STATUS_TRANSITIONS = {
    S.NOT_STARTED: {S.IN_PROGRESS, S.DELAYED, S.WITHDRAWN},
    S.IN_PROGRESS: {S.COMPLETED, S.DELAYED, S.WITHDRAWN},
    S.DELAYED: {S.IN_PROGRESS, S.COMPLETED, S.WITHDRAWN},
    S.COMPLETED: {S.IN_PROGRESS},
    S.WITHDRAWN: {S.NOT_STARTED, S.IN_PROGRESS},
}

STATUS_LABELS = {
    S.NOT_STARTED: _l("Not started"),
    S.IN_PROGRESS: _l("In progress"),
    S.COMPLETED: _l("Completed"),
    S.DELAYED: _l("Delayed"),
    S.WITHDRAWN: _l("Withdrawn from the plan"),
}

WEB_SCHEMES = ("http", "https")


def is_web_address(url):
    """An absolute http(s) address with a host: evidence must be a page anyone can open."""
    try:
        parts = urlsplit((url or "").strip())
    except ValueError:
        return False
    return (
        parts.scheme.lower() in WEB_SCHEMES
        and bool(parts.hostname)
        and not any(c.isspace() for c in url.strip())
    )


class Commitment(TranslatedFields, db.Model):
    __tablename__ = "ogp_commitments"

    id = sa.Column(sa.Integer, primary_key=True)
    number = sa.Column(sa.Integer, nullable=False, unique=True)
    theme = sa.Column(sa.String(40), nullable=False, index=True)
    title = sa.Column(sa.JSON, nullable=False)  # {"ar": the plan's wording, "fr": ..., "zgh": ...}
    description = sa.Column(sa.JSON, nullable=False, default=dict)
    status = sa.Column(sa.String(12), nullable=False, default=S.NOT_STARTED.value)
    lead_institution_id = sa.Column(sa.Integer, sa.ForeignKey("institutions.id"), nullable=True)
    created_at = sa.Column(UTCDateTime, nullable=False, default=utcnow)
    updated_at = sa.Column(UTCDateTime, nullable=False, default=utcnow, onupdate=utcnow)

    lead_institution = relationship("Institution")
    milestones = relationship(
        "Milestone", back_populates="commitment", order_by="[Milestone.due_on, Milestone.id]"
    )
    evidence = relationship("EvidenceLink", order_by="EvidenceLink.id")
    notes = relationship(
        "ProgressNote",
        order_by="[ProgressNote.noted_on.desc(), ProgressNote.id.desc()]",
        viewonly=True,
    )

    __table_args__ = (
        sa.CheckConstraint(
            "status IN (" + ", ".join(f"'{s.value}'" for s in CommitmentStatus) + ")", name="status"
        ),
        sa.CheckConstraint("number > 0", name="number"),
    )

    @property
    def state(self):
        return CommitmentStatus(self.status)

    @property
    def status_label(self):
        return STATUS_LABELS[self.state]

    @property
    def milestones_done(self):
        return sum(1 for m in self.milestones if m.done)


class Milestone(TranslatedFields, db.Model):
    __tablename__ = "ogp_milestones"

    id = sa.Column(sa.Integer, primary_key=True)
    commitment_id = sa.Column(
        sa.Integer, sa.ForeignKey("ogp_commitments.id"), nullable=False, index=True
    )
    title = sa.Column(sa.JSON, nullable=False)
    due_on = sa.Column(sa.Date, nullable=False)
    done_on = sa.Column(sa.Date, nullable=True)  # null while not done
    created_at = sa.Column(UTCDateTime, nullable=False, default=utcnow)

    commitment = relationship("Commitment", back_populates="milestones")

    @property
    def done(self):
        return self.done_on is not None


class EvidenceLink(TranslatedFields, db.Model):
    __tablename__ = "ogp_evidence_links"

    id = sa.Column(sa.Integer, primary_key=True)
    commitment_id = sa.Column(
        sa.Integer, sa.ForeignKey("ogp_commitments.id"), nullable=False, index=True
    )
    url = sa.Column(sa.String(500), nullable=False)
    label = sa.Column(sa.JSON, nullable=False)
    added_by_id = sa.Column(sa.Integer, sa.ForeignKey("users.id"), nullable=True)
    created_at = sa.Column(UTCDateTime, nullable=False, default=utcnow)


class ProgressNote(TranslatedFields, db.Model):
    """A dated observation by an observer. The body is {lang: text}: one language or several."""

    __tablename__ = "ogp_progress_notes"

    id = sa.Column(sa.Integer, primary_key=True)
    commitment_id = sa.Column(
        sa.Integer, sa.ForeignKey("ogp_commitments.id"), nullable=False, index=True
    )
    body = sa.Column(sa.JSON, nullable=False)
    noted_on = sa.Column(sa.Date, nullable=False)  # the date the observation is about
    author_id = sa.Column(sa.Integer, sa.ForeignKey("users.id"), nullable=True)
    corrects_id = sa.Column(sa.Integer, sa.ForeignKey("ogp_progress_notes.id"), nullable=True)
    created_at = sa.Column(UTCDateTime, nullable=False, default=utcnow)

    author = relationship("User")
    corrects = relationship("ProgressNote", remote_side=[id])


@event.listens_for(Session, "before_flush")
def _refuse_note_changes(session, _context, _instances):
    for obj in list(session.dirty) + list(session.deleted):
        if isinstance(obj, ProgressNote) and (obj in session.deleted or session.is_modified(obj)):
            raise AppendOnlyViolation(
                "progress notes are append-only: add a correcting note instead"
            )
