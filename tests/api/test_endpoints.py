"""The /api/v1 endpoints of SPEC §8 on a known data set: what they show, what they leave out (drafts,
non-public comments, personal data), pagination, filters, JSON errors, caching and the rate limit."""

import json

import pytest

from participation.extensions import db
from participation.petitions.models import PetitionKind


def get(client, path, **kwargs):
    response = client.get(path, **kwargs)
    assert response.status_code == 200, response.get_data(as_text=True)
    assert response.is_json
    return response.get_json()


def test_consultation_detail_has_sections_and_counts(client, seeded):
    data = get(client, f"/api/v1/consultations/{seeded.consultation.id}")
    assert data["title"] == {"ar": "مشروع", "fr": "Projet ouvert", "zgh": "ⴰⵙⵏⴼⵍ"}
    assert data["summary"] == {"fr": "Résumé du projet."}
    assert data["comment_count"] == 4  # the four public ones
    first, second = data["sections"]
    assert first["heading"] == {"ar": "المادة 1", "fr": "Article 1"}
    assert first["comment_count"] == 1 and first["stances"] == {
        "agree": 1,
        "disagree": 0,
        "neutral": 0,
    }
    assert second["comment_count"] == 0


def test_consultations_listing_leaves_out_drafts(client, seeded):
    data = get(client, "/api/v1/consultations")
    assert [item["id"] for item in data["data"]] == [seeded.consultation.id]
    assert (data["page"], data["per_page"], data["total"]) == (1, 20, 1)
    assert get(client, "/api/v1/consultations?state=closed")["data"] == []
    assert client.get(f"/api/v1/consultations/{seeded.draft.id}").status_code == 404
    assert client.get(f"/api/v1/consultations/{seeded.draft.id}/comments").status_code == 404


def test_comments_are_the_public_ones_with_threads_and_official_answers(client, seeded):
    data = get(client, f"/api/v1/consultations/{seeded.consultation.id}/comments")
    assert data["total"] == 4
    by_id = {c["id"]: c for c in data["data"]}
    assert set(by_id) == {c.id for c in seeded.public_comments}
    official = by_id[seeded.official.id]
    assert official["official_answer"] is True and official["institution_id"] == seeded.ministry.id
    assert official["author"] == "Officer Ministry"
    reply = by_id[seeded.reply.id]
    assert (
        reply["parent_id"] == seeded.official.id
        and reply["depth"] == 2
        and reply["official_answer"] is False
    )
    on_section = next(c for c in data["data"] if c["section_id"])
    assert (
        on_section["section_id"] == seeded.consultation.sections[0].id
        and on_section["stance"] == "agree"
    )
    first = by_id[seeded.public_comments[0].id]
    assert first["text"] == "Une **bonne** idée." and "<strong>bonne</strong>" in first["html"]
    text = json.dumps(data, ensure_ascii=False)
    for left_out in ("caché", "en attente", "bloquée", "supprimé", "brouillon", "Blocked Person"):
        assert left_out not in text


def test_comments_are_paginated(client, seeded):
    pages = [
        get(client, f"/api/v1/consultations/{seeded.consultation.id}/comments?per_page=3&page={n}")
        for n in (1, 2, 3)
    ]
    assert [len(p["data"]) for p in pages] == [3, 1, 0]
    assert {c["id"] for p in pages for c in p["data"]} == {c.id for c in seeded.public_comments}


def test_petitions_listing_and_filters(client, seeded):
    data = get(client, "/api/v1/petitions")
    ids = [item["id"] for item in data["data"]]
    assert sorted(ids) == sorted([seeded.open_petition.id, seeded.deposited.id])
    assert seeded.draft_petition_id not in ids
    counts = {item["id"]: item["signature_count"] for item in data["data"]}
    assert counts == {seeded.open_petition.id: 3, seeded.deposited.id: 2}
    assert [p["id"] for p in get(client, "/api/v1/petitions?state=deposited")["data"]] == [
        seeded.deposited.id
    ]
    hog = seeded.deposited.addressee_id
    assert len(get(client, f"/api/v1/petitions?addressee={hog}")["data"]) == 2
    assert get(client, f"/api/v1/petitions?addressee={seeded.ministry.id}")["data"] == []
    assert len(get(client, "/api/v1/petitions?kind=petition_head_of_government")["data"]) == 2
    assert get(client, "/api/v1/petitions?kind=no_such_kind")["data"] == []
    assert (
        get(client, "/api/v1/petitions?region=1")["data"] == []
    )  # national petitions have no region
    item = data["data"][0]
    assert (
        item["kind"]["key"] == "petition_head_of_government"
        and item["kind"]["category"] == "petition"
    )
    assert item["addressee"]["institution_id"] == hog


