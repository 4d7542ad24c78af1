"""Screening on edits: an author who changes a comment after sending it goes through the same
rules as a new comment. A published comment that now trips a rule goes back to pending through
the moderation service (a recorded decision of the platform) and waits in the queue with the
rule; nothing is deleted."""

import pytest
import sqlalchemy as sa

from participation.comments.models import CommentStatus
from participation.moderation.models import (
    CommentFingerprint,
    Decision,
    DecisionReason,
    ModerationDecision,
    ModerationItem,
    ScreeningFlag,
)
from participation.moderation.queries import list_monthly_statistics
from participation.moderation.services import decide_comment
from participation.comments.services import edit_comment, post_comment
from participation.core.audit import AuditEntry
from participation.extensions import db
from tests.factories import make_user


def _flags(comment):
    return [
        (f.rule, f.details)
        for f in db.session.scalars(
            sa.select(ScreeningFlag).where(ScreeningFlag.comment_id == comment.id)
        )
    ]


def _decisions(comment):
    return [
        (d.moderator_id, d.decision, d.reason, d.from_status, d.to_status)
        for d in db.session.scalars(
            sa.select(ModerationDecision).where(ModerationDecision.comment_id == comment.id)
        )
    ]


@pytest.mark.parametrize(
    "clean, edited, word_list, term",
    [
        ("هذا المشروع مفيد للجميع.", "هذا المشروع مفيد، والوزير حَقِيــــر.", "ar", "حقير"),
        (
            "Je soutiens l'article 2.",
            "Je soutiens l'article 2, espèce de CONNARD !",
            "fr",
            "connard",
        ),
        ("had l9anoun mzyan", "had l9anoun mzyan, nta 9a7ba", "ary_latn", "9a7ba"),
        ("هاد القانون مزيان بزاف", "هاد القانون مزيان، ولد القحبه", "ary_arab", "ولد القحبة"),
    ],
)
def test_an_edit_that_trips_a_rule_puts_a_published_comment_back_in_the_queue(
    citizen, target, outbox, clean, edited, word_list, term
):
    comment = post_comment(citizen, target, body=clean)
    db.session.commit()
    assert comment.status == CommentStatus.VISIBLE
    assert _flags(comment) == []

    edit_comment(citizen, comment, body=edited)
    db.session.commit()

    assert comment.status == CommentStatus.PENDING
    assert comment.body_source == edited
    assert comment.edited_at is not None
    assert _flags(comment) == [("word_list", {"list": word_list, "term": term, "edit": True})]
    assert _decisions(comment) == [(None, "hold", "screened", "visible", "pending")]
    item = db.session.scalar(sa.select(ModerationItem))
    assert (item.comment_id, item.kind, item.reason, item.is_open) == (
        comment.id,
        "pending",
        "word_list",
        True,
    )
    audit = db.session.scalar(
        sa.select(AuditEntry).where(AuditEntry.action == "moderation.decision")
    )
    assert (audit.actor_id, audit.target_id, audit.details["decision"]) == (
        None,
        comment.id,
        "hold",
    )
    assert outbox(template="moderation_decision") == []  # the author sees the notice on the comment


def test_a_clean_edit_keeps_the_comment_published_and_refreshes_the_fingerprint(citizen, target):
    comment = post_comment(citizen, target, body="Je soutiens l'article 2.")
    old_digest = db.session.get(CommentFingerprint, comment.id).digest
    edit_comment(citizen, comment, body="Je soutiens l'article 2 et l'article 3.")
    db.session.commit()
    assert comment.status == CommentStatus.VISIBLE
    assert _flags(comment) == []
    assert _decisions(comment) == []
    assert db.session.scalar(sa.select(sa.func.count()).select_from(ModerationItem)) == 0
    assert db.session.get(CommentFingerprint, comment.id).digest != old_digest


def test_an_edit_is_not_a_repeat_of_the_comment_itself(citizen, target):
    text = "Il faut absolument publier toutes les données budgétaires des communes."
    comment = post_comment(citizen, target, body=text)
    edit_comment(citizen, comment, body=text + " ")  # same normal form: only its own fingerprint
    edit_comment(
        citizen,
        comment,
        body="IL FAUT absolument publier toutes les données budgétaires des communes !",
    )
    assert comment.status == CommentStatus.VISIBLE
    assert _flags(comment) == []


def test_an_edit_copying_another_recent_comment_is_held(citizen, target):
    text = "Il faut absolument publier toutes les données budgétaires des communes."
    post_comment(make_user(), target, body=text)
    comment = post_comment(citizen, target, body="Je suis d'accord avec cette proposition.")
    edit_comment(citizen, comment, body=text)
    assert comment.status == CommentStatus.PENDING
    assert _flags(comment) == [("repeated_text", {"copies": 1, "hours": 24, "edit": True})]


def test_a_pending_comment_edited_with_a_listed_word_stays_pending_with_the_rule(citizen, notes):
    comment = post_comment(
        citizen, notes.target(notes(moderation_mode="pre")), body="Bonjour à tous"
    )
    edit_comment(citizen, comment, body="Bonjour à tous, espèce de connard")
    db.session.commit()
    assert comment.status == CommentStatus.PENDING
    assert _flags(comment) == [("word_list", {"list": "fr", "term": "connard", "edit": True})]
    assert _decisions(comment) == []  # no status change, nothing to record as a decision
    items = db.session.scalars(sa.select(ModerationItem)).all()
    assert [(i.comment_id, i.reason) for i in items] == [
        (comment.id, "premoderation")
    ]  # one item per comment


def test_a_moderator_then_decides_the_held_edit_and_the_statistics_count_it(
    citizen, target, moderator, outbox
):
    comment = post_comment(citizen, target, body="Un avis.")
    edit_comment(citizen, comment, body="Un avis, connard.")
    item = db.session.scalar(sa.select(ModerationItem))
    decide_comment(
        moderator,
        comment,
        decision=Decision.REJECT,
        reason=DecisionReason.INSULT_OR_HATE,
        item=item,
    )
    db.session.commit()
    assert comment.status == CommentStatus.REJECTED
    assert not item.is_open
    month = list_monthly_statistics()[0]
    assert (
        month.held_after_edit,
        month.automatic,
        month.count(Decision.REJECT),
        month.count(Decision.HOLD),
    ) == (1, 0, 1, 0)
    assert len(outbox(template="moderation_decision")) == 1


def test_moderators_see_the_held_edit_with_its_rule(citizen, target, moderator, visitor):
    from tests.comments.helpers import shown, shows

    comment = post_comment(citizen, target, body="Un avis.")
    edit_comment(citizen, comment, body="Un avis, connard.")
    db.session.commit()
    html = visitor(moderator).get(f"/fr/moderation/comments/{comment.id}").get_data(as_text=True)
    assert shows(html, shown("Automatic, after an edit"))
    assert shows(html, shown("Held for review"))
    queue = visitor(moderator).get("/fr/moderation/?kind=pending").get_data(as_text=True)
    assert f"/fr/moderation/comments/{comment.id}" in queue
    assert shows(queue, shown("Word from a screening list"))
