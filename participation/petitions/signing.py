"""Signing at scale (SPEC §4, §9): one INSERT per signature plus one sharded counter increment in
the same transaction; counts are sums over a bounded number of counter rows, never a COUNT(*)
over signatures in the request path; a reconciliation recounts from the rows."""

import contextlib
import ipaddress
import functools
import random
from dataclasses import dataclass

import sqlalchemy as sa
from flask import current_app
from flask_babel import lazy_gettext as _l
from sqlalchemy.dialects import postgresql, sqlite

from participation.auth.permissions import is_moderator
from participation.core.crypto import keyed_hash
from participation.core.database import add_engine
from participation.core.driver_statements import DriverStatement
from participation.core.errors import DomainError
from participation.core.limits import within_limits
from participation.core.models import utcnow
from participation.core.permissions import SYSTEM, guarded_by, require
from participation.core.progress import silent
from participation.extensions import db
from participation.petitions import permissions as perms
from participation.petitions.models import (
    Petition,
    PetitionState,
    Signature,
    SignatureCounter,
    SignatureStatus,
    is_open_for_signatures,
)
from participation.petitions.countlog import record_removal
from participation.petitions.queries import count_signatures_of
from participation.petitions.receipts import new_receipt
from participation.petitions.transitions import record_transition


def _over_rate_limit(user, ip):
    """Hit the per-account and per-IP signing limits; the first limit exceeded ("account" or
    "ip"), or None."""
    within_account = within_limits("SIGNING_LIMIT_PER_ACCOUNT", "sign", f"user:{user.id}")
    within_ip = within_limits("SIGNING_LIMIT_PER_IP", "sign", f"ip:{ip or '-'}")
    return None if within_account and within_ip else ("account" if not within_account else "ip")


def network_hash(ip):
    """A keyed hash of the network an address belongs to (IPv4 /24, IPv6 /48), for the
    moderators' trending alerts: signatures from one network can be grouped, the address itself
    is never stored. None for a missing or malformed address."""
    return _network_hash(ip, current_app.config["CIN_HASH_KEY"])


@functools.lru_cache(
    maxsize=4096
)  # many signers share an address (mobile carriers' NAT); keyed by the key too
def _network_hash(ip, _key):
    try:
        address = ipaddress.ip_address((ip or "").strip())
    except ValueError:
        return None
    if address.version == 6 and address.ipv4_mapped is not None:
        address = address.ipv4_mapped
    network = ipaddress.ip_network(f"{address}/{24 if address.version == 4 else 48}", strict=False)
    return keyed_hash(f"network:{network}")[:32]


def _upsert(table, dialect=None):
    """An INSERT with the dialect's ON CONFLICT clauses (PostgreSQL's or SQLite's)."""
    return (
        postgresql.insert if (dialect or db.engine.dialect.name) == "postgresql" else sqlite.insert
    )(table)


def _added_on_conflict(statement, delta, now):
    """A counter-row INSERT that, when the (petition, province, shard) row exists, adds to it."""
    return statement.on_conflict_do_update(
        index_elements=["petition_id", "province_key", "shard"],
        set_={"count": SignatureCounter.__table__.c.count + delta, "updated_at": now},
    )


def _add_to_counter(petition_id, province_key, region_key, shard, delta, now, connection=None):
    statement = _upsert(SignatureCounter.__table__).values(
        petition_id=petition_id,
        province_key=province_key,
        shard=shard,
        region_key=region_key,
        count=delta,
        updated_at=now,
    )
    (connection or db.session.connection()).execute(_added_on_conflict(statement, delta, now))


def _insert_and_count(insert):
    """PostgreSQL: WITH signed AS (INSERT … RETURNING id), counted AS (INSERT INTO counters
    SELECT … FROM signed ON CONFLICT DO UPDATE count + 1) SELECT id FROM signed."""
    counters = SignatureCounter.__table__
    signed = insert.cte("signed")
    row = postgresql.insert(counters).from_select(
        ["petition_id", "province_key", "shard", "region_key", "count", "updated_at"],
        sa.select(
            sa.bindparam("petition_id"),
            sa.bindparam("province_key"),
            sa.bindparam("shard"),
            sa.bindparam("region_key"),
            sa.literal(1, sa.BigInteger),
            sa.bindparam("now", type_=counters.c.updated_at.type),
        ).select_from(signed),
    )
    counted = _added_on_conflict(row, 1, sa.bindparam("now", type_=counters.c.updated_at.type)).cte(
        "counted"
    )
    return sa.select(signed.c.id).add_cte(counted)


