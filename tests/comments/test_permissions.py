"""Permission matrices: who may comment, reply, edit, delete, vote, answer officially and read."""

from datetime import timedelta

import pytest
from flask_login import AnonymousUserMixin

from participation.auth.models import Role
from participation.comments import permissions as perms
from participation.comments.models import CommentStatus
from participation.core.models import utcnow
from participation.extensions import db
from tests.comments.factories import make_comment
from tests.factories import make_institution, make_user

ANONYMOUS = AnonymousUserMixin()


def person(kind, institution=None):
    """An actor of each kind the matrices use."""
    if kind == "anonymous":
        return ANONYMOUS
    if kind == "unverified":
        return make_user(verified=False)
    if kind == "deleted":
        user = make_user()
        user.deleted_at = utcnow()
        db.session.commit()
        return user
    if kind == "officer":
        return make_user(roles=[Role.OFFICER], institution=institution)
    if kind == "moderator":
        return make_user(roles=[Role.MODERATOR])
    return make_user()


@pytest.mark.parametrize(
    "kind, note_settings, allowed",
    [
        ("citizen", {}, True),
        ("officer", {}, True),
        ("moderator", {}, True),
        ("anonymous", {}, False),
        ("unverified", {}, False),
        ("deleted", {}, False),
        ("citizen", {"open": False}, False),
        ("citizen", {"readers": set()}, False),
    ],
)
def test_can_comment(notes, kind, note_settings, allowed):
    target = notes.target(notes(**note_settings))
    assert perms.can_comment(person(kind), target) is allowed


def test_can_comment_on_a_private_target_only_when_allowed_to_read_it(notes):
    reader = make_user()
    target = notes.target(notes(readers={reader.id}))
    assert perms.can_comment(reader, target)
    assert not perms.can_comment(make_user(), target)


def test_nobody_comments_on_a_missing_target(app):
    assert perms.can_comment(make_user(), None) is False


@pytest.mark.parametrize(
    "status, deleted, same_target, note_open, allowed",
    [
        ("visible", False, True, True, True),
        ("pending", False, True, True, False),
        ("hidden", False, True, True, False),
        ("rejected", False, True, True, False),
        ("visible", True, True, True, False),
        ("visible", False, False, True, False),
        ("visible", False, True, False, False),
    ],
)
def test_can_reply(notes, status, deleted, same_target, note_open, allowed):
    note = notes(open=note_open)
    author = make_user()
    comment = make_comment(note if same_target else notes(), author, status=status)
    if deleted:
        comment.deleted_at = utcnow()
    assert perms.can_reply(make_user(), comment, notes.target(note)) is allowed
    assert perms.can_reply(ANONYMOUS, comment, notes.target(note)) is False


@pytest.mark.parametrize(
    "actor, status, age_minutes, deleted, allowed",
    [
        ("author", "visible", 0, False, True),
        ("author", "pending", 14, False, True),
        ("author", "visible", 15, False, True),
        ("author", "visible", 16, False, False),
        ("author", "hidden", 0, False, False),
        ("author", "rejected", 0, False, False),
        ("author", "visible", 0, True, False),
        ("other", "visible", 0, False, False),
        ("moderator", "visible", 0, False, False),
        ("anonymous", "visible", 0, False, False),
    ],
)
def test_can_edit_comment(notes, actor, status, age_minutes, deleted, allowed):
    author = make_user()
    comment = make_comment(notes(), author, status=status, age=timedelta(minutes=age_minutes))
    if deleted:
        comment.deleted_at = utcnow()
    user = author if actor == "author" else person(actor)
    assert (
        perms.can_edit_comment(
            user, comment, now=comment.created_at + timedelta(minutes=age_minutes)
        )
        is allowed
    )


