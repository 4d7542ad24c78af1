"""Bulk open-data dumps: every public dataset as CSV and JSON files, with their data dictionary.

Why files written by `flask open-data dump` (from cron, e.g. nightly) rather than answers built on
each download: a dump reads every public comment and petition, which is cheap once a night and an
easy way to load the database if anyone on the internet could start it at will. Files are written
to a temporary name of their own and renamed, so a download never sees half a file, even while
two runs write at once (`flask open-data dump` runs on one node at a time anyway: core/jobs.py);
the page lists what exists and says so when a file has not been generated yet.

Only public data goes in, by the same rules as the API (participation.api.queries, and the
petitions' read side, participation.petitions.queries): published consultations, visible comments
of authors who are not blocked with their display name only, public petitions in their effective
state with counts from the sharded counters, the addressee's steps. Memory stays
bounded: rows are produced one by one and comments are read in batches.
"""

import json
import os
import tempfile
from dataclasses import dataclass
from datetime import datetime, timezone
from pathlib import Path

import sqlalchemy as sa
from flask import current_app
from flask_babel import lazy_gettext as _l
from sqlalchemy.orm import selectinload

from participation.api import queries as api_queries
from participation.comments.queries import count_comments, count_stances
from participation.consultations import queries as consultation_queries
from participation.consultations.models import Consultation, ConsultationState
from participation.core.csvfiles import iter_csv
from participation.core.i18n import LANGUAGES
from participation.core.models import utcnow
from participation.core.progress import silent
from participation.core.small_numbers import MASKED, min_group
from participation.extensions import db
from participation.institutions import queries as institution_queries
from participation.institutions.models import Institution, Province, Region
from participation.petitions import queries as petition_queries
from participation.petitions import countlog
from participation.petitions.models import (
    AdditionReason,
    CountLogEntry,
    ProcessingStep,
    ReceiptRemoval,
    RemovalReason,
    Signature,
    SignatureStatus,
)

FORMATS = ("csv", "json")


def isolated(name):
    """A standard's or a format's name kept in Latin script on Arabic and Amazigh pages, between
    the Unicode isolates (what <bdi> does) since these labels are plain text."""
    return f"\u2068{name}\u2069"


INTEGER, TEXT, DATE, DATETIME, BOOLEAN = "integer", "text", "date", "date-time", "boolean"
TYPE_LABELS = {
    INTEGER: _l("whole number"),
    TEXT: _l("text"),
    DATE: _l("date (%(format)s)", format=isolated("YYYY-MM-DD")),
    DATETIME: _l("date and time (%(format)s)", format=isolated("ISO 8601, UTC")),
    BOOLEAN: _l("true or false"),
}


@dataclass(frozen=True)
class Column:
    name: str  # a translated column stands for name_ar, name_fr and name_zgh
    type: str
    meaning: object
    translated: bool = False
    values: tuple = ()  # the codes the column holds, shown as they are

    @property
    def names(self):
        return [f"{self.name}_{lang}" for lang in LANGUAGES] if self.translated else [self.name]


@dataclass(frozen=True)
class Dataset:
    name: str
    title: object
    description: object
    columns: tuple
    rows: object  # a function yielding dicts keyed by column names

    @property
    def header(self):
        return [name for column in self.columns for name in column.names]

    def filename(self, fmt):
        return f"{self.name}.{fmt}"


def _texts(prefix, mapping):
    return {f"{prefix}_{lang}": (mapping or {}).get(lang) or "" for lang in LANGUAGES}


def _iso(value):
    return value.isoformat() if value is not None else ""


def _public_consultations():
    return db.session.scalars(
        sa.select(Consultation)
        .where(Consultation.state != ConsultationState.DRAFT.value)
        .options(selectinload(Consultation.sections), selectinload(Consultation.region))
        .order_by(Consultation.id)
    ).all()


