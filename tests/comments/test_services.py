import itertools
from datetime import timedelta

import pytest
import sqlalchemy as sa

from participation.auth.models import Role
from participation.auth.services import export_personal_data
from participation.comments import services
from participation.comments.models import (
    MAX_DEPTH,
    STATUS_TRANSITIONS,
    Comment,
    CommentStatus,
    CommentVote,
)
from participation.comments.services import (
    change_comment_status,
    delete_comment,
    edit_comment,
    post_comment,
    toggle_useful_vote,
)
from participation.core.audit import AuditEntry
from participation.core.errors import DomainError, PermissionDenied
from participation.extensions import db
from tests.comments.factories import make_comment
from tests.factories import make_institution, make_user


def test_post_mode_publishes_at_once_with_sanitised_html(citizen, target):
    comment = post_comment(citizen, target, body="**Yes** <script>alert(1)</script>")
    db.session.commit()
    assert comment.status == CommentStatus.VISIBLE
    assert comment.body_source == "**Yes** <script>alert(1)</script>"
    assert comment.body_html == "<p><strong>Yes</strong> &lt;script&gt;alert(1)&lt;/script&gt;</p>"
    assert (
        comment.target_type,
        comment.target_id,
        comment.depth,
        comment.parent_id,
        comment.root_id,
    ) == ("note", target.target_id, 0, None, None)
    assert comment.is_official is False


def test_pre_moderated_target_keeps_the_comment_pending(citizen, notes):
    target = notes.target(notes(moderation_mode="pre"))
    assert post_comment(citizen, target, body="Hello").status == CommentStatus.PENDING


def test_replies_record_their_thread_and_depth(citizen, note, target):
    parent = make_comment(note, make_user())
    chain = [parent]
    for _ in range(MAX_DEPTH):
        chain.append(post_comment(citizen, target, body="Reply", parent=chain[-1]))
    assert [c.depth for c in chain] == [0, 1, 2, 3]
    assert {c.root_id for c in chain[1:]} == {parent.id}
    assert [c.parent_id for c in chain[1:]] == [c.id for c in chain[:-1]]


def test_a_reply_below_depth_three_is_refused_with_a_message(citizen, note, target):
    comment = make_comment(note, citizen)
    for _ in range(MAX_DEPTH):
        comment = make_comment(note, citizen, parent=comment)
    with pytest.raises(DomainError) as refused:
        post_comment(citizen, target, body="Too deep", parent=comment)
    assert refused.value.code == "too_deep"


@pytest.mark.parametrize(
    "status", [CommentStatus.PENDING, CommentStatus.HIDDEN, CommentStatus.REJECTED]
)
def test_no_reply_to_a_comment_that_is_not_public(citizen, note, target, status):
    parent = make_comment(note, citizen, status=status)
    with pytest.raises(PermissionDenied):
        post_comment(citizen, target, body="Reply", parent=parent)


def test_no_reply_to_a_deleted_comment(citizen, note, target):
    parent = make_comment(note, citizen)
    delete_comment(citizen, parent)
    with pytest.raises(PermissionDenied):
        post_comment(citizen, target, body="Reply", parent=parent)


def test_no_reply_to_a_comment_of_another_target(citizen, notes, target):
    other = make_comment(notes(), citizen)
    with pytest.raises(PermissionDenied):
        post_comment(citizen, target, body="Reply", parent=other)


def test_stance_on_a_comment_that_starts_a_thread(citizen, target):
    assert post_comment(citizen, target, body="Good", stance="agree").stance == "agree"


