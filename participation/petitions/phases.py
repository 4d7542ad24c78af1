"""A petition's phases at a glance: submitted, review, open for signatures, closed, deposited,
answered (core/phases.py, templates/_phases.html), with the legal deadline of the answer from
deadlines.py while it is to come."""

from flask_babel import lazy_gettext as _l

from participation.core.models import utcnow
from participation.core.phases import Phase, place_phases
from participation.petitions.deadlines import ClockStatus
from participation.petitions.models import (
    PETITION_STATE_LABELS,
    PetitionState,
    StepKind,
    is_open_for_signatures,
)

P = PetitionState

PHASE_LABELS = {
    "submitted": _l("Submitted"),
    "review": _l("Admissibility review"),
    "open": _l("Open for signatures"),
    "closed": _l("Signing closed"),
    "deposited": _l("Deposited with the addressee"),
    "answered": _l("Answer of the addressee"),
}
# The last state of a petition that stopped on the way: the phase it stopped at.
STOPPED_AT = {P.REJECTED: "review", P.EXPIRED: "closed", P.INADMISSIBLE: "answered"}
ENDING = (ClockStatus.MET, ClockStatus.MET_LATE, ClockStatus.STOPPED)


def petition_phases(petition, *, signatures, clocks=(), now=None):
    now = now or utcnow()
    state = petition.effective_state(now, signatures=signatures)
    final = StepKind.DECISION if state == P.INADMISSIBLE else StepKind.ANSWER
    answer = next((s for s in reversed(petition.steps) if s.kind == final), None)
    due = [c.due_on for c in clocks if c.due_on and c.status not in ENDING]
    phases = [
        Phase("submitted", PHASE_LABELS["submitted"], petition.submitted_at),
        Phase("review", PHASE_LABELS["review"], petition.published_at or petition.decided_at),
        Phase("open", PHASE_LABELS["open"], petition.published_at),
        Phase("closed", PHASE_LABELS["closed"], petition.closes_at, planned=True),
        Phase("deposited", PHASE_LABELS["deposited"], petition.deposited_at),
        Phase(
            "answered",
            PHASE_LABELS["answered"],
            answer.occurred_on if answer else None,
            deadline=max(due) if due else None,
        ),
    ]
    if state == P.DRAFT:
        current = None
    elif state == P.SUBMITTED:
        current = "review"
    elif state == P.OPEN:
        current = "open" if is_open_for_signatures(petition, now) else "closed"
    elif state == P.DEPOSITED:
        current = "deposited"
    elif state == P.WITHDRAWN:
        current = _last_reached(petition)
    else:
        current = STOPPED_AT.get(state, "answered")
    placed = place_phases(phases, current)
    if state in (P.REJECTED, P.EXPIRED, P.INADMISSIBLE, P.WITHDRAWN):
        placed = [
            _with_note(p, ("ended", {"state": PETITION_STATE_LABELS[state]}))
            if p.key == current
            else p
            for p in placed
        ]
    return placed


def _last_reached(petition):
    if petition.deposited_at:
        return "deposited"
    if petition.published_at:
        return "open"
    return "submitted" if petition.submitted_at else None


def _with_note(phase, note):
    return Phase(
        phase.key,
        phase.label,
        phase.on,
        phase.status,
        planned=phase.planned,
        deadline=phase.deadline,
        notes=[*phase.notes, note],
    )
