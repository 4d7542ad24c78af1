"""Tracker services: guarded by the observers' predicate, every change audited, the status
table enforced, evidence links http(s) only, progress notes append-only."""

from datetime import date, timedelta

import pytest
import sqlalchemy as sa

from participation.core.audit import AppendOnlyViolation, list_audit_entries
from participation.core.errors import DomainError, PermissionDenied
from participation.extensions import db
from participation.ogp import services
from participation.ogp.models import (
    STATUS_TRANSITIONS,
    CommitmentStatus,
    EvidenceLink,
    Milestone,
    ProgressNote,
)
from participation.ogp.queries import get_commitment
from tests.ogp.conftest import TODAY


def _milestone(actor, commitment):
    return services.add_milestone(
        actor, commitment, title={"fr": "Étape"}, due_on=date(2019, 6, 30)
    )


def _note(actor, commitment, **kwargs):
    kwargs.setdefault("text", {"fr": "Observation."})
    kwargs.setdefault("today", TODAY)
    return services.add_progress_note(actor, commitment, **kwargs)


ACTIONS = {
    "status": lambda actor, c, m: services.change_commitment_status(actor, c, "in_progress"),
    "details": lambda actor, c, m: services.update_commitment_details(
        actor, c, description={"fr": "Texte"}
    ),
    "milestone": lambda actor, c, m: _milestone(actor, c),
    "done": lambda actor, c, m: services.set_milestone_done(
        actor, m, done_on=date(2019, 6, 1), today=TODAY
    ),
    "evidence": lambda actor, c, m: services.add_evidence_link(
        actor, c, url="https://www.maroc.ma/", label={"fr": "Portail"}
    ),
    "note": lambda actor, c, m: _note(actor, c),
}


@pytest.mark.parametrize("person", ["citizen", "unverified", "officer", "moderator"])
@pytest.mark.parametrize("action", sorted(ACTIONS))
def test_people_who_are_not_observers_are_refused(commitment, observer, people, person, action):
    milestone = _milestone(observer, commitment)
    db.session.commit()
    before = len(list_audit_entries())
    with pytest.raises(PermissionDenied):
        ACTIONS[action](people[person], commitment, milestone)
    db.session.rollback()
    assert len(list_audit_entries()) == before
    commitment = get_commitment(4)
    assert commitment.status == "not_started"
    assert len(commitment.milestones) == 1
    assert commitment.notes == []
    assert commitment.evidence == []


@pytest.mark.parametrize(
    "action, audit_action",
    [
        ("status", "ogp_commitment.status_changed"),
        ("details", "ogp_commitment.details_changed"),
        ("milestone", "ogp_milestone.added"),
        ("done", "ogp_milestone.done"),
        ("evidence", "ogp_evidence.added"),
        ("note", "ogp_note.added"),
    ],
)
@pytest.mark.parametrize("actor", ["observer", "administrator"])
def test_every_change_is_audited(commitment, observer, administrator, action, audit_action, actor):
    who = {"observer": observer, "administrator": administrator}[actor]
    milestone = _milestone(observer, commitment)
    db.session.commit()
    ACTIONS[action](who, commitment, milestone)
    db.session.commit()
    entry = list_audit_entries(action=audit_action)[0]
    assert entry.actor_id == who.id
    assert entry.details["number"] == 4


ALL_PAIRS = [(old, new) for old in CommitmentStatus for new in CommitmentStatus]


@pytest.mark.parametrize("old, new", ALL_PAIRS)
def test_status_changes_follow_the_table(commitment, observer, old, new):
    commitment.status = old.value
    db.session.commit()
    if new in STATUS_TRANSITIONS[old]:
        services.change_commitment_status(observer, commitment, new.value)
        db.session.commit()
        assert get_commitment(4).status == new.value
        entry = list_audit_entries(action="ogp_commitment.status_changed")[0]
        assert (entry.details["before"], entry.details["after"]) == (old.value, new.value)
    else:
        with pytest.raises(DomainError) as error:
            services.change_commitment_status(observer, commitment, new.value)
        assert error.value.code == "transition"
        db.session.rollback()
        assert get_commitment(4).status == old.value


def test_an_unknown_status_is_refused(commitment, observer):
    with pytest.raises(DomainError) as error:
        services.change_commitment_status(observer, commitment, "finished")
    assert error.value.code == "unknown_status"


def test_details_are_cleaned_and_the_lead_institution_set(commitment, observer):
    from tests.factories import make_institution

    institution = make_institution()
    services.update_commitment_details(
        observer,
        commitment,
        description={"fr": "  Texte  ", "ar": " ", "en": "x"},
        lead_institution=institution,
    )
    db.session.commit()
    commitment = get_commitment(4)
    assert commitment.description == {"fr": "Texte"}
    assert commitment.lead_institution_id == institution.id


def test_a_milestone_needs_a_title_and_a_date(commitment, observer):
    with pytest.raises(DomainError) as error:
        services.add_milestone(observer, commitment, title={"fr": "  "}, due_on=date(2019, 1, 1))
    assert error.value.code == "title_required"
    with pytest.raises(DomainError) as error:
        services.add_milestone(observer, commitment, title={"fr": "Étape"}, due_on=None)
    assert error.value.code == "due_on_required"
    assert db.session.scalar(sa.select(sa.func.count(Milestone.id))) == 0


def test_a_milestone_is_marked_done_and_reopened(commitment, observer):
    milestone = _milestone(observer, commitment)
    services.set_milestone_done(observer, milestone, done_on=date(2019, 5, 2), today=TODAY)
    db.session.commit()
    assert get_commitment(4).milestones_done == 1
    services.set_milestone_done(observer, milestone, done_on=None, today=TODAY)
    db.session.commit()
    assert get_commitment(4).milestones_done == 0
    assert [e.action for e in list_audit_entries(target=milestone)] == [
        "ogp_milestone.reopened",
        "ogp_milestone.done",
        "ogp_milestone.added",
    ]


