"""The public outcome report shows "what we heard" for each section (issue 16, item 6), in the
report's own language, marked when it is not the page's, and escaped."""

from datetime import timedelta

import pytest

from participation.consultations.models import OutcomeReport, SectionOutcome
from participation.core.models import utcnow
from participation.extensions import db
from tests.factories import make_consultation, make_institution

HOSTILE = '<script>alert("x")</script><img src=x onerror=alert(1)>'


@pytest.fixture
def published(app):
    consultation = make_consultation(
        institution=make_institution(),
        state="outcome_published",
        opens_at=utcnow() - timedelta(days=20),
        closes_at=utcnow() - timedelta(days=2),
    )
    first, second = consultation.sections
    report = OutcomeReport(
        consultation_id=consultation.id,
        summary={"fr": "Bilan de la consultation."},
        published_at=utcnow(),
    )
    report.sections = [
        SectionOutcome(
            section_id=first.id,
            decision="accepted",
            heard={"fr": "Beaucoup demandent un délai plus court.", "ar": "طالب كثيرون بأجل أقصر."},
            reasons={"fr": "Délai réduit à 30 jours."},
        ),
        SectionOutcome(
            section_id=second.id,
            decision="not_accepted",
            heard={"fr": HOSTILE},
            reasons={"fr": "Hors sujet."},
        ),
    ]
    db.session.add(report)
    db.session.commit()
    return consultation


def _page(client, consultation, lang):
    response = client.get(f"/{lang}/consultations/{consultation.id}-{consultation.slug}")
    assert response.status_code == 200
    html = response.get_data(as_text=True)
    return html[html.index('id="outcome-heading"') :]


def test_what_we_heard_is_on_the_public_report(client, published):
    html = _page(client, published, "fr")
    assert "Ce que nous avons entendu" in html
    assert "Beaucoup demandent un délai plus court." in html
    # A column of its own, between the section and the decision.
    header = html[html.index("<thead>") : html.index("</thead>")]
    assert header.count("<th scope") == 4


def test_what_we_heard_in_the_page_language_when_written_in_it(client, published):
    html = _page(client, published, "ar")
    assert "طالب كثيرون بأجل أقصر." in html
    assert "Beaucoup demandent" not in html
    assert "What we heard" not in html


def test_what_we_heard_in_another_language_is_marked(client, published):
    html = _page(client, published, "zgh")
    assert '<span lang="fr" dir="ltr">Beaucoup demandent un délai plus court.</span>' in html


def test_what_we_heard_is_escaped(client, published):
    html = _page(client, published, "fr")
    assert HOSTILE not in html
    assert "&lt;script&gt;alert(&#34;x&#34;)&lt;/script&gt;" in html


def test_nothing_heard_leaves_the_cell_empty(client, published):
    item = published.outcome.sections[1]
    db.session.delete(item)
    db.session.add(
        SectionOutcome(
            report_id=published.outcome.id,
            section_id=published.sections[1].id,
            decision="accepted",
            heard={},
            reasons={},
        )
    )
    db.session.commit()
    html = _page(client, published, "fr")
    assert '<td><span dir="auto"></span></td>' in html
