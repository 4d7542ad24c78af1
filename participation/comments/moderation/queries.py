"""Read side of moderation: the queue, one comment's record, what a thread's reader sees of
moderation, the screening settings and the public statistics.

Every function runs a bounded number of SQL queries, whatever the size of the queue or history.
"""
from collections import Counter, defaultdict
from dataclasses import dataclass, field
from datetime import date, timedelta
from statistics import median

import sqlalchemy as sa
from flask import current_app
from sqlalchemy.orm import selectinload

from participation.comments.models import Comment, CommentStatus
from participation.comments.moderation.models import (
    APPEALABLE_DECISIONS,
    CommentReport,
    Decision,
    DecisionReason,
    ModerationAppeal,
    ModerationDecision,
    ModerationItem,
    ScreeningFlag,
    ScreeningSettings,
)
from participation.comments.moderation.wordlists import DEFAULT_SETTINGS, default_word_lists
from participation.core.models import utcnow
from participation.core.permissions import is_signed_in
from participation.core.timezones import MOROCCO
from participation.extensions import db

PER_PAGE = 25
AGE_CHOICES = (1, 3, 7)  # "waiting for more than N days" filter


def get_screening_settings():
    """The saved settings, or the defaults (not saved) until an administrator saves some."""
    return db.session.get(ScreeningSettings, 1) or ScreeningSettings(
        id=1, word_lists=default_word_lists(), **DEFAULT_SETTINGS
    )


def appeal_deadline(decision):
    return decision.created_at + timedelta(days=current_app.config["MODERATION_APPEAL_WINDOW_DAYS"])


def is_appealable(decision, comment, now=None):
    """A moderator's hide or reject, not itself the outcome of an appeal, still in force and
    within the appeal window. Whether it is the comment's latest decision and was already
    appealed is for the caller, who may know it for many comments at once."""
    return (
        decision is not None
        and not decision.is_automatic
        and decision.appeal_of_id is None
        and decision.decision in APPEALABLE_DECISIONS
        and comment.id == decision.comment_id
        and comment.status == decision.to_status
        and not comment.is_deleted
        and (now or utcnow()) <= appeal_deadline(decision)
    )


def get_latest_decision(comment_id):
    return db.session.scalar(
        sa.select(ModerationDecision).where(ModerationDecision.comment_id == comment_id).order_by(ModerationDecision.id.desc()).limit(1)
    )


def get_appeal(decision_id):
    return db.session.scalar(sa.select(ModerationAppeal).where(ModerationAppeal.decision_id == decision_id))


def get_appeal_outcome(decision_id):
    return db.session.scalar(sa.select(ModerationDecision).where(ModerationDecision.appeal_of_id == decision_id))


def get_open_appeal(comment_id):
    """The comment's appeal that no moderator has decided yet, if any."""
    outcome = sa.select(ModerationDecision.id).where(ModerationDecision.appeal_of_id == ModerationAppeal.decision_id)
    return db.session.scalar(
        sa.select(ModerationAppeal).where(ModerationAppeal.comment_id == comment_id, ~sa.exists(outcome))
    )


def get_open_item(comment_id):
    return db.session.scalar(
        sa.select(ModerationItem).where(ModerationItem.comment_id == comment_id, ModerationItem.closed_at.is_(None))
    )


def count_open_reports(comment_id):
    return db.session.scalar(
        sa.select(sa.func.count(CommentReport.id)).where(
            CommentReport.comment_id == comment_id, CommentReport.resolved_at.is_(None)
        )
    )


def _waiting():
    """Open items whose comment still exists (an author may delete a comment while it waits)."""
    return sa.and_(
        ModerationItem.closed_at.is_(None),
        sa.exists().where(Comment.id == ModerationItem.comment_id, Comment.deleted_at.is_(None)),
    )


def count_waiting_items():
    return db.session.scalar(sa.select(sa.func.count(ModerationItem.id)).where(_waiting()))


@dataclass
class QueueFilters:
    kind: str | None = None
    reason: str | None = None
    institution_id: int | None = None
    language: str | None = None
    older_than_days: int | None = None

    def conditions(self, now):
        conditions = [_waiting()]
        if self.kind:
            conditions.append(ModerationItem.kind == self.kind)
        if self.reason:
            conditions.append(
                sa.or_(
                    ModerationItem.reason == self.reason,
                    sa.exists().where(
                        CommentReport.comment_id == ModerationItem.comment_id,
                        CommentReport.resolved_at.is_(None),
                        CommentReport.reason == self.reason,
                    ),
                    sa.exists().where(ScreeningFlag.comment_id == ModerationItem.comment_id, ScreeningFlag.rule == self.reason),
                )
            )
        if self.institution_id:
            conditions.append(ModerationItem.institution_id == self.institution_id)
        if self.language:
            conditions.append(ModerationItem.language == self.language)
        if self.older_than_days:
            conditions.append(ModerationItem.opened_at <= now - timedelta(days=self.older_than_days))
        return conditions


