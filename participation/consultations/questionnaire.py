"""The optional questionnaire of a consultation: questions written by the officers while drafting,
one answer set per citizen (editable until closing), results shown after closing."""

from collections import Counter

import sqlalchemy as sa
from flask_babel import lazy_gettext as _l

from participation.consultations import permissions as perms
from participation.consultations.models import AnswerSet, ConsultationState, Question, QuestionKind
from participation.core.errors import DomainError
from participation.core.i18n import LANGUAGES
from participation.core.models import clean_translations
from participation.core.permissions import guarded_by, require
from participation.extensions import db

TEXT_ANSWER_LIMIT = 2000


def _options(option_lines):
    """Options as [{lang: label}], pairing the n-th line of each language."""
    columns = {
        lang: [line.strip() for line in (option_lines.get(lang) or "").splitlines() if line.strip()]
        for lang in LANGUAGES
    }
    count = max((len(lines) for lines in columns.values()), default=0)
    return [
        {lang: lines[i] for lang, lines in columns.items() if i < len(lines)} for i in range(count)
    ]


@guarded_by(perms.can_edit_consultation)
def add_question(
    actor,
    consultation,
    *,
    kind,
    prompt,
    option_lines=None,
    scale_min=1,
    scale_max=5,
    required=False,
):
    require(perms.can_edit_consultation(actor, consultation))
    kind = QuestionKind(kind)
    prompt = clean_translations(prompt)
    if not prompt:
        raise DomainError(
            _l("Write the question in at least one language."), code="prompt_required"
        )
    options = (
        _options(option_lines or {}) if kind in (QuestionKind.SINGLE, QuestionKind.MULTIPLE) else []
    )
    if kind in (QuestionKind.SINGLE, QuestionKind.MULTIPLE) and len(options) < 2:
        raise DomainError(
            _l("A choice question needs at least two options, one per line."),
            code="options_required",
        )
    if kind == QuestionKind.SCALE and not (
        scale_min is not None and scale_max is not None and 0 <= scale_min < scale_max <= 10
    ):
        raise DomainError(
            _l("A scale goes from a smaller to a larger number, between 0 and 10."), code="scale"
        )
    question = Question(
        consultation_id=consultation.id,
        position=len(consultation.questions) + 1,
        kind=kind.value,
        prompt=prompt,
        options=options,
        scale_min=scale_min if kind == QuestionKind.SCALE else None,
        scale_max=scale_max if kind == QuestionKind.SCALE else None,
        required=bool(required),
    )
    consultation.questions.append(question)
    db.session.flush()
    return question


@guarded_by(perms.can_edit_consultation)
def delete_question(actor, question):
    consultation = question.consultation
    require(perms.can_edit_consultation(actor, consultation))
    consultation.questions.remove(question)
    for position, item in enumerate(consultation.questions, 1):
        item.position = position
    db.session.flush()


def _check_answer(question, raw):
    """The stored value for one question, from the form's raw list of strings."""
    kind = QuestionKind(question.kind)
    values = [value.strip() for value in raw if value and value.strip()]
    if not values:
        if question.required:
            raise AnswerError(question, _l("This question needs an answer."))
        return None
    if kind == QuestionKind.TEXT:
        text = values[0]
        if len(text) > TEXT_ANSWER_LIMIT:
            raise AnswerError(question, _l("This answer is too long."))
        return text
    try:
        numbers = [int(value) for value in values]
    except ValueError:
        raise AnswerError(question, _l("Choose one of the options in the list."))
    if kind == QuestionKind.SCALE:
        if len(numbers) != 1 or not question.scale_min <= numbers[0] <= question.scale_max:
            raise AnswerError(question, _l("Choose a value on the scale."))
        return numbers[0]
    if any(not 0 <= n < len(question.options) for n in numbers) or len(set(numbers)) != len(
        numbers
    ):
        raise AnswerError(question, _l("Choose one of the options in the list."))
    if kind == QuestionKind.SINGLE:
        if len(numbers) != 1:
            raise AnswerError(question, _l("Choose only one option."))
        return numbers[0]
    return sorted(numbers)


class AnswerError(DomainError):
    def __init__(self, question, message):
        super().__init__(message, code="answer")
        self.question = question


@guarded_by(perms.can_answer_questionnaire)
def save_answers(actor, consultation, raw_answers, *, now=None):
    """raw_answers: {question id: [strings]}. Creates or replaces the citizen's answer set."""
    require(perms.can_answer_questionnaire(actor, consultation, now))
    answers = {}
    for question in consultation.questions:
        value = _check_answer(question, raw_answers.get(question.id, []))
        if value is not None:
            answers[str(question.id)] = value
    answer_set = get_answer_set(actor, consultation) or AnswerSet(
        consultation_id=consultation.id, user_id=actor.id
    )
    answer_set.answers = answers
    db.session.add(answer_set)
    db.session.flush()
    return answer_set


def get_answer_set(user, consultation):
    if not getattr(user, "is_authenticated", False):
        return None
    return db.session.scalar(
        sa.select(AnswerSet).where(
            AnswerSet.consultation_id == consultation.id, AnswerSet.user_id == user.id
        )
    )


def results_visible(consultation, now=None):
    return consultation.effective_state(now) in (
        ConsultationState.CLOSED,
        ConsultationState.OUTCOME_PUBLISHED,
    )


def count_answer_sets(consultation):
    return db.session.scalar(
        sa.select(sa.func.count())
        .select_from(AnswerSet)
        .where(AnswerSet.consultation_id == consultation.id)
    )


def list_results(consultation):
    """Per question: counts per option (choices), the distribution and mean (scale), or the number
    of answers (free text). Reads the answer sets once."""
    answer_sets = db.session.scalars(
        sa.select(AnswerSet.answers).where(AnswerSet.consultation_id == consultation.id)
    ).all()
    results = []
    for question in consultation.questions:
        key = str(question.id)
        given = [answers[key] for answers in answer_sets if key in answers]
        kind = QuestionKind(question.kind)
        counts = Counter()
        for value in given:
            counts.update(value if isinstance(value, list) else [value])
        result = {"question": question, "answered": len(given)}
        if kind in (QuestionKind.SINGLE, QuestionKind.MULTIPLE):
            result["options"] = [
                (option, counts.get(i, 0)) for i, option in enumerate(question.options)
            ]
        elif kind == QuestionKind.SCALE:
            result["scale"] = [
                (n, counts.get(n, 0)) for n in range(question.scale_min, question.scale_max + 1)
            ]
            result["mean"] = round(sum(given) / len(given), 2) if given else None
        results.append(result)
    return results
