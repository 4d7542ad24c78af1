"""OGP commitments tracker services: loading the plan, and the observers' record of progress
(status, milestones, evidence links, progress notes). Every change is audited."""

from datetime import date

import sqlalchemy as sa
from flask_babel import lazy_gettext as _l

from participation.core.audit import record_audit
from participation.core.errors import DomainError
from participation.core.models import clean_translations, utcnow
from participation.core.permissions import SYSTEM, guarded_by, require
from participation.core.timezones import morocco_date
from participation.extensions import db
from participation.ogp import permissions as perms
from participation.ogp.models import (
    STATUS_TRANSITIONS,
    Commitment,
    CommitmentStatus,
    EvidenceLink,
    Milestone,
    ProgressNote,
    is_web_address,
)
from participation.ogp.plan import plan_commitments

URL_MAX_LENGTH = 500


def _touch(commitment):
    """A milestone, link or note added is a change of the commitment's record (its updated_at)."""
    commitment.updated_at = utcnow()


@guarded_by(SYSTEM)
def load_commitments():
    """Insert the plan's commitments that are missing and return how many were added. Existing
    commitments keep everything observers recorded; a title only gains the languages it lacks."""
    existing = {c.number: c for c in db.session.scalars(sa.select(Commitment))}
    added = 0
    for item in plan_commitments():
        commitment = existing.get(item["number"])
        if commitment is None:
            db.session.add(
                Commitment(
                    number=item["number"],
                    theme=item["theme"],
                    title=item["title"],
                    description={},
                    status=CommitmentStatus.NOT_STARTED.value,
                )
            )
            added += 1
            continue
        missing = {
            lang: text
            for lang, text in item["title"].items()
            if not (commitment.title or {}).get(lang)
        }
        if missing:
            commitment.title = {**(commitment.title or {}), **missing}
    db.session.flush()
    return added


@guarded_by(perms.can_track_commitments)
def change_commitment_status(actor, commitment, status):
    require(perms.can_track_commitments(actor))
    try:
        new = CommitmentStatus(status)
    except ValueError:
        raise DomainError(
            _l("Choose one of the options in the list."), code="unknown_status"
        ) from None
    old = commitment.state
    if new not in STATUS_TRANSITIONS[old]:
        raise DomainError(
            _l("This commitment cannot go from its current status to that one."), code="transition"
        )
    commitment.status = new.value
    db.session.flush()
    record_audit(
        actor,
        "ogp_commitment.status_changed",
        commitment,
        number=commitment.number,
        before=old.value,
        after=new.value,
    )
    return commitment


@guarded_by(perms.can_track_commitments)
def update_commitment_details(actor, commitment, *, description, lead_institution=None):
    """The optional description and lead institution (the plan's titles are not edited here)."""
    require(perms.can_track_commitments(actor))
    before = {
        "description": commitment.description,
        "lead_institution_id": commitment.lead_institution_id,
    }
    commitment.description = clean_translations(description)
    commitment.lead_institution_id = lead_institution.id if lead_institution is not None else None
    db.session.flush()
    after = {
        "description": commitment.description,
        "lead_institution_id": commitment.lead_institution_id,
    }
    record_audit(
        actor,
        "ogp_commitment.details_changed",
        commitment,
        number=commitment.number,
        before=before,
        after=after,
    )
    return commitment


@guarded_by(perms.can_track_commitments)
def add_milestone(actor, commitment, *, title, due_on):
    require(perms.can_track_commitments(actor))
    title = clean_translations(title)
    if not title:
        raise DomainError(_l("Give the title in at least one language."), code="title_required")
    if not isinstance(due_on, date):
        raise DomainError(_l("Enter a valid date."), code="due_on_required")
    milestone = Milestone(commitment_id=commitment.id, title=title, due_on=due_on)
    db.session.add(milestone)
    _touch(commitment)
    db.session.flush()
    db.session.expire(commitment, ["milestones"])
    record_audit(
        actor,
        "ogp_milestone.added",
        milestone,
        number=commitment.number,
        title=title,
        due_on=due_on.isoformat(),
    )
    return milestone


@guarded_by(perms.can_track_commitments)
def set_milestone_done(actor, milestone, *, done_on=None, today=None):
    """Mark a milestone done on `done_on` (not in the future), or not done with None."""
    require(perms.can_track_commitments(actor))
    if done_on is not None and done_on > (today or morocco_date()):
        raise DomainError(
            _l("A milestone cannot be done on a date that has not come yet."), code="future_date"
        )
    before = milestone.done_on.isoformat() if milestone.done_on else None
    milestone.done_on = done_on
    _touch(milestone.commitment)
    db.session.flush()
    record_audit(
        actor,
        "ogp_milestone.done" if done_on else "ogp_milestone.reopened",
        milestone,
        number=milestone.commitment.number,
        before=before,
        after=done_on.isoformat() if done_on else None,
    )
    return milestone


@guarded_by(perms.can_track_commitments)
def add_evidence_link(actor, commitment, *, url, label):
    require(perms.can_track_commitments(actor))
    url = (url or "").strip()
    if len(url) > URL_MAX_LENGTH or not is_web_address(url):
        raise DomainError(
            _l("Enter a full web address starting with http:// or https://."), code="bad_url"
        )
    link = EvidenceLink(
        commitment_id=commitment.id,
        url=url,
        label=clean_translations(label),
        added_by_id=getattr(actor, "id", None),
    )
    db.session.add(link)
    _touch(commitment)
    db.session.flush()
    db.session.expire(commitment, ["evidence"])
    record_audit(actor, "ogp_evidence.added", link, number=commitment.number, url=url)
    return link


@guarded_by(perms.can_track_commitments)
def add_progress_note(actor, commitment, *, text, noted_on=None, corrects=None, today=None):
    """Append a dated note. Notes are never edited: a correction is a new note that names the
    note it corrects (which must be a note of the same commitment)."""
    require(perms.can_track_commitments(actor))
    text = clean_translations(text)
    if not text:
        raise DomainError(_l("Write the note in at least one language."), code="text_required")
    today = today or morocco_date()
    noted_on = noted_on or today
    if noted_on > today:
        raise DomainError(_l("A progress note cannot be dated in the future."), code="future_date")
    if corrects is not None and corrects.commitment_id != commitment.id:
        raise DomainError(_l("This note belongs to another commitment."), code="wrong_commitment")
    note = ProgressNote(
        commitment_id=commitment.id,
        body=text,
        noted_on=noted_on,
        author_id=actor.id,
        corrects_id=corrects.id if corrects is not None else None,
    )
    db.session.add(note)
    _touch(commitment)
    db.session.flush()
    db.session.expire(commitment, ["notes"])
    record_audit(
        actor,
        "ogp_note.added",
        note,
        number=commitment.number,
        noted_on=noted_on.isoformat(),
        corrects=note.corrects_id,
    )
    return note
