"""Who may report, moderate, appeal, block and set the screening rules."""

from datetime import timedelta

import pytest
from flask_login import AnonymousUserMixin

from participation.auth.models import Role
from participation.comments.models import CommentStatus
from participation.moderation import permissions as perms
from participation.moderation.services import appeal_decision, decide_comment
from participation.core.models import utcnow
from participation.extensions import db
from tests.comments.factories import make_comment
from tests.factories import make_user

ANONYMOUS = AnonymousUserMixin()


def actor(kind, author=None):
    """anonymous, unverified, citizen, blocked, author, moderator, administrator, officer, observer."""
    if kind == "anonymous":
        return ANONYMOUS
    if kind == "author":
        return author
    if kind == "unverified":
        return make_user(verified=False)
    if kind == "blocked":
        user = make_user()
        user.blocked_at, user.blocked_reason = utcnow(), "Spam"
        db.session.commit()
        return user
    roles = {
        "citizen": [],
        "moderator": [Role.MODERATOR],
        "administrator": [Role.ADMINISTRATOR],
        "officer": [Role.OFFICER],
        "observer": [Role.OBSERVER],
    }[kind]
    return make_user(roles=roles)


@pytest.mark.parametrize(
    "kind, status, allowed",
    [
        ("anonymous", "visible", False),
        ("unverified", "visible", False),
        ("blocked", "visible", False),
        ("author", "visible", False),
        ("citizen", "visible", True),
        ("moderator", "visible", True),
        ("officer", "visible", True),
        ("citizen", "pending", False),
        ("citizen", "hidden", False),
        ("citizen", "rejected", False),
    ],
)
def test_can_report_comment(note, author, kind, status, allowed):
    comment = make_comment(note, author, status=status)
    assert perms.can_report_comment(actor(kind, author), comment) is allowed


def test_nobody_reports_a_deleted_comment_or_one_on_a_page_they_cannot_read(notes, author):
    citizen = make_user()
    deleted = make_comment(notes(), author)
    deleted.deleted_at = utcnow()
    private = make_comment(notes(readers={author.id}), author)
    assert not perms.can_report_comment(citizen, deleted)
    assert not perms.can_report_comment(citizen, private)
    assert not perms.can_report_comment(citizen, None)


def test_nobody_reports_the_comment_of_a_blocked_author(note, author):
    comment = make_comment(note, author)
    author.blocked_at, author.blocked_reason = utcnow(), "Spam"
    assert not perms.can_report_comment(make_user(), comment)


@pytest.mark.parametrize(
    "kind, allowed",
    [
        ("anonymous", False),
        ("citizen", False),
        ("officer", False),
        ("observer", False),
        ("administrator", False),
        ("moderator", True),
        ("author", False),
    ],
)
def test_can_moderate_comment_and_view_the_queue(note, kind, allowed):
    moderator_author = make_user(roles=[Role.MODERATOR])
    comment = make_comment(note, moderator_author)
    user = actor(kind, moderator_author)
    assert perms.can_moderate_comment(user, comment) is allowed
    assert perms.can_view_moderation_queue(user) is (kind in ("moderator", "author"))


def test_an_appeal_goes_to_another_moderator(comment, author, moderator, second_moderator):
    decision = decide_comment(moderator, comment, decision="hide", reason="spam")
    appeal = appeal_decision(author, decision, text="Je conteste")
    assert not perms.can_moderate_comment(moderator, comment, appeal)
    assert perms.can_moderate_comment(second_moderator, comment, appeal)
    assert not perms.can_moderate_comment(author, comment, appeal)


@pytest.mark.parametrize(
    "decision, reason, kind, days, allowed",
    [
        ("hide", "spam", "author", 0, True),
        ("reject", "unlawful", "author", 13, True),
        ("reject", "unlawful", "author", 15, False),
        ("hide", "spam", "citizen", 0, False),
        ("hide", "spam", "moderator", 0, False),
        ("hide", "spam", "anonymous", 0, False),
        ("approve", "respects_rules", "author", 0, False),
    ],
)
def test_can_appeal_decision(notes, author, moderator, decision, reason, kind, days, allowed):
    status = CommentStatus.PENDING if decision == "approve" else CommentStatus.VISIBLE
    comment = make_comment(notes(), author, status=status)
    record = decide_comment(moderator, comment, decision=decision, reason=reason)
    assert (
        perms.can_appeal_decision(actor(kind, author), record, utcnow() + timedelta(days=days))
        is allowed
    )


def test_no_appeal_once_appealed_or_superseded(notes, author, moderator):
    comment = make_comment(notes(), author)
    first = decide_comment(moderator, comment, decision="hide", reason="spam")
    appeal_decision(author, first, text="Je conteste")
    assert not perms.can_appeal_decision(author, first)
    other = make_comment(notes(), author)
    hidden = decide_comment(moderator, other, decision="hide", reason="spam")
    decide_comment(moderator, other, decision="reject", reason="spam")
    assert not perms.can_appeal_decision(author, hidden)


@pytest.mark.parametrize(
    "kind, target_kind, allowed",
    [
        ("moderator", "citizen", True),
        ("moderator", "blocked", False),
        ("moderator", "moderator", False),
        ("moderator", "administrator", False),
        ("moderator", "officer", False),
        ("administrator", "citizen", False),
        ("citizen", "citizen", False),
        ("anonymous", "citizen", False),
    ],
)
def test_can_block_user(kind, target_kind, allowed, app):
    assert perms.can_block_user(actor(kind), actor(target_kind)) is allowed


def test_nobody_blocks_themselves_or_a_deleted_account(moderator):
    deleted = make_user()
    deleted.deleted_at = utcnow()
    assert not perms.can_block_user(moderator, moderator)
    assert not perms.can_block_user(moderator, deleted)


@pytest.mark.parametrize(
    "kind, target_kind, allowed",
    [
        ("administrator", "blocked", True),
        ("administrator", "citizen", False),
        ("moderator", "blocked", False),
        ("anonymous", "blocked", False),
    ],
)
def test_can_unblock_user(kind, target_kind, allowed, app):
    assert perms.can_unblock_user(actor(kind), actor(target_kind)) is allowed


@pytest.mark.parametrize(
    "kind, screening, user_page",
    [
        ("anonymous", False, False),
        ("citizen", False, False),
        ("moderator", False, True),
        ("administrator", True, True),
        ("observer", False, False),
    ],
)
def test_screening_and_user_pages(kind, screening, user_page, app):
    user = actor(kind)
    assert perms.can_manage_screening(user) is screening
    assert perms.can_view_user_moderation(user) is user_page
