"""Read side of the observatory and the public statistics page: each function builds tables
(tables.py) from pre-aggregated counts (participation), the few consultation and petition rows
(hundreds, not millions), the sharded signature counters, and moderation's own monthly
statistics. A bounded number of queries each, whatever the number of signatures or comments."""

from collections import Counter, defaultdict
from dataclasses import dataclass
from datetime import date, timedelta
from statistics import median

import sqlalchemy as sa
from flask import current_app
from flask_babel import gettext as _
from flask_babel import pgettext
from sqlalchemy.orm import selectinload

from participation.moderation.models import (
    DECISION_OUTCOME_LABELS,
    DECISION_REASON_LABELS,
    DECISION_REASONS,
    Decision,
)
from participation.moderation.queries import list_monthly_statistics
from participation.comments.models import Comment
from participation.consultations.models import Consultation, ConsultationState, Section
from participation.core.i18n import LANGUAGE_LABELS, LANGUAGES
from participation.core.models import utcnow
from participation.core.timezones import morocco_date
from participation.extensions import db
from participation.institutions.models import Institution, Region
from participation.petitions.deadlines import ClockStatus, deadline_clocks, CLOCK_LABELS
from participation.petitions.models import (
    PETITION_STATE_LABELS,
    Petition,
    PetitionKind,
    PetitionState,
    SignatureCounter,
    StepKind,
)
from participation.stats.headline import get_headline_numbers
from participation.stats.models import NO_KEY, Metric, MonthlyCount, ThresholdReached
from participation.stats.periods import add_months, month_of, months_between, start_of
from participation.core.small_numbers import MASKED, protect
from participation.stats.tables import Column, Table, per_100k

S = ConsultationState
ADDITIVE = (Metric.REGISTRATIONS, Metric.COMMENTS, Metric.SIGNATURES, Metric.ANSWERS)
DAY = 86400


@dataclass(frozen=True)
class DashboardFilters:
    first_month: date
    last_month: date
    institution_id: int | None = None
    region_id: int | None = None

    @property
    def months(self):
        return months_between(self.first_month, self.last_month)

    @property
    def start(self):
        return start_of(self.first_month)

    @property
    def end(self):
        return start_of(add_months(self.last_month, 1))

    def covers(self, moment):
        return moment is not None and self.start <= moment < self.end


def default_filters(now=None, months=12):
    """The last `months` months, this one included."""
    last = month_of(now or utcnow())
    return DashboardFilters(first_month=add_months(last, -(months - 1)), last_month=last)


def _metric_labels():
    return {
        Metric.REGISTRATIONS: _("New accounts"),
        Metric.PARTICIPANTS: _("Active participants"),
        Metric.COMMENTS: _("Comments"),
        Metric.SIGNATURES: _("Signatures"),
        Metric.ANSWERS: _("Questionnaire answers"),
    }


def _region_names():
    """{region key: (name, population)}, the key 0 for people abroad or who gave no region."""
    names = {NO_KEY: (_("Abroad or not given"), None)}
    for region in db.session.scalars(sa.select(Region).order_by(Region.code)):
        names[region.id] = (region.display_name(), region.population)
    return names


def _region_codes():
    """{region key: code} (regions.json's), for the map of a by-region table's rows."""
    return dict(db.session.execute(sa.select(Region.id, Region.code)).all())


def _institution_names():
    return {
        i.id: i.display_name()
        for i in db.session.scalars(sa.select(Institution).order_by(Institution.id))
    }


# Participation (pre-aggregated)


def _metric_condition(metric, institution_id):
    """Rows of `metric` under the institution filter. Accounts belong to no institution: the filter
    does not apply to them. Distinct participants have their own per-institution rows."""
    if metric == Metric.REGISTRATIONS:
        return MonthlyCount.metric == metric
    if institution_id is None:
        return MonthlyCount.metric == metric
    stored = Metric.PARTICIPANTS_BY_INSTITUTION if metric == Metric.PARTICIPANTS else metric
    return sa.and_(MonthlyCount.metric == stored, MonthlyCount.institution_key == institution_id)