def test_a_milestone_cannot_be_done_in_the_future(commitment, observer):
    milestone = _milestone(observer, commitment)
    with pytest.raises(DomainError) as error:
        services.set_milestone_done(
            observer, milestone, done_on=TODAY + timedelta(days=1), today=TODAY
        )
    assert error.value.code == "future_date"


@pytest.mark.parametrize(
    "url",
    ["http://www.cour-des-comptes.ma/rapport.pdf", "https://data.gov.ma/", "HTTPS://WWW.MAROC.MA"],
)
def test_evidence_links_accept_web_addresses(commitment, observer, url):
    link = services.add_evidence_link(
        observer, commitment, url=f"  {url} ", label={"fr": "Rapport"}
    )
    db.session.commit()
    assert db.session.get(EvidenceLink, link.id).url == url
    assert link.added_by_id == observer.id


@pytest.mark.parametrize(
    "url",
    [
        "javascript:alert(1)",
        "ftp://files.example.org/x",
        "www.maroc.ma",
        "https://",
        "http:///path",
        "",
        "https://exa mple.org",
        "data:text/html,hi",
        "https://example.org/" + "x" * 500,
    ],
)
def test_evidence_links_refuse_anything_else(commitment, observer, url):
    with pytest.raises(DomainError) as error:
        services.add_evidence_link(observer, commitment, url=url, label={})
    assert error.value.code == "bad_url"
    db.session.rollback()
    assert db.session.scalar(sa.select(sa.func.count(EvidenceLink.id))) == 0


def test_a_note_keeps_its_language_author_and_date(commitment, observer):
    note = _note(
        observer, commitment, text={"zgh": " ⵜⴰⵣⵎⵎⴰⵎⵜ ", "fr": ""}, noted_on=date(2019, 3, 4)
    )
    db.session.commit()
    stored = db.session.get(ProgressNote, note.id)
    assert stored.body == {"zgh": "ⵜⴰⵣⵎⵎⴰⵎⵜ"}
    assert stored.author_id == observer.id
    assert stored.noted_on == date(2019, 3, 4)
    assert stored.text("body", "fr") == ("ⵜⴰⵣⵎⵎⴰⵎⵜ", "zgh")


def test_a_note_is_dated_today_by_default(commitment, observer):
    assert _note(observer, commitment).noted_on == TODAY


@pytest.mark.parametrize("text", [{}, {"fr": "   "}, {"en": "English only"}])
def test_a_note_needs_text_in_an_interface_language(commitment, observer, text):
    with pytest.raises(DomainError) as error:
        _note(observer, commitment, text=text)
    assert error.value.code == "text_required"


def test_a_note_cannot_be_dated_in_the_future(commitment, observer):
    with pytest.raises(DomainError) as error:
        _note(observer, commitment, noted_on=TODAY + timedelta(days=1))
    assert error.value.code == "future_date"


def test_a_correction_is_a_new_note_and_the_first_stays(commitment, observer):
    first = _note(
        observer, commitment, text={"fr": "Le portail est ouvert."}, noted_on=date(2019, 1, 10)
    )
    correction = _note(
        observer,
        commitment,
        text={"fr": "Correction : le portail a ouvert en février."},
        corrects=first,
    )
    db.session.commit()
    notes = get_commitment(4).notes
    assert [n.id for n in notes] == [correction.id, first.id]
    assert notes[1].body == {"fr": "Le portail est ouvert."}
    assert notes[0].corrects_id == first.id
    assert list_audit_entries(action="ogp_note.added")[0].details["corrects"] == first.id


def test_a_correction_must_correct_a_note_of_the_same_commitment(commitment, observer):
    other = _note(observer, get_commitment(5))
    with pytest.raises(DomainError) as error:
        _note(observer, commitment, corrects=other)
    assert error.value.code == "wrong_commitment"


def test_the_orm_refuses_to_change_or_delete_a_note(commitment, observer):
    note = _note(observer, commitment)
    db.session.commit()
    note.body = {"fr": "Réécrit"}
    with pytest.raises(AppendOnlyViolation):
        db.session.commit()
    db.session.rollback()
    db.session.delete(db.session.get(ProgressNote, note.id))
    with pytest.raises(AppendOnlyViolation):
        db.session.commit()
    db.session.rollback()
    assert db.session.get(ProgressNote, note.id).body == {"fr": "Observation."}


@pytest.mark.parametrize(
    "statement",
    ["UPDATE ogp_progress_notes SET noted_on = '2020-01-01'", "DELETE FROM ogp_progress_notes"],
)
def test_the_database_refuses_to_change_or_delete_a_note(commitment, observer, statement):
    _note(observer, commitment)
    db.session.commit()
    with pytest.raises(sa.exc.DatabaseError):
        db.session.execute(sa.text(statement))
        db.session.flush()
    db.session.rollback()
    assert db.session.scalar(sa.select(sa.func.count(ProgressNote.id))) == 1


@pytest.mark.parametrize("action", ["milestone", "done", "evidence", "note"])
def test_additions_change_the_commitment_s_last_change_time(commitment, observer, action):
    milestone = _milestone(observer, commitment)
    commitment.updated_at = commitment.updated_at - timedelta(days=30)
    db.session.commit()
    before = get_commitment(4).updated_at
    ACTIONS[action](observer, commitment, milestone)
    db.session.commit()
    assert get_commitment(4).updated_at > before