@dataclass(frozen=True)
class _SigningStatements:
    insert: DriverStatement  # the signature, or nothing when the account or CIN already signed
    insert_and_count: DriverStatement | None  # the same with the counter increment (PostgreSQL)


@functools.lru_cache(maxsize=2)
def _signing_statements(dialect):
    """Built and compiled once per process and database kind: constructing and compiling these
    statements cost more than running them."""
    signatures = Signature.__table__
    columns = (
        "petition_id",
        "user_id",
        "cin_hash",
        "region_id",
        "province_id",
        "first_name",
        "last_name",
        "address",
        "cin_encrypted",
        "cin_expiry",
        "status",
        "shard",
        "network_hash",
        "held_limit",
        "receipt_hash",
    )
    insert = (
        _upsert(signatures, dialect)
        .values(
            {name: sa.bindparam(name, type_=signatures.c[name].type) for name in columns}
            | {"created_at": sa.bindparam("now", type_=signatures.c.created_at.type)}
        )
        # The unique constraints (per account, per CIN) decide, without a savepoint.
        .on_conflict_do_nothing()
        .returning(signatures.c.id)
    )
    return _SigningStatements(
        insert=DriverStatement(insert),
        insert_and_count=DriverStatement(_insert_and_count(insert))
        if dialect == "postgresql"
        else None,
    )


@contextlib.contextmanager
def signing_connection():
    """The connection the signing request reads and writes through.

    On PostgreSQL, when the request has not started a transaction (in production it never has),
    a pooled connection of its own in autocommit: every write of a signature is one statement,
    atomic on its own (the insert-and-count CTE, or a held signature's INSERT, which counts
    nothing), so the busiest route needs no BEGIN and COMMIT round trips and none of the ORM
    session's bookkeeping. Otherwise (SQLite, which writes the counter in a second statement; the
    tests' shared session) the session's connection, committed by the view as usual."""
    if db.engine.dialect.name == "postgresql" and not db.session().in_transaction():
        with _autocommit_engine().connect() as connection:
            yield connection
    else:
        yield db.session.connection()


def _autocommit_engine():
    """PostgreSQL: an engine of its own for the signing path, on the same database with the same
    options, whose connections are in autocommit from the start instead of being switched to it
    and back at every checkout (measured: 3 % of a signature's instructions). Made on the first
    signature in each process, so never shared across gunicorn's fork."""
    engine = current_app.extensions.get("participation_engines", {}).get("signing")
    if engine is None:
        # Nothing to roll back on a connection in autocommit: no reset when it goes back to the
        # pool. No pre-ping either (a round trip per signature): the signing path's first
        # statement, a read, replaces a connection found dead (`reconnect`, signers.py).
        options = current_app.config["SQLALCHEMY_ENGINE_OPTIONS"] | {"pool_pre_ping": False}
        engine = add_engine(
            current_app,
            "signing",
            sa.create_engine(
                db.engine.url, isolation_level="AUTOCOMMIT", pool_reset_on_return=None, **options
            ),
        )
    return engine


