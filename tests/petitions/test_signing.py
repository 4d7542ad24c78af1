"""Signing: eligibility, consent, one signature per account and per CIN (database constraints),
withdrawal, suspect signatures held not dropped, the pause switch, sharded exact counts that do
not read the signatures, reconciliation, expiry and deposit."""

from datetime import date, timedelta

import pytest
import sqlalchemy as sa

from participation.auth.models import Role
from participation.core.errors import DomainError
from participation.core.models import utcnow
from participation.core.switches import SiteSwitch
from participation.extensions import db
from participation.institutions.models import InstitutionKind, Province, Region
from participation.petitions import queries, services, signing
from participation.petitions.models import Signature, SignatureCounter
from tests.factories import make_identity, make_institution, make_user
from tests.petition_world import (
    citizen,
    open_petition,
    provinces_of_regions,
)


def test_sign_and_count(world):
    petition, *_ = open_petition()
    signers = [citizen(province=p) for p in provinces_of_regions(3)]
    for signer in signers:
        assert (
            signing.sign_petition(signer, petition, consent=True, ip="10.0.0.1").status == "counted"
        )
    db.session.commit()
    assert queries.count_signatures(petition.id) == 3
    by_region = queries.count_signatures_by_region(petition.id)
    assert sum(by_region.values()) == 3 and len(by_region) == 3
    assert signing.reconcile_counts() == []


def test_consent_is_required(world):
    petition, *_ = open_petition()
    with pytest.raises(DomainError):
        signing.sign_petition(citizen(), petition, consent=False)


def test_one_signature_per_account_and_per_cin(world):
    petition, *_ = open_petition()
    signer = citizen()
    signing.sign_petition(signer, petition, consent=True)
    with pytest.raises(DomainError) as error:
        signing.sign_petition(signer, petition, consent=True)
    assert error.value.code == "already_signed"
    assert queries.count_signatures(petition.id) == 1


def test_the_database_refuses_a_second_signature_with_the_same_cin(world):
    petition, *_ = open_petition()
    signer = citizen()
    signing.sign_petition(signer, petition, consent=True)
    db.session.commit()
    twin = make_user()
    db.session.add(
        Signature(petition_id=petition.id, user_id=twin.id, cin_hash=signer.identity.cin_hash)
    )
    with pytest.raises(sa.exc.IntegrityError):
        db.session.flush()
    db.session.rollback()


@pytest.mark.parametrize(
    "case, code",
    [
        ("no_identity", "cannot_sign"),
        ("expired_cin", "cannot_sign"),
        ("unverified", "cannot_sign"),
        ("blocked", "cannot_sign"),
    ],
)
def test_who_cannot_sign(world, case, code):
    petition, *_ = open_petition()
    if case == "no_identity":
        person = make_user()
    elif case == "expired_cin":
        person = make_user()
        make_identity(
            person,
            cin="EX1",
            province=provinces_of_regions(1)[0],
            cin_expiry=date.today() - timedelta(days=1),
        )
    elif case == "unverified":
        person = citizen(verified=False)
    else:
        person = citizen()
        person.blocked_at = utcnow()
    with pytest.raises(DomainError) as error:
        signing.sign_petition(person, petition, consent=True)
    assert error.value.code == code
    assert queries.count_signatures(petition.id) == 0


def test_regional_petitions_are_for_residents(world):
    region = db.session.scalar(sa.select(Region).where(Region.code == "04"))
    region.population = 5_000_000
    make_institution(kind=InstitutionKind.REGIONAL_COUNCIL, region=region)
    petition, *_ = open_petition("regional_petition", region=region)
    assert petition.signatures_required == 500
    resident = citizen(
        province=db.session.scalar(sa.select(Province).where(Province.region_id == region.id))
    )
    outsider = citizen(
        province=db.session.scalar(sa.select(Province).where(Province.region_id != region.id))
    )
    signing.sign_petition(resident, petition, consent=True)
    with pytest.raises(DomainError):
        signing.sign_petition(outsider, petition, consent=True)


