"""`flask stats seed-large`: a large, plausible data set for the dashboard benchmark (bench/
dashboard.py). People live in the regions in proportion to their population and use the three
interface languages; consultations, petitions (one of them viral), signatures and comments are
spread over the last two years, in time order, as they would have arrived. Rows are written with
SQLAlchemy Core `insert()` in executemany batches, never through the web layer or the ORM's unit
of work; the few consultations and petitions go through the ORM. Not for a production database."""

import random
from collections import Counter
from datetime import date, timedelta

import sqlalchemy as sa

from participation.auth.models import IdentityProfile, Role, RoleGrant, User
from participation.comments.models import Comment
from participation.moderation.models import ModerationDecision, ModerationItem
from participation.consultations.models import AnswerSet, Consultation, OutcomeReport, Section
from participation.core.crypto import encrypt, keyed_hash
from participation.core.errors import DomainError
from participation.core.models import utcnow
from participation.core.permissions import SYSTEM, guarded_by
from participation.core.progress import silent
from participation.demo.accounts import INSTITUTIONS, ensure_institution
from participation.extensions import db
from participation.institutions.models import Province
from participation.institutions.services import load_communes, load_territories
from participation.petitions.models import (
    Petition,
    PetitionKind,
    ProcessingStep,
    Signature,
    SignatureCounter,
)
from participation.petitions.rules import load_petition_kinds
from participation.stats.aggregates import refresh_statistics

BATCH = 10_000
DAYS = 730
EMAIL = "bench-{}@bench.participation.ma"
LANGUAGE_WEIGHTS = {"ar": 6, "fr": 3, "zgh": 1}
NATIONAL_KINDS = (
    "petition_head_of_government",
    "petition_house_of_representatives",
    "petition_house_of_councillors",
    "legislative_motion_house_of_representatives",
)


def _insert(table, rows, bar=None):
    for start in range(0, len(rows), BATCH):
        db.session.execute(sa.insert(table), rows[start : start + BATCH])
        if bar is not None:
            bar.update(len(rows[start : start + BATCH]))


class _Batches:
    """Rows written BATCH at a time while they are generated (a million signatures never sit in
    memory), each batch reported to `bar`."""

    def __init__(self, table, bar):
        self.table, self.bar, self.rows, self.written = table, bar, [], 0

    def add(self, row):
        self.rows.append(row)
        if len(self.rows) >= BATCH:
            self.flush()

    def flush(self):
        if self.rows:
            db.session.execute(sa.insert(self.table), self.rows)
            self.written += len(self.rows)
            self.bar.update(len(self.rows))
            self.rows = []


def _people(rng, count, start, provinces, track):
    weights = [p.population or 100_000 for p in provinces]
    homes = rng.choices(provinces, weights=weights, k=count)
    languages = rng.choices(
        list(LANGUAGE_WEIGHTS), weights=list(LANGUAGE_WEIGHTS.values()), k=count
    )
    joined = sorted(start + timedelta(seconds=rng.uniform(0, DAYS * 86400)) for _ in range(count))
    cin_encrypted = encrypt(
        "BK000000"
    )  # one ciphertext for every benchmark person: fine for timing
    with track(count, "people") as bar:  # a person counts once their identity is written
        _insert(
            User.__table__,
            [
                {
                    "email": EMAIL.format(n),
                    "password_hash": None,
                    "display_name": f"Bench {n}",
                    "language": languages[n],
                    "email_verified_at": joined[n],
                    "created_at": joined[n],
                }
                for n in range(count)
            ],
        )
        ids = dict(
            db.session.execute(
                sa.select(User.email, User.id).where(User.email.like(EMAIL.format("%")))
            ).all()
        )
        people = [(ids[EMAIL.format(n)], homes[n], joined[n]) for n in range(count)]
        profiles = _Batches(IdentityProfile.__table__, bar)
        for n, (user_id, home, when) in enumerate(people):
            profiles.add(
                {
                    "user_id": user_id,
                    "first_name": "Bench",
                    "last_name": f"Person {n}",
                    "cin_hash": keyed_hash(f"BK{n:07d}"),
                    "cin_encrypted": cin_encrypted,
                    "cin_hint": f"{n % 100:02d}",
                    "cin_expiry": date(2032, 1, 1),
                    "birth_date": date(1980, 1, 1),
                    "address": "Bench",
                    "abroad": False,
                    "region_id": home.region_id,
                    "province_id": home.id,
                    "declaration_accepted_at": when,
                    "verified_by": "bench",
                    "updated_at": when,
                }
            )
        profiles.flush()
    return people