def test_petition_detail_has_counts_by_region_steps_and_deadlines(client, seeded):
    data = get(client, f"/api/v1/petitions/{seeded.deposited.id}")
    assert (
        data["state"] == "deposited"
        and data["signature_count"] == 2
        and data["signatures_required"] == 2
    )
    # Two signatures from one region: fewer than STATS_MIN_GROUP, withheld as in the statistics.
    assert [
        (row["signature_count"], row["fewer_than"]) for row in data["signatures_by_region"]
    ] == [(None, 5)]
    assert all(row["region"] for row in data["signatures_by_region"])
    assert [s["kind"] for s in data["steps"]] == ["receipt", "referral"]
    assert data["steps"][1]["body"] == {"ar": "إحالة", "fr": "Renvoi à la commission."}
    kind = db.session.get(PetitionKind, seeded.deposited.kind_id)
    assert [c["key"] for c in data["deadlines"]] == [key for key in kind.deadlines_days]
    referral, opinion, decision = data["deadlines"]  # deposited 20 days ago, referred 10 days ago
    assert referral["key"] == "referral_to_petitions_commission" and referral["status"] == "met"
    assert referral["done_on"] == data["steps"][1]["occurred_on"]
    assert (
        opinion["start_on"] == referral["done_on"]
        and opinion["status"] == "on_time"
        and opinion["done_on"] is None
    )
    assert decision["status"] == "waiting" and decision["due_on"] is None
    assert data["committee_size"] == 5
    assert client.get(f"/api/v1/petitions/{seeded.draft_petition_id}").status_code == 404
    assert client.get(f"/api/v1/petitions/{seeded.draft_petition_id}/count").status_code == 404


def test_petition_count_is_cheap_and_cacheable(client, seeded):
    response = client.get(f"/api/v1/petitions/{seeded.open_petition.id}/count")
    assert response.get_json()["signature_count"] == 3 and response.get_json()["updated_at"]
    assert response.headers["Cache-Control"] in {"public, max-age=5", "max-age=5, public"}


def test_stats_are_the_headline_numbers(client, seeded):
    data = get(client, "/api/v1/stats")
    # headline.py counts visible, not deleted comments: the 4 public ones, the blocked author's, the draft's
    assert data["signatures"] == 5 and data["comments"] == 6
    assert data["petitions_deposited"] == 1 and data["consultations_open"] == 1


def test_regions_and_institutions_are_paginated(client, seeded):
    regions = get(client, "/api/v1/regions?per_page=5&page=3")
    assert regions["total"] == 12 and len(regions["data"]) == 2
    assert regions["data"][0]["provinces"][0]["name"]
    ministries = get(client, "/api/v1/institutions?kind=ministry")
    assert [i["id"] for i in ministries["data"]] == [seeded.ministry.id]


def test_communes_by_census_code_and_by_province(client, seeded):
    from participation.institutions.queries import count_communes, get_commune_by_code
    from participation.institutions.services import load_communes

    load_communes()
    db.session.commit()
    first = get(client, "/api/v1/communes?per_page=100")
    assert first["total"] == count_communes() > 1500 and len(first["data"]) == 100
    last = get(client, f"/api/v1/communes?per_page=100&page={first['total'] // 100 + 1}")
    assert len(last["data"]) == first["total"] % 100
    codes = [c["code"] for c in first["data"] + last["data"]]
    assert codes == sorted(codes)
    tangier = get_commune_by_code("01.511.01.0")
    in_province = get(client, f"/api/v1/communes?province={tangier.province_id}&per_page=100")
    assert in_province["total"] == count_communes(tangier.province_id) == len(in_province["data"])
    assert {c["province_id"] for c in in_province["data"]} == {tangier.province_id}
    assert next(c for c in in_province["data"] if c["code"] == "01.511.01.0") == {
        "id": tangier.id,
        "code": "01.511.01.0",
        "province_id": tangier.province_id,
        "kind": "urban",
        "name": {"ar": "طنجة", "fr": "Tanger", "zgh": "ⵟⵏⵊⴰ"},
        "population": 1275428,
        "population_year": 2024,
        "has_arrondissements": True,
    }
    # The same ids as the provinces of /api/v1/regions.
    provinces = {
        p["id"] for r in get(client, "/api/v1/regions?per_page=12")["data"] for p in r["provinces"]
    }
    assert tangier.province_id in provinces
    assert get(client, "/api/v1/communes?province=999999") == {
        "data": [],
        "page": 1,
        "per_page": 20,
        "total": 0,
    }


