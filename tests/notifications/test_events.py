"""Each event that is e-mailed to a person is also on their notifications page, written in the
same transaction, its sentence made in the language the reader reads the page in (not the one of
the moment it was written), and bulk ones written in one statement per batch."""

from datetime import timedelta

import pytest
import sqlalchemy as sa

from participation.auth.models import Role
from participation.auth.services import change_password
from participation.comments.services import post_comment
from participation.consultations import services as consultations
from participation.core.models import utcnow
from participation.core.notifications import Notification
from participation.extensions import db
from participation.moderation.models import ModerationItem
from participation.moderation.services import appeal_decision, decide_comment
from participation.petitions import holds, processing
from tests.comments.factories import make_comment
from tests.factories import PASSWORD, make_consultation, make_institution, make_user
from tests.notifications.helpers import notifications_of, page_path, read
from tests.petition_world import addressee_officer, deposited, open_petition, step
from tests.query_counts import counted_queries


def test_a_reply_to_my_comment(note, target):
    author = make_user(language="ar")
    question = make_comment(note, author)
    reply = post_comment(make_user(), target, body="Je réponds.", parent=question)
    db.session.commit()
    [told] = notifications_of(author)
    assert (told.kind, told.read_at) == ("comment_reply", None)
    assert told.link == f"/test-notes/{note.id}#comment-{reply.id}"
    assert read(told, "fr") == (
        "Quelqu'un a répondu à votre commentaire",
        f"/fr/test-notes/{note.id}#comment-{reply.id}",
    )
    assert read(told, "ar")[0] == "ردّ شخص ما على تعليقكم"


def test_no_notification_for_a_reply_to_ones_own_comment_or_a_new_thread(note, target):
    author = make_user()
    question = make_comment(note, author)
    post_comment(author, target, body="Je précise.", parent=question)
    post_comment(make_user(), target, body="Un autre sujet.")
    db.session.commit()
    assert db.session.scalar(sa.select(sa.func.count(Notification.id))) == 0


def test_an_official_answer_names_the_institution_in_the_readers_language(notes, outbox):
    institution = make_institution(name={"ar": "وزارة الماء", "fr": "Ministère de l'Eau"})
    officer = make_user(roles=[Role.OFFICER], institution=institution)
    note = notes(institution_id=institution.id)
    author = make_user(language="ar")
    question = make_comment(note, author)
    post_comment(officer, notes.target(note), body="Notre réponse.", parent=question)
    db.session.commit()
    [told] = notifications_of(author)
    assert told.kind == "official_answer"
    assert read(told, "fr")[0] == "Ministère de l'Eau a répondu à votre commentaire"
    assert read(told, "ar")[0] == "ردّ من وزارة الماء على تعليقكم"
    assert len(outbox(template="official_answer")) == 1


def _outcome(consultation, officer):
    consultation.opens_at = utcnow() - timedelta(days=10)
    consultation.closes_at = utcnow() - timedelta(days=1)
    db.session.commit()
    consultations.save_outcome(
        officer,
        consultation,
        summary={"fr": "Bilan"},
        final_text={},
        final_text_url="",
        decisions=[
            consultations.SectionDecision(section=s, decision="accepted", reasons={"fr": "Oui"})
            for s in consultation.sections
        ],
        publish=True,
    )
    db.session.commit()


def test_a_followers_consultation_is_opened_closed_and_its_outcome_published(app):
    institution = make_institution()
    officer = make_user(roles=[Role.OFFICER], institution=institution)
    now = utcnow()
    consultation = make_consultation(
        institution=institution,
        state="scheduled",
        opens_at=now + timedelta(hours=1),
        closes_at=now + timedelta(days=2),
    )
    follower = make_user(language="fr")
    consultations.follow_consultation(follower, consultation)
    consultations.advance_due_consultations(now=now + timedelta(hours=2))
    db.session.commit()
    _outcome(consultation, officer)
    told = notifications_of(follower)
    assert [n.kind for n in told] == [
        "consultation_opened",
        "consultation_closed",
        "consultation_outcome",
    ]
    assert {n.link for n in told} == {
        page_path("consultations.detail", consultation_id=consultation.id, slug=consultation.slug)
    }
    title_ar, title_fr = consultation.title["ar"], consultation.title["fr"]
    assert read(told[0], "ar")[0] == f"فُتحت الاستشارة «{title_ar}»"
    assert read(told[0], "fr")[0] == f"La consultation « {title_fr} » est ouverte"