def _consultation_rows():
    from participation.consultations.comment_targets import comment_totals

    consultations = _public_consultations()
    totals = comment_totals(consultations)
    now = utcnow()
    for c in consultations:
        yield {
            "consultation_id": c.id,
            "institution_id": c.institution_id,
            "state": c.effective_state(now).value,
            "scope": c.scope,
            "region": c.region.code if c.region else "",
            "topics": " ".join(t.slug for t in c.topics),
            "opens_at": _iso(c.opens_at),
            "closes_at": _iso(c.closes_at),
            **_texts("title", c.title),
            **_texts("summary", c.summary),
            "comment_count": totals.get(c.id, 0),
        }


def _section_rows():
    consultations = _public_consultations()
    ids = [s.id for c in consultations for s in c.sections]
    counts, stances = count_comments("section", ids), count_stances("section", ids)
    for c in consultations:
        for s in c.sections:
            yield {
                "consultation_id": c.id,
                "section_id": s.id,
                "position": s.position,
                **_texts("heading", s.heading),
                "comment_count": counts[s.id],
                **stances[s.id],
            }


def _closing_change_rows():
    for change in consultation_queries.list_public_closing_changes():
        yield {
            "consultation_id": change.consultation_id,
            "kind": change.kind,
            "changed_at": _iso(change.created_at),
            "previous_closes_at": _iso(change.previous_closes_at),
            "closes_at": _iso(change.closes_at),
            **_texts("reason", change.reason),
        }


def _comment_rows():
    consultations = _public_consultations()
    section_owner = {s.id: c.id for c in consultations for s in c.sections}
    for comment in api_queries.iter_public_comments([c.id for c in consultations]):
        on_section = comment.target_type == "section"
        yield {
            "comment_id": comment.id,
            "consultation_id": section_owner[comment.target_id]
            if on_section
            else comment.target_id,
            "section_id": comment.target_id if on_section else "",
            "parent_id": comment.parent_id or "",
            "depth": comment.depth,
            "author": comment.author.display_name,
            "created_at": _iso(comment.created_at),
            "edited_at": _iso(comment.edited_at),
            "stance": comment.stance or "",
            "official_answer": comment.is_official,
            "institution_id": comment.official_institution_id or "",
            "useful_votes": comment.useful_count,
            "text": comment.body_source,
        }


def _petition_rows():
    now = utcnow()
    petitions = petition_queries.list_all_public_petitions()
    counts = petition_queries.count_signatures_of(p.id for p in petitions)
    for p in petitions:
        yield {
            "petition_id": p.id,
            "kind": p.kind.key,
            "category": p.kind.category,
            "level": p.kind.level,
            "state": p.effective_state(now, signatures=counts[p.id]).value,
            "addressee_id": p.addressee_id or "",
            "region_id": p.region_id or "",
            **_texts("title", p.title),
            "signatures_required": p.signatures_required or "",
            "signature_count": counts[p.id],
            "published_at": _iso(p.published_at),
            "closes_at": _iso(p.closes_at),
            "deposited_at": _iso(p.deposited_at),
            "decided_at": _iso(p.decided_at),
        }


def _by_region_rows():
    """As the petition page shows them: small numbers withheld (petitions.queries)."""
    regions = {r.id: r.code for r in db.session.scalars(sa.select(Region))}
    counts = petition_queries.list_public_region_counts(petition_queries.public_petition_ids())
    for petition_id in sorted(counts):
        for region_key, count in sorted(counts[petition_id], key=lambda row: row[0]):
            yield {
                "petition_id": petition_id,
                "region_id": region_key or "",
                "region": regions.get(region_key, ""),
                "signature_count": "" if count is MASKED else count,
                "fewer_than": min_group() if count is MASKED else "",
            }


