"""Held signatures (SPEC §4): locks, counting or discarding one by one and in bulk, refusals (own signature, a petition the
moderator initiated, joined or signed, another moderator's lock, a decision taken meanwhile),
the record, the audit and the signer's e-mail; the network hash stored at signing; the trending
alerts by network and e-mail domain. The queue that shows them: tests/moderation."""

import re
from datetime import timedelta

import pytest
import sqlalchemy as sa

from participation.auth.models import Role, RoleGrant, User
from participation.petitions import permissions as perms
from participation.petitions.models import SignatureDecision, SignatureLock
from participation.petitions.queries import list_signing_alerts
from participation.petitions.holds import (
    decide_signature,
    decide_signatures,
    unlock_signature,
    take_signature,
)
from participation.core.audit import AuditEntry
from participation.core.errors import DomainError
from participation.core.models import utcnow
from participation.extensions import db
from participation.petitions import queries as petition_queries
from participation.petitions import signing
from participation.petitions.models import Signature
from tests.factories import make_user
from tests.petition_world import citizen, open_petition

BUSY_NETWORK = "203.0.113.{n}"


def _moderator(**kwargs):
    return make_user(roles=[Role.MODERATOR], **kwargs)


def _decisions():
    return [
        (d.signature_id, d.moderator_id, d.decision, d.held_limit)
        for d in db.session.scalars(sa.select(SignatureDecision).order_by(SignatureDecision.id))
    ]


# The network hash at signing


def test_the_network_hash_groups_a_network_and_never_keeps_the_address(app):
    same = {signing.network_hash(f"198.51.100.{n}") for n in (1, 77, 254)}
    assert len(same) == 1 and None not in same
    assert signing.network_hash("198.51.101.1") not in same
    assert signing.network_hash("::ffff:198.51.100.9") in same  # IPv4 mapped in IPv6
    v6 = {signing.network_hash(a) for a in ("2001:db8:abcd:1::1", "2001:db8:abcd:ffff::2")}
    assert len(v6) == 1 and signing.network_hash("2001:db8:abce::1") not in v6
    assert [signing.network_hash(a) for a in (None, "", "not an address", "300.1.1.1")] == [
        None
    ] * 4
    assert len(next(iter(same))) == 32 and "198.51.100" not in next(iter(same))


def test_signing_stores_the_network_hash_and_which_limit_held_the_signature(app, held_by_ip):
    petition, *_ = open_petition()
    held = held_by_ip(petition, 1, ip="203.0.113.7")[0]
    counted = db.session.scalar(
        sa.select(Signature).where(
            Signature.status == "counted", Signature.petition_id == petition.id
        )
    )
    assert counted.network_hash == held.network_hash == signing.network_hash("203.0.113.200")
    assert (counted.held_limit, held.held_limit) == (None, "ip")
    app.config["SIGNING_LIMIT_PER_IP"] = "1000 per day"
    app.config["SIGNING_LIMIT_PER_ACCOUNT"] = "1 per day"
    second, *_ = open_petition()
    signer = citizen()
    signing.sign_petition(signer, petition, consent=True, ip="192.0.2.1")
    receipt = signing.sign_petition(signer, second, consent=True, ip="192.0.2.1")
    assert (receipt.status, db.session.get(Signature, receipt.id).held_limit) == (
        "suspect",
        "account",
    )
    assert all(
        "203.0.113" not in str(value)
        for row in db.session.execute(sa.select(Signature.__table__))
        for value in row
    )


# The queue


def test_a_moderator_counts_a_held_signature_and_the_signer_is_told(app, held_by_ip, outbox):
    petition, *_ = open_petition()
    signature = held_by_ip(petition, 1, language="ar")[0]
    moderator = _moderator()
    before = petition_queries.count_signatures(petition.id)
    take_signature(moderator, signature)
    record = decide_signature(moderator, signature, decision="release", note="Vérifiée.")
    db.session.commit()
    assert (
        signature.status == "counted"
        and petition_queries.count_signatures(petition.id) == before + 1
    )
    assert signing.reconcile_counts() == []
    assert _decisions() == [(signature.id, moderator.id, "release", "ip")]
    assert db.session.get(SignatureLock, signature.id) is None
    audit = db.session.scalar(
        sa.select(AuditEntry).where(AuditEntry.action == "moderation.signature_decision")
    )
    assert (audit.actor_id, audit.target_type, audit.target_id, audit.details["decision"]) == (
        moderator.id,
        "petitions",
        petition.id,
        "release",
    )
    mails = outbox(template="signature_decision")
    assert [m.language for m in mails] == ["ar"]
    assert (
        "Vérifiée." in mails[0].body_text and f"/ar/petitions/{petition.id}" in mails[0].body_text
    )
    assert record.held_at == signature.created_at


