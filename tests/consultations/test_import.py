"""Importing a pasted draft (issue 16, item 4): the first language makes the sections; another
language fills them, matched by order and by the numbers of their headings, and what does not
match is reported, never lost."""

import pytest
import sqlalchemy as sa

from participation.auth.models import Role
from participation.consultations import services
from participation.consultations.drafts import align_parts, heading_number
from participation.consultations.models import Consultation, Section
from participation.extensions import db
from tests.factories import make_consultation, make_institution, make_user

ARABIC = """ديباجة النص.
المادة الأولى
يهدف هذا القانون إلى تنظيم الحق في الحصول على المعلومات.
المادة 2
يقصد بالمعلومات ما يلي.
المادة 3
تلتزم الإدارات بالنشر الاستباقي."""

FRENCH = """Exposé des motifs.
Article premier
La présente loi organise le droit d'accès à l'information.
Article 2
On entend par informations ce qui suit.
Article 3
Les administrations publient d'office."""


@pytest.mark.parametrize(
    "heading, number",
    [
        ("Article 3", (3, False)),
        ("المادة 3", (3, False)),
        ("ⴰⵎⴰⴳⵓ 3", (3, False)),
        ("المادة ٣", (3, False)),
        ("Chapitre III", (3, False)),
        ("Titre Ier", (1, False)),
        ("المادة الثالثة", (3, False)),
        ("الباب الأول", (1, False)),
        ("Article premier", (1, False)),
        ("Article 1er", (1, False)),
        ("Art. 12 - Définitions", (12, False)),
        ("## 4. Sanctions", (4, False)),
        ("Article 7 bis", (7, True)),
        ("المادة 7 مكررة", (7, True)),
        ("Dispositions finales", None),
        ("Préambule", None),
        (None, None),
    ],
)
def test_the_number_of_a_heading_in_any_language(heading, number):
    assert heading_number(heading) == number


def test_alignment_skips_a_part_missing_in_the_middle():
    one, two, three, four = ((n, False) for n in range(1, 5))
    alignment = align_parts([None, one, two, three, four], [None, one, three, four])
    assert alignment.pairs == [(0, 0), (1, 1), (3, 2), (4, 3)]
    assert alignment.sections_without_part == [2]
    assert alignment.parts_without_section == []


def test_alignment_reports_an_added_part_and_a_changed_number():
    one, two, seven_bis, nine = (1, False), (2, False), (7, True), (9, False)
    alignment = align_parts([one, two, (3, False)], [one, seven_bis, two, nine])
    assert alignment.pairs == [(0, 0), (1, 2)]
    assert alignment.sections_without_part == [2]
    assert alignment.parts_without_section == [1, 3]


def test_alignment_by_order_where_nothing_can_be_compared():
    alignment = align_parts([None, (1, False), None], [None, (1, False), None, None])
    assert alignment.pairs == [(0, 0), (1, 1), (2, 2)]
    assert alignment.parts_without_section == [3]


@pytest.fixture
def officer(app):
    return make_user(roles=[Role.OFFICER], institution=make_institution())


@pytest.fixture
def draft(officer):
    return make_consultation(institution=officer.grants[0].institution, sections=0)


def _import(officer, draft, text, language, preamble="Preamble"):
    return services.import_sections(
        officer, draft, text=text, language=language, preamble_heading=preamble
    )


def test_a_second_language_fills_the_sections_of_the_first(officer, draft):
    _import(officer, draft, ARABIC, "ar", "الديباجة")
    ids = [s.id for s in draft.sections]
    report = _import(officer, draft, FRENCH, "fr", "Préambule")
    db.session.commit()
    assert report.complete and not report.replaced
    assert [s.id for s in draft.sections] == ids  # the same sections, filled in
    assert [s.heading for s in draft.sections] == [
        {"ar": "الديباجة", "fr": "Préambule"},
        {"ar": "المادة الأولى", "fr": "Article premier"},
        {"ar": "المادة 2", "fr": "Article 2"},
        {"ar": "المادة 3", "fr": "Article 3"},
    ]
    assert draft.sections[1].body == {
        "ar": "يهدف هذا القانون إلى تنظيم الحق في الحصول على المعلومات.",
        "fr": "La présente loi organise le droit d'accès à l'information.",
    }
    assert "publient d'office" in draft.search_text


def test_a_missing_article_is_reported_and_the_others_still_match(officer, draft):
    _import(officer, draft, ARABIC, "ar")
    without_article_2 = FRENCH.replace("Article 2\nOn entend par informations ce qui suit.\n", "")
    report = _import(officer, draft, without_article_2, "fr")
    assert not report.complete
    assert [s.heading["ar"] for s in report.sections_without_part] == ["المادة 2"]
    assert report.parts_without_section == []
    assert draft.sections[3].heading == {"ar": "المادة 3", "fr": "Article 3"}
    assert "fr" not in draft.sections[2].heading
    assert draft.sections[2].body == {"ar": "يقصد بالمعلومات ما يلي."}  # nothing lost


def test_an_extra_part_is_reported_not_imported(officer, draft):
    _import(officer, draft, ARABIC, "ar")
    with_extra = FRENCH + "\nArticle 3 bis\nUn article que l'arabe n'a pas."
    report = _import(officer, draft, with_extra, "fr")
    assert report.parts_without_section == [(5, "Article 3 bis")]
    assert len(draft.sections) == 4
    assert all("Un article que" not in (s.body.get("fr") or "") for s in draft.sections)