def _step_rows():
    steps = db.session.scalars(
        sa.select(ProcessingStep)
        .where(ProcessingStep.petition_id.in_(petition_queries.public_petition_ids()))
        .order_by(ProcessingStep.petition_id, ProcessingStep.occurred_on, ProcessingStep.id)
    )
    for s in steps:
        yield {
            "petition_id": s.petition_id,
            "kind": s.kind,
            "occurred_on": _iso(s.occurred_on),
            "admissible": "" if s.admissible is None else s.admissible,
            "ground": s.ground or "",
            **_texts("body", s.body),
            **_texts("measures", s.measures),
        }


def _count_log_rows():
    """The count log's entries (issue 17, docs/verifiable-counts.md), their changes apart."""
    entries = db.session.scalars(
        sa.select(CountLogEntry)
        .where(CountLogEntry.petition_id.in_(petition_queries.public_petition_ids()))
        .order_by(CountLogEntry.petition_id, CountLogEntry.sequence)
        .execution_options(yield_per=500)
    )
    for e in entries:
        yield {
            "petition_id": e.petition_id,
            "sequence": e.sequence,
            "recorded_at": countlog.timestamp(e.recorded_at),
            "event": e.event,
            "count": e.count,
            "root": e.root,
            "previous_hash": e.previous_hash,
            "entry_hash": e.entry_hash,
        }


def _count_log_change_rows():
    entries = db.session.execute(
        sa.select(
            CountLogEntry.petition_id,
            CountLogEntry.sequence,
            CountLogEntry.added,
            CountLogEntry.removed,
        )
        .where(CountLogEntry.petition_id.in_(petition_queries.public_petition_ids()))
        .order_by(CountLogEntry.petition_id, CountLogEntry.sequence)
        .execution_options(yield_per=100)
    )
    for petition_id, sequence, added, removed in entries:
        for change, items in (("removed", removed), ("added", added)):
            for receipt_hash, reason in items:
                yield {
                    "petition_id": petition_id,
                    "sequence": sequence,
                    "change": change,
                    "receipt_hash": receipt_hash,
                    "reason": reason,
                }


def _receipt_rows():
    """The receipt hashes counted now, then every recorded removal: with the log, what
    tools/verify_counts.py --dump checks (a receipt of the latest entry that is neither counted
    nor removed is a signature row deleted or altered behind the platform's back)."""
    public = petition_queries.public_petition_ids()
    counted = db.session.execute(
        sa.select(Signature.petition_id, Signature.receipt_hash)
        .where(
            Signature.petition_id.in_(public),
            Signature.status == SignatureStatus.COUNTED.value,
            Signature.receipt_hash.is_not(None),
        )
        .order_by(Signature.petition_id, Signature.receipt_hash)
        .execution_options(yield_per=5000)
    )
    for petition_id, receipt_hash in counted:
        yield {"petition_id": petition_id, "receipt_hash": receipt_hash, "status": "counted"}
    removals = db.session.execute(
        sa.select(ReceiptRemoval.petition_id, ReceiptRemoval.receipt_hash, ReceiptRemoval.reason)
        .where(ReceiptRemoval.petition_id.in_(public))
        .order_by(ReceiptRemoval.petition_id, ReceiptRemoval.receipt_hash, ReceiptRemoval.id)
        .execution_options(yield_per=5000)
    )
    for petition_id, receipt_hash, reason in removals:
        yield {"petition_id": petition_id, "receipt_hash": receipt_hash, "status": reason}


def _institution_rows():
    for i in db.session.scalars(
        sa.select(Institution)
        .where(Institution.active)
        .order_by(Institution.id)
        .options(selectinload(Institution.region))
    ):
        yield {
            "institution_id": i.id,
            "kind": i.kind,
            "acronym": i.acronym or "",
            "region": i.region.code if i.region else "",
            **_texts("name", i.name),
        }


def _region_rows():
    for r in db.session.scalars(sa.select(Region).order_by(Region.code)):
        yield {
            "region_id": r.id,
            "code": r.code,
            "iso_code": r.iso_code,
            "population": r.population or "",
            "population_year": r.population_year or "",
            **_texts("name", r.name),
        }