def _sums(filters, keys, metrics, *, before=False):
    """{(key values..., metric): sum} over the filters' months (or all months before them)."""
    months = (
        MonthlyCount.month < filters.first_month
        if before
        else MonthlyCount.month.between(filters.first_month, filters.last_month)
    )
    query = sa.select(*keys, MonthlyCount.metric, sa.func.sum(MonthlyCount.count)).where(
        months, sa.or_(*[_metric_condition(m, filters.institution_id) for m in metrics])
    )
    if filters.region_id:
        query = query.where(MonthlyCount.region_key == filters.region_id)
    rows = db.session.execute(query.group_by(*keys, MonthlyCount.metric)).all()
    result = Counter()
    for *values, metric, total in rows:
        metric = Metric.PARTICIPANTS if metric == Metric.PARTICIPANTS_BY_INSTITUTION else metric
        result[(*values, metric)] += int(total)
    return result


def participation_tables(filters):
    labels = _metric_labels()
    over_time = _sums(filters, [MonthlyCount.month], (*ADDITIVE, Metric.PARTICIPANTS))
    total = _sums(filters, [], (Metric.REGISTRATIONS,), before=True)[(Metric.REGISTRATIONS,)]
    timeline = Table(
        key="participation-by-month",
        caption=_("Participation by month"),
        columns=[
            Column("month", _("Month"), "month"),
            Column(Metric.REGISTRATIONS, labels[Metric.REGISTRATIONS]),
            Column("accounts", _("Accounts at the end of the month")),
            Column(Metric.PARTICIPANTS, labels[Metric.PARTICIPANTS]),
            Column(Metric.COMMENTS, labels[Metric.COMMENTS]),
            Column(Metric.SIGNATURES, labels[Metric.SIGNATURES]),
            Column(Metric.ANSWERS, labels[Metric.ANSWERS]),
        ],
        note=_(
            "Active participants: people who commented, signed or answered a questionnaire that month. New accounts belong to no institution: the institution filter does not apply to them."
        ),
    )
    for month in filters.months:
        total += over_time[(month, Metric.REGISTRATIONS)]
        row = {"month": month, "accounts": protect(total)}
        row.update(
            {
                metric: protect(over_time[(month, metric)])
                for metric in (*ADDITIVE, Metric.PARTICIPANTS)
            }
        )
        timeline.rows.append(row)

    regions = _region_names()
    by_region_counts = _sums(filters, [MonthlyCount.region_key], ADDITIVE)
    by_region = Table(
        key="participation-by-region",
        caption=_("Participation by region of residence"),
        columns=[
            Column("region", _("Region"), "text"),
            Column("population", _("Population"), "count"),
        ],
        note=_("Rates per 100,000 inhabitants where the population is known."),
    )
    for metric in ADDITIVE:
        by_region.columns += [
            Column(metric, labels[metric]),
            Column(
                f"{metric}_rate", _("%(what)s per 100,000 inhabitants", what=labels[metric]), "rate"
            ),
        ]
    codes = _region_codes()
    for key, (name, population) in regions.items():
        if filters.region_id and key != filters.region_id:
            continue
        row = {"region": name, "region_code": codes.get(key), "population": population}
        for metric in ADDITIVE:
            row[metric] = protect(by_region_counts[(key, metric)])
            row[f"{metric}_rate"] = per_100k(row[metric], population)
        by_region.rows.append(row)

    by_language_counts = _sums(filters, [MonthlyCount.language], ADDITIVE)
    by_language = Table(
        key="participation-by-language",
        caption=_("Participation by interface language of the participants"),
        columns=[Column("language", _("Language"), "text")]
        + [Column(metric, labels[metric]) for metric in ADDITIVE],
    )
    for code, label in [(code, LANGUAGE_LABELS[code]) for code in LANGUAGES] + [
        ("", _("Unknown (anonymised)"))
    ]:
        row = {"language": str(label)}
        row.update({metric: protect(by_language_counts[(code, metric)]) for metric in ADDITIVE})
        if code or any(by_language_counts[(code, metric)] for metric in ADDITIVE):
            by_language.rows.append(row)
    return [timeline, by_region, by_language]


