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
from participation.comments.oversight import ReaderNotes
from participation.moderation.models import (
    APPEALABLE_DECISIONS,
    CommentReport,
    Decision,
    DecisionReason,
    ModerationAppeal,
    ModerationDecision,
    ModerationItem,
    QueueKind,
    ScreeningFlag,
    ScreeningSettings,
)
from participation.moderation.wordlists import DEFAULT_SETTINGS, default_word_lists
from participation.core.models import utcnow
from participation.core.permissions import is_signed_in
from participation.core.timezones import MOROCCO
from participation.extensions import db
from participation.petitions.models import HeldLimit, Petition, Signature
from participation.petitions.queries import (
    awaiting_review_sql,
    is_held_sql,
    list_signature_entries,
)

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
        sa.select(ModerationDecision)
        .where(ModerationDecision.comment_id == comment_id)
        .order_by(ModerationDecision.id.desc())
        .limit(1)
    )


def get_appeal(decision_id):
    return db.session.scalar(
        sa.select(ModerationAppeal).where(ModerationAppeal.decision_id == decision_id)
    )


def get_appeal_outcome(decision_id):
    return db.session.scalar(
        sa.select(ModerationDecision).where(ModerationDecision.appeal_of_id == decision_id)
    )


def get_open_appeal(comment_id):
    """The comment's appeal that no moderator has decided yet, if any."""
    outcome = sa.select(ModerationDecision.id).where(
        ModerationDecision.appeal_of_id == ModerationAppeal.decision_id
    )
    return db.session.scalar(
        sa.select(ModerationAppeal).where(
            ModerationAppeal.comment_id == comment_id, ~sa.exists(outcome)
        )
    )


def get_open_item(comment_id):
    return db.session.scalar(
        sa.select(ModerationItem).where(
            ModerationItem.comment_id == comment_id, ModerationItem.closed_at.is_(None)
        )
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


def count_waiting_items(*, waiting_since_before=None):
    """Everything waiting for moderators: comments, held signatures, petitions awaiting review
    (one query); with `waiting_since_before`, only what has waited since before that time."""

    def since(column):
        return [column < waiting_since_before] if waiting_since_before is not None else []

    return db.session.scalar(
        sa.select(
            sa.select(sa.func.count(ModerationItem.id))
            .where(_waiting(), *since(ModerationItem.opened_at))
            .scalar_subquery()
            + sa.select(sa.func.count(Signature.id))
            .where(is_held_sql(), *since(Signature.created_at))
            .scalar_subquery()
            + sa.select(sa.func.count(Petition.id))
            .where(awaiting_review_sql(), *since(Petition.submitted_at))
            .scalar_subquery()
        )
    )


def count_overdue_items(now=None):
    """What has waited longer than MODERATION_OVERDUE_HOURS (the queue marks it overdue)."""
    now = now or utcnow()
    return count_waiting_items(waiting_since_before=now - overdue_after())


def overdue_after():
    return timedelta(hours=current_app.config["MODERATION_OVERDUE_HOURS"])


HELD_LIMITS = tuple(limit.value for limit in HeldLimit)  # reasons of a held signature


@dataclass
class QueueFilters:
    kind: str | None = None
    reason: str | None = None
    institution_id: int | None = None
    language: str | None = None
    older_than_days: int | None = None
    petition_id: int | None = (
        None  # held signatures of one petition (the trending alerts link here)
    )

    def _wants(self, source):
        """Whether the filters leave room for this source of the queue: comment, signature, petition."""
        kinds = {"signature": {QueueKind.SIGNATURE}, "petition": {QueueKind.PETITION}}.get(source)
        if self.kind and (
            self.kind not in kinds
            if kinds
            else self.kind in (QueueKind.SIGNATURE, QueueKind.PETITION)
        ):
            return False
        if self.reason and (
            source == "petition" or (self.reason in HELD_LIMITS) != (source == "signature")
        ):
            return False
        if self.language and source != "comment":
            return False
        if self.petition_id and source == "comment":
            return False
        return True

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
                    sa.exists().where(
                        ScreeningFlag.comment_id == ModerationItem.comment_id,
                        ScreeningFlag.rule == self.reason,
                    ),
                )
            )
        if self.institution_id:
            conditions.append(ModerationItem.institution_id == self.institution_id)
        if self.language:
            conditions.append(ModerationItem.language == self.language)
        if self.older_than_days:
            conditions.append(
                ModerationItem.opened_at <= now - timedelta(days=self.older_than_days)
            )
        return conditions

    def signature_conditions(self, now):
        conditions = [is_held_sql()]
        if self.reason:
            conditions.append(Signature.held_limit == self.reason)
        if self.institution_id:
            conditions.append(
                sa.exists().where(
                    Petition.id == Signature.petition_id,
                    Petition.addressee_id == self.institution_id,
                )
            )
        if self.petition_id:
            conditions.append(Signature.petition_id == self.petition_id)
        if self.older_than_days:
            conditions.append(Signature.created_at <= now - timedelta(days=self.older_than_days))
        return conditions

    def petition_conditions(self, now):
        conditions = [awaiting_review_sql()]
        if self.institution_id:
            conditions.append(Petition.addressee_id == self.institution_id)
        if self.petition_id:
            conditions.append(Petition.id == self.petition_id)
        if self.older_than_days:
            conditions.append(Petition.submitted_at <= now - timedelta(days=self.older_than_days))
        return conditions


