"""Phases at a glance on a petition's page (issue 16, item 14): submitted, review, open for
signatures, closed, deposited, answered, the current one marked aria-current="step", with the
legal deadline of the answer while it is to come."""

import re

from participation.core.models import utcnow
from participation.extensions import db
from participation.petitions.deadlines import deadline_clocks
from participation.petitions.phases import petition_phases
from participation.petitions import services
from tests.petition_world import citizen, data, deposited, kind, open_petition


def statuses(petition, signatures=0):
    phases = petition_phases(petition, signatures=signatures, clocks=deadline_clocks(petition))
    return {p.key: str(p.status) for p in phases}, phases


def test_a_draft_stands_nowhere_yet_and_a_submitted_one_in_review(world):
    draft = services.create_petition(citizen(), kind("petition_head_of_government"), data())
    db.session.commit()
    placed, _ = statuses(draft)
    assert set(placed.values()) == {"upcoming"}


def test_an_open_petition_stands_at_open(world):
    petition, _, _ = open_petition()
    placed, phases = statuses(petition)
    assert placed == {
        "submitted": "done",
        "review": "done",
        "open": "current",
        "closed": "upcoming",
        "deposited": "upcoming",
        "answered": "upcoming",
    }
    closed = next(p for p in phases if p.key == "closed")
    assert closed.planned and closed.on == petition.closes_at


def test_a_deposited_petition_shows_the_answer_s_legal_deadline(world):
    petition, _ = deposited()
    placed, phases = statuses(petition, signatures=2)
    assert placed["deposited"] == "current" and placed["open"] == "done"
    answer = next(p for p in phases if p.key == "answered")
    due = [c.due_on for c in deadline_clocks(petition) if c.due_on]
    assert due and answer.deadline == max(due)


def test_a_withdrawn_petition_says_so_where_it_stopped(world):
    petition, initiator, _ = open_petition()
    services.withdraw_petition(petition.agent.user, petition, reason="Plus utile.")
    db.session.commit()
    _, phases = statuses(petition)
    current = next(p for p in phases if str(p.status) == "current")
    assert current.key == "open" and current.notes[0][0] == "ended"


def test_the_page_marks_the_current_step(client, world):
    petition, _, _ = open_petition()
    for lang in ("fr", "ar", "zgh"):
        html = client.get(
            f"/{lang}/petitions/{petition.id}-{petition.slug}", follow_redirects=True
        ).get_data(as_text=True)
        section = re.search(r'<section aria-labelledby="phases-heading".*?</section>', html, re.S)
        items = re.findall(r"<li class=\"phases__step.*?</li>", section.group(0), re.S)
        assert len(items) == 6
        assert [i for i, item in enumerate(items) if 'aria-current="step"' in item] == [2]
    assert utcnow() < petition.closes_at
