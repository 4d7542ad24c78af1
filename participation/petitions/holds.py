"""Held signatures (SPEC §4 anti-abuse): a signing limit holds a signature as suspect, and a
moderator, from the moderators' desk, locks it for a while and counts or discards it. The decision
is recorded without personal data, audited on the petition, and the signer is told.

Two different things are "released" nowhere here any more: a moderator *unlocks* a signature
they locked (unlock_signature), and *counts* a held signature (decide_signature with
SignatureDecisionKind.COUNT, which calls signing.count_held_signature).
"""

import sqlalchemy as sa
from flask_babel import lazy_gettext as _l

from participation.auth.models import User
from participation.auth.permissions import is_moderator
from participation.core.audit import record_audit
from participation.core.errors import DomainError
from participation.core.filters import when
from participation.core.mail import queue_mail
from participation.core.models import lock_expiry, refresh_for_update, utcnow
from participation.core.notifications import link_to, notify
from participation.core.permissions import guarded_by, require
from participation.core.text import clean_text
from participation.core.urls import external_url
from participation.extensions import db
from participation.petitions import notification_kinds as kinds
from participation.petitions import permissions as perms
from participation.petitions import signing
from participation.petitions.models import (
    SignatureDecision,
    SignatureDecisionKind,
    SignatureLock,
    SignatureStatus,
    is_open_for_signatures,
)

NOTE_LIMIT = 2000  # as every moderator's note


def _check_signature(actor, signature, now):
    """Refuse, with the reason a moderator would want to know, to decide a signature that is no
    longer held, that involves the moderator, or that another moderator holds."""
    require(is_moderator(actor))
    try:
        if not sa.inspect(signature).persistent:  # discarded in this session
            raise sa.orm.exc.ObjectDeletedError(sa.inspect(signature))
        refresh_for_update(signature)
    except sa.orm.exc.ObjectDeletedError:  # discarded by another moderator meanwhile
        raise DomainError(_l("This signature was already decided."), code="already_decided")
    if signature.status != SignatureStatus.SUSPECT:
        raise DomainError(_l("This signature was already decided."), code="already_decided")
    petition = perms.signature_petition(signature)
    if not perms.can_decide_signature(actor, signature, petition):
        raise DomainError(
            _l(
                "You initiated, joined or signed this petition: another moderator must decide on its signatures."
            ),
            code="own_content",
        )
    lock = db.session.get(SignatureLock, signature.id)
    if lock is not None and lock.locked_by_other(actor, now):
        raise DomainError(
            _l(
                "Another moderator is working on this signature until %(time)s.",
                time=when(lock.locked_until),
            ),
            code="locked",
        )
    return petition, lock


@guarded_by(perms.can_decide_signature)
def take_signature(actor, signature, now=None):
    """Lock a held signature for a while so that no other moderator decides it meanwhile."""
    now = now or utcnow()
    _petition, lock = _check_signature(actor, signature, now)
    if lock is None:
        lock = SignatureLock(signature_id=signature.id)
        db.session.add(lock)
    lock.locked_by_id = actor.id
    lock.locked_until = lock_expiry(now)
    db.session.flush()
    return lock


@guarded_by(perms.can_decide_signature)
def unlock_signature(actor, signature, now=None):
    lock = db.session.get(SignatureLock, signature.id)
    require(
        perms.can_decide_signature(actor, signature)
        and lock is not None
        and lock.held_by(actor, now)
    )
    db.session.delete(lock)
    db.session.flush()


@guarded_by(perms.can_decide_signature)
def decide_signature(actor, signature, *, decision, note=None, now=None):
    """Count a held signature (release) or discard it. The decision is recorded without personal
    data, audited on the petition, and the signer is told in their language."""
    now = now or utcnow()
    try:
        decision = SignatureDecisionKind(decision)
    except ValueError:
        raise DomainError(_l("Choose one of the options in the list."), code="invalid_choice")
    note = clean_text(note, limit=NOTE_LIMIT)
    petition, lock = _check_signature(actor, signature, now)
    # The window, not the stored state: the tick may not have recorded a close that has passed.
    if decision == SignatureDecisionKind.COUNT and not is_open_for_signatures(petition, now):
        raise DomainError(
            _l("This petition is no longer open: a held signature can only be discarded now."),
            code="not_open",
        )
    signer = signature.user_id and db.session.get(User, signature.user_id)
    record = SignatureDecision(
        petition_id=petition.id,
        signature_id=signature.id,
        moderator_id=actor.id,
        decision=decision.value,
        held_limit=signature.held_limit,
        note=note,
        held_at=signature.created_at,
        created_at=now,
    )
    db.session.add(record)
    if lock is not None:
        db.session.delete(lock)
    db.session.flush()
    if decision == SignatureDecisionKind.COUNT:
        signing.count_held_signature(actor, signature, now=now)
    else:
        signing.discard_held_signature(actor, signature)
    record_audit(
        actor,
        "moderation.signature_decision",
        petition,
        decision=decision.value,
        signature_decision_id=record.id,
        held_limit=record.held_limit,
    )
    if signer and signer.is_active:
        notify(
            signer,
            kinds.SIGNATURE_COUNTED
            if decision == SignatureDecisionKind.COUNT
            else kinds.SIGNATURE_NOT_KEPT,
            link=link_to("petitions.detail", petition_id=petition.id, slug=petition.slug),
            title=petition.title,
        )
        language = signer.language
        queue_mail(
            to=signer.email,
            language=language,
            template="signature_decision",
            user=signer,
            counted=decision == SignatureDecisionKind.COUNT,
            title=petition.text("title", language)[0],
            note=note,
            link=external_url(
                "petitions.detail", lang_code=language, petition_id=petition.id, slug=petition.slug
            ),
        )
    return record


@guarded_by(is_moderator)
def decide_signatures(actor, signatures, *, decision, note=None):
    """The same decision on several held signatures. Those another moderator holds, that were
    decided meanwhile, or that the actor may not decide are left; returns (decided, left)."""
    require(is_moderator(actor))
    if decision not in {d.value for d in SignatureDecisionKind}:
        raise DomainError(_l("Choose one of the options in the list."), code="invalid_choice")
    decided, left = [], []
    for signature in signatures:
        try:
            with db.session.begin_nested():
                decided.append(decide_signature(actor, signature, decision=decision, note=note))
        except DomainError:
            left.append(signature)
    return decided, left
