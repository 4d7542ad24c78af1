"""The review table: its constraints hold in the database, its labels exist in every language."""

import pytest
import sqlalchemy as sa
from flask_babel import force_locale

from participation.auth.models import ROLE_LABELS, Role
from participation.extensions import db
from participation.translation_review.models import STATUS_LABELS, ReviewStatus, TranslationReview


def _row(author, **overrides):
    values = dict(
        entry_key="0123456789abcdef",
        language="zgh",
        msgid="Statistics",
        msgctxt="",
        kind="reviewed",
        catalog_text=["ⵉⵙⵉⴹⵏ"],
        author_id=author.id,
    )
    values.update(overrides)
    return TranslationReview(**values)


def test_a_review_row_is_stored_with_its_author_time_and_message(app, translator):
    db.session.add(_row(translator))
    db.session.commit()
    row = db.session.scalar(sa.select(TranslationReview))
    assert (row.author.id, row.language, row.msgid, row.msgctxt) == (
        translator.id,
        "zgh",
        "Statistics",
        "",
    )
    assert row.created_at.tzinfo is not None
    assert row.proposal is None


@pytest.mark.parametrize(
    "overrides",
    [
        {"language": "en"},
        {"kind": "approved"},
        {"kind": "proposed"},  # a proposal without its text
        {"kind": "reviewed", "proposal": ["x"]},
        {"kind": "flagged"},  # a flag without its note
    ],
)
def test_the_database_refuses_inconsistent_rows(app, translator, overrides):
    db.session.add(_row(translator, **overrides))
    with pytest.raises(sa.exc.IntegrityError):
        db.session.commit()
    db.session.rollback()


def test_the_database_accepts_a_translator_role_grant(app, translator):
    assert Role.TRANSLATOR in translator.roles


@pytest.mark.parametrize(
    "lang, expected",
    [
        ("ar", ("لم يُراجَع بعد", "مترجم")),
        ("fr", ("Non relu", "Traducteur")),
        ("zgh", ("ⵓⵔ ⵉⵜⵜⵓⵙⵙⵏⵜⵎ", "ⴰⵎⵙⵙⵓⵖⵍ")),
    ],
)
def test_labels_are_translated(app, lang, expected):
    with force_locale(lang):
        assert (
            str(STATUS_LABELS[ReviewStatus.NOT_REVIEWED]),
            str(ROLE_LABELS[Role.TRANSLATOR]),
        ) == expected
