"""Headline numbers against a known data set."""

from datetime import timedelta

from participation.comments.models import CommentStatus
from participation.core.models import utcnow
from participation.extensions import db
from participation.stats.headline import get_headline_numbers
from tests.comments.factories import Note, make_comment
from tests.factories import make_consultation, make_user
from tests.petition_world import deposited, open_petition


def test_headline_numbers(world):
    now = utcnow()
    make_consultation(state="open")
    make_consultation(state="scheduled", opens_at=now + timedelta(days=2))  # not public yet
    make_consultation(
        state="outcome_published",
        opens_at=now - timedelta(days=60),
        closes_at=now - timedelta(days=30),
    )
    make_consultation(state="draft")
    note, author = Note(id=1), make_user()
    make_comment(note, author)
    make_comment(note, author)
    make_comment(note, author, status=CommentStatus.PENDING)
    make_user(verified=False)
    open_petition()
    deposited(signers=3)
    db.session.commit()
    numbers = get_headline_numbers()
    assert numbers["consultations_open"] == 1
    assert numbers["consultations_published"] == 2
    assert numbers["consultations_with_outcome"] == 1
    assert numbers["comments"] == 2
    assert numbers["petitions_published"] == 2
    assert numbers["petitions_open"] == 1
    assert numbers["petitions_deposited"] == 1
    assert numbers["signatures"] == 3
    assert numbers["questionnaire_answers"] == 0
