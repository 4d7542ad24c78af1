"""Reports, locks, every decision path, appeals and blocking, with their refusals."""

from datetime import timedelta

import pytest
import sqlalchemy as sa

from participation.auth.services import export_personal_data
from participation.comments.models import STATUS_TRANSITIONS, CommentStatus
from participation.core.audit import AppendOnlyViolation
from participation.moderation import services
from participation.moderation.models import (
    DECISION_EFFECTS,
    DECISION_REASONS,
    MODERATOR_DECISIONS,
    CommentReport,
    Decision,
    ModerationAppeal,
    ModerationDecision,
    ModerationItem,
)
from participation.moderation.services import (
    appeal_decision,
    block_user,
    decide_comment,
    decide_items,
    release_item,
    report_comment,
    take_item,
    unblock_user,
    update_screening_settings,
)
from participation.comments.services import post_comment
from participation.core.audit import AuditEntry
from participation.core.errors import DomainError, PermissionDenied
from participation.core.models import utcnow
from participation.extensions import db
from tests.comments.factories import make_comment
from tests.factories import make_user
from tests.moderation.helpers import item_for

REASON_FOR = {
    Decision.APPROVE: "respects_rules",
    Decision.RESTORE: "decision_corrected",
    Decision.HIDE: "insult_or_hate",
    Decision.REJECT: "spam",
}


def decisions(comment=None):
    query = sa.select(ModerationDecision).order_by(ModerationDecision.id)
    if comment is not None:
        query = query.where(ModerationDecision.comment_id == comment.id)
    return db.session.scalars(query).all()


def refused(code, action):
    with pytest.raises(DomainError) as error:
        action()
    assert error.value.code == code
    db.session.rollback()


# Reports


def test_a_report_opens_a_queue_item(comment, reporters):
    report = report_comment(reporters[0], comment, reason="personal_data")
    db.session.commit()
    item = db.session.scalar(sa.select(ModerationItem))
    assert (report.reason, report.reporter_id, report.resolved_at) == (
        "personal_data",
        reporters[0].id,
        None,
    )
    assert (item.comment_id, item.kind, item.reason, item.language) == (
        comment.id,
        "reported",
        "personal_data",
        "fr",
    )
    assert comment.status == CommentStatus.VISIBLE


def test_the_third_distinct_report_hides_the_comment_pending_review(
    comment, reporters, author, outbox
):
    for reporter in reporters[:2]:
        report_comment(reporter, comment, reason="spam")
    assert comment.status == CommentStatus.VISIBLE
    report_comment(reporters[2], comment, reason="insult_or_hate")
    db.session.commit()
    assert comment.status == CommentStatus.HIDDEN
    [automatic] = decisions(comment)
    assert (
        automatic.moderator_id,
        automatic.decision,
        automatic.reason,
        automatic.from_status,
        automatic.to_status,
    ) == (
        None,
        "hide",
        "reported",
        "visible",
        "hidden",
    )
    item = db.session.scalar(sa.select(ModerationItem))
    assert item.is_open
    assert automatic.item_id == item.id  # still waiting for a moderator
    [mail] = outbox(template="moderation_decision")
    assert (mail.to_address, mail.language) == (author.email, "ar")


@pytest.mark.parametrize("config_overrides", [{"MODERATION_REPORT_THRESHOLD": 1}])
def test_the_threshold_is_a_setting(comment, reporters):
    report_comment(reporters[0], comment, reason="spam")
    assert comment.status == CommentStatus.HIDDEN


def test_reports_count_once_per_citizen(comment, reporters):
    report_comment(reporters[0], comment, reason="spam")
    db.session.commit()
    refused("already_reported", lambda: report_comment(reporters[0], comment, reason="off_topic"))
    assert db.session.scalar(sa.select(sa.func.count()).select_from(CommentReport)) == 1


def test_the_database_refuses_a_second_report(comment, reporters):
    db.session.add(CommentReport(comment_id=comment.id, reporter_id=reporters[0].id, reason="spam"))
    db.session.commit()
    db.session.add(CommentReport(comment_id=comment.id, reporter_id=reporters[0].id, reason="spam"))
    with pytest.raises(sa.exc.IntegrityError):
        db.session.commit()
    db.session.rollback()