def test_no_personal_data_anywhere(client, seeded):
    paths = [
        "/api/v1/consultations",
        f"/api/v1/consultations/{seeded.consultation.id}",
        f"/api/v1/consultations/{seeded.consultation.id}/comments",
        "/api/v1/petitions",
        f"/api/v1/petitions/{seeded.open_petition.id}",
        f"/api/v1/petitions/{seeded.deposited.id}",
        "/api/v1/stats",
    ]
    keys = set()

    def walk(value):
        if isinstance(value, dict):
            keys.update(value)
            for item in value.values():
                walk(item)
        elif isinstance(value, list):
            for item in value:
                walk(item)

    for path in paths:
        response = client.get(path)
        text = response.get_data(as_text=True)
        assert seeded.secrets and not [secret for secret in seeded.secrets if secret in text], path
        walk(response.get_json())
    assert not keys & {
        "email",
        "user_id",
        "author_id",
        "cin",
        "first_name",
        "last_name",
        "address",
        "initiator_id",
    }


@pytest.mark.parametrize(
    "path, parameter",
    [
        ("/api/v1/consultations?per_page=101", "per_page"),
        ("/api/v1/consultations?page=0", "page"),
        ("/api/v1/consultations?page=abc", "page"),
        ("/api/v1/consultations?page=１", "page"),  # a full-width digit is not a number here
        ("/api/v1/consultations?state=draft", "state"),
        ("/api/v1/consultations?region=x", "region"),
        ("/api/v1/petitions?state=draft", "state"),
        ("/api/v1/petitions?addressee=-1", "addressee"),
        ("/api/v1/petitions?page=99999999999999999999", "page"),
        ("/api/v1/institutions?kind=bank", "kind"),
        ("/api/v1/regions?per_page=0", "per_page"),
        ("/api/v1/communes?province=x", "province"),
        ("/api/v1/communes?per_page=101", "per_page"),
    ],
)
def test_bad_parameters_are_json_400(client, app, path, parameter):
    response = client.get(path)
    assert response.status_code == 400
    assert (
        response.get_json()["error"] == "invalid_parameter"
        and response.get_json()["parameter"] == parameter
    )


def test_error_messages_follow_accept_language(client, app):
    french = client.get(
        "/api/v1/consultations?page=0", headers={"Accept-Language": "fr-FR,fr;q=0.9"}
    ).get_json()["message"]
    assert french == "page doit être compris entre 1 et 1000000."
    amazigh = client.get(
        "/api/v1/petitions?state=x", headers={"Accept-Language": "zgh"}
    ).get_json()["message"]
    assert amazigh.startswith("ⵉⵇⵇⴰⵏ state")
    arabic = client.get("/api/v1/consultations?page=0").get_json()[
        "message"
    ]  # no Accept-Language: Arabic
    assert arabic == "يجب أن يكون page بين 1 و1000000."
    assert (
        client.get("/api/v1/petitions/5", headers={"Accept-Language": "fr"}).get_json()["error"]
        == "not_found"
    )


@pytest.mark.parametrize(
    "path",
    [
        "/api/v1/consultations/99999999999999999999",
        "/api/v1/petitions/4294967296/count",
        "/api/v1/consultations/0/comments",
    ],
)
def test_unknown_ids_are_json_404(client, app, path):
    response = client.get(path)
    assert response.status_code == 404 and response.get_json()["error"] == "not_found"


def test_wrong_method_is_json_405(client, app):
    response = client.post("/api/v1/petitions")
    assert response.status_code == 405 and response.get_json()["error"] == "method_not_allowed"


def test_etag_gives_304(client, seeded):
    first = client.get("/api/v1/petitions")
    assert first.headers["ETag"] and "public" in first.headers["Cache-Control"]
    again = client.get("/api/v1/petitions", headers={"If-None-Match": first.headers["ETag"]})
    assert again.status_code == 304 and again.data == b""


class TestRateLimit:
    @pytest.fixture
    def config_overrides(self):
        return {"RATELIMIT_API": "3 per minute"}

    def test_the_whole_api_shares_one_budget(self, client, app):
        statuses = [
            client.get(path).status_code
            for path in (
                "/api/v1/regions",
                "/api/v1/stats",
                "/api/v1/institutions",
                "/api/v1/regions",
            )
        ]
        assert statuses == [200, 200, 200, 429]
        response = client.get("/api/v1/stats")
        assert response.status_code == 429 and response.get_json()["error"] == "rate_limited"
        assert client.get("/fr/").status_code == 200  # pages are not counted against the API budget


def test_listing_queries_do_not_grow_with_the_data(client, seeded):
    """Comments and petitions are read in a fixed number of queries, whatever their number."""
    from tests.api.seed import make_comment
    from tests.query_counts import queries_for
    from tests.petition_world import open_petition

    paths = [
        "/api/v1/petitions",
        f"/api/v1/consultations/{seeded.consultation.id}/comments",
        f"/api/v1/petitions/{seeded.deposited.id}",
    ]
    small = queries_for(client, paths)
    author = seeded.official.author
    for n in range(15):
        make_comment("section", seeded.consultation.sections[1].id, author, body=f"Commentaire {n}")
    for _ in range(3):
        open_petition()
    db.session.commit()
    large = queries_for(client, paths)
    assert get(client, "/api/v1/petitions")["total"] == 5
    assert large == small
