"""The petitions area's one read side: what is public, the effective state, signature counts and
the listings, for the pages, the permissions, the API and the open-data dumps alike."""

from dataclasses import dataclass
from datetime import datetime, timedelta
from typing import Protocol

import sqlalchemy as sa
from flask import current_app
from sqlalchemy.orm import selectinload

from participation.core.models import as_utc, utcnow
from participation.core.small_numbers import MASKED, protect
from participation.extensions import db
from participation.auth.models import User
from participation.institutions.models import Region
from participation.petitions.models import (
    CommitteeMember,
    Petition,
    PetitionKind,
    PetitionState,
    Signature,
    SignatureCounter,
    SignatureDecision,
    SignatureLock,
    SignatureStatus,
)

P = PetitionState
# Public from publication (or, rejected, from the moderator's public explanation) whatever happens next.
_ALWAYS_PUBLIC = frozenset({P.OPEN, P.REJECTED, P.EXPIRED, P.DEPOSITED, P.INADMISSIBLE, P.ANSWERED})
# The states a public petition can show: a petition withdrawn after publication stays public with
# its final state, so those who signed or follow it can see what became of it.
PUBLIC_STATE_VALUES = sorted([s.value for s in _ALWAYS_PUBLIC] + [P.WITHDRAWN.value])


class PublishedRecord(Protocol):
    """What is_public() reads: an ORM petition or the signing path's record (signers.py)."""

    @property
    def status(self) -> PetitionState: ...

    @property
    def published_at(self) -> datetime | None: ...


def is_public(petition: PublishedRecord) -> bool:
    return petition.status in _ALWAYS_PUBLIC or (
        petition.status == P.WITHDRAWN and petition.published_at is not None
    )


def is_public_sql():
    """is_public() as a SQL condition on petitions."""
    return sa.or_(
        Petition.state.in_([s.value for s in _ALWAYS_PUBLIC]),
        sa.and_(Petition.state == P.WITHDRAWN.value, Petition.published_at.is_not(None)),
    )


def list_petition_kinds(*, active_only=False):
    query = sa.select(PetitionKind).order_by(PetitionKind.category.desc(), PetitionKind.id)
    if active_only:
        query = query.where(PetitionKind.active)
    return db.session.scalars(query).all()


@dataclass
class PetitionFilters:
    state: str | None = None  # an effective state
    kind_id: int | None = None
    kind_key: str | None = None
    category: str | None = None
    addressee_id: int | None = None
    region_id: int | None = None
    q: str | None = None


def list_public_petitions(filters=None, *, page=1, per_page=20, now=None):
    """Public petitions and motions, newest first, filtered by effective state, kind, category
    (petition or motion), addressee institution, region (of territorial petitions) and words
    (Arabic-aware)."""
    from participation.core.search import matches_all, search_terms

    filters = filters or PetitionFilters()
    query = (
        sa.select(Petition)
        .where(is_public_sql())
        .options(selectinload(Petition.addressee), selectinload(Petition.region))
        .order_by(Petition.published_at.desc().nulls_last(), Petition.id.desc())
    )
    if filters.state in PUBLIC_STATE_VALUES:
        query = query.where(Petition.effective_state_sql(now or utcnow()) == filters.state)
    if filters.kind_id:
        query = query.where(Petition.kind_id == filters.kind_id)
    if filters.kind_key:
        query = query.where(Petition.kind.has(PetitionKind.key == filters.kind_key))
    if filters.category in ("petition", "motion"):
        query = query.where(
            Petition.kind_id.in_(
                sa.select(PetitionKind.id).where(PetitionKind.category == filters.category)
            )
        )
    if filters.addressee_id:
        query = query.where(Petition.addressee_id == filters.addressee_id)
    if filters.region_id:
        query = query.where(Petition.region_id == filters.region_id)
    terms = search_terms(filters.q or "")
    if terms:
        query = query.where(matches_all(Petition.search_text, terms))
    return db.paginate(query, page=page, per_page=per_page, error_out=False)


