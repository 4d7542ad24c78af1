"""Refreshing the pre-aggregated statistics (models.py), off the request path: `flask tick` redoes
the current and the previous month when the figures are older than STATS_REFRESH_MINUTES, and
`flask stats refresh --all` rebuilds every month (after an import, or nightly, since a withdrawn
signature or a deleted account can change an older month).

Each metric is one grouped query over one month range of rows, read through the creation-time
indexes; the rows of the months redone are replaced in the same transaction."""

from datetime import timedelta

import sqlalchemy as sa
from flask import current_app
from sqlalchemy.orm import aliased

from participation.auth.models import IdentityProfile, User
from participation.comments.models import Comment
from participation.consultations.models import AnswerSet, Consultation, Section
from participation.core.models import as_utc, utcnow
from participation.core.permissions import SYSTEM, guarded_by
from participation.core.progress import silent
from participation.extensions import db
from participation.petitions.models import Petition, Signature, SignatureCounter, SignatureStatus
from participation.stats.models import Metric, MonthlyCount, ThresholdReached
from participation.stats.periods import (
    add_months,
    month_expression,
    month_from_key,
    month_of,
    months_between,
    start_of,
)

ZERO = sa.literal_column("0")
MONTHS_PER_STEP = 3
NO_LANGUAGE = sa.literal_column("''")


def _key(column):
    return sa.func.coalesce(column, ZERO)


def _contributions():
    """(people, source) selects of every contribution: user, time, region, institution, language."""
    on_consultation, on_section = aliased(Consultation), aliased(Consultation)
    comments = (
        sa.select(
            Comment.author_id.label("user_id"),
            Comment.created_at.label("at"),
            _key(IdentityProfile.region_id).label("region_key"),
            sa.func.coalesce(
                on_consultation.institution_id,
                on_section.institution_id,
                Petition.addressee_id,
                ZERO,
            ).label("institution_key"),
            User.language.label("language"),
        )
        .select_from(Comment)
        .join(User, User.id == Comment.author_id)
        .outerjoin(IdentityProfile, IdentityProfile.user_id == Comment.author_id)
        .outerjoin(
            on_consultation,
            sa.and_(Comment.target_type == "consultation", on_consultation.id == Comment.target_id),
        )
        .outerjoin(
            Section, sa.and_(Comment.target_type == "section", Section.id == Comment.target_id)
        )
        .outerjoin(on_section, on_section.id == Section.consultation_id)
        .outerjoin(
            Petition, sa.and_(Comment.target_type == "petition", Petition.id == Comment.target_id)
        )
        .where(Comment.is_official.is_(False))
    )
    signatures = (
        sa.select(
            Signature.user_id.label("user_id"),
            Signature.created_at.label("at"),
            _key(Signature.region_id).label("region_key"),
            _key(Petition.addressee_id).label("institution_key"),
            sa.func.coalesce(User.language, NO_LANGUAGE).label("language"),
        )
        .select_from(Signature)
        .join(Petition, Petition.id == Signature.petition_id)
        .outerjoin(User, User.id == Signature.user_id)
        .where(Signature.status == SignatureStatus.COUNTED.value)
    )
    answers = (
        sa.select(
            AnswerSet.user_id.label("user_id"),
            AnswerSet.created_at.label("at"),
            _key(IdentityProfile.region_id).label("region_key"),
            Consultation.institution_id.label("institution_key"),
            User.language.label("language"),
        )
        .select_from(AnswerSet)
        .join(Consultation, Consultation.id == AnswerSet.consultation_id)
        .join(User, User.id == AnswerSet.user_id)
        .outerjoin(IdentityProfile, IdentityProfile.user_id == AnswerSet.user_id)
    )
    registrations = (
        sa.select(
            User.id.label("user_id"),
            User.created_at.label("at"),
            _key(IdentityProfile.region_id).label("region_key"),
            ZERO.label("institution_key"),
            User.language.label("language"),
        )
        .select_from(User)
        .outerjoin(IdentityProfile, IdentityProfile.user_id == User.id)
        .where(User.email_verified_at.is_not(None), User.deleted_at.is_(None))
    )
    return {
        Metric.COMMENTS: (comments, Comment.created_at),
        Metric.SIGNATURES: (signatures, Signature.created_at),
        Metric.ANSWERS: (answers, AnswerSet.created_at),
        Metric.REGISTRATIONS: (registrations, User.created_at),
    }


def _in_months(select, timestamp, months):
    return select.where(
        timestamp >= start_of(months[0]), timestamp < start_of(add_months(months[-1], 1))
    )


def _grouped(source, months, *, by_institution=True, distinct=False):
    """Counts of `source` (a subquery of contributions) by month, region, institution, language."""
    month = month_expression(source.c.at, months).label("month")
    inner = sa.select(
        month,
        source.c.region_key,
        source.c.institution_key if by_institution else ZERO.label("institution_key"),
        source.c.language,
        source.c.user_id,
    ).subquery()
    keys = [inner.c.month, inner.c.region_key, inner.c.institution_key, inner.c.language]
    count = sa.func.count(sa.distinct(inner.c.user_id)) if distinct else sa.func.count()
    return db.session.execute(sa.select(*keys, count).group_by(*keys)).all()


