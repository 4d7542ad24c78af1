"""One definition each of a public petition, a petition's state, the signing rules and the
signature count, read alike by the petition pages, the API, the open-data dumps and both
signing paths (the ORM one and the fast path's records)."""

import json
from datetime import date, datetime, timedelta, timezone

import pytest
import sqlalchemy as sa

from participation.core.timezones import morocco_date
from participation.extensions import db
from participation.opendata.dumps import write_dumps
from participation.petitions import permissions as perms
from participation.petitions import queries, services, signers, signing
from participation.petitions.models import (
    AWAITING_DEPOSIT_LABEL,
    PETITION_STATE_LABELS,
    Petition,
    PetitionState,
)
from tests.factories import make_identity, make_user
from tests.petition_world import citizen, open_petition, provinces_of_regions

SECOND = timedelta(seconds=1)


def page_of(petition):
    return f"/fr/petitions/{petition.id}-{petition.slug}"


def api_list(client, query=""):
    response = client.get(f"/api/v1/petitions{query}")
    assert response.status_code == 200
    return {item["id"]: item["state"] for item in response.get_json()["data"]}


def dumped_states(directory):
    write_dumps(directory)
    rows = json.loads((directory / "petitions.json").read_text(encoding="utf-8"))
    return {row["petition_id"]: row["state"] for row in rows}


def test_a_petition_withdrawn_after_publication_stays_public_everywhere(client, world, tmp_path):
    petition, initiator, _members = open_petition()
    services.withdraw_petition(initiator, petition, reason="Le ministère a déjà répondu.")
    db.session.commit()
    assert queries.is_public(petition)
    assert db.session.scalar(sa.select(Petition.id).where(queries.is_public_sql())) == petition.id

    page = client.get(page_of(petition))
    assert page.status_code == 200 and "badge--withdrawn" in page.get_data(as_text=True)
    assert f"/petitions/{petition.id}-" in client.get("/fr/petitions/?state=withdrawn").get_data(
        as_text=True
    )
    assert api_list(client) == {petition.id: "withdrawn"}
    assert api_list(client, "?state=withdrawn") == {petition.id: "withdrawn"}
    detail = client.get(f"/api/v1/petitions/{petition.id}")
    assert detail.status_code == 200 and detail.get_json()["state"] == "withdrawn"
    assert client.get(f"/api/v1/petitions/{petition.id}/count").status_code == 200
    assert dumped_states(tmp_path) == {petition.id: "withdrawn"}


def test_a_draft_withdrawn_before_publication_is_public_nowhere(client, world, tmp_path):
    initiator = citizen()
    petition, *_ = open_petition()
    draft = services.create_petition(
        initiator,
        petition.kind,
        services.PetitionData(title={"fr": "Brouillon"}, demands={}, memorandum={}),
    )
    services.withdraw_petition(initiator, draft, reason="Abandonné.")
    db.session.commit()
    assert draft.state == "withdrawn" and not queries.is_public(draft)
    assert client.get(page_of(draft)).status_code == 404
    assert draft.id not in api_list(client)
    assert client.get(f"/api/v1/petitions/{draft.id}").status_code == 404
    assert client.get(f"/api/v1/petitions/{draft.id}/count").status_code == 404
    assert draft.id not in dumped_states(tmp_path)


@pytest.mark.parametrize("offset, effective", [(-SECOND, "open"), (SECOND, "expired")])
def test_a_petition_closes_on_every_surface_at_once(
    client, login, post_form, world, clock, tmp_path, offset, effective
):
    """Below its threshold, before `flask tick` records anything."""
    petition, *_ = open_petition()
    clock.now = petition.closes_at + offset
    assert (
        petition.state == "open"
        and queries.count_signatures(petition.id) < petition.signatures_required
    )

    html = client.get(page_of(petition)).get_data(as_text=True)
    assert f"badge badge--{effective}" in html
    listing = client.get(f"/fr/petitions/?state={effective}").get_data(as_text=True)
    assert f"badge badge--{effective}" in listing and f"/petitions/{petition.id}-" in listing
    other = "expired" if effective == "open" else "open"
    assert f"/petitions/{petition.id}-" not in client.get(f"/fr/petitions/?state={other}").get_data(
        as_text=True
    )
    assert api_list(client) == {petition.id: effective}
    assert api_list(client, f"?state={effective}") == {petition.id: effective}
    assert api_list(client, f"?state={other}") == {}
    assert client.get(f"/api/v1/petitions/{petition.id}").get_json()["state"] == effective
    assert dumped_states(tmp_path) == {petition.id: effective}

    signer = citizen()
    login(signer)
    post_form(f"/fr/petitions/{petition.id}/sign", {"consent": "y"}, form_page=page_of(petition))
    assert queries.count_signatures(petition.id) == (1 if effective == "open" else 0)


def test_the_tick_records_what_every_surface_already_shows(world, clock):
    petition, *_ = open_petition()
    clock.now = petition.closes_at + SECOND
    assert petition.effective_state(clock.now, signatures=0) == PetitionState.EXPIRED
    assert signing.expire_due_petitions(now=clock.now) == 1
    assert petition.state == "expired" and petition.decided_at == clock.now
    assert petition.effective_state(clock.now, signatures=0) == PetitionState.EXPIRED