def test_withdrawal_while_open(world):
    petition, *_ = open_petition()
    signer = citizen()
    signing.sign_petition(signer, petition, consent=True)
    signing.withdraw_signature(signer, petition)
    db.session.commit()
    assert queries.count_signatures(petition.id) == 0
    signing.sign_petition(signer, petition, consent=True)  # may sign again
    assert queries.count_signatures(petition.id) == 1
    assert signing.reconcile_counts() == []


def test_over_the_rate_limit_signatures_are_held_not_dropped(world, app):
    app.config["SIGNING_LIMIT_PER_IP"] = "2 per hour"
    petition, *_ = open_petition()
    results = [
        signing.sign_petition(citizen(), petition, consent=True, ip="203.0.113.9").status
        for _ in range(4)
    ]
    assert results == ["counted", "counted", "suspect", "suspect"]
    assert queries.count_signatures(petition.id) == 2
    held = db.session.scalars(sa.select(Signature).where(Signature.status == "suspect")).all()
    moderator = make_user(roles=[Role.MODERATOR])
    signing.count_held_signature(moderator, held[0])
    signing.discard_held_signature(moderator, held[1])
    assert queries.count_signatures(petition.id) == 3
    assert signing.reconcile_counts() == []


def test_signing_can_be_paused(world):
    petition, *_ = open_petition()
    db.session.add(SiteSwitch(key="pause_signing", enabled=True))
    db.session.commit()
    with pytest.raises(DomainError):
        signing.sign_petition(citizen(), petition, consent=True)


def test_counting_never_reads_the_signatures(world):
    petition, *_ = open_petition()
    for _ in range(5):
        signing.sign_petition(citizen(), petition, consent=True)
    statements = []

    def capture(conn, cursor, statement, *args):
        statements.append(statement)

    sa.event.listen(db.engine, "before_cursor_execute", capture)
    try:
        assert queries.count_signatures(petition.id) == 5
        queries.count_signatures_by_region(petition.id)
    finally:
        sa.event.remove(db.engine, "before_cursor_execute", capture)
    assert statements and all(
        "petition_signatures " not in s and "petition_signatures\n" not in s for s in statements
    )


def test_reconciliation_finds_and_fixes_drift(world):
    petition, *_ = open_petition()
    for _ in range(3):
        signing.sign_petition(citizen(), petition, consent=True)
    db.session.execute(sa.update(SignatureCounter).values(count=SignatureCounter.count + 7))
    drift = signing.reconcile_counts()
    assert drift and drift[0][0] == petition.id
    signing.reconcile_counts(fix=True)
    assert signing.reconcile_counts() == [] and queries.count_signatures(petition.id) == 3


def test_reconcile_command(world, app):
    petition, *_ = open_petition()
    signing.sign_petition(citizen(), petition, consent=True)
    db.session.commit()
    result = app.test_cli_runner().invoke(args=["petitions", "reconcile"])
    assert result.exit_code == 0 and "no drift" in result.output
    # Progress in petitions, as plain lines (not a terminal), the last one with the total.
    assert result.output.startswith("petitions reconcile: 1/1 petitions (100 %) in ")


def test_reconcile_command_reports_every_petition_and_the_drift(world, app):
    petitions = [open_petition()[0] for _ in range(3)]
    for petition in petitions:
        signing.sign_petition(citizen(), petition, consent=True)
    db.session.execute(
        sa.update(SignatureCounter)
        .where(SignatureCounter.petition_id == petitions[1].id)
        .values(count=SignatureCounter.count + 7)
    )
    db.session.commit()
    result = app.test_cli_runner().invoke(args=["petitions", "reconcile"])
    assert result.exit_code == 1
    lines = result.output.splitlines()
    assert [line.split(" (")[0] for line in lines[:-2]] == [
        "petitions reconcile: 1/3 petitions",
        "petitions reconcile: 2/3 petitions",
    ]
    assert lines[-2].startswith("petitions reconcile: 3/3 petitions (100 %) in ")
    assert lines[-1].startswith(f"petition {petitions[1].id} province ")
    assert lines[-1].endswith(": 1 rows, counter 8")


