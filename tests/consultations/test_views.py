"""Public and officer pages, through HTTP: listing, filters, the page, drafts kept private."""

import re
from datetime import timedelta

import pytest
import sqlalchemy as sa

from participation.auth.models import Role
from participation.consultations.models import Consultation
from participation.core.models import utcnow
from participation.extensions import db
from tests.factories import make_consultation, make_institution, make_user


@pytest.fixture
def institution_a(app):
    return make_institution(name={"fr": "Ministère A", "ar": "وزارة أ"})


@pytest.fixture
def officer_a(institution_a, login):
    user = make_user(roles=[Role.OFFICER], institution=institution_a)
    return user


def test_listing_shows_published_not_drafts(client, institution_a):
    make_consultation(institution=institution_a, state="open", title={"fr": "Ouverte"})
    make_consultation(institution=institution_a, state="draft", title={"fr": "Brouillon secret"})
    html = client.get("/fr/consultations/").get_data(as_text=True)
    assert "Ouverte" in html
    assert "Brouillon secret" not in html


def test_listing_filters_by_effective_state(client, institution_a):
    now = utcnow()
    make_consultation(
        institution=institution_a,
        state="scheduled",
        title={"fr": "Bientôt"},
        opens_at=now + timedelta(days=1),
        closes_at=now + timedelta(days=9),
    )
    make_consultation(
        institution=institution_a,
        state="scheduled",
        title={"fr": "Déjà ouverte"},
        opens_at=now - timedelta(hours=1),
        closes_at=now + timedelta(days=9),
    )
    html = client.get("/fr/consultations/?state=open").get_data(as_text=True)
    assert "Déjà ouverte" in html
    assert "Bientôt" not in html


def test_listing_filters_by_language(client, institution_a):
    make_consultation(institution=institution_a, state="open", title={"zgh": "ⴰⵙⵓⵖⵍ"})
    make_consultation(
        institution=institution_a, state="open", title={"fr": "Seulement en français"}
    )
    html = client.get("/zgh/consultations/?language=zgh").get_data(as_text=True)
    assert "ⴰⵙⵓⵖⵍ" in html
    assert "Seulement en français" not in html


@pytest.mark.parametrize(
    "query",
    [
        "?page=abc",
        "?state=nonsense",
        "?institution=x",
        "?sort=drop",
        "?q=" + "x" * 5000,
        "?region=-1",
    ],
)
def test_listing_survives_bad_parameters(client, query):
    assert client.get("/fr/consultations/" + query).status_code == 200


def test_consultation_page_redirects_to_its_canonical_address(client, institution_a):
    consultation = make_consultation(institution=institution_a, state="open")
    response = client.get(f"/fr/consultations/{consultation.id}-wrong-slug")
    assert response.status_code == 301
    assert response.headers["Location"].endswith(
        f"/fr/consultations/{consultation.id}-{consultation.slug}"
    )


def test_consultation_page_shows_sections_and_language_fallback(client, institution_a):
    consultation = make_consultation(
        institution=institution_a, state="open", title={"fr": "Titre en français"}
    )
    html = client.get(f"/zgh/consultations/{consultation.id}-{consultation.slug}").get_data(
        as_text=True
    )
    assert "Titre en français" in html
    assert 'lang="fr"' in html  # the fallback text is marked with its language
    assert "Article 1" in html or "المادة 1" in html


def test_drafts_of_other_institutions_are_not_found(client, login, institution_a):
    draft = make_consultation(institution=institution_a, state="draft")
    login(make_user(roles=[Role.OFFICER]))  # an officer of another institution
    assert client.get(f"/fr/consultations/{draft.id}-{draft.slug}").status_code == 404
    assert client.get(f"/fr/institution/consultations/{draft.id}").status_code == 404
    assert client.get(f"/fr/institution/consultations/{draft.id}/edit").status_code == 404


def test_officer_of_another_institution_cannot_change_a_published_consultation(
    client, login, post_form, institution_a
):
    consultation = make_consultation(institution=institution_a, state="open")
    login(make_user(roles=[Role.OFFICER]))
    response = post_form(
        f"/fr/institution/consultations/{consultation.id}/withdraw",
        {"withdraw-reason": "x"},
        form_page="/fr/account/",
    )
    assert response.status_code == 403
    db.session.refresh(consultation)
    assert consultation.state == "open"


@pytest.mark.parametrize(
    "path", ["/fr/institution/consultations", "/fr/institution/consultations/new"]
)
def test_officer_pages_refuse_citizens(client, login, path):
    login(make_user())
    assert client.get(path).status_code == 403