def test_a_petition_that_reached_its_threshold_awaits_its_deposit(world):
    petition, *_ = open_petition()
    petition.signatures_required = 1
    signing.sign_petition(citizen(), petition, consent=True)
    db.session.commit()
    after = petition.closes_at + SECOND
    assert petition.effective_state(after, signatures=1) == PetitionState.OPEN
    assert petition.effective_label(after, signatures=1) == AWAITING_DEPOSIT_LABEL
    assert (
        petition.effective_label(petition.closes_at - SECOND, signatures=1)
        == PETITION_STATE_LABELS[PetitionState.OPEN]
    )
    assert perms.signing_refusal(citizen(), petition, now=after) is not None
    assert signing.expire_due_petitions(now=after) == 0 and petition.state == "open"
    assert perms.can_deposit_petition(petition.agent.user, petition)


@pytest.mark.parametrize("counted, required", [(0, 2), (2, 2), (0, None)])
def test_the_python_and_sql_effective_states_agree(world, counted, required):
    petition, *_ = open_petition()
    for _ in range(counted):
        signing.sign_petition(citizen(), petition, consent=True)
    for state in PetitionState:
        for offset in (-SECOND, timedelta(0), SECOND):
            petition.state, petition.signatures_required = state.value, required
            db.session.flush()
            now = petition.closes_at + offset
            in_sql = db.session.scalar(
                sa.select(Petition.effective_state_sql(now)).where(Petition.id == petition.id)
            )
            in_python = petition.effective_state(
                now, signatures=queries.count_signatures(petition.id)
            )
            assert in_sql == in_python.value, (state, offset)
            expired_by_the_clock = (
                state == PetitionState.OPEN and offset >= timedelta(0) and counted < (required or 0)
            )
            assert in_python == (PetitionState.EXPIRED if expired_by_the_clock else state), (
                state,
                offset,
            )
    db.session.rollback()


def test_the_identity_card_is_checked_against_moroccos_date(world):
    # Morocco was on UTC+1 then (outside Ramadan, before its return to UTC+0 in September 2026).
    late_evening = datetime(2025, 6, 15, 23, 30, tzinfo=timezone.utc)
    assert morocco_date(late_evening) == date(2025, 6, 16)  # already the next day in Casablanca
    person = make_user()
    make_identity(
        person, cin="MA1", province=provinces_of_regions(1)[0], cin_expiry=date(2025, 6, 15)
    )
    assert not perms.has_valid_identity_card(person.identity, late_evening)
    assert perms.has_valid_identity_card(person.identity, late_evening - timedelta(hours=1))
    assert not perms.has_complete_identity(person, late_evening)


def _signer_record(user, petition):
    return signers.load_signer_and_petition(f"{user.id}:{user.session_token}", petition.id)


@pytest.mark.parametrize(
    "case", ["eligible", "no_identity", "expired_card", "unverified", "blocked", "closed"]
)
def test_the_fast_path_and_the_orm_path_refuse_alike(world, case):
    petition, *_ = open_petition()
    now = petition.closes_at - SECOND
    if case == "no_identity":
        person = make_user()
    elif case == "expired_card":
        person = make_user()
        make_identity(
            person,
            cin="EX9",
            province=provinces_of_regions(1)[0],
            cin_expiry=morocco_date(now) - timedelta(days=1),
        )
    elif case == "unverified":
        person = citizen(verified=False)
    else:
        person = citizen()
    if case == "blocked":
        person.blocked_at = now - timedelta(days=1)
    if case == "closed":
        now = petition.closes_at
    db.session.commit()
    signer, record = _signer_record(person, petition)
    assert signer is not None and record is not None
    orm_refusal = perms.signing_refusal(person, petition, now=now)
    assert perms.signing_refusal(signer, record, now=now) == orm_refusal
    assert (orm_refusal is None) is (case == "eligible")
    assert perms.can_sign_petition(signer, record, now=now) is perms.can_sign_petition(
        person, petition, now=now
    )


def test_a_rotated_session_loads_no_signer(world):
    petition, *_ = open_petition()
    person = citizen()
    old_token = person.session_token
    person.session_token = "rotated"
    db.session.commit()
    assert signers.load_signer_and_petition(f"{person.id}:{old_token}", petition.id) == (None, None)
    person.deleted_at = person.created_at
    db.session.commit()
    assert signers.load_signer_and_petition(f"{person.id}:rotated", petition.id) == (None, None)


def test_signing_a_draft_through_the_fast_path_is_a_404(client, login, post_form, world):
    petition, *_ = open_petition()
    initiator = citizen()
    draft = services.create_petition(
        initiator,
        petition.kind,
        services.PetitionData(title={"fr": "Brouillon"}, demands={}, memorandum={}),
    )
    db.session.commit()
    login(citizen())
    response = post_form(
        f"/fr/petitions/{draft.id}/sign", {"consent": "y"}, form_page=page_of(petition)
    )
    assert response.status_code == 404
    assert queries.count_signatures(draft.id) == 0