def test_report_refusals(comment, author, reporters):
    refused("own_comment", lambda: report_comment(author, comment, reason="spam"))
    refused("empty", lambda: report_comment(reporters[0], comment, reason="other", details="  "))
    refused("invalid_reason", lambda: report_comment(reporters[0], comment, reason="boring"))
    assert (
        report_comment(
            reporters[0], comment, reason="other", details="Propos diffamatoires"
        ).details
        == "Propos diffamatoires"
    )


@pytest.mark.parametrize(
    "status", [CommentStatus.PENDING, CommentStatus.HIDDEN, CommentStatus.REJECTED]
)
def test_only_public_comments_are_reported(note, author, reporters, status):
    comment = make_comment(note, author, status=status)
    with pytest.raises(PermissionDenied):
        report_comment(reporters[0], comment, reason="spam")


def test_a_decision_resolves_the_reports_and_new_ones_count_afresh(comment, reporters, moderator):
    for reporter in reporters[:2]:
        report_comment(reporter, comment, reason="spam")
    item = db.session.scalar(sa.select(ModerationItem))
    decide_comment(moderator, comment, decision="approve", reason="respects_rules", item=item)
    assert (
        db.session.scalar(sa.select(sa.func.count()).where(CommentReport.resolved_at.is_(None)))
        == 0
    )
    report_comment(reporters[2], comment, reason="spam")
    assert comment.status == CommentStatus.VISIBLE  # one open report, not three


# Decisions


def test_every_change_a_decision_makes_is_an_allowed_status_transition():
    for effects in DECISION_EFFECTS.values():
        for current, new in effects.items():
            assert new == current or new in STATUS_TRANSITIONS[current]


CASES = [
    (decision, current, new)
    for decision in MODERATOR_DECISIONS
    for current, new in DECISION_EFFECTS[decision].items()
]


@pytest.mark.parametrize("decision, current, new", CASES)
def test_every_decision_path(note, author, moderator, outbox, decision, current, new):
    comment = make_comment(note, author, status=current)
    item = item_for(comment, kind="pending" if current == CommentStatus.PENDING else "reported")
    record = decide_comment(
        moderator, comment, decision=decision, reason=REASON_FOR[decision], note="Merci", item=item
    )
    db.session.commit()
    assert comment.status == new
    assert (
        record.moderator_id,
        record.decision,
        record.reason,
        record.note,
        record.from_status,
        record.to_status,
        record.item_id,
    ) == (
        moderator.id,
        decision,
        REASON_FOR[decision],
        "Merci",
        current,
        new,
        item.id,
    )
    assert not item.is_open
    assert item.locked_by_id is None
    audit = db.session.scalar(
        sa.select(AuditEntry).where(AuditEntry.action == "moderation.decision")
    )
    assert (audit.actor_id, audit.target_type, audit.target_id, audit.details["decision_id"]) == (
        moderator.id,
        "comments",
        comment.id,
        record.id,
    )
    mails = outbox(template="moderation_decision")
    if decision == Decision.APPROVE and new == current:
        assert mails == []  # reports dismissed: nothing changed for the author
    else:
        assert [(m.to_address, m.language) for m in mails] == [(author.email, "ar")]
        appealable = decision in (Decision.HIDE, Decision.REJECT)
        assert (f"/ar/moderation/decisions/{record.id}/appeal" in mails[0].body_text) is appealable


INVALID = [
    (d, s) for d in MODERATOR_DECISIONS for s in CommentStatus if s not in DECISION_EFFECTS[d]
]


@pytest.mark.parametrize("reason", ["screened", "respects_rules"])
def test_a_moderator_cannot_take_the_platforms_hold_decision(comment, moderator, reason):
    item = item_for(comment, kind="reported")
    with pytest.raises(DomainError) as refused:
        decide_comment(moderator, comment, decision="hold", reason=reason, item=item)
    assert refused.value.code == "invalid_choice"
    assert comment.status == CommentStatus.VISIBLE
    assert item.is_open


