"""What the moderators' desk holds about a person, in the download and at account deletion
(core/personal_data.py; docs/personal-data.md)."""

import sqlalchemy as sa

from participation.core.personal_data import (
    iso,
    Erasure,
    personal_data_eraser,
    personal_data_exporter,
    user_column,
)
from participation.extensions import db
from participation.moderation.models import CommentReport, ModerationAppeal, ModerationItem

MODERATOR_ACT = "a moderator's act on someone else's content, which its author sees in theirs"

user_column(
    "comment_reports.reporter_id",
    exported_in="moderation.reports",
    erasure=Erasure.KEPT,
    why="a report counts towards hiding the comment and is part of the moderation record; it "
    "points at the anonymised account",
)
user_column(
    "moderation_appeals.author_id",
    exported_in="moderation.appeals",
    erasure=Erasure.KEPT,
    why="appeals are append-only records of the moderation (SPEC §5); they point at the "
    "anonymised account",
)
user_column(
    "moderation_decisions.moderator_id",
    not_exported=MODERATOR_ACT,
    erasure=Erasure.KEPT,
    why="decisions are append-only records for accountability; they point at the anonymised "
    "account",
)
user_column(
    "moderation_items.locked_by_id",
    not_exported="a moderator's hold of a few minutes on someone else's content",
    erasure=Erasure.ANONYMISED,
    cleared=("locked_by_id", "locked_until"),
    why="released: another moderator can take the item",
)
user_column(
    "screening_settings.updated_by_id",
    not_exported="a moderator's or administrator's change of the platform's settings",
    erasure=Erasure.KEPT,
    why="who changed the screening stays on record; it points at the anonymised account",
)


@personal_data_exporter("moderation")
def _export_moderation(user):
    reports = db.session.scalars(
        sa.select(CommentReport)
        .where(CommentReport.reporter_id == user.id)
        .order_by(CommentReport.id)
    )
    appeals = db.session.scalars(
        sa.select(ModerationAppeal)
        .where(ModerationAppeal.author_id == user.id)
        .order_by(ModerationAppeal.id)
    )
    return {
        "reports": [
            {
                "comment_id": r.comment_id,
                "reason": r.reason,
                "details": r.details,
                "created_at": iso(r.created_at),
                "resolved_at": iso(r.resolved_at),
            }
            for r in reports
        ],
        "appeals": [
            {"comment_id": a.comment_id, "text": a.text, "created_at": iso(a.created_at)}
            for a in appeals
        ],
    }


@personal_data_eraser("moderation")
def _erase_moderation(user):
    db.session.execute(
        sa.update(ModerationItem)
        .where(ModerationItem.locked_by_id == user.id)
        .values(locked_by_id=None, locked_until=None)
    )
