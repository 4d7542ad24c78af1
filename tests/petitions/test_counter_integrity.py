"""Counts cannot be lowered at will (issue 11, finding 1): a withdrawal takes 1 from the count only
when it really deleted a counted row, a moderator's release adds 1 only when it really changed a
held row, the database refuses a negative counter, reconciliation rebuilds the counters shard by
shard (so a later withdrawal cannot go below zero), the withdrawal has its own guard (a blocked
account may not withdraw), and an expiry goes through the petitions' audited transition.

The interleaved tests put a second request's whole withdrawal (or decision) between the first
one's read and its first write, in another session: that is what parallel requests did on
PostgreSQL. SQLite cannot interleave them (a writing transaction begins IMMEDIATE, so requests
that write run one after the other): those tests run on PostgreSQL only."""

from datetime import timedelta

import pytest
import sqlalchemy as sa
from flask import current_app

from participation.auth.models import Role, User
from participation.core.audit import AuditEntry
from participation.core.errors import DomainError, PermissionDenied
from participation.core.models import utcnow
from participation.extensions import db
from participation.petitions import permissions as perms
from participation.petitions import queries, signing
from participation.petitions.models import Petition, Signature, SignatureCounter
from tests.conftest import POSTGRES_URL
from tests.factories import make_user
from tests.petition_world import citizen, open_petition, provinces_of_regions

postgresql_only = pytest.mark.skipif(
    not POSTGRES_URL, reason="SQLite runs writing transactions one after the other"
)
WRITES = ("INSERT", "UPDATE", "DELETE")


def counters_by_shard(petition_id):
    rows = db.session.execute(
        sa.select(
            SignatureCounter.province_key, SignatureCounter.shard, SignatureCounter.count
        ).where(SignatureCounter.petition_id == petition_id)
    )
    return {(province, shard): count for province, shard, count in rows if count}


def rows_by_shard(petition_id):
    rows = db.session.execute(
        sa.select(Signature.province_id, Signature.shard, sa.func.count())
        .where(Signature.petition_id == petition_id, Signature.status == "counted")
        .group_by(Signature.province_id, Signature.shard)
    )
    return {(province, shard): count for province, shard, count in rows}


def on_one_shard(petition, people):
    """Everyone signs from the same province onto one shard: a double decrement shows in the count."""
    current_app.config["SIGNATURE_COUNTER_SHARDS"] = 1
    for person in people:
        signing.sign_petition(person, petition, consent=True)
    db.session.commit()


def interleaved(first, second):
    """Run `first()`; just before its first write statement, run `second()` to its commit in a
    session of its own (another application context), as a parallel request would."""
    state = {"done": False}

    def before_write(connection, cursor, statement, *args):
        if state["done"] or not statement.lstrip().upper().startswith(WRITES):
            return
        state["done"] = True
        with current_app.app_context():
            second()
            db.session.commit()
            db.session.remove()

    sa.event.listen(db.engine, "before_cursor_execute", before_write)
    try:
        return first()
    finally:
        sa.event.remove(db.engine, "before_cursor_execute", before_write)


def again(model, key):
    return db.session.get(model, key)


@postgresql_only
def test_a_withdrawal_interleaved_with_the_same_withdrawal_takes_one_only(world):
    petition, *_ = open_petition()
    province = provinces_of_regions(1)[0]
    signer, other = citizen(province=province), citizen(province=province)
    on_one_shard(petition, [signer, other])
    signer_id, petition_id = signer.id, petition.id
    with pytest.raises(DomainError) as refused:
        interleaved(
            lambda: signing.withdraw_signature(signer, petition),
            lambda: signing.withdraw_signature(
                again(User, signer_id), again(Petition, petition_id)
            ),
        )
    assert refused.value.code == "not_signed"
    db.session.rollback()
    assert queries.count_signatures(petition.id) == 1
    assert counters_by_shard(petition.id) == rows_by_shard(petition.id)
    assert signing.reconcile_counts() == []


def held_signature(app, ip):
    """An open petition with one counted signature and one held (the second from the same
    address, over a per-address limit of one), and a moderator; the held row as the first
    moderator's request read it."""
    app.config["SIGNING_LIMIT_PER_IP"] = "1 per day"
    petition, *_ = open_petition()
    signing.sign_petition(citizen(), petition, consent=True, ip=ip)
    held = signing.sign_petition(citizen(), petition, consent=True, ip=ip)
    db.session.commit()
    signature = db.session.get(Signature, held.id)
    assert signature.status == "suspect"
    return petition, signature, make_user(roles=[Role.MODERATOR])