# Consultations


def consultation_tables(filters, now):
    effective = Consultation.effective_state_sql(now).label("effective")
    query = sa.select(
        Consultation.institution_id,
        effective,
        Consultation.opens_at,
        Consultation.closes_at,
        Consultation.opened_at,
        Consultation.closed_at,
        Consultation.outcome_published_at,
    ).where(Consultation.state != S.DRAFT.value)
    if filters.institution_id:
        query = query.where(Consultation.institution_id == filters.institution_id)
    if filters.region_id:
        query = query.where(Consultation.region_id == filters.region_id)
    institutions = _institution_names()
    overdue_after = timedelta(days=current_app.config["STATS_OUTCOME_OVERDUE_DAYS"])
    opened, closed, reported = Counter(), Counter(), Counter()
    per_institution = defaultdict(
        lambda: {"closed": 0, "reported": 0, "days": [], "overdue": 0, "longest": None}
    )
    for (
        institution_id,
        state,
        opens_at,
        closes_at,
        opened_at,
        closed_at,
        published_at,
    ) in db.session.execute(query):
        was_opened = state in (S.OPEN, S.CLOSED, S.OUTCOME_PUBLISHED) or opened_at is not None
        if was_opened and filters.covers(opened_at or opens_at):
            opened[month_of(opened_at or opens_at)] += 1
        closing = closed_at or closes_at
        if state not in (S.CLOSED, S.OUTCOME_PUBLISHED) or not filters.covers(closing):
            continue
        month, entry = month_of(closing), per_institution[institution_id]
        closed[month] += 1
        entry["closed"] += 1
        if published_at is not None:
            reported[month] += 1
            entry["reported"] += 1
            entry["days"].append(max((published_at - closing).total_seconds(), 0) / DAY)
        elif now - closing > overdue_after:
            entry["overdue"] += 1
            waited = (now - closing).days
            entry["longest"] = max(entry["longest"] or 0, waited)
    by_month = Table(
        key="consultations-by-month",
        caption=_("Consultations opened and closed by month"),
        columns=[
            Column("month", _("Month"), "month"),
            Column("opened", _("Consultations opened"), "count"),
            Column("closed", _("Consultations closed"), "count"),
            Column("reported", _("Closed with a published outcome report"), "count"),
        ],
    )
    by_month.rows = [
        {"month": m, "opened": opened[m], "closed": closed[m], "reported": reported[m]}
        for m in filters.months
    ]
    by_institution = Table(
        key="consultations-outcome-reports",
        caption=_("Outcome reports by institution (consultations closed in the period)"),
        columns=[
            Column("institution", _("Institution"), "text"),
            Column("closed", _("Consultations closed"), "count"),
            Column("reported", _("With a published outcome report"), "count"),
            Column("share", _("Share with a report"), "share"),
            Column("median_days", _("Median days from closing to the report"), "days"),
            Column("overdue", _("Overdue reports"), "count"),
            Column("longest", _("Longest wait for an overdue report (days)"), "days"),
        ],
        note=_(
            "A report is overdue when it is still not published %(days)s days after closing.",
            days=overdue_after.days,
        ),
    )
    for institution_id, entry in sorted(
        per_institution.items(),
        key=lambda item: (-item[1]["overdue"], institutions.get(item[0], "")),
    ):
        by_institution.rows.append(
            {
                "institution": institutions.get(institution_id, "—"),
                "closed": entry["closed"],
                "reported": entry["reported"],
                "share": entry["reported"] / entry["closed"],
                "median_days": round(median(entry["days"]), 1) if entry["days"] else None,
                "overdue": entry["overdue"],
                "longest": entry["longest"],
            }
        )
    return [by_month, by_institution]