@pytest.mark.parametrize("decision, current", INVALID)
def test_decisions_that_do_not_apply_are_refused(note, author, moderator, decision, current):
    comment = make_comment(note, author, status=current)
    item = item_for(comment)
    refused(
        "invalid_decision",
        lambda: decide_comment(
            moderator, comment, decision=decision, reason=REASON_FOR[decision], item=item
        ),
    )
    assert comment.status == current
    assert decisions() == []


def test_a_decision_that_changes_nothing_needs_a_queue_item(comment, moderator):
    refused(
        "nothing_to_decide",
        lambda: decide_comment(moderator, comment, decision="approve", reason="respects_rules"),
    )


def test_a_moderator_may_hide_a_comment_that_was_not_reported(comment, moderator):
    record = decide_comment(moderator, comment, decision="hide", reason="off_topic")
    assert (comment.status, record.item_id) == (CommentStatus.HIDDEN, None)


@pytest.mark.parametrize(
    "decision, reason, note_text, code",
    [
        ("approve", "spam", None, "reason_mismatch"),
        ("reject", "respects_rules", None, "reason_mismatch"),
        ("hide", "reported", None, "reason_mismatch"),
        ("hide", "other", "", "empty"),
        ("delete", "spam", None, "invalid_choice"),
        ("hide", "because", None, "invalid_choice"),
    ],
)
def test_decisions_need_a_fitting_reason(comment, moderator, decision, reason, note_text, code):
    refused(
        code,
        lambda: decide_comment(
            moderator, comment, decision=decision, reason=reason, note=note_text
        ),
    )


def test_every_decision_has_reasons_and_other_needs_a_note(comment, moderator):
    assert all(DECISION_REASONS[d] for d in MODERATOR_DECISIONS)
    record = decide_comment(
        moderator, comment, decision="hide", reason="other", note="Publicité déguisée"
    )
    assert record.note == "Publicité déguisée"


def test_moderators_cannot_decide_on_their_own_content(note, moderator, second_moderator):
    comment = make_comment(note, moderator, status=CommentStatus.PENDING)
    item = item_for(comment, kind="pending")
    db.session.commit()
    refused(
        "own_content",
        lambda: decide_comment(
            moderator, comment, decision="approve", reason="respects_rules", item=item
        ),
    )
    refused("own_content", lambda: take_item(moderator, item))
    assert (
        decide_comment(
            second_moderator, comment, decision="approve", reason="respects_rules", item=item
        ).to_status
        == "visible"
    )


@pytest.mark.parametrize("actor_kind", ["citizen", "administrator"])
def test_only_moderators_decide(comment, actor_kind, administrator, reporters):
    actor = administrator if actor_kind == "administrator" else reporters[0]
    with pytest.raises(PermissionDenied):
        decide_comment(actor, comment, decision="hide", reason="spam")


# Locks


def test_a_lock_keeps_other_moderators_from_deciding(
    comment, reporters, moderator, second_moderator
):
    report_comment(reporters[0], comment, reason="spam")
    item = db.session.scalar(sa.select(ModerationItem))
    take_item(moderator, item)
    db.session.commit()
    assert item.held_by(moderator)
    assert 14 <= (item.locked_until - utcnow()).total_seconds() / 60 <= 15
    refused("locked", lambda: take_item(second_moderator, item))
    refused(
        "locked",
        lambda: decide_comment(
            second_moderator, comment, decision="hide", reason="spam", item=item
        ),
    )
    assert comment.status == CommentStatus.VISIBLE
    record = decide_comment(moderator, comment, decision="hide", reason="spam", item=item)
    assert record.moderator_id == moderator.id


def test_an_expired_lock_no_longer_holds(comment, reporters, moderator, second_moderator):
    report_comment(reporters[0], comment, reason="spam")
    item = db.session.scalar(sa.select(ModerationItem))
    take_item(moderator, item, now=utcnow() - timedelta(minutes=16))
    db.session.commit()
    assert take_item(second_moderator, item).locked_by_id == second_moderator.id