@dataclass
class QueueEntry:
    item: ModerationItem
    reports: Counter = field(default_factory=Counter)  # open reports by reason
    flags: list = field(default_factory=list)
    overdue: bool = False
    source = "comment"

    @property
    def comment(self):
        return self.item.comment

    @property
    def since(self):
        return self.item.opened_at


@dataclass
class PetitionEntry:
    petition: Petition
    overdue: bool = False
    source = "petition"

    @property
    def since(self):
        return self.petition.submitted_at


def list_queue(filters, *, page=1, per_page=PER_PAGE, now=None):
    """Everything waiting, oldest first: comments' open items, held signatures and petitions
    awaiting review, paged together, with the comments' open reports and screening flags. A
    bounded number of queries (at most ten), whatever the size of the queue."""
    now = now or utcnow()

    def part(source, id_column, since_column, conditions):
        return sa.select(
            sa.literal(source).label("source"), id_column.label("id"), since_column.label("since")
        ).where(*conditions)

    parts = []
    if filters._wants("comment"):
        parts.append(
            part("comment", ModerationItem.id, ModerationItem.opened_at, filters.conditions(now))
        )
    if filters._wants("signature"):
        parts.append(
            part("signature", Signature.id, Signature.created_at, filters.signature_conditions(now))
        )
    if filters._wants("petition"):
        parts.append(
            part("petition", Petition.id, Petition.submitted_at, filters.petition_conditions(now))
        )
    if not parts:
        parts.append(part("comment", ModerationItem.id, ModerationItem.opened_at, [sa.false()]))
    rows = (parts[0] if len(parts) == 1 else sa.union_all(*parts)).subquery()
    # One column to page on, "source:id", so that Flask-SQLAlchemy's public db.paginate (which
    # pages scalars) serves the union; the order is the rows' own.
    key = (rows.c.source + ":" + sa.cast(rows.c.id, sa.String)).label("key")
    pagination = db.paginate(
        sa.select(key).order_by(rows.c.since, rows.c.source, rows.c.id),
        page=page,
        per_page=per_page,
        error_out=False,
    )
    keys = [(source, int(id_)) for source, id_ in (k.split(":") for k in pagination.items)]
    ids = defaultdict(list)
    for source, id_ in keys:
        ids[source].append(id_)
    loaded = {}
    loaded.update({("comment", e.item.id): e for e in _comment_entries(ids["comment"])})
    loaded.update(
        {("signature", e.signature.id): e for e in list_signature_entries(ids["signature"])}
    )
    if ids["petition"]:
        for petition in db.session.scalars(
            sa.select(Petition)
            .where(Petition.id.in_(ids["petition"]))
            .options(selectinload(Petition.members))
        ):
            loaded[("petition", petition.id)] = PetitionEntry(petition=petition)
    entries = [loaded[key] for key in keys if key in loaded]
    for entry in entries:
        entry.overdue = entry.since is not None and now - entry.since > overdue_after()
    return pagination, entries


def _comment_entries(item_ids):
    if not item_ids:
        return []
    items = db.session.scalars(
        sa.select(ModerationItem)
        .where(ModerationItem.id.in_(item_ids))
        .options(
            selectinload(ModerationItem.comment).selectinload(Comment.author),
            selectinload(ModerationItem.institution),
            selectinload(ModerationItem.locked_by),
        )
    ).all()
    entries = {item.comment_id: QueueEntry(item=item) for item in items}
    reports = db.session.execute(
        sa.select(CommentReport.comment_id, CommentReport.reason, sa.func.count(CommentReport.id))
        .where(CommentReport.comment_id.in_(entries), CommentReport.resolved_at.is_(None))
        .group_by(CommentReport.comment_id, CommentReport.reason)
    )
    for comment_id, reason, n in reports:
        entries[comment_id].reports[reason] = n
    for flag in db.session.scalars(
        sa.select(ScreeningFlag)
        .where(ScreeningFlag.comment_id.in_(entries))
        .order_by(ScreeningFlag.id)
    ):
        entries[flag.comment_id].flags.append(flag)
    return list(entries.values())


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
        return next(
            (a for decision_id, a in self.appeals.items() if decision_id not in decided), None
        )