def _consultations(rng, institutions, start, now):
    consultations = []
    for n in range(48):
        opens = start + timedelta(days=15 * n + rng.uniform(0, 10))
        closes = opens + timedelta(days=30)
        consultation = Consultation(
            institution_id=rng.choice(institutions).id,
            title={"fr": f"Projet de texte {n + 1}", "ar": f"مشروع نص {n + 1}"},
            summary={"fr": "Texte soumis à la consultation."},
            languages=" ar fr ",
            slug=f"projet-{n + 1}",
            opens_at=opens,
            closes_at=closes,
            state="open" if closes > now else "closed",
            opened_at=opens,
            closed_at=closes if closes <= now else None,
        )
        consultation.sections = [
            Section(position=p, heading={"fr": f"Article {p}"}, body={"fr": "Texte."})
            for p in (1, 2, 3)
        ]
        if closes <= now and n % 3:  # two in three publish their report, some late
            published = closes + timedelta(days=rng.uniform(10, 150))
            if published < now:
                consultation.state = "outcome_published"
                consultation.outcome_published_at = published
                consultation.outcome = OutcomeReport(
                    summary={"fr": "Ce que nous avons retenu."}, published_at=published
                )
        db.session.add(consultation)
        consultations.append(consultation)
    db.session.flush()
    return consultations


def _petitions(rng, kinds, initiator_id, start, now, signatures):
    """Petitions published over two years; the first is viral. Returns [(petition, signatures wanted)]."""
    count = 30
    weights = [4.0] + [rng.uniform(0.2, 1.5) for _ in range(count - 1)]
    wanted = [int(signatures * w / sum(weights)) for w in weights]
    wanted[0] += signatures - sum(wanted)
    petitions = []
    for n in range(count):
        kind = kinds[n % len(kinds)]
        published = start + timedelta(days=rng.uniform(0, DAYS - 60))
        closes = published + timedelta(days=kind.signing_window_days)
        reached = wanted[n] >= kind.signatures_required
        petition = Petition(
            kind_id=kind.id,
            initiator_id=initiator_id,
            title={"fr": f"Pétition {n + 1}", "ar": f"عريضة {n + 1}"},
            demands={"fr": "Nos demandes."},
            memorandum={"fr": "Nos raisons."},
            languages=" ar fr ",
            slug=f"petition-{n + 1}",
            addressee_id=kind.institution_id,
            signatures_required=kind.signatures_required,
            created_at=published - timedelta(days=10),
            submitted_at=published - timedelta(days=5),
            published_at=published,
            closes_at=closes,
            state="open" if closes > now else ("deposited" if reached else "expired"),
        )
        if reached and published + timedelta(days=120) < now:
            petition.state, petition.deposited_at = (
                "deposited",
                published + timedelta(days=rng.uniform(60, 110)),
            )
            petition.closes_at = min(closes, petition.deposited_at)
            petition.decided_at = petition.deposited_at
        db.session.add(petition)
        petitions.append((petition, wanted[n]))
    db.session.flush()
    return petitions


def _processing(rng, petitions, now):
    """Steps for deposited petitions, some on time, some late, some answered."""
    for petition, _wanted in petitions:
        if petition.deposited_at is None:
            continue
        day = petition.deposited_at.date()
        for kind in ("receipt", "referral", "opinion", "decision", "answer"):
            day += timedelta(days=rng.choice((3, 10, 25, 70)))
            if day >= now.date():
                break
            db.session.add(
                ProcessingStep(
                    petition_id=petition.id,
                    kind=kind,
                    occurred_on=day,
                    body={"fr": "Étape."},
                    admissible=True if kind == "decision" else None,
                    recorded_at=now,
                )
            )
            if kind == "answer":
                petition.state = "answered"
    db.session.flush()


