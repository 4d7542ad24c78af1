"""GET /api/v1/commitments and /api/v1/commitments/<number>: shape, pagination, JSON errors
with stable codes, caching headers, no personal data."""

import json
from datetime import date

import pytest

from participation.extensions import db
from participation.ogp import services
from participation.ogp.queries import get_commitment
from tests.ogp.conftest import TODAY

LIST_KEYS = {
    "number",
    "theme",
    "title",
    "description",
    "status",
    "lead_institution_id",
    "milestones_total",
    "milestones_done",
    "updated_at",
}


def test_the_list_has_the_18_commitments_with_translated_fields(client, commitments):
    response = client.get("/api/v1/commitments")
    assert response.status_code == 200
    assert response.cache_control.public
    assert response.cache_control.max_age == 300
    body = response.get_json()
    assert (body["page"], body["per_page"], body["total"]) == (1, 20, 18)
    assert [c["number"] for c in body["data"]] == list(range(1, 19))
    first = body["data"][0]
    assert set(first) == LIST_KEYS
    assert set(first["title"]) == {"ar", "fr", "zgh"}
    assert first["theme"] == {
        "key": "access_to_information",
        "name": {
            "ar": "الوصول إلى المعلومات",
            "fr": "Accès à l'information",
            "zgh": "ⴰⴽⵛⵛⵓⵎ ⵖⵔ ⵉⵏⵖⵎⵉⵙⵏ",
        },
    }
    assert (first["status"], first["milestones_total"], first["milestones_done"]) == (
        "not_started",
        0,
        0,
    )


def test_the_list_is_paginated(client, commitments):
    body = client.get("/api/v1/commitments?page=4&per_page=5").get_json()
    assert [c["number"] for c in body["data"]] == [16, 17, 18]
    assert body["total"] == 18
    assert client.get("/api/v1/commitments?page=5&per_page=5").get_json()["data"] == []
    assert len(client.get("/api/v1/commitments?per_page=100").get_json()["data"]) == 18


@pytest.mark.parametrize(
    "query, parameter",
    [
        ("per_page=101", "per_page"),
        ("per_page=0", "per_page"),
        ("page=0", "page"),
        ("page=-1", "page"),
        ("page=abc", "page"),
        ("per_page=1.5", "per_page"),
    ],
)
def test_bad_parameters_are_json_errors_with_a_stable_code(client, commitments, query, parameter):
    response = client.get(f"/api/v1/commitments?{query}")
    assert response.status_code == 400
    body = response.get_json()
    assert body["error"] == "invalid_parameter"
    assert body["parameter"] == parameter
    assert body["message"]


def test_an_unknown_commitment_is_a_json_404(client, commitments):
    response = client.get("/api/v1/commitments/99")
    assert response.status_code == 404
    assert response.get_json()["error"] == "not_found"


def test_a_commitment_has_its_milestones_evidence_and_notes_without_personal_data(
    client, commitment, observer
):
    milestone = services.add_milestone(
        observer, commitment, title={"fr": "Lancement", "ar": "إطلاق"}, due_on=date(2019, 3, 1)
    )
    services.set_milestone_done(observer, milestone, done_on=date(2019, 3, 2), today=TODAY)
    services.add_milestone(observer, commitment, title={"fr": "Bilan"}, due_on=date(2020, 8, 31))
    services.add_evidence_link(
        observer, commitment, url="https://data.gov.ma/", label={"fr": "Portail"}
    )
    first = services.add_progress_note(
        observer, commitment, text={"zgh": "ⵜⴰⵣⵎⵎⴰⵎⵜ"}, noted_on=date(2019, 3, 3), today=TODAY
    )
    services.add_progress_note(
        observer, commitment, text={"fr": "Correction"}, corrects=first, today=TODAY
    )
    services.change_commitment_status(observer, commitment, "in_progress")
    db.session.commit()

    response = client.get("/api/v1/commitments/4")
    assert response.status_code == 200
    assert response.cache_control.public
    assert response.cache_control.max_age == 300
    body = response.get_json()
    assert set(body) == LIST_KEYS | {"milestones", "evidence", "progress_notes"}
    assert (body["number"], body["status"], body["milestones_total"], body["milestones_done"]) == (
        4,
        "in_progress",
        2,
        1,
    )
    assert body["title"] == get_commitment(4).title
    assert body["milestones"] == [
        {
            "title": {"fr": "Lancement", "ar": "إطلاق"},
            "due_on": "2019-03-01",
            "done": True,
            "done_on": "2019-03-02",
        },
        {"title": {"fr": "Bilan"}, "due_on": "2020-08-31", "done": False, "done_on": None},
    ]
    assert body["evidence"] == [{"url": "https://data.gov.ma/", "label": {"fr": "Portail"}}]
    notes = body["progress_notes"]
    assert [n["text"] for n in notes] == [{"fr": "Correction"}, {"zgh": "ⵜⴰⵣⵎⵎⴰⵎⵜ"}]
    assert notes[0]["corrects"] == first.id
    assert notes[1]["noted_on"] == "2019-03-03"
    assert {n["author"] for n in notes} == {"Hassan Observer"}
    raw = json.dumps(body)
    assert observer.email not in raw
    assert "author_id" not in raw
    assert "added_by" not in raw


def test_the_api_needs_no_login_and_sets_no_cookie(client, commitments):
    response = client.get("/api/v1/commitments/15")
    assert response.status_code == 200
    assert "Set-Cookie" not in response.headers