def test_an_inactive_follower_is_not_told(app):
    consultation = make_consultation(state="open")
    follower = make_user()
    consultations.follow_consultation(follower, consultation)
    follower.deleted_at = utcnow()
    consultations.advance_consultation(consultation, consultation.closes_at + timedelta(hours=1))
    db.session.commit()
    assert notifications_of(follower) == []


def test_the_committee_is_told_of_publication_and_deposit(world):
    petition, people = deposited(signers=1)
    initiator = petition.accepted_members[0].user
    kinds = [n.kind for n in notifications_of(initiator)]
    assert kinds == ["petition_published", "petition_deposited"]
    [published] = notifications_of(initiator, "petition_published")
    assert published.link == page_path(
        "petitions.detail", petition_id=petition.id, slug=petition.slug
    )
    assert petition.title["fr"] in read(published, "fr")[0]
    assert notifications_of(people[0], "petition_published") == []


def test_steps_reach_followers_at_once_and_signers_in_batches_of_one_statement(world, app):
    petition, people = deposited(signers=5)
    follower = make_user()
    processing.follow_petition(follower, petition)
    processing.record_step(addressee_officer(petition), petition, step("receipt"))
    db.session.commit()
    [told] = notifications_of(follower, "petition_step")
    assert told.params["step"] == "receipt"
    assert read(told, "fr")[0] == f"Réception : la pétition « {petition.title['fr']} »"
    assert all(notifications_of(person, "petition_step") == [] for person in people)
    with counted_queries() as statements:
        assert processing.notify_signers(batch=3) == 3
    inserts = [s for s in statements if s.lstrip().upper().startswith("INSERT INTO NOTIFICATIONS")]
    assert len(inserts) == 1
    processing.notify_signers(batch=3)
    db.session.commit()
    for person in people:
        assert len(notifications_of(person, "petition_step")) == 1


def test_a_held_signatures_decision_is_told_to_the_signer(world, held_by_ip):
    petition, _initiator, _members = open_petition()
    [signature] = held_by_ip(petition, 1)
    moderator = make_user(roles=[Role.MODERATOR])
    holds.decide_signature(moderator, signature, decision="discard")
    db.session.commit()
    [told] = db.session.scalars(
        sa.select(Notification).where(Notification.user_id == signature.user_id)
    ).all()
    assert told.kind == "signature_not_kept"
    title = petition.title["fr"]
    assert read(told, "fr")[0] == f"Votre signature de « {title} » n'a pas été gardée"


def test_a_moderation_decision_and_an_appeal_decision_on_my_comment(note):
    author = make_user(language="ar")
    comment = make_comment(note, author)
    moderator, second = (make_user(roles=[Role.MODERATOR]) for _ in range(2))
    hidden = decide_comment(moderator, comment, decision="reject", reason="spam")
    appeal_decision(author, hidden, text="Ce n'est pas de la publicité.")
    db.session.commit()
    [decided] = notifications_of(author, "moderation_decision")
    assert decided.params == {"decision": "reject", "automatic": False}
    assert decided.link == f"/test-notes/{note.id}#comment-{comment.id}"
    assert read(decided, "fr")[0] == "Modération de votre commentaire : Rejeté"
    item = db.session.scalar(sa.select(ModerationItem).where(ModerationItem.closed_at.is_(None)))
    decide_comment(second, comment, decision="restore", reason="decision_corrected", item=item)
    db.session.commit()
    [appeal] = notifications_of(author, "moderation_appeal_decided")
    assert appeal.params == {"overturned": True}


def test_security_mails_are_not_notifications(app, outbox):
    """A password change is told by e-mail only: a notification would tell whoever holds the
    session, who may be the person who changed it."""
    user = make_user()
    change_password(user, user, current_password=PASSWORD, new_password="another long passphrase 9")
    db.session.commit()
    assert outbox(template="password_changed")
    assert notifications_of(user) == []


@pytest.mark.parametrize("language", ["ar", "fr", "zgh"])
def test_every_declared_kind_reads_in_every_language(app, language):
    """No kind's sentence is left in English."""
    from participation.core.notifications import declared_kinds

    params = {
        "title": {"fr": "Eau"},
        "institution": {"fr": "Ministère"},
        "step": "receipt",
        "decision": "hide",
        "automatic": False,
        "overturned": False,
    }
    user = make_user()
    for kind in sorted(declared_kinds()):
        notification = Notification(user_id=user.id, kind=kind, params=params)
        sentence = read(notification, language)[0]
        assert sentence, kind
        if language != "fr":
            assert not any(word in sentence for word in ("your", "petition", "comment")), kind