def get_comment_record(comment):
    return CommentRecord(
        comment=comment,
        item=get_open_item(comment.id),
        reports=db.session.scalars(
            sa.select(CommentReport)
            .where(CommentReport.comment_id == comment.id)
            .order_by(CommentReport.id)
        ).all(),
        flags=db.session.scalars(
            sa.select(ScreeningFlag)
            .where(ScreeningFlag.comment_id == comment.id)
            .order_by(ScreeningFlag.id)
        ).all(),
        decisions=db.session.scalars(
            sa.select(ModerationDecision)
            .where(ModerationDecision.comment_id == comment.id)
            .order_by(ModerationDecision.id)
            .options(selectinload(ModerationDecision.moderator))
        ).all(),
        appeals={
            appeal.decision_id: appeal
            for appeal in db.session.scalars(
                sa.select(ModerationAppeal).where(ModerationAppeal.comment_id == comment.id)
            )
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


def get_reader_moderation(reader, comments, now=None):
    """For a page of a thread: what the reader reported, and the moderation notices of their own
    comments. At most two queries, none for anonymous readers."""
    moderation = ReaderNotes()
    if not comments or not is_signed_in(reader):
        return moderation
    moderation.reported = set(
        db.session.scalars(
            sa.select(CommentReport.comment_id).where(
                CommentReport.reporter_id == reader.id,
                CommentReport.comment_id.in_([c.id for c in comments]),
            )
        )
    )
    withheld = {
        c.id: c
        for c in comments
        if c.author_id == reader.id and c.status in (CommentStatus.HIDDEN, CommentStatus.REJECTED)
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
                decision=decision,
                appeal=appeal,
                can_appeal=appeal is None and is_appealable(decision, comment, now),
            )
    return moderation


def list_user_comments(user, *, page=1, per_page=PER_PAGE):
    return db.paginate(
        sa.select(Comment)
        .where(Comment.author_id == user.id)
        .order_by(Comment.created_at.desc(), Comment.id.desc()),
        page=page,
        per_page=per_page,
        error_out=False,
    )


@dataclass
class MonthStatistics:
    month: date  # first day of the month, in Morocco's calendar
    decisions: Counter = field(
        default_factory=Counter
    )  # (decision, reason) -> n, moderators' decisions
    automatic: int = 0  # hidden by the platform after reports
    held_after_edit: int = 0  # published comments held again by screening after an edit
    appeals: int = 0
    upheld: int = 0
    overturned: int = 0
    median_wait: timedelta | None = None

    def count(self, decision=None, reason=None):
        return sum(
            n
            for (d, r), n in self.decisions.items()
            if (decision is None or d == decision) and (reason is None or r == reason)
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
    return sa.case(
        *[
            (sa.and_(column >= start, column < end), start.strftime("%Y-%m"))
            for start, end in months
        ]
    )


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


def list_monthly_statistics(*, months=12, now=None, comments=None):
    """Moderation by month for the transparency page: counts, appeals and the median time from
    entering the queue to a moderator's decision. No personal data. Four queries. `comments`, a
    SELECT of comment ids, limits the figures to those comments (the observers' filters)."""
    periods = _months(now or utcnow(), months)
    stats = {
        start.strftime("%Y-%m"): MonthStatistics(month=start.date()) for start, _end in periods
    }
    is_outcome = (ModerationDecision.appeal_of_id.is_not(None)).label("is_outcome")
    in_scope = [] if comments is None else [ModerationDecision.comment_id.in_(comments)]
    appeals_in_scope = (
        []
        if comments is None
        else [
            ModerationAppeal.decision_id.in_(
                sa.select(ModerationDecision.id).where(ModerationDecision.comment_id.in_(comments))
            )
        ]
    )
    for month, decision, reason, outcome, n in _grouped(
        [ModerationDecision.decision, ModerationDecision.reason, is_outcome],
        ModerationDecision.created_at,
        periods,
        *in_scope,
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
    for month, n in _grouped([], ModerationAppeal.created_at, periods, *appeals_in_scope):
        stats[month].appeals += n
    waits = defaultdict(list)
    rows = db.session.execute(
        sa.select(
            _month_of(ModerationDecision.created_at, periods),
            ModerationDecision.created_at,
            ModerationItem.opened_at,
        )
        .join(ModerationItem, ModerationItem.id == ModerationDecision.item_id)
        .where(
            ModerationDecision.moderator_id.is_not(None),
            ModerationDecision.created_at >= periods[-1][0],
            ModerationDecision.created_at < periods[0][1],
            *in_scope,
        )
    )
    for month, decided_at, opened_at in rows:
        waits[month].append((decided_at - opened_at).total_seconds())
    for month, seconds in waits.items():
        stats[month].median_wait = timedelta(seconds=median(seconds))
    return list(stats.values())
