"""The queue and its filters, what a thread shows of moderation, blocked authors, and the public
statistics."""

from datetime import datetime, timedelta, timezone

import pytest
import sqlalchemy as sa

from participation.comments.models import CommentStatus
from participation.moderation.models import ModerationItem
from participation.moderation.queries import (
    QueueFilters,
    count_waiting_items,
    get_reader_moderation,
    list_monthly_statistics,
    list_queue,
)
from participation.moderation.services import (
    appeal_decision,
    block_user,
    decide_comment,
    report_comment,
)
from participation.comments.queries import count_comments, count_stances, get_thread
from participation.comments.services import delete_comment, post_comment
from participation.core.models import utcnow
from participation.extensions import db
from tests.comments.factories import make_comment
from tests.factories import make_institution


def waiting(filters=None, **kwargs):
    _pagination, entries = list_queue(filters or QueueFilters(), **kwargs)
    return [entry.comment.body_source for entry in entries]


@pytest.fixture
def queue(notes, author, reporters):
    """A pre-moderated French comment, a screened Arabic one, a reported Tifinagh one (two
    reasons), each on a target of its own institution, entering the queue a day apart."""
    ministries = [make_institution(), make_institution()]
    pre = notes.target(notes(moderation_mode="pre", institution_id=ministries[0].id))
    post = notes.target(notes(institution_id=ministries[1].id))
    first = post_comment(author, pre, body="Je propose un amendement.")
    second = post_comment(author, post, body="أنت حقير")
    third = make_comment(notes(), author, body="ⴰⵣⵓⵍ ⴼⵍⴰⵡⵏ")
    report_comment(reporters[0], third, reason="off_topic")
    report_comment(reporters[1], third, reason="spam")
    items = db.session.scalars(sa.select(ModerationItem).order_by(ModerationItem.id)).all()
    for days, item in zip((3, 2, 1), items):
        item.opened_at = utcnow() - timedelta(days=days, minutes=1)
    db.session.commit()
    return ministries, (first, second, third)


def test_the_queue_is_oldest_first_with_reports_and_flags(queue):
    _pagination, entries = list_queue(QueueFilters())
    assert [e.comment.body_source for e in entries] == [
        "Je propose un amendement.",
        "أنت حقير",
        "ⴰⵣⵓⵍ ⴼⵍⴰⵡⵏ",
    ]
    assert [e.item.kind for e in entries] == ["pending", "pending", "reported"]
    assert entries[2].reports == {"off_topic": 1, "spam": 1}
    assert [f.rule for f in entries[1].flags] == ["word_list"]
    assert [e.overdue for e in entries] == [True, True, False]  # waiting for more than 48 hours
    assert count_waiting_items() == 3


@pytest.mark.parametrize(
    "filters, expected",
    [
        (QueueFilters(kind="pending"), [0, 1]),
        (QueueFilters(kind="reported"), [2]),
        (QueueFilters(kind="appeal"), []),
        (QueueFilters(reason="premoderation"), [0]),
        (QueueFilters(reason="word_list"), [1]),
        (QueueFilters(reason="spam"), [2]),
        (QueueFilters(reason="off_topic"), [2]),
        (QueueFilters(language="ar"), [1]),
        (QueueFilters(language="zgh"), [2]),
        (QueueFilters(language="fr"), [0]),
        (QueueFilters(older_than_days=2), [0, 1]),
        (QueueFilters(older_than_days=3), [0]),
        (QueueFilters(kind="pending", language="fr"), [0]),
    ],
)
def test_queue_filters(queue, filters, expected):
    _ministries, comments = queue
    assert waiting(filters) == [comments[i].body_source for i in expected]


def test_queue_filter_by_institution(queue):
    ministries, comments = queue
    assert waiting(QueueFilters(institution_id=ministries[1].id)) == [comments[1].body_source]


def test_decided_and_deleted_comments_leave_the_queue(queue, author, moderator):
    _ministries, (first, second, _third) = queue
    item = db.session.scalar(sa.select(ModerationItem).where(ModerationItem.comment_id == first.id))
    decide_comment(moderator, first, decision="approve", reason="respects_rules", item=item)
    delete_comment(author, second)
    assert waiting() == ["ⴰⵣⵓⵍ ⴼⵍⴰⵡⵏ"]
    assert count_waiting_items() == 1


def test_the_queue_runs_a_fixed_number_of_queries(app, notes, author, reporters):
    from participation.auth.models import User
    from tests.query_counts import counted_queries

    author_id, reporter_id = author.id, reporters[0].id
    counts = []
    for size in (3, 30):
        for _ in range(size):
            comment = make_comment(notes(), db.session.get(User, author_id), commit=False)
            report_comment(db.session.get(User, reporter_id), comment, reason="spam")
        db.session.commit()
        db.session.expunge_all()
        with counted_queries() as statements:
            _pagination, entries = list_queue(QueueFilters())
            [(e.comment.author.display_name, e.item.institution) for e in entries]
        counts.append(len(statements))
    assert counts[0] == counts[1]


# What a thread shows