# Petitions and motions

COMPLIANCE = {
    ClockStatus.MET: "on_time",
    ClockStatus.MET_LATE: "late",
    ClockStatus.OVERDUE: "overdue",
    ClockStatus.ON_TIME: "pending",
    ClockStatus.DUE_SOON: "pending",
    ClockStatus.WAITING: "pending",
}
REVIEWED_STATES = [s for s in PetitionState if s != PetitionState.DRAFT]


def _response_step(petition):
    """The addressee's final response: the answer, or a decision that it is inadmissible."""
    for step in petition.steps:
        if step.kind == StepKind.ANSWER or (
            step.kind == StepKind.DECISION and step.admissible is False
        ):
            return step
    return None


def petition_tables(filters, now):
    query = (
        sa.select(Petition)
        .where(Petition.submitted_at.is_not(None))
        .options(selectinload(Petition.steps))
    )
    if filters.institution_id:
        query = query.where(Petition.addressee_id == filters.institution_id)
    if filters.region_id:
        query = query.where(Petition.region_id == filters.region_id)
    petitions = db.session.scalars(query.order_by(Petition.id)).all()
    reached = dict(
        db.session.execute(
            sa.select(ThresholdReached.petition_id, ThresholdReached.reached_at)
        ).all()
    )
    kinds = {
        kind.id: kind
        for kind in db.session.scalars(sa.select(PetitionKind).order_by(PetitionKind.id))
    }
    institutions = _institution_names()
    today = morocco_date(now)

    by_kind = Table(
        key="petitions-by-kind-and-state",
        caption=_("Petitions and motions submitted in the period, by kind and present state"),
        columns=[Column("kind", _("Kind"), "text")]
        + [Column(s.value, str(PETITION_STATE_LABELS[s]), "count") for s in REVIEWED_STATES]
        + [Column("total", _("Total"), "count")],
    )
    states = defaultdict(Counter)
    threshold = defaultdict(lambda: {"published": 0, "reached": 0, "days": []})
    clocks = defaultdict(Counter)
    answers = defaultdict(lambda: {"deposited": 0, "answered": 0, "days": [], "waiting": 0})
    for petition in petitions:
        if filters.covers(petition.submitted_at):
            states[petition.kind_id][petition.state] += 1
        if filters.covers(petition.published_at):
            entry = threshold[petition.kind_id]
            entry["published"] += 1
            if petition.id in reached:
                entry["reached"] += 1
                entry["days"].append(
                    (reached[petition.id] - petition.published_at).total_seconds() / DAY
                )
        if not filters.covers(petition.deposited_at):
            continue
        for clock in deadline_clocks(petition, today=today):
            compliance = COMPLIANCE.get(
                clock.status
            )  # None: stopped, the petition ended before this step
            if compliance:
                clocks[(petition.addressee_id, clock.key)][compliance] += 1
        entry = answers[petition.addressee_id]
        entry["deposited"] += 1
        response = _response_step(petition)
        if response is not None:
            entry["answered"] += 1
            entry["days"].append((response.occurred_on - morocco_date(petition.deposited_at)).days)
        elif petition.state == PetitionState.DEPOSITED:
            entry["waiting"] += 1
    for kind_id, counts in sorted(states.items()):
        row = {"kind": kinds[kind_id].display_name(), "total": sum(counts.values())}
        row.update({s.value: counts[s.value] for s in REVIEWED_STATES})
        by_kind.rows.append(row)

    to_threshold = Table(
        key="petitions-time-to-threshold",
        caption=_("Time to reach the signature threshold, petitions published in the period"),
        columns=[
            Column("kind", _("Kind"), "text"),
            Column(
                "published",
                pgettext("table column: petitions published in the period", "Published"),
                "count",
            ),
            Column("reached", _("Reached the threshold"), "count"),
            Column("median_days", _("Median days from publication to the threshold"), "days"),
        ],
    )
    for kind_id, entry in sorted(threshold.items()):
        to_threshold.rows.append(
            {
                "kind": kinds[kind_id].display_name(),
                "published": entry["published"],
                "reached": entry["reached"],
                "median_days": round(median(entry["days"]), 1) if entry["days"] else None,
            }
        )

    deadlines = Table(
        key="petitions-legal-deadlines",
        caption=_(
            "Legal deadlines after deposit, by institution (petitions deposited in the period)"
        ),
        columns=[
            Column("institution", _("Institution"), "text"),
            Column("deadline", _("Deadline"), "text"),
            Column("on_time", _("Done on time"), "count"),
            Column("late", _("Done late"), "count"),
            Column("overdue", _("Overdue, not done"), "count"),
            Column("pending", _("Pending, not yet due"), "count"),
        ],
    )
    for (institution_id, key), counts in sorted(
        clocks.items(), key=lambda item: (institutions.get(item[0][0], ""), item[0][1])
    ):
        deadlines.rows.append(
            {
                "institution": institutions.get(institution_id, "—"),
                "deadline": str(CLOCK_LABELS.get(key, key)),
                **{column: counts[column] for column in ("on_time", "late", "overdue", "pending")},
            }
        )

    time_to_answer = Table(
        key="petitions-time-to-answer",
        caption=_("Answers by institution (petitions deposited in the period)"),
        columns=[
            Column("institution", _("Institution"), "text"),
            Column("deposited", _("Deposited"), "count"),
            Column("answered", _("Answered or declared inadmissible"), "count"),
            Column("waiting", _("Waiting for an answer"), "count"),
            Column("median_days", _("Median days from deposit to the answer"), "days"),
        ],
    )
    for institution_id, entry in sorted(
        answers.items(), key=lambda item: institutions.get(item[0], "")
    ):
        time_to_answer.rows.append(
            {
                "institution": institutions.get(institution_id, "—"),
                "deposited": entry["deposited"],
                "answered": entry["answered"],
                "waiting": entry["waiting"],
                "median_days": round(median(entry["days"]), 1) if entry["days"] else None,
            }
        )
    return [by_kind, to_threshold, deadlines, time_to_answer]


