"""Demo moderation for `flask seed-demo`, so that the queue and the transparency page are not
empty: a comment with two reports, a comment hidden after three reports and waiting for review,
a rejected comment whose author appealed, and a signature held by a signing limit.

Like the other demo modules, it runs once: a database that already has reports is left alone.
"""

import sqlalchemy as sa

from participation.auth.models import User
from participation.moderation.models import CommentReport, DecisionReason
from participation.moderation.services import appeal_decision, decide_comment, report_comment
from participation.comments.services import post_comment
from participation.comments.targets import resolve_target
from participation.consultations.models import Consultation
from participation.core.models import utcnow
from participation.demo.accounts import DEMO_DOMAIN, ensure_citizen
from participation.demo.petitions import MEMBERS
from participation.extensions import db
from participation.institutions.models import Province
from participation.petitions import signing
from participation.petitions.models import Petition, PetitionState, Signature, SignatureStatus

REPORTED = "Les fonctionnaires de ce ministère sont tous des incapables, personne ne répond jamais."
HIDDEN = "عرض خاص: اربح 5000 درهم في الأسبوع من المنزل، تواصل معنا على الواتساب الآن!"
OFF_TOPIC = "Quelqu'un sait à quelle heure ouvre le marché de Salé le dimanche ?"
APPEAL = "Ma question concernait l'accès aux horaires des services publics, qui relève bien de ce projet de décret."
REJECTION_NOTE = "Ce commentaire ne porte pas sur le projet de décret soumis à consultation."


def seed_moderation(*, moderator, citizens):
    """`citizens`: at least three demo citizens (authors and reporters)."""
    if db.session.scalar(sa.select(CommentReport.id).limit(1)) is not None:
        return
    consultation = db.session.scalar(
        sa.select(Consultation).where(Consultation.state == "open").order_by(Consultation.id)
    )
    if consultation is None:
        return
    target = resolve_target("consultation", consultation.id)
    amina, karim, fatima = citizens[:3]
    committee = [f"{local}@{DEMO_DOMAIN}" for local, _name, _language in MEMBERS]
    reporters = [
        *citizens,
        *db.session.scalars(sa.select(User).where(User.email.in_(committee)).order_by(User.id)),
    ]

    reported = post_comment(karim, target, body=REPORTED)
    for reporter in [c for c in reporters if c.id != karim.id][:2]:
        report_comment(reporter, reported, reason="insult_or_hate")

    hidden = post_comment(fatima, target, body=HIDDEN)
    for reporter in [c for c in reporters if c.id != fatima.id][:3]:
        report_comment(reporter, hidden, reason="spam")

    off_topic = post_comment(amina, target, body=OFF_TOPIC)
    rejection = decide_comment(
        moderator,
        off_topic,
        decision="reject",
        reason=DecisionReason.OFF_TOPIC,
        note=REJECTION_NOTE,
    )
    appeal_decision(amina, rejection, text=APPEAL)

    _held_signature()
    db.session.flush()


def _held_signature():
    """A signature over the per-network limit, as signing.sign_petition holds it."""
    petition = db.session.scalar(
        sa.select(Petition).where(Petition.state == PetitionState.OPEN.value).order_by(Petition.id)
    )
    if petition is None:
        return
    province = db.session.scalars(sa.select(Province).order_by(Province.iso_code)).all()[5]
    signer = ensure_citizen("nabil", "Nabil Chraibi", "fr", province, "DM200001")
    profile = signer.identity
    db.session.add(
        Signature(
            petition_id=petition.id,
            user_id=signer.id,
            cin_hash=profile.cin_hash,
            region_id=profile.region_id,
            province_id=profile.province_id,
            first_name=profile.first_name,
            last_name=profile.last_name,
            address=profile.address,
            cin_encrypted=profile.cin_encrypted,
            cin_expiry=profile.cin_expiry,
            status=SignatureStatus.SUSPECT.value,
            held_limit="ip",
            network_hash=signing.network_hash("192.0.2.10"),
            created_at=utcnow(),
        )
    )
