"""The public, append-only count log of each petition (docs/verifiable-counts.md, version 1).

An entry is appended by the tick (at most once per COUNT_LOG_INTERVAL_HOURS, when the counted
receipts changed) and at every change of state of a published petition (transitions.py): the
Merkle root over the receipt hashes of the counted signatures, their number, the receipts added
and removed since the previous entry with their reasons, and the previous entry's hash. Entries
are computed from committed rows, one writer per petition at a time (the petition's row is
locked FOR NO KEY UPDATE, which signing's foreign-key checks do not wait for)."""

import functools
import hashlib
import secrets
from dataclasses import dataclass
from datetime import datetime, timedelta

import sqlalchemy as sa
from flask import current_app
from flask_babel import lazy_gettext as _l

from participation.core.models import utcnow
from participation.core.permissions import SYSTEM, guarded_by
from participation.extensions import db
from participation.petitions.merkle import SPEC_VERSION, inclusion_proof, merkle_root
from participation.petitions.models import (
    AdditionReason,
    CountLogEntry,
    Petition,
    PetitionState,
    ReceiptRemoval,
    RemovalReason,
    Signature,
    SignatureDecision,
    SignatureDecisionKind,
    SignatureStatus,
)
from participation.petitions.receipts import RECEIPT_BYTES, receipt_hash

DAILY_ENTRY_LABEL = _l("Daily entry")
GENESIS = "0" * 64
ENTRY_HEADER = f"participation-count-log/{SPEC_VERSION}"
# Whose count can still change: the tick looks at these (and at public petitions without a log).
CHANGING_STATES = (PetitionState.OPEN.value,)


def timestamp(moment):
    return moment.strftime("%Y-%m-%dT%H:%M:%SZ")


def entry_hash(
    *, petition_id, sequence, recorded_at, event, count, root, previous_hash, added, removed
):
    """SHA-256 of the entry's text encoding (the specification's section 'Entry hash')."""
    lines = [
        ENTRY_HEADER,
        f"petition {petition_id}",
        f"sequence {sequence}",
        f"recorded {timestamp(recorded_at)}",
        f"event {event}",
        f"count {count}",
        f"root {root}",
        f"previous {previous_hash}",
        *(f"added {h} {reason}" for h, reason in added),
        *(f"removed {h} {reason}" for h, reason in removed),
    ]
    return hashlib.sha256("".join(line + "\n" for line in lines).encode("utf-8")).hexdigest()


def hash_of_entry(entry):
    return entry_hash(
        petition_id=entry.petition_id,
        sequence=entry.sequence,
        recorded_at=entry.recorded_at,
        event=entry.event,
        count=entry.count,
        root=entry.root,
        previous_hash=entry.previous_hash,
        added=entry.added,
        removed=entry.removed,
    )


def list_entries(petition_id):
    return db.session.scalars(
        sa.select(CountLogEntry)
        .where(CountLogEntry.petition_id == petition_id)
        .order_by(CountLogEntry.sequence)
    ).all()


def latest_entry(petition_id):
    return db.session.scalar(
        sa.select(CountLogEntry)
        .where(CountLogEntry.petition_id == petition_id)
        .order_by(CountLogEntry.sequence.desc())
        .limit(1)
    )


def published_receipts(petition_id):
    """The receipt hashes the latest entry counts (a frozenset), replayed from the log."""
    latest = latest_entry(petition_id)
    if latest is None:
        return frozenset()
    return _replayed(latest.entry_hash, petition_id)


@functools.lru_cache(maxsize=16)
def _replayed(latest_hash, petition_id):
    """Keyed by the latest entry's hash, which commits to the whole chain: an entry appended
    since is another key, so a cached set is never stale."""
    receipts = set()
    for entry in list_entries(petition_id):
        receipts.difference_update(h for h, _reason in entry.removed)
        receipts.update(h for h, _reason in entry.added)
    return frozenset(receipts)


def list_counted_receipts(petition_id):
    """(receipt hash, signature id) of the petition's counted signatures, as committed now."""
    return db.session.execute(
        sa.select(Signature.receipt_hash, Signature.id).where(
            Signature.petition_id == petition_id,
            Signature.status == SignatureStatus.COUNTED.value,
        )
    ).all()


def list_pending_removals(petition_id, since):
    """Removals recorded after the latest entry (all of them when there is none)."""
    query = sa.select(ReceiptRemoval).where(ReceiptRemoval.petition_id == petition_id)
    if since is not None:
        query = query.where(ReceiptRemoval.created_at > since)
    return db.session.scalars(query.order_by(ReceiptRemoval.receipt_hash)).all()


