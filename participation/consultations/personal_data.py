"""What the consultations area holds about a person, in the download and at account deletion
(core/personal_data.py; docs/personal-data.md)."""

import sqlalchemy as sa

from participation.consultations.models import AnswerSet, Consultation, Follow, Question
from participation.core.personal_data import (
    iso,
    Erasure,
    personal_data_eraser,
    personal_data_exporter,
    user_column,
)
from participation.extensions import db

OFFICER_ACT = "an officer's work for their institution, public on the consultation's page"
PUBLIC_RECORD = "the consultation's public record; it points at the anonymised account"

user_column(
    "consultations.created_by_id",
    not_exported=OFFICER_ACT,
    erasure=Erasure.KEPT,
    why=PUBLIC_RECORD,
)
user_column(
    "consultation_corrections.created_by_id",
    not_exported=OFFICER_ACT,
    erasure=Erasure.KEPT,
    why=PUBLIC_RECORD,
)
user_column(
    "consultation_attachments.uploaded_by_id",
    not_exported=OFFICER_ACT,
    erasure=Erasure.KEPT,
    why=PUBLIC_RECORD,
)
user_column(
    "consultation_outcomes.published_by_id",
    not_exported=OFFICER_ACT,
    erasure=Erasure.KEPT,
    why=PUBLIC_RECORD,
)
user_column(
    "consultation_follows.user_id",
    exported_in="consultations.follows",
    erasure=Erasure.DELETED,
    why="only served to e-mail the person",
)
user_column(
    "consultation_answer_sets.user_id",
    exported_in="consultations.questionnaire_answers",
    erasure=Erasure.KEPT,
    why="answers are part of the consultation's results, as comments are (SPEC §10); they point "
    "at the anonymised account",
)


@personal_data_exporter("consultations")
def _export_consultations(user):
    answer_sets = db.session.execute(
        sa.select(AnswerSet, Consultation.title)
        .join(Consultation, Consultation.id == AnswerSet.consultation_id)
        .where(AnswerSet.user_id == user.id)
        .order_by(AnswerSet.id)
    ).all()
    prompts = {
        str(question.id): question.prompt
        for question in db.session.scalars(
            sa.select(Question).where(
                Question.consultation_id.in_([a.consultation_id for a, _title in answer_sets])
            )
        )
    }
    follows = db.session.execute(
        sa.select(Follow, Consultation.title)
        .join(Consultation, Consultation.id == Follow.consultation_id)
        .where(Follow.user_id == user.id)
        .order_by(Follow.id)
    )
    return {
        "questionnaire_answers": [
            {
                "consultation_id": answer_set.consultation_id,
                "consultation_title": title,
                "answers": [
                    {"question_id": int(key), "question": prompts.get(key), "answer": value}
                    for key, value in sorted(answer_set.answers.items(), key=lambda i: int(i[0]))
                ],
                "created_at": iso(answer_set.created_at),
                "updated_at": iso(answer_set.updated_at),
            }
            for answer_set, title in answer_sets
        ],
        "follows": [
            {
                "consultation_id": follow.consultation_id,
                "consultation_title": title,
                "since": iso(follow.created_at),
            }
            for follow, title in follows
        ],
    }


@personal_data_eraser("consultations")
def _erase_consultations(user):
    db.session.execute(sa.delete(Follow).where(Follow.user_id == user.id))