def _signatures(rng, petitions, people, now, shards, bar):
    """Signatures in 24 slices of time (so the rows arrive in time order, as they would), the
    sharded counters summed on the way."""
    writer, counters = _Batches(Signature.__table__, bar), Counter()
    queues = [
        (
            petition,
            wanted,
            iter(rng.sample(range(len(people)), min(wanted, len(people)))),
            petition.published_at,
            min(petition.closes_at, now),
        )
        for petition, wanted in petitions
    ]
    first, last = min(q[3] for q in queues), max(q[4] for q in queues)
    slices = 24
    for step in range(slices):
        low, high = (
            first + (last - first) * step / slices,
            first + (last - first) * (step + 1) / slices,
        )
        for petition, wanted, order, opened, end in queues:
            overlap = (min(high, end) - max(low, opened)).total_seconds()
            if overlap <= 0:
                continue
            take = (
                round(wanted * overlap / (end - opened).total_seconds()) if high < end else wanted
            )
            for _ in range(take):
                person = next(order, None)
                if person is None:
                    break
                user_id, home, _joined = people[person]
                shard = rng.randrange(shards)
                counters[(petition.id, home.id, shard, home.region_id)] += 1
                writer.add(
                    {
                        "petition_id": petition.id,
                        "user_id": user_id,
                        "cin_hash": keyed_hash(f"BK{person:07d}"),
                        "region_id": home.region_id,
                        "province_id": home.id,
                        "first_name": "Bench",
                        "last_name": "Person",
                        "address": "Bench",
                        "status": "counted",
                        "shard": shard,
                        "created_at": max(low, opened) + timedelta(seconds=rng.uniform(0, overlap)),
                    }
                )
        writer.flush()
    _insert(
        SignatureCounter.__table__,
        [
            {
                "petition_id": p,
                "province_key": province,
                "shard": shard,
                "region_key": region,
                "count": n,
                "updated_at": now,
            }
            for (p, province, shard, region), n in counters.items()
        ],
    )
    return writer.written


def _comments(rng, count, consultations, petitions, people, now, track):
    targets = []
    for consultation in consultations:
        for section in consultation.sections:
            targets.append(
                ("section", section.id, consultation.opens_at, min(consultation.closes_at, now))
            )
    for petition, _wanted in petitions:
        targets.append(
            ("petition", petition.id, petition.published_at, min(petition.closes_at, now))
        )
    rows = []
    for n in range(count):
        kind, target_id, opened, closed = rng.choice(targets)
        user_id = people[rng.randrange(len(people))][0]
        rows.append(
            {
                "target_type": kind,
                "target_id": target_id,
                "depth": 0,
                "author_id": user_id,
                "body_source": f"Avis {n}",
                "body_html": f"<p>Avis {n}</p>",
                "stance": rng.choice(("agree", "disagree", "neutral"))
                if kind == "section"
                else None,
                "status": "visible" if n % 20 else "hidden",
                "is_official": False,
                "useful_count": 0,
                "created_at": opened + (closed - opened) * rng.random(),
            }
        )
    rows.sort(key=lambda row: row["created_at"])
    with track(len(rows), "comments") as bar:
        _insert(Comment.__table__, rows, bar)
    return len(rows)


def _answers(rng, consultations, people, count):
    rows, seen = [], set()
    for _ in range(count):
        consultation = rng.choice(consultations)
        person = rng.randrange(len(people))
        if (consultation.id, person) in seen:
            continue
        seen.add((consultation.id, person))
        rows.append(
            {
                "consultation_id": consultation.id,
                "user_id": people[person][0],
                "answers": {},
                "created_at": consultation.opens_at + timedelta(days=rng.uniform(0, 29)),
            }
        )
    _insert(AnswerSet.__table__, rows)
    return len(rows)


