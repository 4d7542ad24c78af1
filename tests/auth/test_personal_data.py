""" "Download my data" and "delete my account" cover every table that points at a person.

The structural test reads the SQLAlchemy metadata: every column with a foreign key to users.id,
or documented as holding a user id (core/personal_data.HOLDS_USER_ID), must be declared with
`user_column` (how it is exported, how account deletion treats it, or why not), and every
declaration must match a column. A table with a user column added tomorrow fails here until its
area declares it. The declarations are then checked against a person who did everything: each
exported column has as many entries in the download as rows in the database, and account deletion
deletes, anonymises or keeps exactly what each declaration says."""

import json
import re
from datetime import date
from pathlib import Path

import pytest
import sqlalchemy as sa

from participation.auth.models import Role, User
from participation.auth.personal_data import anonymised_email
from participation.auth.services import (
    confirm_two_factor,
    delete_account,
    export_personal_data,
    grant_role,
    request_password_reset,
    start_two_factor_setup,
)
from participation.comments import notification_kinds
from participation.comments.models import CommentVote
from participation.consultations.models import AnswerSet, Follow, Question
from participation.core import totp
from participation.core.notifications import notify
from participation.core.personal_data import (
    Erasure,
    declared_user_columns,
    user_id_columns,
)
from participation.extensions import db
from participation.moderation.models import CommentReport, ModerationAppeal, ModerationDecision
from participation.ogp.models import Commitment, EvidenceLink, ProgressNote
from participation.ogp.services import load_commitments
from participation.petitions import services as petitions
from participation.petitions import signing
from participation.petitions.processing import follow_petition
from participation.translation_review.models import TranslationReview
from tests.comments.factories import Note, make_comment
from tests.factories import PASSWORD, make_consultation, make_user
from tests.petition_world import citizen, data, kind, open_petition, world  # noqa: F401

ROOT = Path(__file__).resolve().parents[2]


def test_every_user_column_is_declared_and_every_declaration_is_a_user_column(app):
    found = set(user_id_columns(db.metadata))
    declared = set(declared_user_columns())
    assert sorted(found - declared) == [], "declare these in their area's personal_data.py"
    assert sorted(declared - found) == [], "these declarations name no user column"


def test_a_new_user_column_without_a_declaration_is_found():
    metadata = sa.MetaData()
    sa.Table("users", metadata, sa.Column("id", sa.Integer, primary_key=True))
    sa.Table(
        "tomorrows_table",
        metadata,
        sa.Column("id", sa.Integer, primary_key=True),
        sa.Column("owner_id", sa.Integer, sa.ForeignKey("users.id")),
        sa.Column("mentioned", sa.Integer, info={"holds_user_id": None}),
        sa.Column("count", sa.Integer),
    )
    assert set(user_id_columns(metadata)) == {
        "tomorrows_table.owner_id",
        "tomorrows_table.mentioned",
    }


def test_every_declaration_is_documented(app):
    """docs/personal-data.md lists each column with what the download and deletion do."""
    document = (ROOT / "docs" / "personal-data.md").read_text(encoding="utf-8")
    missing = [column for column in declared_user_columns() if f"`{column}`" not in document]
    assert missing == []


# A person who did everything --------------------------------------------------------------------