def test_officer_creates_imports_and_publishes(client, login, post_form, officer_a):
    login(officer_a)
    opens = (utcnow() + timedelta(days=1)).astimezone().strftime("%Y-%m-%dT%H:%M")
    response = post_form(
        "/fr/institution/consultations/new",
        {
            "title_fr": "Projet de loi sur l'accès à l'information",
            "title_ar": "مشروع قانون الحق في الحصول على المعلومات",
            "summary_fr": "Résumé",
            "scope": "national",
            "region_id": "0",
            "province_id": "0",
            "opens_at": "2031-06-10T09:00",
            "closes_at": "2031-07-10T18:00",
            "moderation_mode": "post",
        },
    )
    assert response.status_code == 302, response.get_data(as_text=True)
    consultation = db.session.scalar(sa.select(Consultation))
    assert consultation.state == "draft"
    assert consultation.opens_at.hour == 9  # Morocco is on UTC+0 since 20 September 2026
    manage = f"/fr/institution/consultations/{consultation.id}"
    response = post_form(
        f"{manage}/sections/import",
        {
            "import-language": "fr",
            "import-text": "Préambule\nArticle 1\nObjet\nArticle 2\nDéfinitions",
        },
        form_page=manage,
    )
    assert response.status_code == 302
    db.session.refresh(consultation)
    assert [s.heading["fr"] for s in consultation.sections][1:] == ["Article 1", "Article 2"]
    assert consultation.sections[0].body == {"fr": "Préambule"}
    assert post_form(f"{manage}/schedule", form_page=manage).status_code == 302
    db.session.refresh(consultation)
    assert consultation.state == "scheduled"
    assert opens  # the opening date is in the future: not open yet


def test_invalid_consultation_form_keeps_the_input(client, login, post_form, officer_a):
    login(officer_a)
    response = post_form(
        "/fr/institution/consultations/new",
        {
            "title_fr": "Mon titre",
            "scope": "region",
            "region_id": "0",
            "province_id": "0",
            "opens_at": "not a date",
            "closes_at": "",
            "moderation_mode": "post",
        },
    )
    assert response.status_code == 400
    html = response.get_data(as_text=True)
    assert "Mon titre" in html
    assert 'id="opens_at-error"' in html
    assert db.session.scalar(sa.select(sa.func.count()).select_from(Consultation)) == 0


def test_region_scope_without_region_is_refused(client, login, post_form, officer_a):
    login(officer_a)
    response = post_form(
        "/fr/institution/consultations/new",
        {
            "title_fr": "Mon titre",
            "scope": "region",
            "region_id": "0",
            "province_id": "0",
            "moderation_mode": "post",
        },
    )
    assert response.status_code == 400
    assert "error-summary" in response.get_data(as_text=True)


def test_follow_and_unfollow(client, login, post_form, institution_a):
    consultation = make_consultation(institution=institution_a, state="open")
    user = make_user()
    login(user)
    page = f"/fr/consultations/{consultation.id}-{consultation.slug}"
    assert (
        post_form(f"/fr/consultations/{consultation.id}/follow", form_page=page).status_code == 302
    )
    assert "Stop following" in client.get(page).get_data(as_text=True) or "suivre" in client.get(
        page
    ).get_data(as_text=True)
    from participation.consultations.models import Follow

    assert db.session.scalar(sa.select(sa.func.count()).select_from(Follow)) == 1
    post_form(f"/fr/consultations/{consultation.id}/follow", {"action": "unfollow"}, form_page=page)
    assert db.session.scalar(sa.select(sa.func.count()).select_from(Follow)) == 0


def test_outcome_report_is_shown_when_published(client, institution_a):
    from participation.consultations.models import OutcomeReport, SectionOutcome

    consultation = make_consultation(
        institution=institution_a,
        state="outcome_published",
        closes_at=utcnow() - timedelta(days=1),
        opens_at=utcnow() - timedelta(days=9),
    )
    report = OutcomeReport(
        consultation_id=consultation.id,
        summary={"fr": "Nous avons retenu vos propositions."},
        published_at=utcnow(),
    )
    report.sections = [
        SectionOutcome(section_id=s.id, decision="accepted", reasons={"fr": "Raison"})
        for s in consultation.sections
    ]
    db.session.add(report)
    db.session.commit()
    html = client.get(f"/fr/consultations/{consultation.id}-{consultation.slug}").get_data(
        as_text=True
    )
    assert "Nous avons retenu vos propositions." in html
    assert re.search(r"Accept", html)


OFFICER_POSTS = [
    (
        "edit",
        {
            "title_fr": "Piraté",
            "scope": "national",
            "region_id": "0",
            "province_id": "0",
            "moderation_mode": "post",
        },
    ),
    ("sections", {"section-heading_fr": "Article pirate"}),
    ("sections/import", {"import-language": "fr", "import-text": "Article 1\nx"}),
    ("sections/{section}", {"heading_fr": "Piraté"}),
    ("sections/{section}/delete", {}),
    ("sections/{section}/move/down", {}),
    ("schedule", {}),
    ("unschedule", {}),
    ("withdraw", {"withdraw-reason": "x"}),
    ("corrections", {"correction-note_fr": "x", "correction-section_id": "0"}),
    ("questions", {"question-kind": "text", "question-prompt_fr": "Q ?"}),
    ("outcome", {"summary_fr": "x"}),
]


@pytest.mark.parametrize("action, data", OFFICER_POSTS, ids=[a for a, _ in OFFICER_POSTS])
def test_officer_of_b_cannot_touch_drafts_of_a(
    client, login, post_form, institution_a, action, data
):
    draft = make_consultation(institution=institution_a, state="draft")
    before = (draft.title, [s.heading for s in draft.sections], draft.state, len(draft.questions))
    login(make_user(roles=[Role.OFFICER]))
    path = f"/fr/institution/consultations/{draft.id}/" + action.format(
        section=draft.sections[0].id
    )
    response = post_form(path, data, form_page="/fr/account/")
    assert response.status_code == 404
    db.session.expire_all()
    draft = db.session.get(Consultation, draft.id)
    assert (
        draft.title,
        [s.heading for s in draft.sections],
        draft.state,
        len(draft.questions),
    ) == before
