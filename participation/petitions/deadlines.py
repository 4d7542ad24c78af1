"""The addressee's legal deadline clocks after deposit (SPEC §4).

Each deadline of a kind (`PetitionKind.deadlines_days`, from the organic laws) runs from one event
to another: from the deposit or a recorded step to a later step. A clock is "waiting" until its
start event, then "on time", "due soon" or "overdue" against today's date in Morocco, and "met" or
"met late" once its end event is recorded (by the date the institution acted, not the date it was
entered). Territorial kinds give their councils months to notify a decision instead of days.
Calendar days, as the laws count them.
"""

import calendar
import enum
from dataclasses import dataclass
from datetime import date, timedelta

from flask import current_app
from flask_babel import lazy_gettext as _l

from participation.core.timezones import morocco_date
from participation.petitions.models import DEADLINE_LABELS, StepKind

DEPOSIT = "deposit"
DECISION_RECORDED = (
    "decision_recorded"  # the platform tells the agent when the decision is recorded
)
TERRITORIAL_DECISION = "territorial_decision_months"

# deadline key -> (start event, end event)
CLOCKS = {
    "referral_to_petitions_commission": (DEPOSIT, StepKind.REFERRAL),
    "commission_opinion_after_referral": (StepKind.REFERRAL, StepKind.OPINION),
    "reasoned_inadmissibility_after_opinion": (StepKind.OPINION, StepKind.DECISION),
    "referral_to_petitions_committee": (DEPOSIT, StepKind.REFERRAL),
    "electoral_roll_check_by_head_of_government": (DEPOSIT, StepKind.ROLL_CHECK),
    "committee_opinion": (StepKind.REFERRAL, StepKind.OPINION),
    "bureau_decision_after_deposit": (DEPOSIT, StepKind.DECISION),
    "notify_agent_after_decision": (StepKind.DECISION, DECISION_RECORDED),
    TERRITORIAL_DECISION: (DEPOSIT, StepKind.DECISION),
}

CLOCK_LABELS = {
    **DEADLINE_LABELS,
    TERRITORIAL_DECISION: _l("Decision of the council notified to the agent (months)"),
}


class ClockStatus(enum.StrEnum):
    WAITING = "waiting"  # its start event has not happened
    ON_TIME = "on_time"
    DUE_SOON = "due_soon"
    OVERDUE = "overdue"
    MET = "met"
    MET_LATE = "met_late"
    STOPPED = "stopped"  # the petition ended (withdrawn, or inadmissible before this step)


CLOCK_STATUS_LABELS = {
    ClockStatus.WAITING: _l("Not started"),
    ClockStatus.ON_TIME: _l("On time"),
    ClockStatus.DUE_SOON: _l("Due soon"),
    ClockStatus.OVERDUE: _l("Overdue"),
    ClockStatus.MET: _l("Done on time"),
    ClockStatus.MET_LATE: _l("Done late"),
    ClockStatus.STOPPED: _l("Stopped"),
}

# The order in which an inbox lists petitions: what needs action first.
URGENCY = [
    ClockStatus.OVERDUE,
    ClockStatus.DUE_SOON,
    ClockStatus.ON_TIME,
    ClockStatus.WAITING,
    ClockStatus.MET_LATE,
    ClockStatus.MET,
    ClockStatus.STOPPED,
]


@dataclass(frozen=True)
class Clock:
    key: str
    days: int | None
    months: int | None
    start_on: date | None
    due_on: date | None
    done_on: date | None
    status: ClockStatus

    @property
    def label(self):
        return CLOCK_LABELS.get(self.key, self.key)

    @property
    def status_label(self):
        return CLOCK_STATUS_LABELS[self.status]

    @property
    def days_left(self):
        return None if self.due_on is None or self.done_on else (self.due_on - self.today).days

    today: date | None = None


def add_months(day, months):
    month = day.month - 1 + months
    year, month = day.year + month // 12, month % 12 + 1
    return date(year, month, min(day.day, calendar.monthrange(year, month)[1]))


def _event_date(event, petition, steps):
    if event == DEPOSIT:
        return morocco_date(petition.deposited_at) if petition.deposited_at else None
    if event == DECISION_RECORDED:
        decision = steps.get(StepKind.DECISION)
        return morocco_date(decision.recorded_at) if decision else None
    step = steps.get(event)
    return step.occurred_on if step else None


def _status(start_on, due_on, done_on, today, running):
    if start_on is None:
        return ClockStatus.WAITING if running else ClockStatus.STOPPED
    if done_on is not None:
        return ClockStatus.MET if done_on <= due_on else ClockStatus.MET_LATE
    if not running:
        return ClockStatus.STOPPED
    if today > due_on:
        return ClockStatus.OVERDUE
    if (due_on - today).days < current_app.config["DEADLINE_DUE_SOON_DAYS"]:
        return ClockStatus.DUE_SOON
    return ClockStatus.ON_TIME


def deadline_clocks(petition, today=None):
    """The kind's clocks for a deposited (or since ended) petition, in the kind's order."""
    if petition.deposited_at is None:
        return []
    today = today or morocco_date()
    steps = {step.step_kind: step for step in petition.steps}
    running = petition.state == "deposited"
    periods = [
        (key, days, None)
        for key, days in (petition.kind.deadlines_days or {}).items()
        if key in CLOCKS
    ]
    if petition.kind.rejection_notice_months:
        periods.append((TERRITORIAL_DECISION, None, petition.kind.rejection_notice_months))
    clocks = []
    for key, days, months in periods:
        start, end = CLOCKS[key]
        start_on = _event_date(start, petition, steps)
        done_on = _event_date(end, petition, steps)
        due_on = None
        if start_on is not None:
            due_on = (
                start_on + timedelta(days=days)
                if days is not None
                else add_months(start_on, months)
            )
        status = _status(start_on, due_on, done_on, today, running)
        clocks.append(Clock(key, days, months, start_on, due_on, done_on, status, today))
    return clocks


def most_urgent(clocks):
    """The status an inbox shows for a petition: its most pressing clock's."""
    statuses = {clock.status for clock in clocks}
    return next((status for status in URGENCY if status in statuses), None)
