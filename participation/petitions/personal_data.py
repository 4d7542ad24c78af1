"""What the petitions area holds about a person, in the download and at account deletion
(core/personal_data.py; docs/personal-data.md)."""

import sqlalchemy as sa

from participation.auth.personal_data import anonymised_email
from participation.core.models import utcnow
from participation.core.personal_data import (
    iso,
    Erasure,
    personal_data_eraser,
    personal_data_exporter,
    user_column,
)
from participation.extensions import db
from participation.petitions.models import (
    CommitteeMember,
    Petition,
    PetitionFollow,
    Signature,
    SignatureLock,
)

# What a signature keeps when its signer's account is deleted: its petition, region, province,
# status and date, so that it stays counted, by region too (SPEC §10).
SIGNER_DETAILS = ("user_id", "first_name", "last_name", "address", "cin_encrypted", "cin_expiry")

user_column(
    "petitions.initiator_id",
    exported_in="petitions.initiated",
    erasure=Erasure.KEPT,
    why="a petition is a public act with its committee and signers; it stays, and its initiator "
    "is the anonymised account",
)
user_column(
    "petition_committee_members.user_id",
    exported_in="petitions.committees",
    erasure=Erasure.ANONYMISED,
    cleared=("email",),
    why="the committee's make-up stays (the law counts its members); the member's address gives "
    "way to the anonymised account's",
)
user_column(
    "petition_signatures.user_id",
    exported_in="petitions.signatures",
    erasure=Erasure.ANONYMISED,
    cleared=SIGNER_DETAILS,
    why="the signature stays counted, with its region and province (SPEC §10); the keyed hash of "
    "the CIN stays until the petition's signatories are anonymised, so that the same person "
    "cannot sign again from a new account",
)
user_column(
    "petition_follows.user_id",
    exported_in="petitions.follows",
    erasure=Erasure.DELETED,
    why="only served to e-mail the person",
)
user_column(
    "petition_steps.recorded_by_id",
    not_exported="an officer's record of the institution's act, public on the petition's page",
    erasure=Erasure.KEPT,
    why="the petition's processing is a public record; it points at the anonymised account",
)
user_column(
    "signature_locks.locked_by_id",
    not_exported="a moderator's hold of a few minutes on someone else's signature",
    erasure=Erasure.DELETED,
    why="released: another moderator can take the signature",
)
user_column(
    "signature_decisions.moderator_id",
    not_exported="a moderator's decision on someone else's signature",
    erasure=Erasure.KEPT,
    why="decisions are append-only records for accountability; they point at the anonymised "
    "account",
)


@personal_data_exporter("petitions")
def _export_petitions(user):
    initiated = db.session.scalars(
        sa.select(Petition).where(Petition.initiator_id == user.id).order_by(Petition.id)
    )
    committees = db.session.execute(
        sa.select(CommitteeMember, Petition.title)
        .join(Petition, Petition.id == CommitteeMember.petition_id)
        .where(CommitteeMember.user_id == user.id)
        .order_by(CommitteeMember.id)
    )
    signatures = db.session.execute(
        sa.select(Signature, Petition.title)
        .join(Petition, Petition.id == Signature.petition_id)
        .where(Signature.user_id == user.id)
        .order_by(Signature.id)
    )
    follows = db.session.execute(
        sa.select(PetitionFollow, Petition.title)
        .join(Petition, Petition.id == PetitionFollow.petition_id)
        .where(PetitionFollow.user_id == user.id)
        .order_by(PetitionFollow.id)
    )
    return {
        "initiated": [
            {
                "petition_id": petition.id,
                "kind": petition.kind.key,
                "state": petition.state,
                "title": petition.title,
                "demands": petition.demands,
                "memorandum": petition.memorandum,
                "created_at": iso(petition.created_at),
                "submitted_at": iso(petition.submitted_at),
                "published_at": iso(petition.published_at),
                "withdrawal_reason": petition.withdrawal_reason,
            }
            for petition in initiated
        ],
        "committees": [
            {
                "petition_id": member.petition_id,
                "petition_title": title,
                "role": member.role,
                "email": member.email,
                "invited_at": iso(member.invited_at),
                "accepted_at": iso(member.accepted_at),
            }
            for member, title in committees
        ],
        "signatures": [
            {
                "petition_id": signature.petition_id,
                "petition_title": title,
                "signed_at": iso(signature.created_at),
                "status": signature.status,
                # What was copied from the identity profile at signing, for the addressee's list
                # (the CIN is not repeated: it never leaves the platform but in that list).
                "first_name": signature.first_name,
                "last_name": signature.last_name,
                "address": signature.address,
                "cin_expiry": iso(signature.cin_expiry),
                "region_id": signature.region_id,
                "province_id": signature.province_id,
            }
            for signature, title in signatures
        ],
        "follows": [
            {
                "petition_id": follow.petition_id,
                "petition_title": title,
                "since": iso(follow.created_at),
            }
            for follow, title in follows
        ],
    }


@personal_data_eraser("petitions")
def _erase_petitions(user):
    db.session.execute(
        sa.update(Signature)
        .where(Signature.user_id == user.id)
        .values(anonymised_at=utcnow(), **dict.fromkeys(SIGNER_DETAILS))
    )
    db.session.execute(
        sa.update(CommitteeMember)
        .where(CommitteeMember.user_id == user.id)
        .values(email=anonymised_email(user))
    )
    db.session.execute(sa.delete(PetitionFollow).where(PetitionFollow.user_id == user.id))
    db.session.execute(sa.delete(SignatureLock).where(SignatureLock.locked_by_id == user.id))
