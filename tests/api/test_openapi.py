"""The OpenAPI document matches the implementation: every /api/v1 route is documented, every
documented path exists, and real answers (lists, details, errors) validate against its schemas."""

import pytest
from participation.api.openapi import COMMITMENTS_PATHS, PATHS, api_paths, openapi_path
from tests.api.openapi_schema import response_schema, validator_for


@pytest.fixture
def document(client):
    response = client.get("/api/v1/openapi.json")
    assert response.status_code == 200
    return response.get_json()


def test_document_is_openapi_3(document):
    from jsonschema import Draft202012Validator as V

    assert document["openapi"].startswith("3.1")
    for name, schema in document["components"]["schemas"].items():
        V.check_schema(schema)


def test_every_api_route_is_documented_and_every_documented_path_exists(app, document):
    assert sorted(document["paths"]) == api_paths(app.url_map)
    assert "/api/v1/petitions/{petition_id}/count" in document["paths"]


def test_openapi_path_converts_flask_rules():
    assert (
        openapi_path("/api/v1/petitions/<int:petition_id>/count")
        == "/api/v1/petitions/{petition_id}/count"
    )
    assert openapi_path("/api/v1/commitments/<number>") == "/api/v1/commitments/{number}"
    assert set(PATHS).isdisjoint(COMMITMENTS_PATHS)


def _answers(seeded):
    c, p = seeded.consultation.id, seeded.deposited.id
    return [
        ("/api/v1/openapi.json", "/api/v1/openapi.json", 200),
        ("/api/v1/regions", "/api/v1/regions", 200),
        ("/api/v1/communes?per_page=100&page=3", "/api/v1/communes", 200),
        ("/api/v1/communes?province=0", "/api/v1/communes", 400),
        ("/api/v1/institutions", "/api/v1/institutions", 200),
        ("/api/v1/stats", "/api/v1/stats", 200),
        ("/api/v1/consultations", "/api/v1/consultations", 200),
        (f"/api/v1/consultations/{c}", "/api/v1/consultations/{consultation_id}", 200),
        (
            f"/api/v1/consultations/{c}/comments",
            "/api/v1/consultations/{consultation_id}/comments",
            200,
        ),
        ("/api/v1/petitions", "/api/v1/petitions", 200),
        (f"/api/v1/petitions/{p}", "/api/v1/petitions/{petition_id}", 200),
        (f"/api/v1/petitions/{seeded.open_petition.id}", "/api/v1/petitions/{petition_id}", 200),
        (f"/api/v1/petitions/{p}/count", "/api/v1/petitions/{petition_id}/count", 200),
        (f"/api/v1/petitions/{p}/log", "/api/v1/petitions/{petition_id}/log", 200),
        (
            f"/api/v1/petitions/{seeded.draft_petition_id}/log",
            "/api/v1/petitions/{petition_id}/log",
            404,
        ),
        ("/api/v1/consultations?page=0", "/api/v1/consultations", 400),
        ("/api/v1/petitions?state=nope", "/api/v1/petitions", 400),
        (
            f"/api/v1/consultations/{seeded.draft.id}",
            "/api/v1/consultations/{consultation_id}",
            404,
        ),
        (
            f"/api/v1/petitions/{seeded.draft_petition_id}/count",
            "/api/v1/petitions/{petition_id}/count",
            404,
        ),
        ("/api/v1/commitments", "/api/v1/commitments", 200),
        ("/api/v1/commitments/15", "/api/v1/commitments/{number}", 200),
        ("/api/v1/commitments/19", "/api/v1/commitments/{number}", 404),
    ]


def test_real_answers_match_the_document(client, seeded, document):
    from participation.extensions import db
    from participation.institutions.services import load_communes
    from participation.ogp.services import load_commitments
    from participation.petitions import countlog

    load_commitments()
    load_communes()
    # A count log entry, so that the log's answer holds an entry to check against its schema.
    countlog.append_entry(seeded.deposited.id, "deposited", force=True)
    db.session.commit()
    checked = set()
    for url, path, status in _answers(seeded):
        response = client.get(url)
        assert response.status_code == status, url
        assert response.mimetype == "application/json"
        validator_for(document, response_schema(document, path, status)).validate(
            response.get_json()
        )
        checked.add(path)
    assert checked == set(document["paths"])  # every documented operation was exercised


def test_a_schema_catches_an_undocumented_field(client, seeded, document):
    """The schemas are closed: a new field (a leak of personal data, say) fails validation."""
    from jsonschema import ValidationError

    data = client.get(f"/api/v1/consultations/{seeded.consultation.id}/comments").get_json()
    data["data"][0]["email"] = "someone@example.org"
    with pytest.raises(ValidationError):
        validator_for(
            document,
            response_schema(document, "/api/v1/consultations/{consultation_id}/comments", 200),
        ).validate(data)
