"""Exports of a consultation's comments and questionnaire answers, as CSV (UTF-8 with a BOM, so
spreadsheet programs show Arabic) or JSON. The owning institution gets authors' names; observers
get the same rows without any personal data."""

import json

import sqlalchemy as sa
from sqlalchemy.orm import selectinload

from participation.auth.models import User
from participation.comments.models import Comment
from participation.consultations import permissions as perms
from participation.consultations.models import AnswerSet, QuestionKind, Section
from participation.core.audit import record_audit
from participation.core.csvfiles import to_csv  # noqa: F401  (exports.to_csv for the views)
from participation.core.permissions import guarded_by, require
from participation.extensions import db

PERSONAL_COLUMNS = ("author_id", "author_name")


def _comment_rows(consultation, personal):
    sections = {s.id: s for s in consultation.sections}
    query = (
        sa.select(Comment)
        .where(
            sa.or_(
                sa.and_(
                    Comment.target_type == "consultation", Comment.target_id == consultation.id
                ),
                sa.and_(
                    Comment.target_type == "section",
                    Comment.target_id.in_(
                        sa.select(Section.id).where(Section.consultation_id == consultation.id)
                    ),
                ),
            )
        )
        .order_by(Comment.id)
        .options(selectinload(Comment.author))
    )
    if not personal:
        # What the public can read: visible, not deleted, not by a blocked author.
        blocked = sa.select(User.id).where(User.blocked_at.is_not(None))
        query = query.where(
            Comment.status == "visible",
            Comment.deleted_at.is_(None),
            Comment.author_id.not_in(blocked),
        )
    for comment in db.session.scalars(query):
        section = sections.get(comment.target_id) if comment.target_type == "section" else None
        row = {
            "comment_id": comment.id,
            "section_position": section.position if section else "",
            "section_heading": section.text("heading")[0] if section else "",
            "parent_id": comment.parent_id or "",
            "created_at": comment.created_at.isoformat(),
            "edited_at": comment.edited_at.isoformat() if comment.edited_at else "",
            "status": comment.status,
            "stance": comment.stance or "",
            "official_answer": comment.is_official,
            "useful_votes": comment.useful_count,
            "text": "" if comment.deleted_at else comment.body_source,
        }
        if personal:
            row["author_id"] = comment.author_id
            row["author_name"] = comment.author.display_name
        yield row


def _answer_rows(consultation, personal):
    questions = consultation.questions
    query = (
        sa.select(AnswerSet)
        .where(AnswerSet.consultation_id == consultation.id)
        .order_by(AnswerSet.id)
        .options(selectinload(AnswerSet.user))
    )
    for number, answer_set in enumerate(db.session.scalars(query), 1):
        row = {"respondent": number, "updated_at": answer_set.updated_at.isoformat()}
        if personal:
            row["author_id"] = answer_set.user_id
            row["author_name"] = answer_set.user.display_name
        for question in questions:
            value = answer_set.answers.get(str(question.id))
            row[f"q{question.position}"] = _answer_text(question, value)
        yield row


def _answer_text(question, value):
    if value is None:
        return ""
    kind = QuestionKind(question.kind)
    if kind in (QuestionKind.SINGLE, QuestionKind.MULTIPLE):
        chosen = value if isinstance(value, list) else [value]
        return " | ".join(
            next(iter(question.options[i].values()), str(i))
            for i in chosen
            if i < len(question.options)
        )
    return value


EXPORTS = {"comments": _comment_rows, "answers": _answer_rows}


@guarded_by(perms.can_export_consultation)
def export_rows(actor, consultation, kind):
    """The rows of an export, with personal data only for the owning institution (audited)."""
    require(perms.can_export_consultation(actor, consultation))
    personal = perms.export_includes_personal_data(actor, consultation)
    if personal:
        record_audit(actor, "consultation.exported", consultation, kind=kind, personal_data=True)
    return list(EXPORTS[kind](consultation, personal))


def to_json(rows):
    return json.dumps(rows, ensure_ascii=False, indent=1)