def _compute(months):
    """{(month, metric, region, institution, language): count} for these consecutive months."""
    sources = _contributions()
    counts = {}
    for metric, (select, timestamp) in sources.items():
        for month, region, institution, language, n in _grouped(
            _in_months(select, timestamp, months).subquery(), months
        ):
            counts[(month, metric, region, institution, language or "")] = n
    people = sa.union_all(
        *[
            _in_months(select, timestamp, months).where(
                select.selected_columns.user_id.is_not(None)
            )
            for metric, (select, timestamp) in sources.items()
            if metric != Metric.REGISTRATIONS
        ]
    ).subquery()
    for metric, by_institution in (
        (Metric.PARTICIPANTS, False),
        (Metric.PARTICIPANTS_BY_INSTITUTION, True),
    ):
        for month, region, institution, language, n in _grouped(
            people, months, by_institution=by_institution, distinct=True
        ):
            counts[(month, metric, region, institution, language or "")] = n
    return counts


def _replace_months(months, now):
    """The rows of these consecutive months, computed anew."""
    counts = _compute(months)
    db.session.execute(sa.delete(MonthlyCount).where(MonthlyCount.month.in_(months)))
    rows = [
        {
            "month": month_from_key(month),
            "metric": metric,
            "region_key": region,
            "institution_key": institution,
            "language": language,
            "count": n,
            "refreshed_at": now,
        }
        for (month, metric, region, institution, language), n in counts.items()
        if month is not None
    ]
    for start in range(0, len(rows), 5000):
        db.session.execute(sa.insert(MonthlyCount), rows[start : start + 5000])


def _first_month():
    firsts = [
        db.session.scalar(sa.select(sa.func.min(column)))
        for column in (
            User.created_at,
            Comment.created_at,
            Signature.created_at,
            AnswerSet.created_at,
        )
    ]
    firsts = [value for value in firsts if value is not None]
    return month_of(min(as_utc(value) for value in firsts)) if firsts else None


@guarded_by(SYSTEM)
def refresh_statistics(*, months=None, everything=False, now=None, track=silent):
    """Recompute the monthly counts of `months` (default: this month and the previous one; with
    `everything`: every month since the first record) and the thresholds reached. Returns the
    number of months redone. The months are redone MONTHS_PER_STEP at a time, each step reported
    to `track` (core/progress.py): the counts are per month, so the steps give the same rows."""
    now = now or utcnow()
    current = month_of(now)
    if everything:
        first = _first_month()
        months = months_between(first, current) if first else []
    elif months is None:
        months = [add_months(current, -1), current]
    with track(len(months), "months") as bar:
        for start in range(0, len(months), MONTHS_PER_STEP):
            step = months[start : start + MONTHS_PER_STEP]
            _replace_months(step, now)
            bar.update(len(step))
    record_thresholds_reached()
    db.session.flush()
    return len(months)


@guarded_by(SYSTEM)
def refresh_statistics_if_due(*, now=None):
    """For `flask tick` (every minute): refresh when the figures are older than the setting; the
    first time, build every month."""
    now = now or utcnow()
    last = get_refreshed_at()
    if last is None:
        return refresh_statistics(everything=True, now=now)
    if now - last < timedelta(minutes=current_app.config["STATS_REFRESH_MINUTES"]):
        return 0
    return refresh_statistics(now=now)


def get_refreshed_at():
    value = db.session.scalar(sa.select(sa.func.max(MonthlyCount.refreshed_at)))
    return as_utc(value) if value is not None else None


@guarded_by(SYSTEM)
def record_thresholds_reached():
    """For published petitions whose counted signatures reached the threshold and whose moment is
    not recorded yet: the time of the signature that reached it (the N-th counted one). One grouped
    sum over the counters, then one indexed lookup per petition that crossed."""
    recorded = sa.select(ThresholdReached.petition_id).where(
        ThresholdReached.petition_id == Petition.id
    )
    candidates = db.session.execute(
        sa.select(
            Petition.id,
            Petition.signatures_required,
            sa.func.coalesce(sa.func.sum(SignatureCounter.count), 0),
        )
        .join(SignatureCounter, SignatureCounter.petition_id == Petition.id)
        .where(
            Petition.published_at.is_not(None),
            Petition.signatures_required.is_not(None),
            ~sa.exists(recorded),
        )
        .group_by(Petition.id, Petition.signatures_required)
    ).all()
    reached = 0
    for petition_id, required, count in candidates:
        if count < required:
            continue
        moment = db.session.scalar(
            sa.select(Signature.created_at)
            .where(
                Signature.petition_id == petition_id,
                Signature.status == SignatureStatus.COUNTED.value,
            )
            .order_by(Signature.created_at, Signature.id)
            .offset(required - 1)
            .limit(1)
        )
        if moment is not None:
            db.session.add(ThresholdReached(petition_id=petition_id, reached_at=moment))
            reached += 1
    db.session.flush()
    return reached
