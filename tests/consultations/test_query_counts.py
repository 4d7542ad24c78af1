"""The listing, a consultation page, a section page and search do a constant number of SQL
queries whether there are 10 or 5,000 comments."""

import pytest
import sqlalchemy as sa

from participation.comments.models import Comment
from participation.core.models import utcnow
from participation.extensions import db
from tests.factories import make_consultation, make_institution, make_user
from tests.query_counts import queries_for


def _add_comments(consultations, authors, n):
    now = utcnow()
    rows = []
    for i in range(n):
        consultation = consultations[i % len(consultations)]
        on_section = i % 3 != 0
        section = consultation.sections[i % len(consultation.sections)]
        rows.append(
            dict(
                target_type="section" if on_section else "consultation",
                target_id=section.id if on_section else consultation.id,
                depth=0,
                author_id=authors[i % len(authors)].id,
                body_source=f"Commentaire {i}",
                body_html=f"<p>Commentaire {i}</p>",
                stance=("agree", "disagree", "neutral")[i % 3] if on_section else None,
                status="visible",
                is_official=False,
                created_at=now,
                useful_count=0,
            )
        )
    db.session.execute(sa.insert(Comment), rows)
    db.session.commit()


@pytest.fixture
def world(app):
    institution = make_institution()
    consultations = [
        make_consultation(institution=institution, state="open", sections=4) for _ in range(3)
    ]
    authors = [make_user(commit=False) for _ in range(20)]
    db.session.commit()
    return consultations, authors


def test_query_count_does_not_grow_with_comments(client, world):
    consultations, authors = world
    first = consultations[0]
    paths = [
        "/fr/consultations/",
        "/fr/consultations/?q=projet",
        f"/fr/consultations/{first.id}-{first.slug}",
        f"/fr/consultations/{first.id}-{first.slug}/sections/{first.sections[1].id}",
        f"/fr/consultations/{first.id}-{first.slug}/sections/{first.sections[1].id}?page=3",
        "/api/v1/consultations",
        f"/api/v1/consultations/{first.id}",
    ]
    _add_comments(consultations, authors, 10)
    small = queries_for(client, paths)
    _add_comments(consultations, authors, 4990)
    large = queries_for(client, paths)
    assert all(count > 0 for count in small.values())
    assert large == small