def _moderation(rng, moderator_id):
    """A decision on every hidden comment (one in twenty), after a wait of a few hours."""
    hidden = db.session.execute(
        sa.select(Comment.id, Comment.created_at).where(
            Comment.status == "hidden", Comment.author_id != moderator_id
        )
    ).all()
    _insert(
        ModerationItem.__table__,
        [
            {
                "comment_id": cid,
                "kind": "reported",
                "reason": "spam",
                "opened_at": at,
                "closed_at": at + timedelta(hours=30),
            }
            for cid, at in hidden
        ],
    )
    items = db.session.execute(
        sa.select(ModerationItem.comment_id, ModerationItem.id, ModerationItem.opened_at)
    ).all()
    _insert(
        ModerationDecision.__table__,
        [
            {
                "comment_id": cid,
                "moderator_id": moderator_id,
                "item_id": item_id,
                "decision": "hide",
                "reason": rng.choice(("spam", "insult_or_hate", "off_topic", "personal_data")),
                "from_status": "visible",
                "to_status": "hidden",
                "created_at": opened + timedelta(hours=rng.uniform(1, 60)),
            }
            for cid, item_id, opened in items
        ],
    )
    return len(items)


@guarded_by(SYSTEM)
def seed_large(*, signatures, comments, random_seed=2026, track=silent, now=None):
    """Write the data set and refresh the statistics, reporting the people, signatures, comments
    and months of statistics done to `track` (core/progress.py); refuses to run twice on one
    database."""
    if db.session.scalar(sa.select(User.id).where(User.email == EMAIL.format(0))) is not None:
        raise DomainError("The large data set is already in this database.", code="already_seeded")
    from flask import current_app

    rng, now = random.Random(random_seed), now or utcnow()
    start = now - timedelta(days=DAYS)
    load_territories()
    load_communes()
    institutions = [ensure_institution(kind, code, names) for kind, code, names in INSTITUTIONS]
    load_petition_kinds()
    db.session.flush()
    kinds = db.session.scalars(
        sa.select(PetitionKind).where(
            PetitionKind.key.in_(NATIONAL_KINDS), PetitionKind.institution_id.is_not(None)
        )
    ).all()
    provinces = db.session.scalars(sa.select(Province).order_by(Province.id)).all()
    people = _people(rng, max(signatures // 6, comments // 4, 1000), start, provinces, track)
    moderator_id = people[0][0]
    db.session.add(RoleGrant(user_id=moderator_id, role=Role.MODERATOR.value))
    consultations = _consultations(
        rng, [i for i in institutions if i.kind == "ministry"] + institutions[:1], start, now
    )
    petitions = _petitions(rng, kinds, people[1][0], start, now, signatures)
    _processing(rng, petitions, now)
    # Every petition gets the signatures it wants, at most one per person.
    with track(sum(min(wanted, len(people)) for _p, wanted in petitions), "signatures") as bar:
        written = _signatures(
            rng, petitions, people, now, current_app.config["SIGNATURE_COUNTER_SHARDS"], bar
        )
    written_comments = _comments(rng, comments, consultations, petitions, people, now, track)
    answers = _answers(rng, consultations, people, comments // 5)
    decisions = _moderation(rng, moderator_id)
    db.session.commit()
    with db.engine.connect().execution_options(isolation_level="AUTOCOMMIT") as connection:
        # Planner statistics (and on PostgreSQL the BRIN summaries) after a bulk load.
        connection.exec_driver_sql(
            "VACUUM ANALYZE" if db.engine.dialect.name == "postgresql" else "ANALYZE"
        )
    months = refresh_statistics(everything=True, now=now, track=track)
    db.session.commit()
    return {
        "people": len(people),
        "consultations": len(consultations),
        "petitions": len(petitions),
        "signatures": written,
        "comments": written_comments,
        "answers": answers,
        "moderation decisions": decisions,
        "months of statistics": months,
    }
