"""After deposit: the addressee's dated steps, who is told about them, the signatory list for the
addressee, and the anonymisation of signatories once a petition has ended.

Steps follow the organic laws' order: receipt first; an opinion after a referral; the decision
after receipt; a motion's adoption and the final answer after an admissible decision. An
inadmissible decision or the final answer ends the processing. Each step is public and tells the
committee and the followers at once, and the signers in batches (`flask tick`), because a petition
may have a million of them.
"""

from dataclasses import dataclass, field
from datetime import date, timedelta

import sqlalchemy as sa
from flask import current_app
from flask_babel import lazy_gettext as _l

from participation.auth.models import User
from participation.core import database
from participation.core.audit import record_audit
from participation.core.crypto import decrypt
from participation.core.csvfiles import csv_text
from participation.core.errors import DomainError
from participation.core.mail import queue_mail
from participation.core.models import clean_translations, utcnow
from participation.core.notifications import link_to, notify_many
from participation.core.permissions import SYSTEM, guarded_by, require
from participation.core.timezones import morocco_date
from participation.core.urls import external_url
from participation.extensions import db
from participation.institutions.models import Province, Region
from participation.petitions import notification_kinds as kinds
from participation.petitions import permissions as perms
from participation.petitions.models import (
    Category,
    PetitionFollow,
    PetitionState,
    ProcessingStep,
    Signature,
    SignatureStatus,
    StepKind,
)
from participation.petitions.transitions import record_transition

ENDED = (
    PetitionState.EXPIRED,
    PetitionState.WITHDRAWN,
    PetitionState.INADMISSIBLE,
    PetitionState.ANSWERED,
)
TEXT_REQUIRED = {StepKind.OPINION, StepKind.DECISION, StepKind.ANSWER}


def available_steps(petition):
    """The steps this petition's kind knows, in the law's order."""
    kinds = [StepKind.RECEIPT, StepKind.REFERRAL]
    if "electoral_roll_check_by_head_of_government" in (petition.kind.deadlines_days or {}):
        kinds.append(StepKind.ROLL_CHECK)
    if petition.kind.category != Category.MOTION:
        kinds.append(StepKind.OPINION)
    kinds.append(StepKind.DECISION)
    if petition.kind.category == Category.MOTION:
        kinds.append(StepKind.ADOPTION)
    kinds.append(StepKind.ANSWER)
    return kinds


def _prerequisite(kind):
    return {
        StepKind.REFERRAL: StepKind.RECEIPT,
        StepKind.ROLL_CHECK: StepKind.RECEIPT,
        StepKind.OPINION: StepKind.REFERRAL,
        StepKind.DECISION: StepKind.RECEIPT,
        StepKind.ADOPTION: StepKind.DECISION,
        StepKind.ANSWER: StepKind.DECISION,
    }.get(kind)


def list_next_steps(petition):
    """The steps that may be recorded now (their prerequisite is recorded, they are not)."""
    done = {step.step_kind: step for step in petition.steps}
    decision = done.get(StepKind.DECISION)
    result = []
    for kind in available_steps(petition):
        needed = _prerequisite(kind)
        if kind in done or (needed is not None and needed not in done):
            continue
        if needed == StepKind.DECISION and not decision.admissible:
            continue
        result.append(kind)
    return result


@dataclass
class StepData:
    kind: str
    occurred_on: date | None
    text: dict = field(default_factory=dict)
    measures: dict = field(default_factory=dict)
    admissible: bool | None = None
    ground: str | None = None


def _check_step(petition, data, kind):
    if kind not in list_next_steps(petition):
        if kind in {step.step_kind for step in petition.steps}:
            raise DomainError(_l("This step is already recorded."), code="step_recorded")
        raise DomainError(_l("Record the earlier steps first."), code="step_order")
    if data.occurred_on is None:
        raise DomainError(_l("Enter the date of this step."), code="date_required")
    earliest = morocco_date(petition.deposited_at)
    needed = _prerequisite(kind)
    for step in petition.steps:
        if step.step_kind == needed:
            earliest = max(earliest, step.occurred_on)
    if data.occurred_on < earliest:
        raise DomainError(
            _l("The date cannot be before the deposit or the previous step."), code="date_too_early"
        )
    if data.occurred_on > morocco_date():
        raise DomainError(_l("The date cannot be in the future."), code="date_in_future")
    if kind in TEXT_REQUIRED and not clean_translations(data.text):
        raise DomainError(
            _l("Write the text of this step in at least one language."), code="text_required"
        )
    if kind == StepKind.DECISION:
        if data.admissible is None:
            raise DomainError(
                _l("Say whether the petition is admissible."), code="outcome_required"
            )
        codes = {g["code"] for g in petition.kind.grounds if g["stage"] != "condition"}
        if not data.admissible and data.ground not in codes:
            raise DomainError(_l("Choose the ground of inadmissibility."), code="ground_required")