@guarded_by(SYSTEM)
def fill_missing_receipts(petition_id):
    """A receipt hash for each signature without one (made before receipts existed, or by a
    process not yet updated during a deploy): of a random code nobody is ever told, so the
    signature counts in the log like any other, and only its signer cannot look it up."""
    missing = db.session.scalars(
        sa.select(Signature.id).where(
            Signature.petition_id == petition_id, Signature.receipt_hash.is_(None)
        )
    ).all()
    if missing:
        # One executemany through the table, not an ORM UPDATE per row: a petition signed before
        # receipts existed may hold 100,000 signatures (the demo's synthetic ones took 30 s).
        signatures = Signature.__table__
        db.session.execute(
            signatures.update()
            .where(signatures.c.id == sa.bindparam("row_id"), signatures.c.receipt_hash.is_(None))
            .values(receipt_hash=sa.bindparam("new_hash")),
            [
                {"row_id": i, "new_hash": receipt_hash(secrets.token_bytes(RECEIPT_BYTES))}
                for i in missing
            ],
        )
    return len(missing)


def record_removal(petition_id, receipt_hash_value, reason, now=None):
    """Called in the transaction that removes a signature, so the next entry knows why."""
    if receipt_hash_value is None:
        return
    db.session.add(
        ReceiptRemoval(
            petition_id=petition_id,
            receipt_hash=receipt_hash_value,
            reason=RemovalReason(reason).value,
            created_at=now or utcnow(),
        )
    )


def _lock(petition_id):
    """One writer of a petition's log at a time; FOR NO KEY UPDATE lets signatures (whose
    foreign key takes KEY SHARE on the petition) go on meanwhile."""
    db.session.execute(
        sa.select(Petition.id).where(Petition.id == petition_id).with_for_update(key_share=True)
    )


@guarded_by(SYSTEM)
def append_entry(petition_id, event, *, now=None, force=False):
    """Append an entry when the counted receipts changed since the previous one (or always, with
    `force`: a change of state, or the first entry). Returns it, or None."""
    now = (now or utcnow()).replace(microsecond=0)
    _lock(petition_id)
    db.session.flush()
    fill_missing_receipts(petition_id)
    counted = list_counted_receipts(petition_id)
    previous = latest_entry(petition_id)
    before = published_receipts(petition_id) if previous is not None else frozenset()
    current = {h for h, _id in counted}
    added_hashes, removed_hashes = current - before, before - current
    if previous is not None and not force and not added_hashes and not removed_hashes:
        return None
    released_ids = set(
        db.session.scalars(
            sa.select(SignatureDecision.signature_id).where(
                SignatureDecision.petition_id == petition_id,
                SignatureDecision.decision == SignatureDecisionKind.COUNT.value,
            )
        )
    )
    added = sorted(
        [
            h,
            (
                AdditionReason.RELEASED if signature_id in released_ids else AdditionReason.SIGNED
            ).value,
        ]
        for h, signature_id in counted
        if h in added_hashes
    )
    reasons = {}
    if removed_hashes:
        for removal in db.session.scalars(
            sa.select(ReceiptRemoval).where(
                ReceiptRemoval.petition_id == petition_id,
                ReceiptRemoval.receipt_hash.in_(sorted(removed_hashes)),
            )
        ):
            reasons[removal.receipt_hash] = removal.reason
    removed = sorted([h, reasons.get(h, RemovalReason.UNACCOUNTED.value)] for h in removed_hashes)
    fields = {
        "petition_id": petition_id,
        "sequence": (previous.sequence + 1) if previous is not None else 1,
        "recorded_at": now,
        "event": event,
        "count": len(current),
        "root": merkle_root(current),
        "previous_hash": previous.entry_hash if previous is not None else GENESIS,
        "added": added,
        "removed": removed,
    }
    entry = CountLogEntry(**fields, entry_hash=entry_hash(**fields))
    db.session.add(entry)
    db.session.flush()
    return entry


