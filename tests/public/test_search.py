"""One search box for consultations, petitions and commitments (issue 16, item 16): each kind
found in Arabic, French and Amazigh through its area's read side, Arabic spelling variants
folded (core/search.py), nothing that is not public, results grouped with their counts, and odd
input answered with a translated message, never a 500."""

import re

import pytest

from participation.extensions import db
from participation.ogp.services import load_commitments
from participation.petitions import services as petition_services
from participation.public.search import MAX_QUERY_LENGTH, read_query, search_everywhere
from tests.factories import make_consultation
from tests.petition_world import (  # noqa: F401 (world: a fixture)
    citizen,
    data,
    full_committee,
    kind,
    open_petition,
    provinces_of_regions,
    world,
)

CONSULTATION = {
    "ar": "الشفافية في الصفقات العمومية",
    "fr": "La transparence des marchés publics",
    "zgh": "ⵜⴼⵔⵓⵔⵉ ⵏ ⵜⵙⵖⴰⵡⵙⵉⵡⵉⵏ ⵜⵉⴳⴷⵓⴷⴰⵏⵉⵏ",
}
PETITION = {
    "ar": "من أجل الشفافية في ميزانيات الجماعات",
    "fr": "Pour la transparence des budgets communaux",
    "zgh": "ⵜⴼⵔⵓⵔⵉ ⵏ ⵜⵎⵙⵙⵓⴷⵙⵜ ⵏ ⵜⵙⴳⴷⴰⵍⵉⵏ",
}


@pytest.fixture
def site(app, world):  # noqa: F811
    load_commitments()
    consultation = make_consultation(title=CONSULTATION, state="open")
    draft_consultation = make_consultation(
        title={"fr": "Transparence : brouillon d'un ministère"}, state="draft"
    )
    petition, _, _ = open_petition(title=PETITION)
    draft = petition_services.create_petition(
        citizen(), kind("petition_head_of_government"), data(title={"fr": "Transparence draft"})
    )
    withdrawn_draft = petition_services.create_petition(
        citizen(),
        kind("petition_head_of_government"),
        data(title={"fr": "Transparence retirée avant publication"}),
    )
    petition_services.withdraw_petition(
        withdrawn_draft.initiator, withdrawn_draft, reason="Finalement non."
    )
    db.session.commit()
    return {
        "consultation": consultation,
        "draft_consultation": draft_consultation,
        "petition": petition,
        "draft_petition": draft,
        "withdrawn_draft": withdrawn_draft,
    }


def found(query):
    return {group.kind: group for group in search_everywhere(query)}


@pytest.mark.parametrize(
    "query, commitments",
    [
        ("transparence", [6, 11, 12]),
        ("TRANSPARENCE", [6, 11, 12]),  # case ignored
        ("الشفافية", [6]),
        ("ⵜⴼⵔⵓⵔⵉ", [6, 11, 12]),
    ],
)
def test_each_kind_is_found_in_each_language(site, query, commitments):
    groups = found(query)
    assert groups["consultations"].items == [site["consultation"]]
    assert groups["petitions"].items == [site["petition"]]
    assert [c.number for c in groups["commitments"].items] == commitments
    assert [g.total for g in groups.values()] == [1, 1, len(commitments)]


@pytest.mark.parametrize(
    "query",
    [
        "الشفافيه",  # taa marbuta written as haa
        "الشَّفافِيَّة",  # with diacritics
        "الشفـــافية",  # with tatweel
        "اجل الشفافيه",  # أجل without its hamza
    ],
)
def test_arabic_spelling_variants_find_the_same(site, query):
    groups = found(query)
    assert groups["petitions"].items == [site["petition"]]
    if "اجل" not in query:
        assert groups["consultations"].items == [site["consultation"]]
        assert [c.number for c in groups["commitments"].items] == [6]


def test_hamza_on_alef_is_folded_in_commitment_titles(site):
    # Commitments 6 and 7 begin with إنشاء بوابة; typed without hamza and with haa.
    assert [c.number for c in found("انشاء بوابه")["commitments"].items] == [6, 7]


def test_nothing_but_public_objects(site):
    groups = found("transparence")
    shown = [item for group in groups.values() for item in group.items]
    for hidden in ("draft_consultation", "draft_petition", "withdrawn_draft"):
        assert site[hidden] not in shown
    # Awaiting a moderator's review is not public either.
    draft = site["draft_petition"]
    full_committee(draft, draft.initiator, provinces_of_regions(1), 5)
    petition_services.submit_petition(draft.initiator, draft)
    db.session.commit()
    assert found("transparence")["petitions"].items == [site["petition"]]