@guarded_by(perms.can_process_petition)
def record_step(actor, petition, data, *, now=None):
    require(perms.can_process_petition(actor, petition))
    kind = StepKind(data.kind) if data.kind in {kind.value for kind in StepKind} else None
    if kind is None:
        raise DomainError(_l("Choose the step to record."), code="step_required")
    _check_step(petition, data, kind)
    now = now or utcnow()
    decision = kind == StepKind.DECISION
    step = ProcessingStep(
        petition=petition,
        kind=kind.value,
        occurred_on=data.occurred_on,
        body=clean_translations(data.text),
        measures=clean_translations(data.measures) if kind == StepKind.ANSWER else {},
        admissible=bool(data.admissible) if decision else None,
        ground=data.ground if decision and not data.admissible else None,
        recorded_by_id=actor.id,
        recorded_at=now,
    )
    db.session.add(step)
    db.session.flush()
    record_audit(
        actor, "petition.step", petition, step=kind.value, occurred_on=data.occurred_on.isoformat()
    )
    if decision and not data.admissible:
        petition.decided_at = now
        record_transition(petition, PetitionState.INADMISSIBLE, actor, ground=data.ground)
    elif kind == StepKind.ANSWER:
        petition.decided_at = now
        record_transition(petition, PetitionState.ANSWERED, actor)
    _tell_about_step(petition, step, _committee_and_followers(petition))
    return step


def _committee_and_followers(petition):
    followers = db.session.scalars(
        sa.select(User)
        .join(PetitionFollow, PetitionFollow.user_id == User.id)
        .where(PetitionFollow.petition_id == petition.id)
    ).all()
    people = {m.user.id: m.user for m in petition.accepted_members}
    people.update({user.id: user for user in followers})
    return [user for user in people.values() if user.email and user.deleted_at is None]


def _tell_about_step(petition, step, users):
    """On their notifications pages (one statement for all: signers come in batches of
    SIGNER_NOTIFICATION_BATCH) and by e-mail."""
    notify_many(
        [user.id for user in users],
        kinds.STEP,
        link=link_to("petitions.detail", petition_id=petition.id, slug=petition.slug),
        title=petition.title,
        step=step.kind,
    )
    for user in users:
        queue_mail(
            to=user.email,
            language=user.language,
            template="petition_step",
            user=user,
            title=petition.text("title", user.language)[0],
            step=step,
            state=petition.state_label,
            link=external_url(
                "petitions.detail",
                lang_code=user.language,
                petition_id=petition.id,
                slug=petition.slug,
            ),
        )


@guarded_by(SYSTEM)
def notify_signers(*, batch=None):
    """Tell signers about recorded steps, at most `batch` signers per run (`flask tick`); people
    already told as committee members or followers are not told twice. Returns mails queued.
    Each step is claimed until the commit (SKIP LOCKED, read afresh with how far its signers were
    told), so two ticks at once never tell the same signers."""
    batch = batch or current_app.config["SIGNER_NOTIFICATION_BATCH"]
    queued = 0
    pending = db.session.scalars(
        sa.select(ProcessingStep)
        .where(ProcessingStep.signers_notified_at.is_(None))
        .order_by(ProcessingStep.id)
        .with_for_update(skip_locked=True, key_share=True, of=ProcessingStep)
        .execution_options(populate_existing=True)
    ).all()
    for step in pending:
        petition = step.petition
        limit = batch - queued
        rows = db.session.execute(
            sa.select(Signature.id, User)
            .join(User, User.id == Signature.user_id)
            .where(
                Signature.petition_id == petition.id,
                Signature.status == SignatureStatus.COUNTED.value,
                Signature.id > step.signers_notified_through,
            )
            .order_by(Signature.id)
            .limit(limit)
        ).all()
        told = {user.id for user in _committee_and_followers(petition)}
        _tell_about_step(
            petition,
            step,
            [
                user
                for _id, user in rows
                if user.id not in told and user.email and user.deleted_at is None
            ],
        )
        queued += len(rows)
        if rows:
            step.signers_notified_through = rows[-1][0]
        if len(rows) < limit:
            step.signers_notified_at = utcnow()
        if queued >= batch:
            break
    return queued


@guarded_by(perms.can_follow_petition)
def follow_petition(actor, petition):
    require(perms.can_follow_petition(actor, petition))
    exists = db.session.scalar(
        sa.select(PetitionFollow.id).where(
            PetitionFollow.petition_id == petition.id, PetitionFollow.user_id == actor.id
        )
    )
    if exists is None:
        db.session.add(PetitionFollow(petition_id=petition.id, user_id=actor.id))
        db.session.flush()


@guarded_by(perms.can_follow_petition)
def unfollow_petition(actor, petition):
    require(perms.can_follow_petition(actor, petition))
    db.session.execute(
        sa.delete(PetitionFollow).where(
            PetitionFollow.petition_id == petition.id, PetitionFollow.user_id == actor.id
        )
    )