@pytest.mark.parametrize(
    "stance_target, on_reply, stance, code",
    [
        (True, True, "agree", "stance_on_reply"),
        (False, False, "disagree", "stance_not_allowed"),
        (True, False, "maybe", "invalid_stance"),
        (True, False, "AGREE", "invalid_stance"),
    ],
)
def test_stance_refusals(citizen, notes, stance_target, on_reply, stance, code):
    note = notes(allows_stance=stance_target)
    parent = make_comment(note, citizen) if on_reply else None
    with pytest.raises(DomainError) as refused:
        post_comment(citizen, notes.target(note), body="Text", parent=parent, stance=stance)
    assert refused.value.code == code
    assert (
        db.session.scalar(
            sa.select(sa.func.count(Comment.id)).where(Comment.parent_id.is_not(None))
        )
        == 0
    )


@pytest.mark.parametrize("body", ["", "   \n\t  ", None])
def test_empty_bodies_are_refused(citizen, target, body):
    with pytest.raises(DomainError) as refused:
        post_comment(citizen, target, body=body)
    assert refused.value.code == "empty"


def test_length_limit_is_counted_on_the_source(app, citizen, target):
    app.config["COMMENT_MAX_LENGTH"] = 10
    assert post_comment(citizen, target, body="**12345**\r\n").body_source == "**12345**"
    with pytest.raises(DomainError) as refused:
        post_comment(citizen, target, body="x" * 11)
    assert refused.value.code == "too_long"
    assert "10" in str(refused.value.message)


@pytest.mark.parametrize(
    "make_actor, note_settings",
    [
        (lambda: make_user(verified=False), {}),
        (lambda: make_user(), {"open": False}),
        (lambda: make_user(), {"readers": set()}),
    ],
    ids=["unverified", "closed", "invisible"],
)
def test_who_cannot_comment(app, notes, make_actor, note_settings):
    target = notes.target(notes(**note_settings))
    with pytest.raises(PermissionDenied):
        post_comment(make_actor(), target, body="Hello")


@pytest.fixture
def institution(app):
    return make_institution()


@pytest.fixture
def officer(institution):
    return make_user(roles=[Role.OFFICER], institution=institution, display_name="Officer")


def test_officer_of_the_institution_posts_an_official_answer(officer, institution, notes, outbox):
    note = notes(institution_id=institution.id)
    question = make_comment(note, make_user(language="ar"))
    answer = post_comment(officer, notes.target(note), body="Our answer", parent=question)
    db.session.commit()
    assert answer.is_official
    assert answer.official_institution_id == institution.id
    audit = db.session.scalars(
        sa.select(AuditEntry).where(AuditEntry.action == "comment.official_answer")
    ).one()
    assert (audit.actor_id, audit.target_type, audit.target_id) == (
        officer.id,
        "comments",
        answer.id,
    )
    [mail] = outbox(template="official_answer")
    assert mail.to_address == question.author.email
    assert mail.language == "ar"
    assert f"/ar/test-notes/{note.id}#comment-{answer.id}" in mail.body_text
    assert institution.display_name("ar") in mail.subject


def test_official_answer_mail_link_points_at_the_right_page(
    app, officer, institution, notes, outbox
):
    note = notes(institution_id=institution.id)
    author = make_user()
    for _ in range(20):
        make_comment(note, author, commit=False)
    question = make_comment(note, make_user())
    answer = post_comment(officer, notes.target(note), body="Answer", parent=question)
    [mail] = outbox(template="official_answer")
    assert f"/fr/test-notes/{note.id}?page=2#comment-{answer.id}" in mail.body_text


def test_officer_of_another_institution_is_an_ordinary_participant(officer, notes, outbox):
    note = notes(institution_id=make_institution().id)
    answer = post_comment(
        officer, notes.target(note), body="Personal view", parent=make_comment(note, make_user())
    )
    assert not answer.is_official
    assert answer.official_institution_id is None
    assert outbox(template="official_answer") == []


@pytest.mark.parametrize("parent_kind", ["none", "official", "own"])
def test_official_answers_that_mail_nobody(officer, institution, notes, outbox, parent_kind):
    note = notes(institution_id=institution.id)
    parent = {
        "none": None,
        "official": make_comment(
            note,
            make_user(roles=[Role.OFFICER], institution=institution),
            official_institution=institution,
        ),
        "own": make_comment(note, officer),
    }[parent_kind]
    assert post_comment(officer, notes.target(note), body="Answer", parent=parent).is_official
    assert outbox(template="official_answer") == []