@pytest.mark.parametrize(
    "status, allowed",
    [("pending", True), ("visible", False), ("hidden", False), ("rejected", False)],
)
def test_can_edit_on_a_pre_moderated_target_until_approval(notes, status, allowed):
    author = make_user()
    note = notes(moderation_mode="pre")
    comment = make_comment(note, author, status=status)
    assert perms.can_edit_comment(author, comment) is allowed
    assert perms.can_edit_comment(author, comment, target=notes.target(note)) is allowed


@pytest.mark.parametrize(
    "actor, status, deleted, allowed",
    [
        ("author", "visible", False, True),
        ("author", "pending", False, True),
        ("author", "hidden", False, True),
        ("author", "visible", True, False),
        ("other", "visible", False, False),
        ("moderator", "visible", False, False),
        ("anonymous", "visible", False, False),
    ],
)
def test_can_delete_comment(notes, actor, status, deleted, allowed):
    author = make_user()
    comment = make_comment(notes(), author, status=status, age=timedelta(days=30))
    if deleted:
        comment.deleted_at = utcnow()
    assert (
        perms.can_delete_comment(author if actor == "author" else person(actor), comment) is allowed
    )


@pytest.mark.parametrize(
    "actor, status, deleted, note_settings, allowed",
    [
        ("citizen", "visible", False, {}, True),
        ("author", "visible", False, {}, False),
        ("anonymous", "visible", False, {}, False),
        ("unverified", "visible", False, {}, False),
        ("citizen", "pending", False, {}, False),
        ("citizen", "hidden", False, {}, False),
        ("citizen", "visible", True, {}, False),
        ("citizen", "visible", False, {"open": False}, False),
        ("citizen", "visible", False, {"readers": set()}, False),
    ],
)
def test_can_vote_useful(notes, actor, status, deleted, note_settings, allowed):
    author = make_user()
    note = notes(**note_settings)
    comment = make_comment(note, author, status=status)
    if deleted:
        comment.deleted_at = utcnow()
    user = author if actor == "author" else person(actor)
    assert perms.can_vote_useful(user, comment) is allowed
    assert perms.can_vote_useful(user, comment, notes.target(note)) is allowed


@pytest.mark.parametrize(
    "actor, target_institution, allowed",
    [
        ("officer", "own", True),
        ("officer", "other", False),
        ("officer", None, False),
        ("citizen", "own", False),
        ("moderator", "own", False),
        ("anonymous", "own", False),
    ],
)
def test_can_answer_officially(notes, actor, target_institution, allowed):
    own, other = make_institution(), make_institution()
    institution_id = {"own": own.id, "other": other.id, None: None}[target_institution]
    target = notes.target(notes(institution_id=institution_id))
    assert perms.can_answer_officially(person(actor, institution=own), target) is allowed


def test_a_revoked_officer_no_longer_answers_officially(notes):
    institution = make_institution()
    officer = make_user(roles=[Role.OFFICER], institution=institution)
    target = notes.target(notes(institution_id=institution.id))
    assert perms.can_answer_officially(officer, target)
    officer.grants[0].revoked_at = utcnow()
    db.session.commit()
    db.session.expire(officer, ["grants"])
    assert not perms.can_answer_officially(officer, target)


@pytest.mark.parametrize("status", list(CommentStatus))
@pytest.mark.parametrize("viewer", ["author", "other", "anonymous", "moderator"])
def test_can_see_comment(notes, status, viewer):
    author = make_user()
    comment = make_comment(notes(), author, status=status)
    user = author if viewer == "author" else person(viewer)
    assert perms.can_see_comment(user, comment) is (
        status == CommentStatus.VISIBLE or viewer == "author"
    )


def test_nobody_sees_comments_of_a_target_they_cannot_read(notes):
    author = make_user()
    note = notes(readers={author.id})
    comment = make_comment(note, author)
    assert perms.can_see_comment(author, comment)
    assert not perms.can_see_comment(make_user(), comment)
    assert not perms.can_see_comment(ANONYMOUS, comment)
    note.readers = None
    assert perms.can_see_comment(ANONYMOUS, comment)