def is_following(user, petition):
    if not getattr(user, "is_authenticated", False):
        return False
    return (
        db.session.scalar(
            sa.select(PetitionFollow.id).where(
                PetitionFollow.petition_id == petition.id, PetitionFollow.user_id == user.id
            )
        )
        is not None
    )


SIGNATORY_COLUMNS = (
    "number",
    "last_name",
    "first_name",
    "cin",
    "cin_expiry",
    "address",
    "region",
    "province",
    "signed_at",
)


EXPORT_CHUNK_ROWS = 1000


@guarded_by(perms.can_export_signatories)
def export_signatories(actor, petition):
    """The counted signatories with their decrypted CIN, for the addressee's officers only: CSV
    text in chunks (the header first), to stream. Returns the chunk iterator.

    The rows come from one query on a connection of its own, read through a server-side cursor
    EXPORT_CHUNK_ROWS at a time: memory stays bounded whatever the number of signatures (SPEC
    §9), the list is one snapshot, and nothing depends on ORM objects outliving the request's
    transaction. The export is audited when the stream ends, with the number of signatories
    that left: a chunk counts once the consumer asks for the next one (a WSGI server asks only
    after writing it). A download abandoned midway is audited with what had left (complete:
    false), since those rows did reach someone; one abandoned before any signatory left is not
    audited. The entry is added to the session then; the caller commits it."""
    require(perms.can_export_signatories(actor, petition))
    regions = {
        region.id: region.display_name("fr") for region in db.session.scalars(sa.select(Region))
    }
    provinces = {
        province.id: province.display_name("fr")
        for province in db.session.scalars(sa.select(Province))
    }
    query = (
        sa.select(
            Signature.last_name,
            Signature.first_name,
            Signature.cin_encrypted,
            Signature.cin_expiry,
            Signature.address,
            Signature.region_id,
            Signature.province_id,
            Signature.created_at,
        )
        .where(
            Signature.petition_id == petition.id, Signature.status == SignatureStatus.COUNTED.value
        )
        .order_by(Signature.id)
    )

    def row(number, signature):
        return (
            number,
            signature.last_name,
            signature.first_name,
            decrypt(signature.cin_encrypted) if signature.cin_encrypted else "",
            signature.cin_expiry.isoformat() if signature.cin_expiry else "",
            signature.address,
            regions.get(signature.region_id, ""),
            provinces.get(signature.province_id, ""),
            signature.created_at.isoformat(timespec="seconds"),
        )

    def chunks():
        delivered, complete = 0, False
        try:
            yield csv_text([], header=SIGNATORY_COLUMNS)
            with db.engine.connect() as connection:
                # On SQLite a reading transaction (plain BEGIN): it must neither wait for the
                # request's session nor hold the write lock while the client downloads.
                reading = database.write_intent.set(False)
                try:
                    result = connection.execution_options(
                        stream_results=True, yield_per=EXPORT_CHUNK_ROWS
                    ).execute(query)
                finally:
                    database.write_intent.reset(reading)
                with result:  # closes the server-side cursor when the download is abandoned too
                    for part in result.partitions():
                        yield csv_text(
                            row(delivered + offset, signature)
                            for offset, signature in enumerate(part, 1)
                        )
                        delivered += len(part)
            complete = True
        finally:
            if delivered or complete:
                record_audit(
                    actor,
                    "petition.signatories_exported",
                    petition,
                    rows=delivered,
                    complete=complete,
                )

    return chunks()


@guarded_by(SYSTEM)
def anonymise_ended_petitions(*, now=None):
    """Erase signatories' personal data of petitions ended more than SIGNATORY_RETENTION_DAYS ago.
    Region and province stay, so counts by region remain; the sharded counters are untouched.
    Returns the number of petitions anonymised."""
    from participation.petitions.models import Petition

    now = now or utcnow()
    cutoff = now - timedelta(days=current_app.config["SIGNATORY_RETENTION_DAYS"])
    due = db.session.scalars(
        sa.select(Petition)
        .where(
            Petition.state.in_([s.value for s in ENDED]),
            Petition.decided_at <= cutoff,
            Petition.signatories_anonymised_at.is_(None),
        )
        .with_for_update(skip_locked=True, key_share=True, of=Petition)  # one tick audits it
        .execution_options(populate_existing=True)
    ).all()
    for petition in due:
        db.session.execute(
            sa.update(Signature)
            .where(Signature.petition_id == petition.id)
            .values(
                user_id=None,
                cin_hash=None,
                first_name=None,
                last_name=None,
                address=None,
                cin_encrypted=None,
                cin_expiry=None,
                anonymised_at=now,
            )
        )
        petition.signatories_anonymised_at = now
        record_audit(None, "petition.signatories_anonymised", petition)
    db.session.flush()
    return len(due)