def test_importing_again_after_a_correction_completes_the_language(officer, draft):
    _import(officer, draft, ARABIC, "ar")
    _import(officer, draft, FRENCH.replace("Article 2\n", "Artcle deux\n"), "fr")
    report = _import(officer, draft, FRENCH, "fr")
    assert report.complete
    assert [s.heading.get("fr") for s in draft.sections][1:] == [
        "Article premier",
        "Article 2",
        "Article 3",
    ]
    assert draft.sections[2].body["fr"] == "On entend par informations ce qui suit."
    assert draft.sections[1].body["fr"] == (
        "La présente loi organise le droit d'accès à l'information."
    )


def test_the_same_language_alone_replaces_the_sections(officer, draft):
    _import(officer, draft, ARABIC, "ar")
    report = _import(officer, draft, "المادة 1\nنص جديد", "ar")
    assert report.replaced
    assert [s.heading for s in draft.sections] == [{"ar": "المادة 1"}]


def test_a_section_typed_by_hand_in_another_language_is_kept(officer, draft):
    services.add_section(officer, draft, heading={"fr": "Article 1"}, body={"fr": "Objet."})
    report = _import(officer, draft, "المادة 1\nالموضوع.\nالمادة 2\nتعاريف.", "ar")
    assert not report.replaced
    assert draft.sections[0].heading == {"fr": "Article 1", "ar": "المادة 1"}
    assert draft.sections[0].body == {"fr": "Objet.", "ar": "الموضوع."}
    assert report.parts_without_section == [(2, "المادة 2")]


def test_an_empty_part_removes_only_its_language(officer, draft):
    _import(officer, draft, ARABIC, "ar")
    _import(officer, draft, FRENCH, "fr")
    _import(officer, draft, FRENCH.replace("Les administrations publient d'office.", ""), "fr")
    assert draft.sections[3].body == {"ar": "تلتزم الإدارات بالنشر الاستباقي."}


# ---- the officer's page ----


def _manage(draft):
    return f"/fr/institution/consultations/{draft.id}"


def test_the_page_reports_what_did_not_match(client, login, post_form, officer, draft):
    _import(officer, draft, ARABIC, "ar")
    db.session.commit()
    login(officer)
    pasted = FRENCH.replace("Article 2\nOn entend par informations ce qui suit.\n", "")
    pasted += "\nArticle 9\nEn trop."
    response = post_form(
        f"{_manage(draft)}/sections/import",
        {"import-language": "fr", "import-text": pasted},
        form_page=_manage(draft),
    )
    assert response.status_code == 200
    html = response.get_data(as_text=True)
    report = html[
        html.index('id="import-report"') : html.index("</div>", html.index('id="import-report"'))
    ]
    assert "3\u00a0sections ont reçu le texte collé." in report or "3 sections ont reçu" in report
    assert "Ces sections ne correspondent à aucune partie du texte collé" in report
    assert '<li value="3"><bdi>' in report  # the section without French text, by its place
    assert '<li value="4"><bdi lang="fr">Article 9</bdi></li>' in report
    assert "En trop." in html  # the pasted text stays in the form, to correct
    assert 'action="/fr/institution/consultations/%d/sections/import#import"' % draft.id in html
    db.session.expire_all()
    sections = db.session.get(Consultation, draft.id).sections
    assert [s.heading.get("fr") for s in sections] == [
        "Préambule",
        "Article premier",
        None,
        "Article 3",
    ]


def test_a_complete_import_redirects_with_a_translated_message(
    client, login, post_form, officer, draft
):
    _import(officer, draft, FRENCH, "fr", "Préambule")
    db.session.commit()
    login(officer)
    response = post_form(
        f"/ar/institution/consultations/{draft.id}/sections/import",
        {"import-language": "ar", "import-text": ARABIC},
        form_page=f"/ar/institution/consultations/{draft.id}",
        follow_redirects=True,
    )
    assert response.status_code == 200
    html = response.get_data(as_text=True)
    assert "received the pasted text" not in html
    assert "النص الملصق" in html
    db.session.expire_all()
    # The preamble is named in the text's language, whatever the page's.
    assert db.session.get(Consultation, draft.id).sections[0].heading == {
        "fr": "Préambule",
        "ar": "الديباجة",
    }


@pytest.mark.parametrize(
    "data",
    [
        {"import-language": "fr", "import-text": "   "},
        {"import-language": "en", "import-text": "Article 1\nx"},
        {"import-language": "fr", "import-text": "x" * 200001},
    ],
)
def test_bad_imports_are_refused_in_the_page_language(
    client, login, post_form, officer, draft, data
):
    _import(officer, draft, FRENCH, "fr")
    db.session.commit()
    login(officer)
    response = post_form(
        f"/ar/institution/consultations/{draft.id}/sections/import",
        data,
        form_page=f"/ar/institution/consultations/{draft.id}",
    )
    assert response.status_code == 400
    assert "error-summary" in response.get_data(as_text=True)
    assert db.session.scalar(sa.select(sa.func.count()).select_from(Section)) == 4