def test_the_holder_releases_a_lock(comment, reporters, moderator, second_moderator):
    report_comment(reporters[0], comment, reason="spam")
    item = db.session.scalar(sa.select(ModerationItem))
    take_item(moderator, item)
    db.session.commit()
    with pytest.raises(PermissionDenied):
        release_item(second_moderator, item)
    db.session.rollback()
    release_item(moderator, item)
    assert item.locked_by_id is None
    assert take_item(second_moderator, item).held_by(second_moderator)


def test_an_item_decided_meanwhile_is_not_decided_twice(
    comment, reporters, moderator, second_moderator
):
    report_comment(reporters[0], comment, reason="spam")
    item = db.session.scalar(sa.select(ModerationItem))
    decide_comment(moderator, comment, decision="approve", reason="respects_rules", item=item)
    db.session.commit()
    refused(
        "already_decided",
        lambda: decide_comment(
            second_moderator, comment, decision="reject", reason="spam", item=item
        ),
    )
    refused("already_decided", lambda: take_item(second_moderator, item))
    assert comment.status == CommentStatus.VISIBLE
    assert len(decisions()) == 1


def test_bulk_decisions_leave_what_the_moderator_may_not_decide(
    note, author, moderator, second_moderator
):
    mine = make_comment(note, moderator, status=CommentStatus.PENDING)
    locked = make_comment(note, author, status=CommentStatus.PENDING)
    free = [make_comment(note, author, status=CommentStatus.PENDING) for _ in range(3)]
    items = [item_for(c, kind="pending") for c in (mine, locked, *free)]
    take_item(second_moderator, items[1])
    db.session.commit()
    decided, left = decide_items(moderator, items, decision="reject", reason="spam")
    db.session.commit()
    assert [d.comment_id for d in decided] == [c.id for c in free]
    assert left == items[:2]
    assert [c.status for c in (mine, locked, *free)] == [
        "pending",
        "pending",
        "rejected",
        "rejected",
        "rejected",
    ]
    assert items[1].held_by(second_moderator)
    assert items[0].is_open


def test_bulk_decisions_check_the_decision_first(moderator, comment):
    refused(
        "reason_mismatch", lambda: decide_items(moderator, [], decision="approve", reason="spam")
    )


# Appeals


@pytest.fixture
def rejected(comment, moderator):
    record = decide_comment(moderator, comment, decision="reject", reason="spam")
    db.session.commit()
    return record


def test_the_author_appeals_and_another_moderator_restores(
    comment, author, moderator, second_moderator, rejected, outbox
):
    appeal = appeal_decision(author, rejected, text="Ce n'est pas de la publicité.")
    db.session.commit()
    item = db.session.scalar(sa.select(ModerationItem).where(ModerationItem.closed_at.is_(None)))
    assert (appeal.decision_id, appeal.author_id, item.kind, item.reason) == (
        rejected.id,
        author.id,
        "appeal",
        "appeal",
    )
    refused(
        "own_decision",
        lambda: decide_comment(
            moderator, comment, decision="restore", reason="decision_corrected", item=item
        ),
    )
    refused("own_decision", lambda: take_item(moderator, item))
    outcome = decide_comment(
        second_moderator, comment, decision="restore", reason="decision_corrected", item=item
    )
    db.session.commit()
    assert (outcome.appeal_of_id, outcome.to_status, comment.status) == (
        rejected.id,
        "visible",
        "visible",
    )
    [mail] = outbox(template="moderation_appeal_decided")
    assert mail.to_address == author.email
    assert "/appeal" not in mail.body_text


def test_an_appeal_may_be_upheld(comment, author, second_moderator, rejected, outbox):
    appeal_decision(author, rejected, text="Je conteste.")
    item = db.session.scalar(sa.select(ModerationItem).where(ModerationItem.closed_at.is_(None)))
    outcome = decide_comment(
        second_moderator,
        comment,
        decision="reject",
        reason="spam",
        note="Lien commercial",
        item=item,
    )
    assert (outcome.from_status, outcome.to_status, outcome.appeal_of_id) == (
        "rejected",
        "rejected",
        rejected.id,
    )
    assert len(outbox(template="moderation_appeal_decided")) == 1
    with pytest.raises(PermissionDenied):
        appeal_decision(author, outcome, text="Encore")  # the outcome of an appeal is final


