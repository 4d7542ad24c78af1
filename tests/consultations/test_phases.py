"""Phases at a glance on a consultation's page (issue 16, item 14): draft, published, open, closed,
outcome report in order, the current one marked aria-current="step", an early close or an
extension noted on the closing step."""

import re
from datetime import timedelta

import pytest

from participation.auth.models import Role
from participation.consultations import services
from participation.consultations.phases import consultation_phases
from participation.core.models import utcnow
from participation.extensions import db
from tests.factories import make_consultation, make_institution, make_user

REASON = {"fr": "Le texte est retiré de l'ordre du jour.", "ar": "سُحب النص من جدول الأعمال."}


@pytest.fixture
def institution(app):
    return make_institution()


def statuses(consultation):
    return [(p.key, str(p.status)) for p in consultation_phases(consultation)]


@pytest.mark.parametrize(
    ("state", "current"),
    [
        ("draft", "draft"),
        ("scheduled", "published"),
        ("open", "open"),
        ("closed", "closed"),
        ("outcome_published", "outcome"),
    ],
)
def test_the_current_phase_follows_the_state(institution, state, current):
    now = utcnow()
    opens = now + timedelta(days=2) if state in ("draft", "scheduled") else now - timedelta(days=9)
    closes = now - timedelta(days=1) if state in ("closed", "outcome_published") else None
    consultation = make_consultation(
        institution=institution, state=state, opens_at=opens, closes_at=closes
    )
    keys = ["draft", "published", "open", "closed", "outcome"]
    at = keys.index(current)
    expected = [
        (key, "done" if i < at else "current" if i == at else "upcoming")
        for i, key in enumerate(keys)
    ]
    assert statuses(consultation) == expected


def test_an_open_consultation_past_its_date_stands_at_closed(institution):
    now = utcnow()
    consultation = make_consultation(
        institution=institution,
        state="open",
        opens_at=now - timedelta(days=9),
        closes_at=now - timedelta(hours=1),
    )
    assert dict(statuses(consultation))["closed"] == "current"


def page(client, consultation, lang="fr"):
    return client.get(
        f"/{lang}/consultations/{consultation.id}-{consultation.slug}", follow_redirects=True
    ).get_data(as_text=True)


def phase_items(html):
    section = re.search(r'<section aria-labelledby="phases-heading".*?</section>', html, re.S)
    return re.findall(r"<li class=\"phases__step[^\"]*\"[^>]*>.*?</li>", section.group(0), re.S)


def test_the_page_shows_an_ordered_list_with_the_current_step(client, institution):
    now = utcnow()
    consultation = make_consultation(
        institution=institution,
        state="open",
        opens_at=now - timedelta(days=3),
        closes_at=now + timedelta(days=10),
    )
    items = phase_items(page(client, consultation))
    assert len(items) == 5
    current = [i for i in items if 'aria-current="step"' in i]
    assert len(current) == 1 and "En cours" in current[0]
    assert "(terminée)" in items[0] and "(à venir)" in items[4]
    assert "prévue le" in items[3]  # the planned closing date
    assert "prévue le" not in items[2]  # opened (by the clock) three days ago
    for lang in ("ar", "zgh"):
        assert len(phase_items(page(client, consultation, lang))) == 5


def test_an_early_close_and_an_extension_are_noted(client, institution):
    officer = make_user(roles=[Role.OFFICER], institution=institution)
    now = utcnow()
    consultation = make_consultation(
        institution=institution,
        state="open",
        opens_at=now - timedelta(days=5),
        closes_at=now + timedelta(days=10),
    )
    services.extend_consultation(
        officer, consultation, closes_at=now + timedelta(days=20), reason=REASON
    )
    db.session.commit()
    services.close_consultation_early(officer, consultation, reason=REASON)
    db.session.commit()
    closing = phase_items(page(client, consultation))[3]
    assert 'aria-current="step"' in closing
    assert "Prolongée jusqu&#39;au" in closing or "Prolongée jusqu'au" in closing
    assert "Clôturée par anticipation le" in closing
    assert len(re.findall(r'class="phases__note"', closing)) == 2