def test_a_moderator_discards_a_held_signature(app, held_by_ip, outbox):
    petition, *_ = open_petition()
    signature = held_by_ip(petition, 1)[0]
    signature_id, signer_id = signature.id, signature.user_id
    moderator = _moderator()
    take_signature(moderator, signature)
    before = petition_queries.count_signatures(petition.id)
    decide_signature(moderator, signature, decision="discard")
    db.session.commit()
    assert db.session.get(Signature, signature_id) is None
    assert db.session.scalar(sa.select(sa.func.count()).select_from(SignatureLock)) == 0
    assert petition_queries.count_signatures(petition.id) == before
    assert _decisions() == [(signature_id, moderator.id, "discard", "ip")]
    mails = outbox(template="signature_decision")
    assert [(m.to_address, m.language) for m in mails] == [
        (db.session.get(User, signer_id).email, "fr")
    ]
    assert "AB" not in mails[0].body_text  # the CIN never leaves the signature


def test_signature_decisions_are_append_only(app, held_by_ip):
    from participation.core.audit import AppendOnlyViolation

    petition, *_ = open_petition()
    signature = held_by_ip(petition, 1)[0]
    record = decide_signature(_moderator(), signature, decision="discard")
    db.session.commit()
    record.note = "changed"
    with pytest.raises(AppendOnlyViolation):
        db.session.flush()
    db.session.rollback()


def _refused(actor, signature, code, **kwargs):
    with pytest.raises(DomainError) as refused:
        decide_signature(actor, signature, **{"decision": "release", **kwargs})
    assert refused.value.code == code


@pytest.mark.parametrize("who", ["signer", "initiator", "committee", "co_signer"])
def test_a_moderator_never_decides_a_signature_of_a_petition_they_are_part_of(app, held_by_ip, who):
    petition, initiator, members = open_petition()
    signature = held_by_ip(petition, 1)[0]
    if who == "signer":
        person = db.session.get(User, signature.user_id)
    elif who == "initiator":
        person = initiator
    elif who == "committee":
        person = members[0].user
    else:
        person = citizen()
        signing.sign_petition(person, petition, consent=True, ip="192.0.2.50")
    db.session.add(RoleGrant(user_id=person.id, role=Role.MODERATOR.value))
    db.session.commit()
    db.session.expire(person, ["grants"])
    assert not perms.can_decide_signature(person, signature)
    _refused(person, signature, "own_content")
    with pytest.raises(DomainError):
        take_signature(person, signature)
    assert signature.status == "suspect" and _decisions() == []


def test_a_locked_signature_waits_for_its_moderator(app, held_by_ip):
    petition, *_ = open_petition()
    signature = held_by_ip(petition, 1)[0]
    first, second = _moderator(), _moderator()
    take_signature(first, signature)
    _refused(second, signature, "locked")
    with pytest.raises(DomainError) as refused:
        take_signature(second, signature)
    assert refused.value.code == "locked"
    unlock_signature(first, signature)
    take_signature(second, signature)
    lock = db.session.get(SignatureLock, signature.id)
    assert lock.locked_by_id == second.id
    later = utcnow() + timedelta(minutes=app.config["MODERATION_LOCK_MINUTES"] + 1)
    decide_signature(first, signature, decision="release", now=later)  # the lock ran out
    assert _decisions()[0][1] == first.id


def test_a_signature_is_decided_once(app, held_by_ip):
    petition, *_ = open_petition()
    signature = held_by_ip(petition, 1)[0]
    decide_signature(_moderator(), signature, decision="release")
    _refused(_moderator(), signature, "already_decided", decision="discard")
    other = held_by_ip(petition, 1, ip="192.0.2.99")[0]
    decide_signature(_moderator(), other, decision="discard")
    db.session.commit()
    _refused(_moderator(), other, "already_decided")


def test_a_held_signature_cannot_be_counted_once_the_window_has_passed(app, held_by_ip):
    """The close is a date: before the tick records it, releasing is already refused."""
    petition, *_ = open_petition()
    signature = held_by_ip(petition, 1)[0]
    petition.closes_at = utcnow() - timedelta(seconds=1)
    db.session.commit()
    assert petition.state == "open"  # not recorded yet
    _refused(_moderator(), signature, "not_open")
    assert db.session.get(Signature, signature.id).status == "suspect"
    assert petition_queries.count_signatures(petition.id) == 1


def test_a_closed_petition_keeps_its_count(app, held_by_ip):
    """Once a petition has closed, a held signature can no longer be counted: releasing it is
    refused and discarding it takes nothing away."""
    petition, *_ = open_petition()
    signature = held_by_ip(petition, 1)[0]
    assert petition_queries.count_signatures(petition.id) == 1  # the one within the limit
    petition.state = "expired"
    db.session.commit()
    _refused(_moderator(), signature, "not_open")
    assert db.session.get(Signature, signature.id).status == "suspect"
    assert petition_queries.count_signatures(petition.id) == 1
    decide_signature(_moderator(), signature, decision="discard")
    db.session.commit()
    assert db.session.get(Signature, signature.id) is None
    assert petition_queries.count_signatures(petition.id) == 1
    assert signing.reconcile_counts(petition_id=petition.id) == []