def _province_rows():
    for p in db.session.scalars(
        sa.select(Province).order_by(Province.iso_code).options(selectinload(Province.region))
    ):
        yield {
            "province_id": p.id,
            "region": p.region.code,
            "iso_code": p.iso_code,
            "kind": p.kind,
            "population": p.population or "",
            **_texts("name", p.name),
        }


def _commune_rows():
    for c in institution_queries.list_all_communes():
        yield {
            "commune_id": c.id,
            "code": c.code,
            "province_id": c.province_id,
            "kind": c.kind,
            "population": "" if c.population is None else c.population,
            "population_year": c.population_year or "",
            "has_arrondissements": c.has_arrondissements,
            **_texts("name", c.name),
        }


ID = _l("Identifier, stable across dumps and the same as in the API")
CONSULTATION_ID = Column("consultation_id", INTEGER, _l("Consultation identifier"))
PETITION_ID = Column("petition_id", INTEGER, _l("Petition identifier"))
COMMENT_COUNT = Column("comment_count", INTEGER, _l("Public comments and replies"))
REGION = Column("region", TEXT, _l("Region code (see regions); empty when none"))
SIGNATURE_COUNT = Column("signature_count", INTEGER, _l("Counted signatures"))
INSTITUTION_ID = Column("institution_id", INTEGER, _l("Institution identifier (see institutions)"))
STATE = _l("State")
ISO_CODE = _l("%(standard)s code", standard=isolated("ISO 3166-2"))
POPULATION = _l("Population, when known")
RECEIPT_HASH_COLUMN = Column(
    "receipt_hash",
    TEXT,
    _l("Hash of a signature's receipt code: 64 hexadecimal digits, no personal data"),
)