def test_official_answer_may_not_take_a_stance(officer, institution, notes):
    with pytest.raises(DomainError) as refused:
        post_comment(
            officer, notes.target(notes(institution_id=institution.id)), body="x", stance="agree"
        )
    assert refused.value.code == "stance_not_allowed"


def test_pre_moderated_official_answer_is_mailed_once_when_approved(
    officer, institution, notes, outbox
):
    note = notes(institution_id=institution.id, moderation_mode="pre")
    question = make_comment(note, make_user())
    answer = post_comment(officer, notes.target(note), body="Answer", parent=question)
    assert answer.status == CommentStatus.PENDING
    assert outbox(template="official_answer") == []
    change_comment_status(answer, CommentStatus.VISIBLE)
    assert len(outbox(template="official_answer")) == 1
    change_comment_status(answer, CommentStatus.HIDDEN)
    change_comment_status(answer, CommentStatus.VISIBLE)
    assert len(outbox(template="official_answer")) == 1


ALL_MOVES = list(itertools.product(CommentStatus, CommentStatus))


@pytest.mark.parametrize("current, new", ALL_MOVES, ids=[f"{a}->{b}" for a, b in ALL_MOVES])
def test_status_transitions_follow_the_table(citizen, note, current, new):
    comment = make_comment(note, citizen, status=current)
    if new in STATUS_TRANSITIONS[current]:
        change_comment_status(comment, new)
        db.session.commit()
        assert db.session.get(Comment, comment.id).status == new
    else:
        with pytest.raises(DomainError) as refused:
            change_comment_status(comment, new)
        assert refused.value.code == "invalid_transition"
        assert comment.status == current


def test_edit_within_the_window_rerenders_and_marks_the_comment(citizen, note):
    comment = make_comment(note, citizen, body="first", age=timedelta(minutes=14))
    edit_comment(citizen, comment, body="*second*")
    db.session.commit()
    assert comment.body_source == "*second*"
    assert comment.body_html == "<p><em>second</em></p>"
    assert comment.edited_at is not None


def test_saving_the_same_text_is_not_an_edit(citizen, note):
    comment = make_comment(note, citizen, body="same")
    edit_comment(citizen, comment, body="same\r\n")
    assert comment.edited_at is None


def test_edit_after_the_window_is_refused_with_a_message(app, citizen, note):
    comment = make_comment(note, citizen, body="first", age=timedelta(minutes=16))
    with pytest.raises(DomainError) as refused:
        edit_comment(citizen, comment, body="second")
    assert refused.value.code == "edit_window_over"
    assert "15" in str(refused.value.message)
    app.config["COMMENT_EDIT_WINDOW_MINUTES"] = 30
    edit_comment(citizen, comment, body="second")
    assert comment.body_source == "second"


def test_edit_checks_the_new_text(citizen, note):
    comment = make_comment(note, citizen)
    with pytest.raises(DomainError):
        edit_comment(citizen, comment, body="  ")
    assert comment.body_source == "A comment."


def test_pre_moderated_text_can_be_edited_until_a_moderator_approves_it(citizen, notes):
    note = notes(moderation_mode="pre")
    comment = make_comment(note, citizen, body="first", status=CommentStatus.PENDING)
    edit_comment(citizen, comment, body="second")
    change_comment_status(comment, CommentStatus.VISIBLE)
    with pytest.raises(DomainError) as refused:
        edit_comment(citizen, comment, body="bait and switch")
    assert refused.value.code == "approved_text"
    assert comment.body_source == "second"


@pytest.mark.parametrize("status", [CommentStatus.HIDDEN, CommentStatus.REJECTED])
def test_moderated_comments_cannot_be_edited(citizen, note, status):
    with pytest.raises(PermissionDenied):
        edit_comment(citizen, make_comment(note, citizen, status=status), body="new")