def test_the_page_groups_results_with_their_counts(client, site):
    for n in range(7):
        make_consultation(title={"fr": f"Transparence n° {n}"}, state="open")
    page = client.get("/fr/search?q=transparence").get_data(as_text=True)
    assert "12 résultats" in page  # 8 consultations, 1 petition, 3 commitments
    assert "8 consultations trouvées" in page
    assert "1 pétition ou motion trouvée" in page
    assert "3 engagements trouvés" in page
    consultations = page.split('id="results-consultations"')[1].split("</section>")[0]
    assert consultations.count('class="card"') == 5
    assert 'href="/fr/consultations/?q=transparence"' in consultations
    assert "Voir les 8 consultations trouvées" in consultations
    petitions = page.split('id="results-petitions"')[1].split("</section>")[0]
    assert f'href="/fr/petitions/{site["petition"].id}-' in petitions
    assert "/fr/petitions/?q=" not in petitions  # all shown: no "see all"
    assert page.index("results-consultations") < page.index("results-petitions")
    assert page.index("results-petitions") < page.index("results-commitments")
    assert 'href="/fr/commitments/6"' in page


def test_results_show_state_badges_and_excerpts(client, site):
    page = client.get("/fr/search?q=transparence").get_data(as_text=True)
    assert '<span class="badge badge--open">' in page
    assert "Ouvrir jusqu" in page  # the petition's demands as its excerpt
    assert "Résumé du projet." in page  # the consultation's summary


def test_a_title_in_another_language_is_marked_with_it(client, app, world):  # noqa: F811
    make_consultation(title={"fr": "Réforme de la santé"}, state="open")
    page = client.get("/ar/search?q=santé").get_data(as_text=True)
    assert '<span lang="fr" dir="ltr">Réforme de la santé</span>' in page


def test_the_header_box_searches_from_every_page(client, app):
    page = client.get("/zgh/").get_data(as_text=True)
    form = re.search(r'<form class="site-search"[^>]*>.*?</form>', page, re.S).group(0)
    assert 'action="/zgh/search"' in form and 'method="get"' in form
    assert 'name="q"' in form and "csrf_token" not in form
    assert 'for="site-search-q"' in form


def test_an_empty_query_shows_the_form_only(client, app):
    response = client.get("/ar/search")
    page = response.get_data(as_text=True)
    assert response.status_code == 200
    assert 'id="search-q"' in page
    assert 'role="status"' not in page and "results-" not in page


def test_no_result_is_said_in_the_reader_s_language(client, site):
    page = client.get("/ar/search?q=ⵣⵣⵣ كلمة-غير-موجودة").get_data(as_text=True)
    assert "لا توجد أي نتيجة" in page
    assert "لا يوجد أي محتوى منشور يطابق هذه الكلمات" in page


@pytest.mark.parametrize(
    "query",
    [
        "!!! ??? ...",  # only punctuation
        "%_%",  # LIKE's wildcards are searched as themselves
        "transparence\x07\x1b\x85",  # control characters
        "ⴰ" * 3 + "\u202e" + "é" * 5,  # a direction override
    ],
)
def test_odd_input_is_answered_without_an_error(client, site, query):
    response = client.get("/fr/search", query_string={"q": query})
    assert response.status_code == 200
    page = response.get_data(as_text=True)
    assert "\x07" not in page
    if query.startswith("transparence"):
        assert "5 résultats" in page  # found, the control characters ignored
    else:
        assert "Aucun contenu public ne correspond" in page


def test_a_nul_character_is_refused_with_a_translated_page(client, app):
    response = client.get("/fr/search", query_string={"q": "eau\x00"})
    assert response.status_code == 400
    assert 'lang="fr"' in response.get_data(as_text=True)


def test_a_single_letter_asks_for_a_longer_word(client, site):
    page = client.get("/zgh/search?q=a").get_data(as_text=True)
    assert "ⴰⵔⵓ ⵢⴰⵜ ⵜⴳⵓⵔⵉ" in page
    assert "results-" not in page


def test_an_over_long_query_gets_a_translated_error(client, site):
    response = client.get("/ar/search", query_string={"q": "ش" * 10_000})
    page = response.get_data(as_text=True)
    assert response.status_code == 200
    assert "هذا البحث طويل جدًا." in page
    assert 'aria-invalid="true"' in page and "results-" not in page
    query = read_query("x" * 10_000)
    assert query.error and len(query.text) == MAX_QUERY_LENGTH and not query.searchable


def test_anonymous_searches_set_no_cookie_and_are_not_shared_cached(client, site):
    response = client.get("/fr/search?q=transparence")
    assert response.status_code == 200
    assert "Set-Cookie" not in response.headers
    assert "public" not in response.headers.get("Cache-Control", "")


@pytest.mark.parametrize("config_overrides", [{"RATELIMIT_API": "3 per minute"}])
def test_searching_is_rate_limited(client, app, config_overrides):
    statuses = [client.get("/fr/search?q=eau").status_code for _ in range(4)]
    assert statuses == [200, 200, 200, 429]
