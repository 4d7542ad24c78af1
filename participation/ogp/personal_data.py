"""What the OGP commitments tracker holds about a person, in the download and at account
deletion (core/personal_data.py; docs/personal-data.md)."""

import sqlalchemy as sa

from participation.core.personal_data import Erasure, iso, personal_data_exporter, user_column
from participation.extensions import db
from participation.ogp.models import EvidenceLink, ProgressNote

user_column(
    "ogp_progress_notes.author_id",
    exported_in="ogp.progress_notes",
    erasure=Erasure.KEPT,
    why="dated, append-only notes of the public tracker; they point at the anonymised account",
)
user_column(
    "ogp_evidence_links.added_by_id",
    exported_in="ogp.evidence_links",
    erasure=Erasure.KEPT,
    why="evidence of the public tracker; it points at the anonymised account",
)


@personal_data_exporter("ogp")
def _export_ogp(user):
    notes = db.session.scalars(
        sa.select(ProgressNote).where(ProgressNote.author_id == user.id).order_by(ProgressNote.id)
    )
    links = db.session.scalars(
        sa.select(EvidenceLink).where(EvidenceLink.added_by_id == user.id).order_by(EvidenceLink.id)
    )
    return {
        "progress_notes": [
            {
                "commitment_id": note.commitment_id,
                "noted_on": iso(note.noted_on),
                "text": note.body,
                "corrects": note.corrects_id,
                "created_at": iso(note.created_at),
            }
            for note in notes
        ],
        "evidence_links": [
            {
                "commitment_id": link.commitment_id,
                "url": link.url,
                "label": link.label,
                "created_at": iso(link.created_at),
            }
            for link in links
        ],
    }