def test_expiry_and_deposit(world, outbox):
    petition, initiator, members = open_petition()
    petition.signatures_required = 2
    db.session.commit()
    agent = petition.agent.user
    with pytest.raises(DomainError):
        services.deposit_petition(agent, petition)
    for _ in range(2):
        signing.sign_petition(citizen(), petition, consent=True)
    services.deposit_petition(agent, petition)
    assert petition.state == "deposited"
    other, *_ = open_petition()
    other.closes_at = utcnow() - timedelta(minutes=1)
    assert signing.expire_due_petitions() == 1
    assert other.state == "expired"


def test_signing_through_the_page(client, login, post_form, world):
    petition, *_ = open_petition()
    signer = citizen()
    login(signer)
    page = f"/fr/petitions/{petition.id}-{petition.slug}"
    assert (
        post_form(f"/fr/petitions/{petition.id}/sign", {}, form_page=page).status_code == 302
    )  # no consent: nothing
    assert queries.count_signatures(petition.id) == 0
    assert (
        post_form(f"/fr/petitions/{petition.id}/sign", {"consent": "y"}, form_page=page).status_code
        == 302
    )
    assert queries.count_signatures(petition.id) == 1
    html = client.get(page).get_data(as_text=True)
    assert "<progress" in html
    # Cacheable for anonymous readers; the signer's own request is private (core/caching.py).
    api = client.application.test_client().get(f"/api/v1/petitions/{petition.id}/count")
    assert api.get_json()["signature_count"] == 1 and "max-age=5" in api.headers["Cache-Control"]
    assert (
        client.get(f"/api/v1/petitions/{petition.id}/count").headers["Cache-Control"]
        == "private, no-store"
    )


def _bulk_sign(petition, n, start):
    now = utcnow()
    provinces = db.session.scalars(sa.select(Province)).all()
    rows = []
    for i in range(start, start + n):
        province = provinces[i % len(provinces)]
        rows.append(
            dict(
                petition_id=petition.id,
                user_id=None,
                cin_hash=f"bulk{i}",
                region_id=province.region_id,
                province_id=province.id,
                status="counted",
                shard=i % 16,
                created_at=now,
            )
        )
        signing._add_to_counter(petition.id, province.id, province.region_id, i % 16, 1, now)
    db.session.execute(sa.insert(Signature), rows)
    db.session.commit()


def test_reading_counts_costs_the_same_at_10_and_3000_signatures(client, world):
    from participation.core import page_cache
    from tests.query_counts import QueryCounter

    petition, *_ = open_petition()
    paths = [
        f"/fr/petitions/{petition.id}-{petition.slug}",
        f"/api/v1/petitions/{petition.id}/count",
        "/fr/petitions/",
    ]
    counts = []
    for n, start in ((10, 0), (2990, 10)):
        _bulk_sign(petition, n, start)
        observed = {}
        for path in paths:
            client.get(path)
            db.session.expire_all()  # measure a cold request each time
            page_cache.clear()  # rendered, not the stored anonymous answer
            with QueryCounter(db.engine) as counter:
                assert client.get(path).status_code == 200
            observed[path] = counter.count
        counts.append(observed)
    assert counts[0] == counts[1]
    assert queries.count_signatures(petition.id) == 3000 and signing.reconcile_counts() == []


def test_comments_on_an_open_petition_and_petitions_i_signed(client, login, post_form, world):
    from participation.comments.models import Comment

    petition, *_ = open_petition()
    person = citizen()
    signing.sign_petition(person, petition, consent=True)
    db.session.commit()
    login(person)
    page = f"/fr/petitions/{petition.id}-{petition.slug}"
    response = post_form(
        f"/fr/comments/petition/{petition.id}",
        {"body": "Je soutiens, les horaires actuels excluent les salariés."},
        form_page=page,
    )
    assert response.status_code == 302
    assert db.session.scalar(sa.select(Comment.target_type)) == "petition"
    assert "les horaires actuels" in client.get(page).get_data(as_text=True)
    assert petition.text("title")[0] in client.get("/fr/petitions/").get_data(as_text=True)