def test_only_the_author_edits_or_deletes(citizen, note):
    comment = make_comment(note, citizen)
    other = make_user()
    with pytest.raises(PermissionDenied):
        edit_comment(other, comment, body="mine now")
    with pytest.raises(PermissionDenied):
        delete_comment(other, comment)
    assert comment.body_source == "A comment."
    assert comment.deleted_at is None


def test_delete_leaves_a_tombstone_and_the_replies(citizen, note):
    comment = make_comment(note, citizen, body="Text", stance="agree")
    reply = make_comment(note, make_user(), parent=comment)
    delete_comment(citizen, comment)
    db.session.commit()
    stored = db.session.get(Comment, comment.id)
    assert stored is not None
    assert stored.deleted_at is not None
    assert (stored.body_source, stored.body_html, stored.stance) == ("", "", None)
    assert db.session.get(Comment, reply.id).parent_id == comment.id
    with pytest.raises(PermissionDenied):
        delete_comment(citizen, comment)
    with pytest.raises(PermissionDenied):
        edit_comment(citizen, comment, body="back")


def test_useful_vote_toggles(citizen, note):
    comment = make_comment(note, make_user())
    assert toggle_useful_vote(citizen, comment) is True
    db.session.commit()
    assert comment.useful_count == 1
    assert db.session.scalar(sa.select(sa.func.count(CommentVote.id))) == 1
    assert toggle_useful_vote(citizen, comment) is False
    db.session.commit()
    assert comment.useful_count == 0
    assert db.session.scalar(sa.select(sa.func.count(CommentVote.id))) == 0


def test_votes_of_several_citizens_add_up(note):
    comment = make_comment(note, make_user())
    for _ in range(3):
        toggle_useful_vote(make_user(), comment)
    db.session.commit()
    assert db.session.get(Comment, comment.id).useful_count == 3


def test_no_vote_on_ones_own_comment(citizen, note):
    comment = make_comment(note, citizen)
    with pytest.raises(DomainError) as refused:
        toggle_useful_vote(citizen, comment)
    assert refused.value.code == "own_comment"
    assert comment.useful_count == 0


@pytest.mark.parametrize("setup", ["pending", "deleted", "closed", "unverified"])
def test_vote_refusals(citizen, notes, setup):
    note = notes(open=setup != "closed")
    comment = make_comment(note, make_user(), status="pending" if setup == "pending" else "visible")
    if setup == "deleted":
        delete_comment(comment.author, comment)
    voter = make_user(verified=False) if setup == "unverified" else citizen
    with pytest.raises(PermissionDenied):
        toggle_useful_vote(voter, comment)


def test_database_refuses_a_second_vote(citizen, note):
    comment = make_comment(note, make_user())
    db.session.add_all(
        [
            CommentVote(comment_id=comment.id, user_id=citizen.id),
            CommentVote(comment_id=comment.id, user_id=citizen.id),
        ]
    )
    with pytest.raises(sa.exc.IntegrityError):
        db.session.flush()
    db.session.rollback()


def test_database_refuses_a_stance_on_a_reply(citizen, note):
    parent = make_comment(note, citizen)
    with pytest.raises(sa.exc.IntegrityError):
        make_comment(note, citizen, parent=parent, stance="agree")
    db.session.rollback()


def test_comments_are_part_of_the_personal_data_export(citizen, note):
    make_comment(note, citizen, body="My words", stance="neutral")
    exported = export_personal_data(citizen, citizen)["comments"]["written"]
    assert [(c["text"], c["stance"], c["target_type"]) for c in exported] == [
        ("My words", "neutral", "note")
    ]


def test_every_service_has_a_guard():
    for name in ("post_comment", "edit_comment", "delete_comment", "toggle_useful_vote"):
        assert getattr(services, name).guarded_by.__module__ == "participation.comments.permissions"
