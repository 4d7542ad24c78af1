"""What caches may keep (issue 11, finding 13). A response to a signed-in user, from a route whose
access policy is not "public", or that sets a cookie is `private, no-store`, whatever the view
chose; anonymous answers of public routes keep the view's choice. Every GET route of the URL map is
walked, with real seeded objects: a draft consultation's PDF seen by its officer among them."""

import pytest

from tests.core.route_walk import seed_site, urls_of_every_get_route

PRIVATE = "private, no-store"


@pytest.fixture
def config_overrides():
    return {"RATELIMIT_API": "1000000 per minute"}


@pytest.fixture
def site(app, world):  # noqa: F811
    return seed_site(app)


def _policy(app, rule):
    return app.view_functions[rule.endpoint].access_policy


@pytest.mark.parametrize("visitor", ["anonymous", "citizen", "officer", "staff"])
def test_every_route_is_cached_as_its_access_policy_allows(app, client, login, site, visitor):
    if visitor != "anonymous":
        login(getattr(site, visitor))
    wrong = []
    answered = 0
    for rule, urls in urls_of_every_get_route(app, site):
        for url in urls:
            with client.get(url) as response:
                cache_control = response.headers.get("Cache-Control")
                answered += response.status_code == 200
                must_be_private = (
                    visitor != "anonymous"
                    or _policy(app, rule) != "public"
                    or "Set-Cookie" in response.headers
                )
                if must_be_private and (cache_control != PRIVATE or "Expires" in response.headers):
                    wrong.append(
                        f"{_policy(app, rule)} {url} {response.status_code}: {cache_control}"
                    )
                elif not must_be_private and "private" in (cache_control or ""):
                    wrong.append(
                        f"{_policy(app, rule)} {url} {response.status_code}: {cache_control} (public and anonymous)"
                    )
    assert wrong == []
    assert answered > 30  # the walk reached real pages, not only refusals


def test_a_draft_consultations_pdf_is_private_and_a_published_ones_public(client, login, site):
    seeded = site.seeded
    draft_pdf, published_pdf = seeded.draft.attachments[0], seeded.consultation.attachments[0]
    with client.get(
        f"/fr/consultations/{seeded.consultation.id}/documents/{published_pdf.id}"
    ) as response:
        assert response.status_code == 200
        assert response.headers["Cache-Control"] == "public, max-age=3600"
    login(site.officer)
    with client.get(f"/fr/consultations/{seeded.draft.id}/documents/{draft_pdf.id}") as response:
        assert response.status_code == 200
        assert response.data.startswith(b"%PDF-")
        assert response.headers["Cache-Control"] == PRIVATE
        assert "Expires" not in response.headers


def test_the_api_answers_a_signed_in_user_privately(client, login, site):
    assert client.get("/api/v1/regions").headers["Cache-Control"] == "public, max-age=3600"
    login(site.citizen)
    assert client.get("/api/v1/regions").headers["Cache-Control"] == PRIVATE


def test_static_files_stay_cacheable_for_signed_in_users(client, login, site):
    login(site.citizen)
    with client.get("/static/css/site.css") as response:
        assert response.status_code == 200
        assert "no-store" not in response.headers.get("Cache-Control", "")