# A drafter's title and the public petitions worth reading before starting another one.
SIMILAR_LIMIT = 5
SIMILAR_MIN_TERM = 3  # shorter words (articles, prepositions) say nothing about the subject


def list_similar_petitions(title, *, limit=SIMILAR_LIMIT):
    """Public petitions sharing words with `title` (the same Arabic-aware search as the listing),
    those sharing the most words first, then the newest: at least half of the title's words of
    SIMILAR_MIN_TERM or more characters must match. [] for a title without such words."""
    from participation.core.search import matches_all, search_terms

    terms = [t for t in dict.fromkeys(search_terms(title)) if len(t) >= SIMILAR_MIN_TERM]
    if not terms:
        return []
    shared = sum(
        (sa.case((matches_all(Petition.search_text, [term]), 1), else_=0) for term in terms),
        sa.literal(0),
    )
    return db.session.scalars(
        sa.select(Petition)
        .where(is_public_sql(), shared >= (len(terms) + 1) // 2)
        .order_by(shared.desc(), Petition.published_at.desc().nulls_last(), Petition.id.desc())
        .limit(limit)
    ).all()


def list_all_public_petitions():
    """Every public petition, by id (the open-data dumps)."""
    return db.session.scalars(
        sa.select(Petition).where(is_public_sql()).order_by(Petition.id)
    ).all()


def public_petition_ids():
    """SQL: the ids of the public petitions, to restrict other tables' rows to them."""
    return sa.select(Petition.id).where(is_public_sql())


def get_public_petition(petition_id):
    """A public petition with its steps, committee and addressee, or None."""
    return db.session.scalar(
        sa.select(Petition)
        .where(Petition.id == petition_id, is_public_sql())
        .options(
            selectinload(Petition.steps),
            selectinload(Petition.members),
            selectinload(Petition.addressee),
        )
    )


def get_public_petition_state(petition_id, *, now=None):
    """The effective state of a public petition, or None (one query, for the cheap count endpoint)."""
    return db.session.scalar(
        sa.select(Petition.effective_state_sql(now or utcnow())).where(
            Petition.id == petition_id, is_public_sql()
        )
    )


@dataclass(frozen=True)
class Badge:
    state: PetitionState  # the effective state
    label: str


def list_badges(petitions, *, now=None):
    """{petition id: Badge} for a page of petitions: the effective state and what its badge
    says, with one count query."""
    now = now or utcnow()
    counts = count_signatures_of(p.id for p in petitions)
    return {
        p.id: Badge(
            p.effective_state(now, signatures=counts[p.id]),
            p.effective_label(now, signatures=counts[p.id]),
        )
        for p in petitions
    }


def list_addressees():
    """Institutions that have public petitions, for the listing's filter."""
    from participation.institutions.models import Institution

    return db.session.scalars(
        sa.select(Institution)
        .where(Institution.id.in_(sa.select(Petition.addressee_id).where(is_public_sql())))
        .order_by(Institution.id)
    ).all()


def count_signatures_of(petition_ids):
    """{petition id: counted signatures} from the sharded counters, every id present, one query
    summing at most shards x provinces rows per petition, never the signatures themselves."""
    petition_ids = list(petition_ids)
    counts = dict.fromkeys(petition_ids, 0)
    if petition_ids:
        rows = db.session.execute(
            sa.select(SignatureCounter.petition_id, sa.func.sum(SignatureCounter.count))
            .where(SignatureCounter.petition_id.in_(petition_ids))
            .group_by(SignatureCounter.petition_id)
        )
        counts.update({petition_id: int(total) for petition_id, total in rows})
    return counts


def count_signatures(petition_id):
    """The exact number of counted signatures of one petition."""
    return count_signatures_of([petition_id])[petition_id]


def count_signatures_by_region(petition_id):
    rows = db.session.execute(
        sa.select(SignatureCounter.region_key, sa.func.sum(SignatureCounter.count))
        .where(SignatureCounter.petition_id == petition_id)
        .group_by(SignatureCounter.region_key)
    ).all()
    return {region: int(total) for region, total in rows if total}


def list_public_region_counts(petition_ids):
    """{petition id: [(region key, count)]}: counted signatures by the signers' region (key 0:
    living abroad) as the public sees them on the petition page, in the API and in the open data:
    the statistics' small-number rule applied (core.small_numbers.protect), so a region with 1 to
    STATS_MIN_GROUP - 1 signatures shows MASKED. Largest first, the masked ones last, each group
    in region order. `petition_ids`: ids, or a select of them (public_petition_ids())."""
    rows = db.session.execute(
        sa.select(
            SignatureCounter.petition_id,
            SignatureCounter.region_key,
            sa.func.sum(SignatureCounter.count),
        )
        .where(SignatureCounter.petition_id.in_(petition_ids))
        .group_by(SignatureCounter.petition_id, SignatureCounter.region_key)
    ).all()
    counts = {}
    for petition_id, region_key, total in rows:
        if total:
            counts.setdefault(petition_id, []).append((region_key, protect(int(total))))
    for regions in counts.values():
        regions.sort(key=lambda row: (row[1] is MASKED, 0 if row[1] is MASKED else -row[1], row[0]))
    return counts


def count_signatures_as_of(petition_id):
    """(count, time of the last change): for the cheap public count endpoint."""
    total, updated = db.session.execute(
        sa.select(
            sa.func.coalesce(sa.func.sum(SignatureCounter.count), 0),
            sa.func.max(SignatureCounter.updated_at),
        ).where(SignatureCounter.petition_id == petition_id)
    ).one()
    return int(total), updated and as_utc(updated)


def list_user_petitions(user):
    """Petitions the person initiated or whose committee they joined, newest first."""
    from participation.petitions.models import CommitteeMember, Petition

    joined = sa.select(CommitteeMember.petition_id).where(CommitteeMember.user_id == user.id)
    return db.session.scalars(
        sa.select(Petition)
        .where(sa.or_(Petition.initiator_id == user.id, Petition.id.in_(joined)))
        .order_by(Petition.id.desc())
    ).all()


def list_petitions_awaiting_review():
    from participation.petitions.models import Petition, PetitionState

    return db.session.scalars(
        sa.select(Petition)
        .where(Petition.state == PetitionState.SUBMITTED.value)
        .order_by(Petition.submitted_at)
    ).all()


def get_petition_state(petition_id):
    from participation.petitions.models import Petition

    return db.session.scalar(sa.select(Petition.state).where(Petition.id == petition_id))


def get_petition(petition_id):
    """A petition with its committee (members, their accounts and identities) in three queries."""
    from sqlalchemy.orm import selectinload

    from participation.auth.models import User
    from participation.petitions.models import CommitteeMember, Petition

    return db.session.scalar(
        sa.select(Petition)
        .where(Petition.id == petition_id)
        .options(
            selectinload(Petition.members)
            .selectinload(CommitteeMember.user)
            .selectinload(User.identity)
        )
    )


def list_signed_petitions(user):
    from participation.petitions.models import Petition, Signature

    signed = sa.select(Signature.petition_id).where(Signature.user_id == user.id)
    return db.session.scalars(
        sa.select(Petition).where(Petition.id.in_(signed)).order_by(Petition.id.desc())
    ).all()


def list_inbox(institution_id, *, done=False):
    """Petitions deposited with an institution, with their steps: those still to process, or
    (done) those it declared inadmissible or answered, and those withdrawn after deposit."""
    from sqlalchemy.orm import selectinload

    from participation.petitions.models import Petition, PetitionState

    states = (
        [PetitionState.DEPOSITED.value]
        if not done
        else [
            PetitionState.INADMISSIBLE.value,
            PetitionState.ANSWERED.value,
            PetitionState.WITHDRAWN.value,
        ]
    )
    return db.session.scalars(
        sa.select(Petition)
        .where(
            Petition.addressee_id == institution_id,
            Petition.deposited_at.is_not(None),
            Petition.state.in_(states),
        )
        .options(selectinload(Petition.steps))
        .order_by(Petition.deposited_at)
    ).all()


# Held signatures and signing alerts (SPEC §4 anti-abuse): what the moderators' desk shows of
# them. No identity: the petition, when, which limit held it, the signer's region.


def is_held_sql():
    """SQL: the signature waits for a moderator (the partial index ix_petition_signatures_suspect)."""
    return Signature.status == SignatureStatus.SUSPECT.value


def awaiting_review_sql():
    """SQL: the petition waits for its admissibility review."""
    return Petition.state == PetitionState.SUBMITTED.value


@dataclass
class SignatureEntry:
    """A held signature, with only what moderators need and no identity: the petition, when,
    which limit held it, the signer's region."""

    signature: Signature
    petition: Petition
    region: Region | None = None
    lock: SignatureLock | None = None
    overdue: bool = False
    source = "signature"

    @property
    def since(self):
        return self.signature.created_at


def list_signature_entries(signature_ids):
    """Held signatures with their petitions, regions and locks: four queries."""
    if not signature_ids:
        return []
    signatures = db.session.scalars(
        sa.select(Signature).where(Signature.id.in_(signature_ids))
    ).all()
    petitions = {
        p.id: p
        for p in db.session.scalars(
            sa.select(Petition).where(Petition.id.in_({s.petition_id for s in signatures}))
        )
    }
    region_ids = {s.region_id for s in signatures if s.region_id}
    regions = (
        {r.id: r for r in db.session.scalars(sa.select(Region).where(Region.id.in_(region_ids)))}
        if region_ids
        else {}
    )
    locks = {
        lock.signature_id: lock
        for lock in db.session.scalars(
            sa.select(SignatureLock)
            .where(SignatureLock.signature_id.in_(signature_ids))
            .options(selectinload(SignatureLock.locked_by))
        )
    }
    return [
        SignatureEntry(
            signature=s,
            petition=petitions[s.petition_id],
            region=regions.get(s.region_id),
            lock=locks.get(s.id),
        )
        for s in signatures
    ]


def get_signature_entry(signature_id):
    """One held (or already decided, not discarded) signature as moderators see it, or None."""
    entries = list_signature_entries([signature_id])
    return entries[0] if entries else None


def list_held_signatures(signature_ids):
    return db.session.scalars(
        sa.select(Signature)
        .where(Signature.id.in_(signature_ids))
        .order_by(Signature.created_at, Signature.id)
    ).all()


def get_signature_lock(signature_id):
    return db.session.get(SignatureLock, signature_id)


def has_signed(user, petition_id):
    return db.session.scalar(
        sa.select(
            sa.exists().where(Signature.petition_id == petition_id, Signature.user_id == user.id)
        )
    )


def is_involved_in_petition(user, petition):
    """Initiated it, is (or was invited to be) on its committee, or signed it."""
    if petition.initiator_id == user.id:
        return True
    committee = sa.select(CommitteeMember.id).where(
        CommitteeMember.petition_id == petition.id, CommitteeMember.user_id == user.id
    )
    return bool(db.session.scalar(sa.select(sa.exists(committee)))) or bool(
        has_signed(user, petition.id)
    )


def list_signature_decisions(petition_id, *, limit=50):
    return db.session.scalars(
        sa.select(SignatureDecision)
        .where(SignatureDecision.petition_id == petition_id)
        .order_by(SignatureDecision.id.desc())
        .limit(limit)
        .options(selectinload(SignatureDecision.moderator))
    ).all()


# Trending alerts (SPEC §4 anti-abuse)


@dataclass
class SigningAlert:
    petition: Petition
    kind: str  # "network" or "domain"
    key: str  # the e-mail domain, or the first characters of the network's keyed hash
    signatures: int
    held: int = 0


def _email_domain(column):
    if db.engine.dialect.name == "postgresql":
        return sa.func.lower(sa.func.split_part(column, "@", 2))
    return sa.func.lower(sa.func.substr(column, sa.func.instr(column, "@") + 1))


def public_mail_domains():
    return {
        d.strip().lower()
        for d in current_app.config["SIGNING_ALERT_PUBLIC_DOMAINS"].split(",")
        if d.strip()
    }


def list_signing_alerts(now=None):
    """Petitions where, within the recent window, more signatures than the threshold come from
    one network or from one e-mail domain (big public providers left out), most signatures
    first. Four queries; the two counting ones read the window's signatures through the index
    ix_petition_signatures_recent."""
    config = current_app.config
    now = now or utcnow()
    since = now - timedelta(minutes=config["SIGNING_ALERT_WINDOW_MINUTES"])
    recent = Signature.created_at.between(since, now)  # a closed range: the planner takes the index
    found = []
    networks = db.session.execute(
        sa.select(Signature.petition_id, Signature.network_hash, sa.func.count())
        .where(recent, Signature.network_hash.is_not(None))
        .group_by(Signature.petition_id, Signature.network_hash)
        .having(sa.func.count() > config["SIGNING_ALERT_NETWORK_THRESHOLD"])
    )
    found.extend((petition_id, "network", network[:8], n) for petition_id, network, n in networks)
    inner = (
        sa.select(
            Signature.petition_id.label("petition_id"), _email_domain(User.email).label("domain")
        )
        .join(User, User.id == Signature.user_id)
        .where(recent)
        .subquery()
    )
    domains = db.session.execute(
        sa.select(inner.c.petition_id, inner.c.domain, sa.func.count())
        .where(inner.c.domain.not_in(public_mail_domains()))
        .group_by(inner.c.petition_id, inner.c.domain)
        .having(sa.func.count() > config["SIGNING_ALERT_DOMAIN_THRESHOLD"])
    )
    found.extend((petition_id, "domain", domain, n) for petition_id, domain, n in domains)
    if not found:
        return []
    petition_ids = {petition_id for petition_id, *_rest in found}
    petitions = {
        p.id: p
        for p in db.session.scalars(sa.select(Petition).where(Petition.id.in_(petition_ids)))
    }
    held = dict(
        db.session.execute(
            sa.select(Signature.petition_id, sa.func.count())
            .where(Signature.petition_id.in_(petition_ids), is_held_sql())
            .group_by(Signature.petition_id)
        ).all()
    )
    alerts = [
        SigningAlert(petition=petitions[p], kind=kind, key=key, signatures=n, held=held.get(p, 0))
        for p, kind, key, n in found
    ]
    return sorted(alerts, key=lambda a: (-a.signatures, a.petition.id, a.kind, a.key))


# Verifiable counts (docs/verifiable-counts.md): a receipt's standing and the reconciliation panel


@dataclass(frozen=True)
class Reconciliation:
    """Every signature made ends in one of these; the count shown is the counted ones."""

    counted: int  # the count shown (the sharded counters)
    held: int  # still awaiting a moderator
    released: int  # held, then counted by a moderator (included in counted, unless withdrawn)
    discarded: int  # held, then discarded by a moderator
    withdrawn: int  # by their signers (recorded since receipts exist)
    invalidated: int

    @property
    def submitted(self):
        return self.counted + self.held + self.discarded + self.withdrawn + self.invalidated


def get_reconciliation(petition_id):
    from participation.petitions.models import ReceiptRemoval, RemovalReason

    decisions = dict(
        db.session.execute(
            sa.select(SignatureDecision.decision, sa.func.count())
            .where(SignatureDecision.petition_id == petition_id)
            .group_by(SignatureDecision.decision)
        ).all()
    )
    removals = dict(
        db.session.execute(
            sa.select(ReceiptRemoval.reason, sa.func.count())
            .where(ReceiptRemoval.petition_id == petition_id)
            .group_by(ReceiptRemoval.reason)
        ).all()
    )
    held = db.session.scalar(
        sa.select(sa.func.count()).where(
            Signature.petition_id == petition_id,
            Signature.status == SignatureStatus.SUSPECT.value,
        )
    )
    return Reconciliation(
        counted=count_signatures(petition_id),
        held=held,
        released=decisions.get("release", 0),
        discarded=decisions.get("discard", 0),
        withdrawn=removals.get(RemovalReason.WITHDRAWN.value, 0),
        invalidated=removals.get(RemovalReason.INVALIDATED.value, 0),
    )