# Moderation (moderation's own monthly statistics, for the whole platform)


def _comments_in_scope(filters):
    """The comments the institution and region filters select (None: no filter): comments on the
    institution's (or the region's) consultations and their sections, and on petitions addressed to
    the institution (or about the region)."""
    if filters.institution_id is None and filters.region_id is None:
        return None
    consultations = sa.select(Consultation.id)
    petitions = sa.select(Petition.id)
    if filters.institution_id is not None:
        consultations = consultations.where(Consultation.institution_id == filters.institution_id)
        petitions = petitions.where(Petition.addressee_id == filters.institution_id)
    if filters.region_id is not None:
        consultations = consultations.where(Consultation.region_id == filters.region_id)
        petitions = petitions.where(Petition.region_id == filters.region_id)
    sections = sa.select(Section.id).where(Section.consultation_id.in_(consultations))
    return sa.select(Comment.id).where(
        sa.or_(
            sa.and_(Comment.target_type == "consultation", Comment.target_id.in_(consultations)),
            sa.and_(Comment.target_type == "section", Comment.target_id.in_(sections)),
            sa.and_(Comment.target_type == "petition", Comment.target_id.in_(petitions)),
        )
    )


def moderation_tables(filters):
    months = list_monthly_statistics(
        months=len(filters.months),
        now=start_of(filters.last_month) + timedelta(days=1),
        comments=_comments_in_scope(filters),
    )
    months.reverse()
    decisions = list(Decision)
    by_month = Table(
        key="moderation-by-month",
        caption=_("Moderation by month"),
        columns=[Column("month", _("Month"), "month"), Column("total", _("Moderators' decisions"))]
        + [Column(d.value, str(DECISION_OUTCOME_LABELS[d])) for d in decisions]
        + [
            Column("automatic", _("Hidden automatically after reports")),
            Column("median_hours", _("Median hours to a decision"), "rate"),
            Column("appeals", _("Appeals")),
            Column("upheld", _("Decisions kept on appeal")),
            Column("overturned", _("Decisions overturned on appeal")),
        ],
    )
    reasons = Counter()
    for month in months:
        total = protect(month.total)
        row = {
            "month": month.month,
            "total": total,
            "automatic": protect(month.automatic),
            "appeals": protect(month.appeals),
            "upheld": protect(month.upheld),
            "overturned": protect(month.overturned),
            "median_hours": None
            if month.median_wait is None
            else (
                MASKED if total is MASKED else round(month.median_wait.total_seconds() / 3600, 1)
            ),
        }
        row.update({d.value: protect(month.count(d)) for d in decisions})
        by_month.rows.append(row)
        reasons.update(month.decisions)
    by_reason = Table(
        key="moderation-by-reason",
        caption=_("Moderators' decisions in the period, by reason"),
        columns=[Column("reason", _("Reason"), "text")]
        + [Column(d.value, str(DECISION_OUTCOME_LABELS[d])) for d in decisions],
    )
    for reason in dict.fromkeys(r for rs in DECISION_REASONS.values() for r in rs):
        if any(reasons[(d, reason)] for d in decisions):
            row = {"reason": str(DECISION_REASON_LABELS[reason])}
            row.update({d.value: protect(reasons[(d, reason)]) for d in decisions})
            by_reason.rows.append(row)
    return [by_month, by_reason]