DATASETS = (
    Dataset(
        "consultations",
        _l("Consultations"),
        _l("Published consultations on draft texts (drafts are left out)."),
        (
            Column("consultation_id", INTEGER, ID),
            INSTITUTION_ID,
            Column(
                "state",
                TEXT,
                STATE,
                values=("scheduled", "open", "closed", "outcome_published", "withdrawn"),
            ),
            Column("scope", TEXT, _l("Scope"), values=("national", "region", "province")),
            REGION,
            Column("topics", TEXT, _l("Topic tags, separated by spaces")),
            Column("opens_at", DATETIME, _l("Opening")),
            Column("closes_at", DATETIME, _l("Closing")),
            Column(
                "title",
                TEXT,
                _l("Title in Arabic, French and Amazigh (empty when not written in that language)"),
                translated=True,
            ),
            Column("summary", TEXT, _l("Summary in Arabic, French and Amazigh"), translated=True),
            COMMENT_COUNT,
        ),
        _consultation_rows,
    ),
    Dataset(
        "sections",
        _l("Consultation sections"),
        _l("The articles or chapters of each consultation, with their comment and stance counts."),
        (
            CONSULTATION_ID,
            Column("section_id", INTEGER, ID),
            Column("position", INTEGER, _l("Order in the text")),
            Column("heading", TEXT, _l("Heading in Arabic, French and Amazigh"), translated=True),
            COMMENT_COUNT,
            Column("agree", INTEGER, _l("Public comments that agree")),
            Column("disagree", INTEGER, _l("Public comments that disagree")),
            Column("neutral", INTEGER, _l("Public neutral comments")),
        ),
        _section_rows,
    ),
    Dataset(
        "consultation_closing_changes",
        _l("Changes to closing dates"),
        _l("Consultations closed early or extended by their institution, with the public reason."),
        (
            CONSULTATION_ID,
            Column(
                "kind",
                TEXT,
                _l("Closed early or extended"),
                values=("closed_early", "extended"),
            ),
            Column("changed_at", DATETIME, _l("Date of the change")),
            Column("previous_closes_at", DATETIME, _l("Closing date before the change")),
            Column("closes_at", DATETIME, _l("Closing date after the change")),
            Column(
                "reason",
                TEXT,
                _l("Public reason in Arabic, French and Amazigh"),
                translated=True,
            ),
        ),
        _closing_change_rows,
    ),
    Dataset(
        "comments",
        _l("Comments"),
        _l(
            "Public comments and replies on consultations: no personal data beyond the display name the author chose."
        ),
        (
            Column("comment_id", INTEGER, ID),
            CONSULTATION_ID,
            Column(
                "section_id",
                INTEGER,
                _l("Section commented on; empty for the consultation as a whole"),
            ),
            Column(
                "parent_id",
                INTEGER,
                _l(
                    "Comment answered by this reply (it may not be public); empty for a first comment"
                ),
            ),
            Column("depth", INTEGER, _l("0 for a first comment, up to 3 for replies")),
            Column("author", TEXT, _l("Display name of the author")),
            Column("created_at", DATETIME, _l("Written")),
            Column("edited_at", DATETIME, _l("Last edited by the author; empty if never")),
            Column(
                "stance",
                TEXT,
                _l("Stance, on sections only"),
                values=("agree", "disagree", "neutral"),
            ),
            Column("official_answer", BOOLEAN, _l("An official answer of the institution")),
            Column("institution_id", INTEGER, _l("Institution of an official answer")),
            Column("useful_votes", INTEGER, _l("Readers who found it useful")),
            Column(
                "text", TEXT, _l("The text as written (%(format)s)", format=isolated("Markdown"))
            ),
        ),
        _comment_rows,
    ),
    Dataset(
        "petitions",
        _l("Petitions and motions"),
        _l("Published petitions and legislative motions with their signature counts."),
        (
            Column("petition_id", INTEGER, ID),
            Column("kind", TEXT, _l("Kind of petition or motion (key of the organic laws' kinds)")),
            Column("category", TEXT, _l("Petition or motion"), values=("petition", "motion")),
            Column(
                "level", TEXT, _l("Level"), values=("national", "region", "province", "commune")
            ),
            Column("state", TEXT, STATE, values=tuple(petition_queries.PUBLIC_STATE_VALUES)),
            Column("addressee_id", INTEGER, _l("Addressee institution (see institutions)")),
            Column("region_id", INTEGER, _l("Region of a territorial petition (see regions)")),
            Column(
                "title",
                TEXT,
                _l("Title in Arabic, French and Amazigh (empty when not written in that language)"),
                translated=True,
            ),
            Column("signatures_required", INTEGER, _l("Signatures required")),
            SIGNATURE_COUNT,
            Column("published_at", DATETIME, _l("Opened for signatures")),
            Column("closes_at", DATETIME, _l("End of the signing window")),
            Column("deposited_at", DATETIME, _l("Deposited with the addressee")),
            Column("decided_at", DATETIME, _l("Last change of state")),
        ),
        _petition_rows,
    ),
    Dataset(
        "petition_signatures_by_region",
        _l("Signatures by region"),
        _l("Counted signatures of each petition by the signers' region of residence."),
        (
            PETITION_ID,
            Column("region_id", INTEGER, _l("Region identifier; empty for signers living abroad")),
            REGION,
            Column(
                "signature_count",
                INTEGER,
                _l("Counted signatures; empty when withheld to protect the signatories' privacy"),
            ),
            Column(
                "fewer_than",
                INTEGER,
                _l(
                    "When the count is withheld: it is at least 1 and below this number (the rule "
                    "of the public statistics); empty otherwise"
                ),
            ),
        ),
        _by_region_rows,
    ),
    Dataset(
        "petition_steps",
        _l("Processing steps"),
        _l("The addressee's dated processing steps after deposit."),
        (
            PETITION_ID,
            Column(
                "kind",
                TEXT,
                _l("Step"),
                values=(
                    "receipt",
                    "referral",
                    "roll_check",
                    "opinion",
                    "decision",
                    "adoption",
                    "answer",
                ),
            ),
            Column("occurred_on", DATE, _l("Date the institution acted")),
            Column("admissible", BOOLEAN, _l("Decisions only: admissible or not")),
            Column("ground", TEXT, _l("Ground of inadmissibility (code of the kind's grounds)")),
            Column(
                "body",
                TEXT,
                _l("What happened, the reasons or the answer, in Arabic, French and Amazigh"),
                translated=True,
            ),
            Column(
                "measures",
                TEXT,
                _l("Planned measures (final answer), in Arabic, French and Amazigh"),
                translated=True,
            ),
        ),
        _step_rows,
    ),
    Dataset(
        "petition_count_log",
        _l("Count log"),
        _l(
            "Each petition's public, append-only count log: one entry each day its counted "
            "signatures change and at each change of state, with the fingerprint (Merkle root) of "
            "the counted receipts and the hash of the previous entry. Anyone can recompute and "
            "check it."
        ),
        (
            PETITION_ID,
            Column("sequence", INTEGER, _l("Number of the entry in the petition's log, from 1")),
            Column("recorded_at", DATETIME, _l("When the entry was recorded")),
            Column(
                "event",
                TEXT,
                _l("What recorded it: the daily job or the petition's new state"),
            ),
            Column("count", INTEGER, _l("Signatures counted at that moment")),
            Column("root", TEXT, _l("Merkle root over the counted receipt hashes")),
            Column("previous_hash", TEXT, _l("Hash of the previous entry (zeros for the first)")),
            Column("entry_hash", TEXT, _l("Hash of this entry")),
        ),
        _count_log_rows,
    ),
    Dataset(
        "petition_count_log_changes",
        _l("Changes in the count log"),
        _l("The receipts each entry of the count log added to the count or removed from it."),
        (
            PETITION_ID,
            Column("sequence", INTEGER, _l("Number of the entry in the petition's count log")),
            Column("change", TEXT, _l("Added or removed"), values=("added", "removed")),
            RECEIPT_HASH_COLUMN,
            Column(
                "reason",
                TEXT,
                _l("Why"),
                values=(*(r.value for r in AdditionReason), *(r.value for r in RemovalReason)),
            ),
        ),
        _count_log_change_rows,
    ),
    Dataset(
        "petition_receipts",
        _l("Signature receipts"),
        _l(
            "The receipt hashes of the signatures counted now, and of those removed from the "
            "count with the reason. A signer finds their own with their receipt code."
        ),
        (
            PETITION_ID,
            RECEIPT_HASH_COLUMN,
            Column(
                "status",
                TEXT,
                _l("Counted now, or the reason it was removed"),
                values=("counted", *(r.value for r in RemovalReason)),
            ),
        ),
        _receipt_rows,
    ),
    Dataset(
        "institutions",
        _l("Institutions"),
        _l("Institutions on the platform."),
        (
            Column("institution_id", INTEGER, ID),
            Column("kind", TEXT, _l("Kind of institution")),
            Column("acronym", TEXT, _l("Acronym")),
            REGION,
            Column("name", TEXT, _l("Name in Arabic, French and Amazigh"), translated=True),
        ),
        _institution_rows,
    ),
    Dataset(
        "regions",
        _l("Regions"),
        _l("The 12 regions of Morocco."),
        (
            Column("region_id", INTEGER, ID),
            Column("code", TEXT, _l("Region code")),
            Column("iso_code", TEXT, ISO_CODE),
            Column("population", INTEGER, POPULATION),
            Column("population_year", INTEGER, _l("Year of the population figure")),
            Column("name", TEXT, _l("Name in Arabic, French and Amazigh"), translated=True),
        ),
        _region_rows,
    ),
    Dataset(
        "provinces",
        _l("Prefectures and provinces"),
        _l("The 75 prefectures and provinces and their region."),
        (
            Column("province_id", INTEGER, ID),
            REGION,
            Column("iso_code", TEXT, ISO_CODE),
            Column("kind", TEXT, _l("Prefecture or province"), values=("prefecture", "province")),
            Column("population", INTEGER, POPULATION),
            Column("name", TEXT, _l("Name in Arabic, French and Amazigh"), translated=True),
        ),
        _province_rows,
    ),
    Dataset(
        "communes",
        _l("Communes"),
        _l(
            "The urban and rural communes with their prefecture or province and their "
            "population. Source: High Commission for Planning, General Census of Population and "
            "Housing 2024, under the %(licence)s licence.",
            licence=isolated("Creative Commons Attribution 4.0 (CC BY 4.0)"),
        ),
        (
            Column("commune_id", INTEGER, ID),
            Column("code", TEXT, _l("Census code of the commune")),
            Column("province_id", INTEGER, _l("Prefecture or province identifier (see provinces)")),
            Column("kind", TEXT, _l("Urban or rural commune"), values=("rural", "urban")),
            Column("population", INTEGER, POPULATION),
            Column("population_year", INTEGER, _l("Year of the population figure")),
            Column("has_arrondissements", BOOLEAN, _l("The commune has arrondissements")),
            Column("name", TEXT, _l("Name in Arabic, French and Amazigh"), translated=True),
        ),
        _commune_rows,
    ),
)
DATASETS_BY_FILE = {d.filename(fmt): d for d in DATASETS for fmt in FORMATS}