@pytest.fixture
def everything(app, world):  # noqa: F811
    """A citizen, translator and observer who did everything the platform lets a person do."""
    person = citizen(email="everything@example.org", display_name="Everyone")
    admin = make_user(roles=[Role.ADMINISTRATOR])
    other = make_user()
    # Roles (granted by an administrator: the audit log is about them), two-factor with recovery
    # codes (the audit log is by them), and a password-reset link.
    grant_role(admin, person, Role.TRANSLATOR)
    grant_role(admin, person, Role.OBSERVER)
    secret = start_two_factor_setup(person, person)
    confirm_two_factor(person, person, code=totp.code_for(secret, totp.current_step() - 1))
    request_password_reset(email=person.email)
    # Petitions: one initiated (its committee includes the initiator), a seat on another's
    # committee, a signature and a follow.
    petitions.create_petition(person, kind("petition_head_of_government"), data())
    drafted = petitions.create_petition(
        other_citizen := citizen(), kind("petition_head_of_government"), data()
    )
    seat = petitions.invite_member(other_citizen, drafted, email=person.email)
    petitions.accept_invitation(person, seat)
    petition, _initiator, _members = open_petition()
    signing.sign_petition(person, petition, consent=True)
    follow_petition(person, petition)
    # Consultations: a follow and questionnaire answers.
    consultation = make_consultation(state="open", commit=False)
    question = Question(
        consultation_id=consultation.id, position=1, kind="text", prompt={"fr": "Pourquoi ?"}
    )
    db.session.add(question)
    db.session.flush()
    db.session.add(Follow(consultation_id=consultation.id, user_id=person.id))
    db.session.add(
        AnswerSet(
            consultation_id=consultation.id,
            user_id=person.id,
            answers={str(question.id): "Parce que."},
        )
    )
    # Comments: one written (hidden by a moderator, and appealed), a useful vote and a report on
    # someone else's.
    note = Note(id=1)
    own = make_comment(note, person, body="Mon avis.", commit=False)
    theirs = make_comment(note, other, body="Le leur.", commit=False)
    db.session.add(CommentVote(comment_id=theirs.id, user_id=person.id))
    db.session.add(CommentReport(comment_id=theirs.id, reporter_id=person.id, reason="spam"))
    decision = ModerationDecision(
        comment_id=own.id,
        moderator_id=admin.id,
        decision="hide",
        reason="off_topic",
        from_status="visible",
        to_status="hidden",
    )
    db.session.add(decision)
    db.session.flush()
    db.session.add(
        ModerationAppeal(
            decision_id=decision.id, comment_id=own.id, author_id=person.id, text="Je conteste."
        )
    )
    # A notification (a reply to their comment).
    notify(person, notification_kinds.REPLY, link="/consultations/1")
    # The OGP tracker and the translators' desk.
    load_commitments()
    commitment = db.session.scalar(sa.select(Commitment).limit(1))
    db.session.add(
        ProgressNote(
            commitment_id=commitment.id,
            body={"fr": "Observation."},
            noted_on=date(2019, 2, 1),
            author_id=person.id,
        )
    )
    db.session.add(
        EvidenceLink(
            commitment_id=commitment.id,
            url="https://example.org/rapport",
            label={"fr": "Rapport"},
            added_by_id=person.id,
        )
    )
    db.session.add(
        TranslationReview(
            entry_key="abc",
            language="fr",
            msgid="Save",
            kind="reviewed",
            catalog_text=["Enregistrer"],
            author_id=person.id,
        )
    )
    db.session.commit()
    return db.session.get(User, person.id)


def _where(column, user_id):
    condition = user_id_columns(db.metadata)[column]
    table, name = column.split(".")
    sql = f"{name} = :user_id" + (f" AND {condition}" if condition else "")
    return table, sql


def _rows(column, user_id):
    table, where = _where(column, user_id)
    primary = db.metadata.tables[table].primary_key.columns.keys()
    return (
        db.session.execute(
            sa.text(f"SELECT * FROM {table} WHERE {where} ORDER BY {', '.join(primary)}"),
            {"user_id": user_id},
        )
        .mappings()
        .all()
    )


def _at(data, path):
    for key in path.split("."):
        data = data[key]
    if data is None:
        return []
    return [data] if isinstance(data, dict) else data


def test_the_download_has_one_entry_per_row_of_every_exported_column(everything):
    exported = json.loads(json.dumps(export_personal_data(everything, everything)))
    assert exported["about"]["format"] == "participation-personal-data"
    for column, declared in declared_user_columns().items():
        if declared.exported_in is None:
            assert declared.not_exported, column
            continue
        rows = _rows(column, everything.id)
        assert rows, f"the person who did everything has no row in {column}: extend the fixture"
        assert len(_at(exported, declared.exported_in)) == len(rows), column