def test_invalid_decision_is_refused(app, held_by_ip):
    petition, *_ = open_petition()
    signature = held_by_ip(petition, 1)[0]
    _refused(_moderator(), signature, "invalid_choice", decision="approve")


def test_bulk_decisions_leave_what_the_moderator_may_not_decide(app, held_by_ip, outbox):
    petition, *_ = open_petition()
    signatures = held_by_ip(petition, 4)
    moderator, other = _moderator(), _moderator()
    take_signature(other, signatures[1])
    decide_signature(other, signatures[2], decision="discard")
    db.session.commit()
    decided, left = decide_signatures(
        moderator, signatures[:2] + signatures[3:], decision="release"
    )
    db.session.commit()
    assert [r.signature_id for r in decided] == [signatures[0].id, signatures[3].id]
    assert [s.id for s in left] == [signatures[1].id]
    assert signatures[1].status == "suspect"
    assert len(outbox(template="signature_decision")) == 3


# Trending alerts


def test_alerts_by_network_and_by_domain(app, held_by_ip):
    app.config.update(
        SIGNING_ALERT_NETWORK_THRESHOLD=3,
        SIGNING_ALERT_DOMAIN_THRESHOLD=2,
        SIGNING_LIMIT_PER_IP="1000 per day",
        SIGNING_ALERT_PUBLIC_DOMAINS="gmail.com,example.org",  # the factories' accounts are @example.org
    )
    busy, *_ = open_petition()
    quiet, *_ = open_petition()
    for n in range(4):  # one /24: over the threshold of 3
        signing.sign_petition(citizen(), busy, consent=True, ip=f"198.51.100.{n}")
    for n in range(3):  # three signatures: not more than 3
        signing.sign_petition(citizen(), quiet, consent=True, ip=f"192.0.2.{n}")
    for n in range(3):  # one company domain: over 2; a public provider never counts
        signing.sign_petition(
            citizen(email=f"staff{n}@societe.ma"), quiet, consent=True, ip=f"10.{n}.0.1"
        )
        signing.sign_petition(
            citizen(email=f"person{n}@gmail.com"), quiet, consent=True, ip=f"10.{n}.1.1"
        )
    old = citizen(email="old@societe.ma")
    signing.sign_petition(old, busy, consent=True, ip="10.9.0.1", now=utcnow() - timedelta(hours=3))
    db.session.commit()
    alerts = list_signing_alerts()
    assert [(a.petition.id, a.kind, a.signatures) for a in alerts] == [
        (busy.id, "network", 4),
        (quiet.id, "domain", 3),
    ]
    assert alerts[0].key == signing.network_hash("198.51.100.1")[:8]
    assert alerts[1].key == "societe.ma"
    app.config["SIGNING_ALERT_PUBLIC_DOMAINS"] = "societe.ma,example.org"
    assert [(a.kind, a.key) for a in list_signing_alerts()] == [
        ("network", alerts[0].key),
        ("domain", "gmail.com"),
    ]


def test_alerts_count_held_signatures_and_link_to_them(app, held_by_ip, client, login):
    app.config.update(SIGNING_ALERT_NETWORK_THRESHOLD=2, SIGNING_ALERT_DOMAIN_THRESHOLD=1000)
    petition, *_ = open_petition()
    held_by_ip(petition, 2, ip="198.51.100.5")
    alerts = list_signing_alerts()
    assert [(a.kind, a.signatures, a.held) for a in alerts] == [("network", 3, 2)]
    login(_moderator())
    page = client.get("/fr/moderation/alerts").get_data(as_text=True)
    assert f"/fr/moderation/?kind=signature&amp;petition={petition.id}" in page
    assert "198.51.100" not in page


def test_the_alert_queries_read_the_recent_signatures_through_an_index(app):
    statements = []

    def capture(_conn, _cursor, statement, parameters, _context, _many):
        if "GROUP BY" in statement and "petition_signatures" in statement:
            statements.append((statement, parameters))

    sa.event.listen(db.engine, "before_cursor_execute", capture)
    try:
        assert list_signing_alerts() == []
    finally:
        sa.event.remove(db.engine, "before_cursor_execute", capture)
    assert len(statements) == 2  # by network, by e-mail domain
    connection = db.session.connection()
    postgresql = db.engine.dialect.name == "postgresql"
    if postgresql:
        connection.exec_driver_sql("SET LOCAL enable_seqscan = off")
    for statement, parameters in statements:
        plan = connection.exec_driver_sql(
            ("EXPLAIN " if postgresql else "EXPLAIN QUERY PLAN ") + statement, parameters
        ).all()
        # Through the alerts' own index or the dashboards' one on created_at: never a full scan.
        assert re.search(
            r"ix_petition_signatures_(recent|created_at)", " ".join(str(row) for row in plan)
        ), plan