def dump_directory():
    return Path(current_app.instance_path) / "open-data"


def _write_atomically(path, chunks):
    """Write to a temporary file of this run's own (two runs at once never write into one file)
    in the same directory, flushed to disk, then rename it over `path`: a reader sees the old file
    or the new one, whole."""
    descriptor, temporary = tempfile.mkstemp(
        dir=path.parent, prefix=f".{path.name}.", suffix=".part"
    )
    try:
        with os.fdopen(descriptor, "w", encoding="utf-8", newline="") as out:
            for chunk in chunks:
                out.write(chunk)
            out.flush()
            os.fsync(out.fileno())
        os.chmod(temporary, 0o644)  # mkstemp makes it 0600; the files are public
        os.replace(temporary, path)
    except BaseException:
        Path(temporary).unlink(missing_ok=True)
        raise


def _json_chunks(rows):
    yield "["
    for number, row in enumerate(rows):
        yield ("," if number else "") + "\n" + json.dumps(row, ensure_ascii=False)
    yield "\n]\n"


def write_dumps(directory=None, *, track=silent):
    """Write every dataset as CSV and JSON into the directory, each file written reported to
    `track` (core/progress.py); returns the file names written."""
    directory = Path(directory or dump_directory())
    directory.mkdir(parents=True, exist_ok=True)
    with track(len(DATASETS) * len(FORMATS), "files") as bar:
        for dataset in DATASETS:
            header = dataset.header
            csv_rows = ([row[name] for name in header] for row in dataset.rows())
            _write_atomically(directory / dataset.filename("csv"), iter_csv(header, csv_rows))
            bar.update(1)
            # JSON keeps numbers and booleans; cells left empty in the CSV are null.
            json_rows = (
                {name: None if row[name] == "" else row[name] for name in header}
                for row in dataset.rows()
            )
            _write_atomically(directory / dataset.filename("json"), _json_chunks(json_rows))
            bar.update(1)
    return [dataset.filename(fmt) for dataset in DATASETS for fmt in FORMATS]


@dataclass(frozen=True)
class DumpFile:
    name: str
    format: str
    size: int | None  # None: not generated yet
    written_at: datetime | None


def list_dump_files(dataset, directory=None):
    directory = Path(directory or dump_directory())
    files = []
    for fmt in FORMATS:
        path = directory / dataset.filename(fmt)
        if path.is_file():
            stat = path.stat()
            files.append(
                DumpFile(
                    path.name,
                    fmt,
                    stat.st_size,
                    datetime.fromtimestamp(stat.st_mtime, timezone.utc),
                )
            )
        else:
            files.append(DumpFile(path.name, fmt, None, None))
    return files