@postgresql_only
def test_a_release_interleaved_with_another_release_counts_once(world, app):
    petition, signature, moderator = held_signature(app, "203.0.113.5")
    moderator_id, signature_id = moderator.id, signature.id
    with pytest.raises(DomainError) as refused:
        interleaved(
            lambda: signing.count_held_signature(moderator, signature),
            lambda: signing.count_held_signature(
                again(User, moderator_id), again(Signature, signature_id)
            ),
        )
    assert refused.value.code == "not_suspect"
    db.session.rollback()
    assert queries.count_signatures(petition.id) == 2
    assert signing.reconcile_counts() == []


@postgresql_only
def test_a_discard_interleaved_with_a_release_keeps_the_counted_row(world, app):
    petition, signature, moderator = held_signature(app, "203.0.113.6")
    moderator_id, signature_id = moderator.id, signature.id
    with pytest.raises(DomainError) as refused:
        interleaved(
            lambda: signing.discard_held_signature(moderator, signature),
            lambda: signing.count_held_signature(
                again(User, moderator_id), again(Signature, signature_id)
            ),
        )
    assert refused.value.code == "not_suspect"
    db.session.rollback()
    assert db.session.get(Signature, signature_id) is not None
    assert queries.count_signatures(petition.id) == 2
    assert signing.reconcile_counts() == []


def test_withdrawing_twice_takes_one_once(world):
    petition, *_ = open_petition()
    province = provinces_of_regions(1)[0]
    signer, other = citizen(province=province), citizen(province=province)
    on_one_shard(petition, [signer, other])
    signing.withdraw_signature(signer, petition)
    db.session.commit()
    with pytest.raises(DomainError) as refused:
        signing.withdraw_signature(signer, petition)
    assert refused.value.code == "not_signed"
    assert queries.count_signatures(petition.id) == 1
    assert counters_by_shard(petition.id) == rows_by_shard(petition.id)


def test_the_database_refuses_a_negative_count(world):
    petition, *_ = open_petition()
    signing.sign_petition(citizen(), petition, consent=True)
    db.session.commit()
    with pytest.raises(sa.exc.IntegrityError):
        db.session.execute(
            sa.update(SignatureCounter)
            .where(SignatureCounter.petition_id == petition.id)
            .values(count=-1)
        )
        db.session.flush()
    db.session.rollback()
    assert queries.count_signatures(petition.id) == 1


def test_reconciliation_rebuilds_each_shard_so_later_withdrawals_stay_exact(world, monkeypatch):
    petition, *_ = open_petition()
    province = provinces_of_regions(1)[0]
    people = [citizen(province=province) for _ in range(4)]
    shards = iter([0, 5, 5, 9])
    monkeypatch.setattr(signing.random, "randrange", lambda _n: next(shards))
    for person in people:
        signing.sign_petition(person, petition, consent=True)
    db.session.execute(sa.update(SignatureCounter).values(count=SignatureCounter.count + 7))
    db.session.commit()
    assert signing.reconcile_counts(fix=True)
    db.session.commit()
    assert signing.reconcile_counts() == []
    assert (
        counters_by_shard(petition.id)
        == rows_by_shard(petition.id)
        == {(province.id, 0): 1, (province.id, 5): 2, (province.id, 9): 1}
    )
    for person in people[1:3]:  # both on shard 5
        signing.withdraw_signature(person, petition)
    db.session.commit()
    assert queries.count_signatures(petition.id) == 2
    assert counters_by_shard(petition.id) == rows_by_shard(petition.id)
    assert signing.reconcile_counts() == []


@pytest.mark.parametrize(
    "who, allowed",
    [
        ("anonymous", False),
        ("signed_in", True),
        ("blocked", False),
        ("deleted", False),
        ("unverified_email", True),  # an address changed since signing does not lock the person in
        ("expired_cin", True),  # withdrawing needs no valid identity card
    ],
)
def test_who_may_withdraw_a_signature(world, who, allowed):
    from flask_login import AnonymousUserMixin

    petition, *_ = open_petition()
    if who == "anonymous":
        person = AnonymousUserMixin()
    else:
        person = citizen(verified=who != "unverified_email")
        if who == "blocked":
            person.blocked_at = utcnow()
        elif who == "deleted":
            person.deleted_at = utcnow()
        elif who == "expired_cin":
            person.identity.cin_expiry = utcnow().date() - timedelta(days=1)
    assert perms.can_withdraw_signature(person, petition) is allowed
    assert perms.can_withdraw_signature(person, None) is False


def test_a_blocked_account_cannot_withdraw(world):
    petition, *_ = open_petition()
    signer = citizen()
    signing.sign_petition(signer, petition, consent=True)
    signer.blocked_at = utcnow()
    db.session.commit()
    with pytest.raises(PermissionDenied):
        signing.withdraw_signature(signer, petition)
    assert queries.count_signatures(petition.id) == 1