def test_the_download_holds_what_the_person_did(everything):
    exported = export_personal_data(everything, everything)
    assert exported["account"]["email"] == "everything@example.org"
    assert {grant["role"] for grant in exported["account"]["roles"]} == {"translator", "observer"}
    assert exported["identity_profile"]["cin"].startswith("••••")
    assert exported["identity_profile"]["province"] == everything.identity.province.iso_code
    assert "commune" in exported["identity_profile"]
    petitions_part = exported["petitions"]
    assert petitions_part["initiated"][0]["title"] == data().title
    assert {seat["role"] for seat in petitions_part["committees"]} >= {"member"}
    assert petitions_part["signatures"][0]["status"] == "counted"
    assert petitions_part["signatures"][0]["last_name"] == "Person"
    assert len(petitions_part["follows"]) == 1
    answers = exported["consultations"]["questionnaire_answers"][0]["answers"]
    assert answers[0]["question"] == {"fr": "Pourquoi ?"} and answers[0]["answer"] == "Parce que."
    assert exported["comments"]["written"][0]["text"] == "Mon avis."
    assert exported["moderation"]["appeals"][0]["text"] == "Je conteste."
    assert exported["ogp"]["evidence_links"][0]["url"] == "https://example.org/rapport"
    assert len(exported["two_factor"]["recovery_codes"]) == 10
    assert {"two_factor.enabled", "two_factor.recovery_codes_made"} <= {
        entry["action"] for entry in exported["activity_log"]["by_you"]
    }
    about_you = [entry["action"] for entry in exported["activity_log"]["about_you"]]
    assert about_you.count("role.granted") == 2  # by the administrator
    # Never a secret: no CIN, no hash, no TOTP secret, no recovery code.
    text = json.dumps(exported, ensure_ascii=False)
    assert everything.identity.cin_hash not in text
    assert everything.totp_secret_encrypted not in text
    assert "code_hash" not in text and "password" not in text


def test_account_deletion_does_what_each_declaration_says(everything):
    user_id = everything.id
    before = {column: _rows(column, user_id) for column in declared_user_columns()}
    delete_account(everything, everything, password=PASSWORD)
    db.session.commit()
    for column, declared in declared_user_columns().items():
        table = declared.table
        primary = db.metadata.tables[table].primary_key.columns.keys()
        for row in before[column]:
            key = " AND ".join(f"{name} = :{name}" for name in primary)
            after = (
                db.session.execute(
                    sa.text(f"SELECT * FROM {table} WHERE {key}"), {n: row[n] for n in primary}
                )
                .mappings()
                .first()
            )
            if declared.erasure == Erasure.DELETED:
                assert after is None, column
            elif declared.erasure == Erasure.ANONYMISED:
                assert after is not None, column
                for cleared in declared.cleared:
                    assert row[cleared] is None or after[cleared] != row[cleared], (column, cleared)
            else:
                assert after is not None and after[declared.name] == user_id, column
        if declared.erasure == Erasure.DELETED:
            assert _rows(column, user_id) == [], column
    for column in (
        "identity_profiles.user_id",
        "petition_signatures.user_id",
        "petition_committee_members.user_id",
        "consultation_follows.user_id",
        "recovery_codes.user_id",
        "account_tokens.user_id",
        "notifications.user_id",
    ):
        assert before[column], f"the fixture should give {column} rows to erase"
    stored = db.session.get(User, user_id)
    assert stored.email == anonymised_email(stored) and stored.display_name == ""
    assert stored.password_hash is None and stored.totp_secret_encrypted is None
    assert not any(grant.revoked_at is None for grant in stored.grants)


def test_a_deleted_signers_signature_stays_counted_without_their_details(everything):
    from participation.petitions.models import Signature
    from participation.petitions.queries import count_signatures

    signature = db.session.scalar(sa.select(Signature).where(Signature.user_id == everything.id))
    petition_id, counted = signature.petition_id, count_signatures(signature.petition_id)
    delete_account(everything, everything, password=PASSWORD)
    db.session.commit()
    kept = db.session.get(Signature, signature.id)
    assert (kept.first_name, kept.last_name, kept.address, kept.cin_encrypted) == (None,) * 4
    assert kept.province_id is not None and kept.cin_hash is not None
    assert count_signatures(petition_id) == counted


def test_the_documentation_names_the_format(everything):
    exported = export_personal_data(everything, everything)
    document = (ROOT / "docs" / "personal-data.md").read_text(encoding="utf-8")
    for section in exported:
        assert re.search(rf"`{section}`", document), section
