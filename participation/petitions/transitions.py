"""The one place a petition's state changes: checked against the transition table, audited, and
flushed. The petitions area's guarded services (drafting and review, signing's close,
institutions' processing) call it after checking their own permission; no other area imports it
(an import contract in pyproject.toml)."""

from flask_babel import lazy_gettext as _l

from participation.core.audit import record_audit
from participation.core.errors import DomainError
from participation.extensions import db
from participation.petitions.countlog import append_entry
from participation.petitions.models import PETITION_TRANSITIONS, PetitionState

# Leaving these states ends or changes what the count means: the count log records it.
_COUNTING_STATES = {PetitionState.OPEN, PetitionState.DEPOSITED}


def record_transition(petition, target, actor, *, now=None, **details):
    if target not in PETITION_TRANSITIONS[petition.status]:
        raise DomainError(
            _l("This petition cannot go from this state to that one."), code="transition"
        )
    previous = petition.status
    petition.state = target.value
    record_audit(actor, f"petition.{target.value}", petition, previous=previous.value, **details)
    db.session.flush()
    if previous in _COUNTING_STATES and petition.published_at is not None:
        append_entry(petition.id, target.value, now=now, force=True)