@guarded_by(perms.can_sign_petition)
def sign_petition(actor, petition, *, consent, ip=None, now=None, connection=None):
    """Sign with explicit consent. Returns the signature; its status says whether it is counted
    or held as suspect for a moderator. `actor` and `petition` are ORM objects or the signing
    path's records (signers.py); `connection` is signing_connection()'s, or the session's."""
    now = now or utcnow()
    if not perms.can_sign_petition(actor, petition, now=now):
        raise DomainError(perms.signing_refusal(actor, petition, now=now), code="cannot_sign")
    if not consent:
        raise DomainError(
            _l(
                "Tick the box to confirm that you support this petition and consent to the use of your data."
            ),
            code="consent",
        )
    profile = actor.identity
    held_limit = _over_rate_limit(actor, ip)
    suspect = held_limit is not None
    status = SignatureStatus.SUSPECT if suspect else SignatureStatus.COUNTED
    shard = random.randrange(current_app.config["SIGNATURE_COUNTER_SHARDS"])
    province_key, region_key = profile.province_id or 0, profile.region_id or 0
    code, receipt_hash = new_receipt()  # in the same INSERT: no extra round trip
    parameters = {
        "petition_id": petition.id,
        "user_id": actor.id,
        "cin_hash": profile.cin_hash,
        "region_id": profile.region_id,
        "province_id": profile.province_id,
        "first_name": profile.first_name,
        "last_name": profile.last_name,
        "address": profile.address,
        "cin_encrypted": profile.cin_encrypted,
        "cin_expiry": profile.cin_expiry,
        "status": status.value,
        "shard": shard,
        "network_hash": network_hash(ip),
        "held_limit": held_limit,
        "receipt_hash": receipt_hash,
        "now": now,
        "province_key": province_key,
        "region_key": region_key,
    }
    statements = _signing_statements(db.engine.dialect.name)
    connection = connection or db.session.connection()  # Core statements: no ORM execution layer
    if not suspect and statements.insert_and_count is not None:
        # One round trip: the counter increment is a CTE fed by the inserted row (none when
        # the signature already existed), in the same statement and transaction.
        inserted = statements.insert_and_count.first(connection, parameters)
    else:
        inserted = statements.insert.first(connection, parameters)
        if inserted is not None and not suspect:
            _add_to_counter(petition.id, province_key, region_key, shard, 1, now, connection)
    if inserted is None:
        raise DomainError(
            _l("You have already signed this petition (with this account or this identity card)."),
            code="already_signed",
        )
    return SignatureReceipt(id=inserted[0], status=status.value, code=code)


@dataclass(frozen=True)
class SignatureReceipt:
    id: int
    status: str
    code: str  # the receipt code (receipts.py), known only now: shown once and e-mailed


@guarded_by(perms.can_withdraw_signature)
def withdraw_signature(actor, petition, *, now=None):
    """A signer may withdraw while the petition is open. The row is deleted by one statement
    that returns what it deleted, and only a counted row this statement really deleted takes 1
    from its own shard: parallel or repeated withdrawals by one session find nothing left to
    delete (PostgreSQL's DELETE waits for the first one's row lock, then matches no row; SQLite
    writes one transaction at a time), so they can never lower the count twice."""
    require(perms.can_withdraw_signature(actor, petition))
    now = now or utcnow()
    if not is_open_for_signatures(petition, now):
        raise DomainError(
            _l("Signatures can only be withdrawn while the petition is open."), code="not_open"
        )
    withdrawn = db.session.execute(
        sa.delete(Signature)
        .where(Signature.petition_id == petition.id, Signature.user_id == actor.id)
        .returning(Signature.status, Signature.province_id, Signature.shard, Signature.receipt_hash)
    ).first()
    if withdrawn is None:
        raise DomainError(_l("You have not signed this petition."), code="not_signed")
    record_removal(petition.id, withdrawn.receipt_hash, "withdrawn", now)
    if withdrawn.status == SignatureStatus.COUNTED:
        _take_from_counter(petition.id, withdrawn.province_id or 0, withdrawn.shard, now)


def _take_from_counter(petition_id, province_key, shard, now):
    """An UPDATE, never an upsert: the shard's row exists since this signature added to it, and
    a missing or empty row (drift) must not become a negative one (the CHECK refuses it)."""
    counters = SignatureCounter.__table__
    db.session.execute(
        sa.update(counters)
        .where(
            counters.c.petition_id == petition_id,
            counters.c.province_key == province_key,
            counters.c.shard == shard,
        )
        .values(count=counters.c.count - 1, updated_at=now)
    )


@guarded_by(is_moderator)
def count_held_signature(actor, signature, *, now=None):
    """A moderator found a held signature genuine: it is counted from now on, and adds to its
    shard only if this statement changed it from held to counted (a parallel decision did not)."""
    require(is_moderator(actor))
    released = db.session.execute(
        sa.update(Signature)
        .where(Signature.id == signature.id, Signature.status == SignatureStatus.SUSPECT.value)
        .values(status=SignatureStatus.COUNTED.value)
        .returning(
            Signature.petition_id, Signature.province_id, Signature.region_id, Signature.shard
        )
    ).first()
    if released is None:
        raise DomainError(_l("This signature is not held for review."), code="not_suspect")
    _add_to_counter(
        released.petition_id,
        released.province_id or 0,
        released.region_id or 0,
        released.shard,
        1,
        now or utcnow(),
    )


@guarded_by(is_moderator)
def discard_held_signature(actor, signature):
    """Only a row still held is deleted: a signature counted meanwhile stays (and stays counted)."""
    require(is_moderator(actor))
    discarded = db.session.execute(
        sa.delete(Signature)
        .where(Signature.id == signature.id, Signature.status == SignatureStatus.SUSPECT.value)
        .returning(Signature.id)
    ).first()
    if discarded is None:
        raise DomainError(_l("This signature is not held for review."), code="not_suspect")


