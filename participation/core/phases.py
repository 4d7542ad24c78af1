"""Phases at a glance (templates/_phases.html): a consultation's or a petition's steps in order,
each done, current or to come, with its date. Each area says which steps it has and which one it
stands at (consultations/phases.py, petitions/phases.py); this module only orders them."""

import enum
from dataclasses import dataclass, field
from datetime import date, datetime


class PhaseStatus(enum.StrEnum):
    DONE = "done"
    CURRENT = "current"
    UPCOMING = "upcoming"


@dataclass(frozen=True)
class Phase:
    key: str
    label: str
    on: date | datetime | None = None  # when it happened, or when it is planned or due
    status: PhaseStatus = PhaseStatus.UPCOMING
    planned: bool = False  # `on` is a planned date, not one that happened
    deadline: date | None = None  # a legal deadline for this step, while it is to come
    notes: list = field(default_factory=list)  # (kind, values) pairs the partial puts in words


def place_phases(phases, current_key):
    """The phases with their status: those before `current_key` done, it current, the rest to come
    (all to come when `current_key` is None)."""
    keys = [phase.key for phase in phases]
    at = keys.index(current_key) if current_key in keys else -1
    placed = []
    for index, phase in enumerate(phases):
        if index < at:
            status = PhaseStatus.DONE
        elif index == at:
            status = PhaseStatus.CURRENT
        else:
            status = PhaseStatus.UPCOMING
        placed.append(
            Phase(
                phase.key,
                phase.label,
                phase.on,
                status,
                planned=phase.planned and status != PhaseStatus.DONE,
                deadline=phase.deadline if status != PhaseStatus.DONE else None,
                notes=phase.notes,
            )
        )
    return placed
