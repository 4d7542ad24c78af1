"""A consultation's phases at a glance: draft, published, open, closed, outcome report
(core/phases.py, templates/_phases.html), with each early close or extension of its closing date
noted on the closing step."""

from flask_babel import lazy_gettext as _l

from participation.core.models import utcnow
from participation.core.phases import Phase, place_phases
from participation.consultations.models import STATE_LABELS, ConsultationState

S = ConsultationState

PHASE_LABELS = {
    "draft": _l("Draft"),
    "published": _l("Published"),
    "open": _l("Open for comments"),
    "closed": _l("Closed"),
    "outcome": _l("Outcome report"),
}
CURRENT = {
    S.DRAFT: "draft",
    S.SCHEDULED: "published",
    S.OPEN: "open",
    S.CLOSED: "closed",
    S.OUTCOME_PUBLISHED: "outcome",
}


def consultation_phases(consultation, *, now=None):
    now = now or utcnow()
    state = consultation.effective_state(now)
    changes = [
        ("closed_early" if change.closed_early else "extended", {"change": change})
        for change in consultation.closing_changes
    ]
    phases = [
        Phase("draft", PHASE_LABELS["draft"], consultation.created_at),
        Phase("published", PHASE_LABELS["published"]),
        Phase(
            "open",
            PHASE_LABELS["open"],
            consultation.opened_at or consultation.opens_at,
            planned=_ahead(consultation.opened_at, consultation.opens_at, now),
        ),
        Phase(
            "closed",
            PHASE_LABELS["closed"],
            consultation.closed_at or consultation.closes_at,
            planned=_ahead(consultation.closed_at, consultation.closes_at, now),
            notes=changes,
        ),
        Phase("outcome", PHASE_LABELS["outcome"], consultation.outcome_published_at),
    ]
    if state == S.WITHDRAWN:
        reached = "open" if consultation.opened_at else "published"
        placed = place_phases(phases, reached)
        ended = ("ended", {"state": STATE_LABELS[S.WITHDRAWN], "on": consultation.withdrawn_at})
        return [
            Phase(p.key, p.label, p.on, p.status, p.planned, p.deadline, [*p.notes, ended])
            if p.key == reached
            else p
            for p in placed
        ]
    return place_phases(phases, CURRENT[state])


def _ahead(happened, scheduled, now):
    """A scheduled date still to come (the job may not have recorded a past one yet)."""
    return happened is None and scheduled is not None and scheduled > now