def get_signature(user, petition):
    if not getattr(user, "is_authenticated", False):
        return None
    return db.session.scalar(
        sa.select(Signature).where(
            Signature.petition_id == petition.id, Signature.user_id == user.id
        )
    )


@guarded_by(SYSTEM)
def reconcile_counts(*, fix=False, petition_id=None, track=silent):
    """Recount counted signatures from the rows (off the request path) and compare with the
    counters, petition by petition (each reported to `track`, core/progress.py). Returns
    [(petition id, province key, counted rows, counter sum)] for every difference; with `fix`,
    rebuilds the counters of the petitions that drifted, shard by shard as the rows lie: a
    withdrawal takes 1 from its signature's own shard, so a shard holding less than its rows
    would later go below zero."""
    # A literal 0, not a bound parameter: PostgreSQL must see the same expression in GROUP BY.
    province = sa.func.coalesce(Signature.province_id, sa.literal_column("0"))
    if petition_id is None:
        petition_ids = db.session.scalars(sa.select(Petition.id).order_by(Petition.id)).all()
    else:
        petition_ids = [petition_id]
    drift = []
    with track(len(petition_ids), "petitions") as bar:
        for one in petition_ids:
            drift += _drift_of(one, province)
            bar.update(1)
    if fix and drift:
        _rebuild_counters({p for p, _k, _a, _r in drift}, province)
    return drift


def _drift_of(petition_id, province):
    """[(petition id, province key, counted rows, counter sum)] where they differ."""
    rows = (
        sa.select(province, sa.func.count())
        .where(
            Signature.petition_id == petition_id,
            Signature.status == SignatureStatus.COUNTED.value,
        )
        .group_by(province)
    )
    counters = (
        sa.select(SignatureCounter.province_key, sa.func.sum(SignatureCounter.count))
        .where(SignatureCounter.petition_id == petition_id)
        .group_by(SignatureCounter.province_key)
    )
    actual = dict(db.session.execute(rows).all())
    recorded = {k: int(n) for k, n in db.session.execute(counters)}
    return [
        (petition_id, k, actual.get(k, 0), recorded.get(k, 0))
        for k in sorted(set(actual) | set(recorded))
        if actual.get(k, 0) != recorded.get(k, 0)
    ]


def _rebuild_counters(petition_ids, province):
    """One counter row per (petition, province, shard) that holds counted signatures, with
    their number; in the caller's transaction, so nobody sees the petitions without counters."""
    counters = SignatureCounter.__table__
    petition_ids = sorted(petition_ids)
    db.session.execute(sa.delete(counters).where(counters.c.petition_id.in_(petition_ids)))
    db.session.execute(
        sa.insert(counters).from_select(
            ["petition_id", "province_key", "shard", "region_key", "count", "updated_at"],
            sa.select(
                Signature.petition_id,
                province,
                Signature.shard,
                sa.func.max(sa.func.coalesce(Signature.region_id, sa.literal_column("0"))),
                sa.func.count(),
                sa.literal(utcnow(), counters.c.updated_at.type),
            )
            .where(
                Signature.petition_id.in_(petition_ids),
                Signature.status == SignatureStatus.COUNTED.value,
            )
            .group_by(Signature.petition_id, province, Signature.shard),
        )
    )


@guarded_by(SYSTEM)
def expire_due_petitions(*, now=None):
    """Record the expiry that Petition.effective_state already shows (run by the tick), through
    the petitions' transition, which checks the move and audits it. Each petition is claimed
    until the commit (SKIP LOCKED, read afresh), so two ticks at once record its expiry once."""
    now = now or utcnow()
    due = db.session.scalars(
        sa.select(Petition)
        .where(
            Petition.state == PetitionState.OPEN.value,
            Petition.effective_state_sql(now) == PetitionState.EXPIRED.value,
        )
        .with_for_update(skip_locked=True, key_share=True, of=Petition)
        .execution_options(populate_existing=True)
    ).all()
    counts = count_signatures_of(p.id for p in due)
    for petition in due:
        petition.decided_at = now
        record_transition(
            petition,
            PetitionState.EXPIRED,
            None,
            signatures=counts[petition.id],
            required=petition.signatures_required,
        )
    return len(due)