@guarded_by(SYSTEM)
def append_due_entries(*, now=None):
    """The tick's part: an entry for each petition still collecting whose latest entry is older
    than COUNT_LOG_INTERVAL_HOURS and whose receipts changed, and a first entry for each
    published petition without a log. Returns the number of entries appended."""
    from participation.petitions.queries import is_public_sql

    now = now or utcnow()
    interval = timedelta(hours=current_app.config["COUNT_LOG_INTERVAL_HOURS"])
    last = (
        sa.select(sa.func.max(CountLogEntry.recorded_at))
        .where(CountLogEntry.petition_id == Petition.id)
        .scalar_subquery()
    )
    due = db.session.execute(
        sa.select(Petition.id, last.label("last"))
        .where(
            is_public_sql(),
            Petition.published_at.is_not(None),
            sa.or_(
                last.is_(None), sa.and_(Petition.state.in_(CHANGING_STATES), last <= now - interval)
            ),
        )
        .order_by(Petition.id)
    ).all()
    appended = 0
    for petition_id, previous_at in due:
        entry = append_entry(petition_id, "tick", now=now, force=previous_at is None)
        appended += entry is not None
    return appended


def list_recent_entries(petition_id, *, limit=10):
    """The latest entries, newest first: what the petition page shows."""
    return db.session.scalars(
        sa.select(CountLogEntry)
        .where(CountLogEntry.petition_id == petition_id)
        .order_by(CountLogEntry.sequence.desc())
        .limit(limit)
    ).all()


def event_labels():
    from participation.petitions.models import PETITION_STATE_LABELS

    return {"tick": DAILY_ENTRY_LABEL} | {
        state.value: label for state, label in PETITION_STATE_LABELS.items()
    }


def count_with_counted_receipts(petition_id):
    """(the count shown, the sorted receipt hashes of the counted rows) in one statement, so one
    snapshot: the verifier compares them."""
    from participation.petitions.models import SignatureCounter

    shown = (
        sa.select(sa.func.coalesce(sa.func.sum(SignatureCounter.count), 0))
        .where(SignatureCounter.petition_id == petition_id)
        .scalar_subquery()
    )
    counted = (
        sa.select(Signature.receipt_hash)
        .where(
            Signature.petition_id == petition_id,
            Signature.status == SignatureStatus.COUNTED.value,
        )
        .subquery()
    )
    rows = db.session.execute(
        sa.select(shown, counted.c.receipt_hash).select_from(
            sa.select(sa.literal(1).label("one")).subquery().outerjoin(counted, sa.true())
        )
    ).all()
    return int(rows[0][0]), sorted(h for _count, h in rows if h is not None)


# A receipt's standing, for the verify page (moved from queries.py: queries imports no countlog)


@dataclass(frozen=True)
class ReceiptStanding:
    """What the verify page may say about a receipt: never who signed."""

    state: str  # "counted", "held", "withdrawn", "invalidated", "unaccounted" or "not_found"
    since: datetime | None = None  # counted since, or removed on
    region_id: int | None = None  # the signer's region at signing (None: abroad or unknown)
    receipt_hash: str | None = None
    entry: object | None = None  # the latest count log entry, when it counts the receipt
    proof: list | None = None  # the Merkle path to that entry's root


def get_receipt_standing(petition_id, receipt_hash):
    if receipt_hash is None:
        return ReceiptStanding("not_found")
    signature = db.session.execute(
        sa.select(Signature.id, Signature.status, Signature.created_at, Signature.region_id).where(
            Signature.petition_id == petition_id, Signature.receipt_hash == receipt_hash
        )
    ).first()
    if signature is None:
        removal = db.session.scalar(
            sa.select(ReceiptRemoval)
            .where(
                ReceiptRemoval.petition_id == petition_id,
                ReceiptRemoval.receipt_hash == receipt_hash,
            )
            .order_by(ReceiptRemoval.id.desc())
            .limit(1)
        )
        if removal is None:
            return ReceiptStanding("not_found")
        return ReceiptStanding(removal.reason, since=removal.created_at, receipt_hash=receipt_hash)
    if signature.status != SignatureStatus.COUNTED.value:
        return ReceiptStanding("held", since=signature.created_at, receipt_hash=receipt_hash)
    released_at = db.session.scalar(
        sa.select(SignatureDecision.created_at).where(
            SignatureDecision.signature_id == signature.id
        )
    )
    entry, proof = latest_entry(petition_id), None
    if entry is not None:
        published = published_receipts(petition_id)
        proof = inclusion_proof(published, receipt_hash) if receipt_hash in published else None
    return ReceiptStanding(
        "counted",
        since=released_at or signature.created_at,
        region_id=signature.region_id,
        receipt_hash=receipt_hash,
        entry=entry if proof is not None else None,
        proof=proof,
    )