def test_a_second_appeal_is_refused(author, rejected):
    appeal_decision(author, rejected, text="Je conteste.")
    db.session.commit()
    refused("already_appealed", lambda: appeal_decision(author, rejected, text="Encore"))
    assert db.session.scalar(sa.select(sa.func.count()).select_from(ModerationAppeal)) == 1


@pytest.mark.parametrize("days, allowed", [(13, True), (15, False)])
def test_appeals_within_the_window_only(author, rejected, days, allowed):
    later = utcnow() + timedelta(days=days)
    if allowed:
        assert (
            appeal_decision(author, rejected, text="Je conteste.", now=later).decision_id
            == rejected.id
        )
    else:
        refused(
            "appeal_window_over",
            lambda: appeal_decision(author, rejected, text="Je conteste.", now=later),
        )


@pytest.mark.parametrize("config_overrides", [{"MODERATION_APPEAL_WINDOW_DAYS": 2}])
def test_the_appeal_window_is_a_setting(author, rejected):
    refused(
        "appeal_window_over",
        lambda: appeal_decision(
            author, rejected, text="Je conteste.", now=utcnow() + timedelta(days=3)
        ),
    )


def test_appeal_refusals(comment, author, reporters, moderator, rejected):
    with pytest.raises(PermissionDenied):
        appeal_decision(reporters[0], rejected, text="Pas le mien")
    db.session.rollback()
    refused("empty", lambda: appeal_decision(author, rejected, text="   "))
    restored = decide_comment(moderator, comment, decision="restore", reason="decision_corrected")
    with pytest.raises(PermissionDenied):
        appeal_decision(author, restored, text="Rien à contester")  # restores are not appealable
    with pytest.raises(PermissionDenied):
        appeal_decision(author, rejected, text="Plus en vigueur")  # no longer the latest decision


def test_an_automatic_hide_is_reviewed_not_appealed(comment, author, reporters):
    for reporter in reporters[:3]:
        report_comment(reporter, comment, reason="spam")
    [automatic] = decisions(comment)
    with pytest.raises(PermissionDenied):
        appeal_decision(author, automatic, text="Je conteste")


def test_a_moderator_confirms_an_automatic_hide_and_the_author_may_appeal_it(
    comment, author, reporters, moderator
):
    for reporter in reporters[:3]:
        report_comment(reporter, comment, reason="spam")
    item = db.session.scalar(sa.select(ModerationItem))
    confirmed = decide_comment(
        moderator, comment, decision="hide", reason="insult_or_hate", item=item
    )
    assert (confirmed.from_status, confirmed.to_status, item.is_open) == ("hidden", "hidden", False)
    assert appeal_decision(author, confirmed, text="Je conteste").decision_id == confirmed.id


# Append-only records


def test_decisions_and_appeals_refuse_changes_through_the_orm(author, rejected):
    appeal = appeal_decision(author, rejected, text="Je conteste.")
    db.session.commit()
    for record, attribute, value in ((rejected, "reason", "other"), (appeal, "text", "changed")):
        setattr(record, attribute, value)
        with pytest.raises(AppendOnlyViolation):
            db.session.commit()
        db.session.rollback()
        db.session.delete(record)
        with pytest.raises(AppendOnlyViolation):
            db.session.commit()
        db.session.rollback()


@pytest.mark.parametrize(
    "statement",
    [
        "UPDATE moderation_decisions SET reason = 'other'",
        "DELETE FROM moderation_decisions",
        "UPDATE moderation_appeals SET text = 'changed'",
        "DELETE FROM moderation_appeals",
    ],
)
def test_decisions_and_appeals_refuse_changes_in_the_database(author, rejected, statement):
    appeal_decision(author, rejected, text="Je conteste.")
    db.session.commit()
    with pytest.raises(sa.exc.DatabaseError):
        with db.engine.begin() as connection:
            connection.exec_driver_sql(statement)
    assert db.session.scalar(sa.select(ModerationDecision.reason)) == "spam"