def test_a_blocked_account_cannot_withdraw_through_the_page(client, login, post_form, world):
    petition, *_ = open_petition()
    signer = citizen()
    signing.sign_petition(signer, petition, consent=True)
    db.session.commit()
    login(signer)
    page = f"/fr/petitions/{petition.id}-{petition.slug}"
    assert f"/petitions/{petition.id}/unsign" in client.get(page).get_data(as_text=True)
    signer.blocked_at = utcnow()
    db.session.commit()
    assert f"/petitions/{petition.id}/unsign" not in client.get(page).get_data(
        as_text=True
    )  # not offered
    response = post_form(f"/fr/petitions/{petition.id}/unsign", {}, form_page=page)
    assert response.status_code == 403
    assert (
        signing.get_signature(signer, petition) is not None
        and queries.count_signatures(petition.id) == 1
    )


def test_withdrawing_through_the_page_twice(client, login, post_form, world):
    petition, *_ = open_petition()
    signer = citizen()
    signing.sign_petition(signer, petition, consent=True)
    db.session.commit()
    login(signer)
    page = f"/fr/petitions/{petition.id}-{petition.slug}"
    for _ in range(2):
        assert (
            post_form(f"/fr/petitions/{petition.id}/unsign", {}, form_page=page).status_code == 302
        )
    assert (
        signing.get_signature(signer, petition) is None
        and queries.count_signatures(petition.id) == 0
    )
    assert signing.reconcile_counts() == []


def test_an_expiry_goes_through_the_audited_transition(world):
    petition, *_ = open_petition()
    petition.signatures_required = 2
    signing.sign_petition(citizen(), petition, consent=True)
    petition.closes_at = utcnow() - timedelta(minutes=1)
    db.session.commit()
    assert signing.expire_due_petitions() == 1
    db.session.commit()
    assert petition.state == "expired" and petition.decided_at is not None
    entry = db.session.scalar(sa.select(AuditEntry).where(AuditEntry.action == "petition.expired"))
    assert entry is not None and entry.actor_id is None
    assert (entry.target_type, entry.target_id) == ("petitions", petition.id)
    assert entry.details == {"previous": "open", "signatures": 1, "required": 2}
    assert signing.expire_due_petitions() == 0


def test_the_migration_rebuilds_drifted_counters_before_refusing_negative_ones(world, monkeypatch):
    """Migration 0012 on a database where withdrawals had driven a counter below zero and an old
    `reconcile --fix` had put a petition's count into shard 0: the CHECK could not be added over
    the first, and the second would refuse later withdrawals. Petitions whose counters were right
    keep them untouched."""
    from flask_migrate import downgrade, upgrade

    province = provinces_of_regions(1)[0]
    province_id, region_id = province.id, province.region_id
    drifted, *_ = open_petition()
    merged, *_ = open_petition()
    right, *_ = open_petition()
    shards = iter([3, 3, 7, 1, 2])
    monkeypatch.setattr(signing.random, "randrange", lambda _n: next(shards))
    for petition, people in ((drifted, 2), (merged, 1), (right, 2)):
        for _ in range(people):
            signing.sign_petition(citizen(province=province), petition, consent=True)
    db.session.commit()
    drifted, merged, right = drifted.id, merged.id, right.id
    untouched = (
        db.session.execute(sa.select(SignatureCounter).where(SignatureCounter.petition_id == right))
        .scalars()
        .all()
    )
    untouched = {(c.province_key, c.shard): (c.count, c.updated_at) for c in untouched}
    db.session.remove()
    downgrade(revision="0011_dashboards")
    try:
        db.session.execute(
            sa.update(SignatureCounter)
            .where(SignatureCounter.petition_id == drifted)
            .values(count=-3)
        )
        db.session.execute(
            sa.delete(SignatureCounter).where(SignatureCounter.petition_id == merged)
        )
        db.session.add(
            SignatureCounter(
                petition_id=merged,
                province_key=province_id,
                shard=0,
                region_key=region_id,
                count=1,
                updated_at=utcnow(),
            )
        )
        db.session.commit()
        db.session.remove()
    finally:
        upgrade()
    for petition_id in (drifted, merged, right):
        assert counters_by_shard(petition_id) == rows_by_shard(petition_id)
    assert counters_by_shard(drifted) == {(province_id, 3): 2}
    kept = (
        db.session.execute(sa.select(SignatureCounter).where(SignatureCounter.petition_id == right))
        .scalars()
        .all()
    )
    assert {(c.province_key, c.shard): (c.count, c.updated_at) for c in kept} == untouched
    assert signing.reconcile_counts() == []
    with pytest.raises(sa.exc.IntegrityError):
        db.session.execute(sa.update(SignatureCounter).values(count=-1))
        db.session.flush()
    db.session.rollback()