@dataclass
class QueueEntry:
    item: ModerationItem
    reports: Counter = field(default_factory=Counter)  # open reports by reason
    flags: list = field(default_factory=list)
    overdue: bool = False

    @property
    def comment(self):
        return self.item.comment


def list_queue(filters, *, page=1, per_page=PER_PAGE, now=None):
    """Open items, oldest first, with their open reports and screening flags: four queries."""
    now = now or utcnow()
    pagination = db.paginate(
        sa.select(ModerationItem)
        .where(*filters.conditions(now))
        .order_by(ModerationItem.opened_at, ModerationItem.id)
        .options(
            selectinload(ModerationItem.comment).selectinload(Comment.author),
            selectinload(ModerationItem.institution),
            selectinload(ModerationItem.locked_by),
        ),
        page=page,
        per_page=per_page,
        error_out=False,
    )
    overdue_after = timedelta(hours=current_app.config["MODERATION_OVERDUE_HOURS"])
    entries = {item.comment_id: QueueEntry(item=item, overdue=now - item.opened_at > overdue_after) for item in pagination.items}
    if entries:
        reports = db.session.execute(
            sa.select(CommentReport.comment_id, CommentReport.reason, sa.func.count(CommentReport.id))
            .where(CommentReport.comment_id.in_(entries), CommentReport.resolved_at.is_(None))
            .group_by(CommentReport.comment_id, CommentReport.reason)
        )
        for comment_id, reason, n in reports:
            entries[comment_id].reports[reason] = n
        for flag in db.session.scalars(sa.select(ScreeningFlag).where(ScreeningFlag.comment_id.in_(entries)).order_by(ScreeningFlag.id)):
            entries[flag.comment_id].flags.append(flag)
    return pagination, list(entries.values())


def list_items(item_ids):
    return db.session.scalars(
        sa.select(ModerationItem)
        .where(ModerationItem.id.in_(item_ids))
        .order_by(ModerationItem.opened_at, ModerationItem.id)
        .options(selectinload(ModerationItem.comment))
    ).all()


@dataclass
class CommentRecord:
    """Everything moderators see about one comment."""

    comment: Comment
    item: ModerationItem | None
    reports: list
    flags: list
    decisions: list
    appeals: dict  # appealed decision id -> appeal

    @property
    def open_appeal(self):
        decided = {d.appeal_of_id for d in self.decisions if d.appeal_of_id}
        return next((a for decision_id, a in self.appeals.items() if decision_id not in decided), None)


def get_comment_record(comment):
    return CommentRecord(
        comment=comment,
        item=get_open_item(comment.id),
        reports=db.session.scalars(
            sa.select(CommentReport).where(CommentReport.comment_id == comment.id).order_by(CommentReport.id)
        ).all(),
        flags=db.session.scalars(sa.select(ScreeningFlag).where(ScreeningFlag.comment_id == comment.id).order_by(ScreeningFlag.id)).all(),
        decisions=db.session.scalars(
            sa.select(ModerationDecision)
            .where(ModerationDecision.comment_id == comment.id)
            .order_by(ModerationDecision.id)
            .options(selectinload(ModerationDecision.moderator))
        ).all(),
        appeals={
            appeal.decision_id: appeal
            for appeal in db.session.scalars(sa.select(ModerationAppeal).where(ModerationAppeal.comment_id == comment.id))
        },
    )


@dataclass
class ModerationNotice:
    """Why the author's own comment is not public, and whether they may appeal."""

    decision: ModerationDecision
    appeal: ModerationAppeal | None = None
    can_appeal: bool = False

    @property
    def deadline(self):
        return appeal_deadline(self.decision)


@dataclass
class ReaderModeration:
    reported: set = field(default_factory=set)  # comment ids the reader reported
    notices: dict = field(default_factory=dict)  # the reader's hidden or rejected comments: id -> notice