# Blocking


def test_blocking_hides_the_content_and_stops_posting(
    note, target, author, moderator, administrator, outbox
):
    make_comment(note, author)
    block_user(moderator, author, reason="Insultes répétées")
    db.session.commit()
    assert (author.blocked_reason, author.blocked_by_id) == ("Insultes répétées", moderator.id)
    assert author.is_blocked
    with pytest.raises(PermissionDenied):
        post_comment(author, target, body="Encore moi")
    [mail] = outbox(template="account_blocked")
    assert mail.to_address == author.email
    assert "Insultes répétées" in mail.body_text
    audit = db.session.scalar(
        sa.select(AuditEntry).where(AuditEntry.action == "moderation.user_blocked")
    )
    assert (audit.actor_id, audit.target_id, audit.details) == (
        moderator.id,
        author.id,
        {"reason": "Insultes répétées"},
    )
    with pytest.raises(PermissionDenied):
        unblock_user(moderator, author)
    db.session.rollback()
    unblock_user(administrator, author)
    db.session.commit()
    assert not author.is_blocked
    assert author.blocked_reason is None
    assert (
        db.session.scalar(
            sa.select(AuditEntry.actor_id).where(AuditEntry.action == "moderation.user_unblocked")
        )
        == administrator.id
    )
    assert len(outbox(template="account_unblocked")) == 1
    assert post_comment(author, target, body="De retour").status == "visible"


def test_block_refusals(author, moderator, second_moderator):
    refused("empty", lambda: block_user(moderator, author, reason=" "))
    with pytest.raises(PermissionDenied):
        block_user(moderator, second_moderator, reason="Staff")
    with pytest.raises(PermissionDenied):
        block_user(moderator, moderator, reason="Moi")
    block_user(moderator, author, reason="Spam")
    refused("already_blocked", lambda: block_user(moderator, author, reason="Encore"))


# Settings, personal data, guards


def test_screening_settings_are_checked_and_audited(administrator, moderator):
    lists = {"fr": "mot"}
    with pytest.raises(PermissionDenied):
        update_screening_settings(
            moderator,
            check_links=True,
            max_links=2,
            check_repeats=True,
            repeat_window_hours=24,
            repeat_min_length=30,
            check_words=True,
            word_lists=lists,
        )
    refused(
        "out_of_range",
        lambda: update_screening_settings(
            administrator,
            check_links=True,
            max_links=-1,
            check_repeats=True,
            repeat_window_hours=24,
            repeat_min_length=30,
            check_words=True,
            word_lists=lists,
        ),
    )
    settings = update_screening_settings(
        administrator,
        check_links=True,
        max_links=4,
        check_repeats=True,
        repeat_window_hours=24,
        repeat_min_length=30,
        check_words=True,
        word_lists=lists,
    )
    assert settings.max_links == 4
    assert settings.terms("fr") == ["mot"]
    assert settings.terms("ar") == []
    assert (
        db.session.scalar(
            sa.select(AuditEntry.action).where(AuditEntry.target_type == "screening_settings")
        )
        == "moderation.screening_updated"
    )


def test_reports_and_appeals_are_part_of_the_personal_data_export(
    comment, author, reporters, rejected
):
    report = make_user()
    other = make_comment(comment_note(comment), author)
    report_comment(report, other, reason="off_topic")
    appeal_decision(author, rejected, text="Je conteste.")
    assert export_personal_data(report, report)["moderation"]["reports"][0]["reason"] == "off_topic"
    assert (
        export_personal_data(author, author)["moderation"]["appeals"][0]["text"] == "Je conteste."
    )


def comment_note(comment):
    from tests.comments.factories import Note

    return Note(id=comment.target_id)


def test_every_service_has_a_guard():
    for name in (
        "report_comment",
        "take_item",
        "release_item",
        "decide_comment",
        "decide_items",
        "appeal_decision",
        "block_user",
        "unblock_user",
        "update_screening_settings",
    ):
        assert (
            getattr(services, name).guarded_by.__module__ == "participation.moderation.permissions"
        )
