import pytest

from participation.consultations.drafts import split_into_sections
from participation.consultations.queries import ListingFilters, list_public_consultations
from participation.core.search import normalise_text, search_terms
from tests.factories import make_consultation


def test_split_a_french_draft_by_articles():
    parts = split_into_sections(
        "Exposé des motifs.\n\nArticle 1\nObjet.\n\nArticle 2 - Définitions\nAu sens...\n## Chapitre II\nSuite"
    )
    assert parts == [
        (None, "Exposé des motifs."),
        ("Article 1", "Objet."),
        ("Article 2 - Définitions", "Au sens..."),
        ("Chapitre II", "Suite"),
    ]


def test_split_an_arabic_draft():
    parts = split_into_sections("ديباجة\nالمادة الأولى\nيهدف هذا القانون\nالباب الثاني\nأحكام عامة")
    assert [heading for heading, _ in parts] == [None, "المادة الأولى", "الباب الثاني"]


def test_split_empty_text():
    assert split_into_sections("  \n ") == []


@pytest.mark.parametrize(
    "variant, canonical",
    [
        ("الإستشارة", "الاستشارة"),
        ("العُمُوميَّة", "العمومية"),
        ("مـــدرسـة", "مدرسه"),
        ("مسؤول", "مسوول"),
        ("مستشفى", "مستشفي"),
        ("آمنة", "امنه"),
        ("ÉDUCATION", "education"),
    ],
)
def test_arabic_and_latin_normalisation(variant, canonical):
    assert normalise_text(variant) == normalise_text(canonical)


def test_search_terms_are_normalised_and_bounded():
    assert search_terms("  L'ÉCOLE   publique % _ ") == ["l'ecole", "publique"]
    assert len(search_terms("a b " + "mot " * 50)) == 8


@pytest.mark.parametrize(
    "query", ["المدرسة العمومية", "المدرسه العموميّة", "مـدرسـة", "ÉCOLE publique", "ecole"]
)
def test_search_finds_with_variants(app, query):
    make_consultation(
        title={"ar": "إصلاح المدرسة العمومية", "fr": "Réforme de l'école publique"}, state="open"
    )
    make_consultation(title={"fr": "Code de la route"}, state="open")
    result = list_public_consultations(ListingFilters(q=query))
    assert [c.title.get("fr") for c in result.items] == ["Réforme de l'école publique"]


def test_search_covers_sections(app):
    consultation = make_consultation(title={"fr": "Projet"}, state="open")
    consultation.sections[0].body = {"ar": "حماية المعطيات الشخصية"}
    from participation.extensions import db

    consultation.refresh_search_text()
    db.session.commit()
    assert list_public_consultations(ListingFilters(q="المعطيات")).total == 1


def test_like_wildcards_in_queries_are_literal(app):
    make_consultation(title={"fr": "Taux de 100% d'accès"}, state="open")
    make_consultation(title={"fr": "Autre"}, state="open")
    assert list_public_consultations(ListingFilters(q="100%")).total == 1
    assert list_public_consultations(ListingFilters(q="%%")).total == 0