def get_reader_moderation(reader, comments, now=None):
    """For a page of a thread: what the reader reported, and the moderation notices of their own
    comments. At most two queries, none for anonymous readers."""
    moderation = ReaderModeration()
    if not comments or not is_signed_in(reader):
        return moderation
    moderation.reported = set(
        db.session.scalars(
            sa.select(CommentReport.comment_id).where(
                CommentReport.reporter_id == reader.id, CommentReport.comment_id.in_([c.id for c in comments])
            )
        )
    )
    withheld = {
        c.id: c for c in comments if c.author_id == reader.id and c.status in (CommentStatus.HIDDEN, CommentStatus.REJECTED)
    }
    if withheld:
        rows = db.session.execute(
            sa.select(ModerationDecision, ModerationAppeal)
            .outerjoin(ModerationAppeal, ModerationAppeal.decision_id == ModerationDecision.id)
            .where(ModerationDecision.comment_id.in_(withheld))
            .order_by(ModerationDecision.id)
        ).all()
        for decision, appeal in rows:  # oldest first: the last one per comment stays
            comment = withheld[decision.comment_id]
            moderation.notices[comment.id] = ModerationNotice(
                decision=decision, appeal=appeal, can_appeal=appeal is None and is_appealable(decision, comment, now)
            )
    return moderation


def list_user_comments(user, *, page=1, per_page=PER_PAGE):
    return db.paginate(
        sa.select(Comment).where(Comment.author_id == user.id).order_by(Comment.created_at.desc(), Comment.id.desc()),
        page=page,
        per_page=per_page,
        error_out=False,
    )


@dataclass
class MonthStatistics:
    month: date  # first day of the month, in Morocco's calendar
    decisions: Counter = field(default_factory=Counter)  # (decision, reason) -> n, moderators' decisions
    automatic: int = 0  # hidden by the platform after reports
    held_after_edit: int = 0  # published comments held again by screening after an edit
    appeals: int = 0
    upheld: int = 0
    overturned: int = 0
    median_wait: timedelta | None = None

    def count(self, decision=None, reason=None):
        return sum(
            n for (d, r), n in self.decisions.items() if (decision is None or d == decision) and (reason is None or r == reason)
        )

    @property
    def total(self):
        return self.count()


def _months(now, count):
    """(start, end) in UTC of the last `count` months of Morocco's calendar, newest first."""
    start = now.astimezone(MOROCCO).replace(day=1, hour=0, minute=0, second=0, microsecond=0)
    months = []
    for _ in range(count):
        end = (start + timedelta(days=32)).replace(day=1)
        months.append((start, end))
        start = (start - timedelta(days=1)).replace(day=1)
    return months


def _month_of(column, months):
    return sa.case(*[(sa.and_(column >= start, column < end), start.strftime("%Y-%m")) for start, end in months])


def _grouped(columns, timestamp, months, *conditions):
    """Counts by month and `columns`, in one query (grouped on a subquery, so PostgreSQL sees one
    month expression in the SELECT and the GROUP BY)."""
    inner = (
        sa.select(_month_of(timestamp, months).label("month"), *columns)
        .where(timestamp >= months[-1][0], timestamp < months[0][1], *conditions)
        .subquery()
    )
    keys = [inner.c.month, *[inner.c[column.key] for column in columns]]
    return db.session.execute(sa.select(*keys, sa.func.count()).group_by(*keys)).all()


def list_monthly_statistics(*, months=12, now=None):
    """Moderation by month for the transparency page: counts, appeals and the median time from
    entering the queue to a moderator's decision. No personal data. Four queries."""
    periods = _months(now or utcnow(), months)
    stats = {start.strftime("%Y-%m"): MonthStatistics(month=start.date()) for start, _end in periods}
    is_outcome = (ModerationDecision.appeal_of_id.is_not(None)).label("is_outcome")
    for month, decision, reason, outcome, n in _grouped(
        [ModerationDecision.decision, ModerationDecision.reason, is_outcome], ModerationDecision.created_at, periods
    ):
        if reason == DecisionReason.REPORTED:
            stats[month].automatic += n
            continue
        if reason == DecisionReason.SCREENED:
            stats[month].held_after_edit += n
            continue
        stats[month].decisions[(decision, reason)] += n
        if outcome:
            if decision == Decision.RESTORE:
                stats[month].overturned += n
            else:
                stats[month].upheld += n
    for month, n in _grouped([], ModerationAppeal.created_at, periods):
        stats[month].appeals += n
    waits = defaultdict(list)
    rows = db.session.execute(
        sa.select(_month_of(ModerationDecision.created_at, periods), ModerationDecision.created_at, ModerationItem.opened_at)
        .join(ModerationItem, ModerationItem.id == ModerationDecision.item_id)
        .where(
            ModerationDecision.moderator_id.is_not(None),
            ModerationDecision.created_at >= periods[-1][0],
            ModerationDecision.created_at < periods[0][1],
        )
    )
    for month, decided_at, opened_at in rows:
        waits[month].append((decided_at - opened_at).total_seconds())
    for month, seconds in waits.items():
        stats[month].median_wait = timedelta(seconds=median(seconds))
    return list(stats.values())
