"""Search before you start (issue 16, item 12): public petitions with titles like the one being
drafted, on the drafting form without script (the check step, a form that comes back) and as JSON
for static/js/similar.js."""

import re
from urllib.parse import quote

import pytest
import sqlalchemy as sa

from participation.extensions import db
from participation.petitions import queries, services
from participation.petitions.models import Petition
from tests.petition_world import citizen, data, kind, open_petition

TITLE_AR = "من أجل مكتبات مفتوحة في المساء"


@pytest.fixture
def config_overrides():
    return {"RATELIMIT_API": "5 per minute"}


@pytest.fixture
def petitions(world):
    libraries, _, _ = open_petition(title={"fr": "Pour des bibliothèques ouvertes le soir"})
    arabic, _, _ = open_petition(title={"ar": TITLE_AR})
    unrelated, _, _ = open_petition(title={"fr": "Des pistes cyclables sécurisées"})
    draft = services.create_petition(
        citizen(),
        kind("petition_head_of_government"),
        data(title={"fr": "Bibliothèques ouvertes le dimanche aussi"}),
    )
    db.session.commit()
    return {"libraries": libraries, "arabic": arabic, "unrelated": unrelated, "draft": draft}


def titles(rows):
    return [p.title.get("fr") or p.title.get("ar") for p in rows]


def test_public_petitions_sharing_the_title_s_words_most_first(petitions):
    found = queries.list_similar_petitions("Bibliotheques ouvertes le dimanche")
    # Accents and case ignored; the draft with the same words is not public, so not shown.
    assert titles(found) == ["Pour des bibliothèques ouvertes le soir"]
    assert queries.list_similar_petitions("Pistes cyclables et bibliothèques ouvertes")[0] in (
        petitions["libraries"],
        petitions["unrelated"],
    )
    ranked = queries.list_similar_petitions("bibliothèques ouvertes le soir, pistes")
    assert ranked[0] == petitions["libraries"]


def test_arabic_titles_match_without_hamza_or_taa_marbuta(petitions):
    # أجل written without its hamza, مكتبات with a shadda: the platform's normalisation folds both.
    assert queries.list_similar_petitions("مكتبات مفتوحه لاجل الطلبة") == [petitions["arabic"]]


def test_short_words_alone_find_nothing(petitions):
    assert queries.list_similar_petitions("le de la") == []
    assert queries.list_similar_petitions("") == []


def test_half_of_the_words_must_match(petitions):
    assert queries.list_similar_petitions("bibliothèques nationales rénovées partout") == []
    assert queries.list_similar_petitions("bibliothèques nationales ouvertes") == [
        petitions["libraries"]
    ]


def test_the_json_lists_public_petitions_in_the_page_s_language(client, petitions):
    response = client.get("/fr/petitions/similar.json?q=biblioth%C3%A8ques+ouvertes")
    assert response.status_code == 200
    libraries = petitions["libraries"]
    assert response.get_json() == [
        {
            "title": "Pour des bibliothèques ouvertes le soir",
            "lang": "fr",
            "url": f"/fr/petitions/{libraries.id}-{quote(libraries.slug)}",
            "status": "open",
            "status_label": "Ouverte aux signatures",
        }
    ]
    assert client.get("/fr/petitions/similar.json?q=").get_json() == []
    assert client.get("/fr/petitions/similar.json").get_json() == []


def test_the_json_is_rate_limited(client, petitions):
    statuses = [client.get("/ar/petitions/similar.json?q=مكتبات").status_code for _ in range(6)]
    assert statuses == [200] * 5 + [429]


def draft_form(**values):
    return {"kind_id": str(kind("petition_head_of_government").id), "region_id": "0", **values}


def similar_section(page):
    match = re.search(r"<div class=\"similar__results\"[^>]*>(.*?)</div>", page, re.S)
    return match.group(1).strip()


def test_the_check_step_lists_similar_petitions_and_saves_nothing(
    client, login, post_form, petitions
):
    login(citizen())
    first = client.get("/fr/petitions/new").get_data(as_text=True)
    assert re.search(r'data-similar-step>\s*<button type="submit" name="step"', first)
    assert similar_section(first) == ""
    before = db.session.scalar(sa.select(sa.func.count(Petition.id)))
    response = post_form(
        "/fr/petitions/new", draft_form(title_fr="Bibliothèques ouvertes la nuit", step="")
    )
    assert response.status_code == 200
    page = response.get_data(as_text=True)
    listed = similar_section(page)
    libraries = petitions["libraries"]
    assert f'href="/fr/petitions/{libraries.id}-{quote(libraries.slug)}"' in listed
    assert "Pour des bibliothèques ouvertes le soir" in listed
    assert "cyclables" not in listed
    assert 'value="Bibliothèques ouvertes la nuit"' in page  # what was typed is kept
    assert db.session.scalar(sa.select(sa.func.count(Petition.id))) == before


def test_a_form_that_comes_back_with_errors_shows_them_too(client, login, post_form, petitions):
    login(citizen())
    response = post_form("/fr/petitions/new", draft_form(kind_id="", title_fr="Pistes cyclables"))
    assert response.status_code == 400
    assert "Des pistes cyclables sécurisées" in similar_section(response.get_data(as_text=True))


def test_a_title_like_nothing_says_so(client, login, post_form, petitions):
    login(citizen())
    response = post_form("/fr/petitions/new", draft_form(title_fr="Zzzz qqqq", step=""))
    assert "<li>" not in similar_section(response.get_data(as_text=True))
    assert "similar__heading" in response.get_data(as_text=True)