def test_the_reader_sees_what_they_reported_and_why_their_comment_is_hidden(
    note, target, author, reporters, moderator
):
    comment = make_comment(note, author)
    other = make_comment(note, reporters[1])
    for reporter in reporters[:3]:
        report_comment(reporter, comment, reason="spam")
    db.session.commit()
    assert get_reader_moderation(reporters[0], [comment, other]).reported == {comment.id}
    notice = get_reader_moderation(author, [comment, other]).notices[comment.id]
    assert notice.decision.is_automatic
    assert not notice.can_appeal
    item = db.session.scalar(sa.select(ModerationItem))
    decision = decide_comment(
        moderator, comment, decision="reject", reason="insult_or_hate", item=item
    )
    db.session.commit()
    notice = get_reader_moderation(author, [comment]).notices[comment.id]
    assert (notice.decision.id, notice.can_appeal, notice.appeal) == (decision.id, True, None)
    appeal = appeal_decision(author, decision, text="Je conteste")
    notice = get_reader_moderation(author, [comment]).notices[comment.id]
    assert (notice.appeal.id, notice.can_appeal) == (appeal.id, False)
    node = get_thread(target, author).nodes[0]
    assert node.notice.decision.id == decision.id
    assert node.own
    other_reader = get_thread(target, reporters[0])
    assert [n.comment.id for n in other_reader.nodes] == [other.id]


def test_report_rights_in_a_thread(note, target, author, reporters):
    comment = make_comment(note, author)
    report_comment(reporters[0], comment, reason="spam")
    [by_reporter] = get_thread(target, reporters[0]).nodes
    [by_other] = get_thread(target, reporters[1]).nodes
    [by_author] = get_thread(target, author).nodes
    assert (by_reporter.reported, by_reporter.can_report) == (True, True)
    assert (by_other.reported, by_other.can_report) == (False, True)
    assert (by_author.reported, by_author.can_report) == (False, False)


def test_the_reader_moderation_costs_no_query_for_anonymous_readers(note, author):
    from flask_login import AnonymousUserMixin

    from tests.query_counts import counted_queries

    comment = make_comment(note, author)
    with counted_queries() as statements:
        assert get_reader_moderation(AnonymousUserMixin(), [comment]).reported == set()
    assert statements == []


# Blocked authors


def test_comments_of_blocked_authors_are_not_public(note, target, author, moderator, reporters):
    shown = make_comment(note, reporters[0], stance="agree")
    blocked_root = make_comment(note, author, stance="agree")
    make_comment(note, reporters[1], parent=blocked_root)
    block_user(moderator, author, reason="Spam")
    db.session.commit()
    assert count_comments("note", [note.id]) == {note.id: 2}
    assert count_stances("note", [note.id])[note.id]["agree"] == 1
    nodes = get_thread(target, reporters[2]).nodes
    assert [n.comment.id for n in nodes] == [shown.id, blocked_root.id]
    assert nodes[1].withheld
    assert not nodes[1].can_reply
    assert not nodes[1].can_report  # a placeholder for its reply
    own = get_thread(target, author).nodes
    assert not own[1].withheld  # the author still sees their own words


# Public statistics


@pytest.fixture
def clock(monkeypatch):
    """Decisions take their date from the services' clock: set it to any moment."""
    from participation.moderation import services

    clock = {"now": utcnow()}
    monkeypatch.setattr(services, "utcnow", lambda: clock["now"])
    return clock


def _approved_after(notes, author, moderator, clock, at, hours):
    comment = make_comment(notes(), author, status=CommentStatus.PENDING)
    item = ModerationItem.open_for(comment, kind="pending", reason="premoderation")
    item.opened_at = at - timedelta(hours=hours)
    clock["now"] = at
    return decide_comment(
        moderator, comment, decision="approve", reason="respects_rules", item=item
    )


def test_monthly_statistics(notes, author, moderator, second_moderator, reporters, clock):
    now = datetime(2026, 3, 15, 12, tzinfo=timezone.utc)
    march, february = now - timedelta(days=1), now - timedelta(days=30)
    for hours in (1, 3, 8):
        _approved_after(notes, author, moderator, clock, march, hours)
    spam = make_comment(notes(), author)
    clock["now"] = february
    rejected = decide_comment(moderator, spam, decision="reject", reason="spam")
    appeal_decision(author, rejected, text="Je conteste", now=february)
    appeal_item = db.session.scalar(
        sa.select(ModerationItem).where(ModerationItem.kind == "appeal")
    )
    appeal_item.opened_at = march - timedelta(hours=24)
    clock["now"] = march
    decide_comment(
        second_moderator, spam, decision="restore", reason="decision_corrected", item=appeal_item
    )
    hidden = make_comment(notes(), author)
    for reporter in reporters[:3]:
        report_comment(reporter, hidden, reason="spam")
    db.session.commit()

    months = list_monthly_statistics(months=3, now=now)
    assert [m.month.isoformat() for m in months] == ["2026-03-01", "2026-02-01", "2026-01-01"]
    in_march, in_february, in_january = months
    assert (
        in_march.count("approve"),
        in_march.count("restore", "decision_corrected"),
        in_march.total,
    ) == (3, 1, 4)
    assert (in_march.automatic, in_march.overturned, in_march.upheld, in_march.appeals) == (
        1,
        1,
        0,
        0,
    )
    assert in_march.median_wait == timedelta(hours=5.5)  # waits of 1, 3, 8 and 24 hours
    assert (in_february.count("reject", "spam"), in_february.appeals, in_february.median_wait) == (
        1,
        1,
        None,
    )
    assert (in_january.total, in_january.automatic, in_january.median_wait) == (0, 0, None)


def test_months_follow_moroccan_time(notes, author, moderator, clock):
    # 23:30 UTC on 31 January is already February in Morocco (UTC+1).
    _approved_after(
        notes, author, moderator, clock, datetime(2026, 1, 31, 23, 30, tzinfo=timezone.utc), 1
    )
    february, january = list_monthly_statistics(
        months=2, now=datetime(2026, 2, 10, tzinfo=timezone.utc)
    )
    assert (february.total, january.total) == (1, 0)