# The public statistics page

PEOPLE_NUMBERS = {"registered_people", "comments", "questionnaire_answers", "signatures"}


def headline_table(now=None):
    numbers = get_headline_numbers(now)
    labels = {
        "registered_people": _("Registered people"),
        "consultations_published": _("Consultations published"),
        "consultations_open": _("Consultations open now"),
        "consultations_with_outcome": _("Consultations with a published outcome report"),
        "comments": _("Published comments"),
        "questionnaire_answers": _("Questionnaire answers"),
        "petitions_published": _("Petitions and motions published"),
        "petitions_open": _("Open for signatures now"),
        "petitions_deposited": _("Deposited with their addressee"),
        "petitions_answered": _("Answered by their addressee"),
        "signatures": _("Signatures"),
    }
    table = Table(
        key="headline",
        caption=_("Headline figures"),
        columns=[
            Column("what", _("What"), "text"),
            Column("number", pgettext("count", "Number"), "count"),
        ],
    )
    for key, label in labels.items():
        table.rows.append(
            {
                "what": label,
                "number": protect(numbers[key]) if key in PEOPLE_NUMBERS else numbers[key],
            }
        )
    return table


def signatures_by_region_table():
    """Every counted signature by the signer's region, from the sharded counters (exact, live)."""
    totals = dict(
        db.session.execute(
            sa.select(SignatureCounter.region_key, sa.func.sum(SignatureCounter.count)).group_by(
                SignatureCounter.region_key
            )
        ).all()
    )
    table = Table(
        key="signatures-by-region",
        caption=_("Signatures by region of residence of the signers"),
        columns=[
            Column("region", _("Region"), "text"),
            Column("signatures", _("Signatures")),
            Column("rate", _("Signatures per 100,000 inhabitants"), "rate"),
        ],
    )
    codes = _region_codes()
    for key, (name, population) in _region_names().items():
        count = protect(int(totals.get(key) or 0))
        table.rows.append(
            {
                "region": name,
                "region_code": codes.get(key),
                "signatures": count,
                "rate": per_100k(count, population),
            }
        )
    return table
