"""Tracker pages: the public list and commitment pages in ar, fr and zgh (no login), the live
numbers of commitment 15, and the observers' page with translated errors for bad input."""

import html
import re
from datetime import date, timedelta

import pytest
import sqlalchemy as sa

from participation.core.audit import list_audit_entries
from participation.core.models import utcnow
from participation.extensions import db
from participation.ogp import services
from participation.ogp.models import EvidenceLink, Milestone, ProgressNote
from participation.ogp.queries import get_commitment
from tests.conftest import csrf_token
from tests.factories import make_consultation, make_institution
from tests.ogp.conftest import TODAY

PAGE_TITLE = {
    "ar": "التزامات الشراكة من أجل الحكومة المنفتحة",
    "fr": "Engagements du Partenariat pour un gouvernement ouvert",
    "zgh": "ⵉⵙⵖⴰⵍⵏ ⵏ ⵜⵎⵢⴰⵡⵙⵉ ⵏ ⵜⵏⴱⴰⴹⵜ ⵉⵕⵥⵎⵏ",
}
NOT_STARTED = {"ar": "لم يبدأ", "fr": "Pas commencé", "zgh": "ⵓⵔ ⵉⴱⴷⵉ"}
THEME = {"ar": "الوصول إلى المعلومات", "fr": "Accès à l'information", "zgh": "ⴰⴽⵛⵛⵓⵎ ⵖⵔ ⵉⵏⵖⵎⵉⵙⵏ"}


def text_of(response):
    return html.unescape(response.get_data(as_text=True))


def post(client, path, data, prefix):
    """POST one form of the observers' page with its CSRF token, as the browser sends it."""
    payload = {f"{prefix}-{name}": value for name, value in data.items()}
    payload[f"{prefix}-csrf_token"] = csrf_token(client, "/fr/account/")
    return client.post(path, data=payload)


@pytest.fixture
def signed_in_observer(client, login, observer, commitments):
    login(observer)
    return observer


@pytest.mark.parametrize("lang", ["ar", "fr", "zgh"])
def test_the_public_list_shows_the_18_commitments_in_each_language(client, commitments, lang):
    response = client.get(f"/{lang}/commitments/")
    assert response.status_code == 200
    page = text_of(response)
    assert f"<h1>{PAGE_TITLE[lang]}</h1>" in page
    assert len(re.findall(rf'href="/{lang}/commitments/\d+"', page)) == 18
    assert page.count(NOT_STARTED[lang]) == 18
    assert THEME[lang] in page
    assert get_commitment(6).title[lang] in page


def test_the_list_shows_milestone_progress(client, commitment, observer):
    first = services.add_milestone(
        observer, commitment, title={"fr": "Un"}, due_on=date(2019, 1, 1)
    )
    services.add_milestone(observer, commitment, title={"fr": "Deux"}, due_on=date(2019, 6, 1))
    services.add_milestone(observer, commitment, title={"fr": "Trois"}, due_on=date(2019, 9, 1))
    services.set_milestone_done(observer, first, done_on=date(2019, 1, 2), today=TODAY)
    db.session.commit()
    assert "Jalons réalisés\u00a0: 1 sur 3" in text_of(client.get("/fr/commitments/"))
    assert "ⵜⵉⴼⵍⵍⴰⵙⵉⵏ ⵉⵜⵜⵓⵙⵎⴷⵏ: 1 ⵙⴳ 3" in text_of(client.get("/zgh/commitments/"))


@pytest.mark.parametrize("lang", ["ar", "fr", "zgh"])
def test_a_commitment_page_shows_milestones_evidence_and_dated_notes(
    client, commitment, observer, lang
):
    services.add_milestone(
        observer,
        commitment,
        title={"ar": "نشر البوابة", "fr": "Publication du portail", "zgh": "ⴰⵙⵙⵓⴼⵖ ⵏ ⵓⵙⵎⵍ"},
        due_on=date(2019, 6, 30),
    )
    services.add_evidence_link(
        observer, commitment, url="https://data.gov.ma/", label={"fr": "Portail des données"}
    )
    services.add_progress_note(
        observer,
        commitment,
        text={"fr": "Le portail publie 120 jeux de données."},
        noted_on=date(2019, 7, 1),
        today=TODAY,
    )
    db.session.commit()
    response = client.get(f"/{lang}/commitments/4")
    assert response.status_code == 200
    page = text_of(response)
    assert get_commitment(4).title[lang] in page
    assert {"ar": "نشر البوابة", "fr": "Publication du portail", "zgh": "ⴰⵙⵙⵓⴼⵖ ⵏ ⵓⵙⵎⵍ"}[
        lang
    ] in page
    assert 'href="https://data.gov.ma/"' in page
    assert "Portail des données" in page
    assert "Le portail publie 120 jeux de données." in page
    assert "Hassan Observer" in page
    assert 'datetime="2019-07-01"' in page
    assert "hassan.observer@example.org" not in page
    assert "/manage" not in page  # no link to the observers' page for visitors


def test_unknown_commitments_are_404(client, commitments):
    assert client.get("/fr/commitments/19").status_code == 404
    assert client.get("/fr/commitments/0").status_code == 404


def test_commitment_15_shows_the_platform_s_live_numbers(client, commitments, world):
    from participation.comments.models import CommentStatus
    from participation.petitions import signing
    from participation.petitions.models import SignatureCounter
    from tests.comments.factories import Note, make_comment
    from tests.petition_world import citizen, open_petition, provinces_of_regions

    petition, initiator, _members = open_petition()
    for signer in [citizen(province=p) for p in provinces_of_regions(3)]:
        signing.sign_petition(signer, petition, consent=True)
    institution = make_institution()
    make_consultation(institution=institution, state="open")
    make_consultation(
        institution=institution,
        state="closed",
        opens_at=utcnow() - timedelta(days=9),
        closes_at=utcnow() - timedelta(days=1),
    )
    make_consultation(institution=institution, state="draft")
    note = Note(id=1)
    make_comment(note, initiator)
    make_comment(note, initiator)
    make_comment(note, initiator, status=CommentStatus.HIDDEN)
    db.session.commit()

    # The signature number is the counters' sum, not a count of the rows.
    db.session.add(
        SignatureCounter(
            petition_id=petition.id,
            province_key=0,
            shard=99,
            region_key=0,
            count=1000,
            updated_at=utcnow(),
        )
    )
    db.session.commit()
    page = text_of(client.get("/fr/commitments/15"))
    assert re.search(r"Signatures comptées</dt><dd>1\s?003</dd>", page), page
    assert re.search(r"Consultations publiées</dt><dd>2</dd>", page)
    assert re.search(r"Commentaires publics</dt><dd>2</dd>", page)
    assert re.search(r"Pétitions et motions publiées</dt><dd>1</dd>", page)
    assert "Cette plateforme en chiffres, en direct" not in text_of(
        client.get("/fr/commitments/14")
    )


@pytest.fixture
def world(app, territories):
    from participation.institutions.models import InstitutionKind
    from participation.petitions.rules import load_petition_kinds

    make_institution(kind=InstitutionKind.HEAD_OF_GOVERNMENT, name={"fr": "Chef du gouvernement"})
    load_petition_kinds()
    db.session.commit()


def test_commitment_15_links_to_the_public_statistics_page(client, commitments):
    page = text_of(client.get("/ar/commitments/15"))
    assert 'href="/ar/stats"' in page
    assert "كل الإحصائيات العمومية للمنصة" in page
    assert 'href="/ar/stats"' not in text_of(client.get("/ar/commitments/14")).split("<footer")[0]


def test_the_footer_links_to_the_commitments(client, commitments):
    assert 'href="/zgh/commitments/"' in text_of(client.get("/zgh/"))


# The observers' page


@pytest.mark.parametrize("person", ["citizen", "officer", "moderator"])
def test_people_who_are_not_observers_get_403(client, login, commitments, people, person):
    login(people[person])
    assert client.get("/fr/commitments/4/manage").status_code == 403
    response = post(client, "/fr/commitments/4/notes", {"text_fr": "Intrus"}, "note")
    assert response.status_code == 403
    assert db.session.scalar(sa.select(sa.func.count(ProgressNote.id))) == 0


def test_anonymous_visitors_are_sent_to_the_login_page(client, commitments):
    response = client.get("/fr/commitments/4/manage")
    assert response.status_code == 302
    assert "/fr/account/login" in response.headers["Location"]
    response = client.post("/fr/commitments/4/status", data={"status-status": "in_progress"})
    assert response.status_code in (302, 400)
    assert get_commitment(4).status == "not_started"


def test_observers_see_the_link_to_the_record(client, signed_in_observer):
    assert 'href="/fr/commitments/4/manage"' in text_of(client.get("/fr/commitments/4"))


@pytest.mark.parametrize("lang", ["ar", "fr", "zgh"])
def test_the_record_page_is_shown_in_each_language(client, signed_in_observer, lang):
    response = client.get(f"/{lang}/commitments/4/manage")
    assert response.status_code == 200
    assert {"ar": "سجل الالتزام 4", "fr": "Suivi de l'engagement 4", "zgh": "ⴰⵎⵙⴷⴰⵍ ⵏ ⵓⵙⵖⴰⵍ 4"}[
        lang
    ] in text_of(response)


def test_an_administrator_keeps_the_record_too(client, login, administrator, commitments):
    login(administrator)
    assert client.get("/fr/commitments/4/manage").status_code == 200
    response = post(client, "/fr/commitments/4/status", {"status": "in_progress"}, "status")
    assert response.status_code == 302
    assert get_commitment(4).status == "in_progress"


def test_an_observer_changes_the_status(client, signed_in_observer):
    response = post(client, "/fr/commitments/4/status", {"status": "in_progress"}, "status")
    assert response.status_code == 302
    assert response.headers["Location"].endswith("/fr/commitments/4/manage")
    assert get_commitment(4).status == "in_progress"
    assert (
        list_audit_entries(action="ogp_commitment.status_changed")[0].actor_id
        == signed_in_observer.id
    )
    assert "En cours" in text_of(client.get("/fr/commitments/4"))


def test_a_status_the_table_does_not_allow_is_a_translated_error(client, signed_in_observer):
    response = post(client, "/zgh/commitments/4/status", {"status": "completed"}, "status")
    assert response.status_code == 400
    assert "ⴼⵔⵏ ⵢⴰⵜ ⵙⴳ ⵜⴼⵔⴰⵏ ⵏ ⵜⵍⴳⴰⵎⵜ." in text_of(response)
    assert get_commitment(4).status == "not_started"


def test_an_observer_saves_the_details(client, signed_in_observer):
    institution = make_institution()
    response = post(
        client,
        "/fr/commitments/4/details",
        {"lead_institution_id": str(institution.id), "description_fr": "Données ouvertes."},
        "details",
    )
    assert response.status_code == 302
    commitment = get_commitment(4)
    assert commitment.lead_institution_id == institution.id
    assert commitment.description == {"fr": "Données ouvertes."}
    assert institution.name["fr"] in text_of(client.get("/fr/commitments/4"))


def test_an_observer_adds_and_marks_a_milestone(client, signed_in_observer):
    response = post(
        client,
        "/fr/commitments/4/milestones",
        {"title_fr": "Lancement de data.gov.ma", "due_on": "2019-03-01"},
        "milestone",
    )
    assert response.status_code == 302
    milestone = db.session.scalar(sa.select(Milestone))
    assert (milestone.title, milestone.due_on, milestone.done_on) == (
        {"fr": "Lancement de data.gov.ma"},
        date(2019, 3, 1),
        None,
    )
    response = post(
        client,
        f"/fr/commitments/4/milestones/{milestone.id}/done",
        {"done_on": "2019-03-05"},
        "done",
    )
    assert response.status_code == 302
    db.session.expire_all()
    assert db.session.get(Milestone, milestone.id).done_on == date(2019, 3, 5)
    post(client, f"/fr/commitments/4/milestones/{milestone.id}/done", {"done_on": ""}, "done")
    db.session.expire_all()
    assert db.session.get(Milestone, milestone.id).done_on is None


@pytest.mark.parametrize("due_on", ["2019-02-31", "demain", ""])
def test_a_bad_due_date_is_a_translated_error(client, signed_in_observer, due_on):
    response = post(
        client, "/fr/commitments/4/milestones", {"title_fr": "Étape", "due_on": due_on}, "milestone"
    )
    assert response.status_code == 400
    assert "Saisissez une date valide." in text_of(response)
    assert db.session.scalar(sa.select(sa.func.count(Milestone.id))) == 0


def test_a_milestone_without_title_is_a_translated_error(client, signed_in_observer):
    response = post(client, "/ar/commitments/4/milestones", {"due_on": "2019-03-01"}, "milestone")
    assert response.status_code == 400
    assert db.session.scalar(sa.select(sa.func.count(Milestone.id))) == 0


def test_a_milestone_done_in_the_future_is_a_translated_error(client, signed_in_observer):
    milestone = services.add_milestone(
        signed_in_observer, get_commitment(4), title={"fr": "Étape"}, due_on=date(2019, 1, 1)
    )
    db.session.commit()
    tomorrow = (utcnow() + timedelta(days=2)).date().isoformat()
    response = post(
        client, f"/fr/commitments/4/milestones/{milestone.id}/done", {"done_on": tomorrow}, "done"
    )
    assert response.status_code == 400
    assert "Un jalon ne peut pas être réalisé à une date qui n'est pas encore arrivée." in text_of(
        response
    )


def test_a_milestone_of_another_commitment_is_404(client, signed_in_observer):
    milestone = services.add_milestone(
        signed_in_observer, get_commitment(5), title={"fr": "Étape"}, due_on=date(2019, 1, 1)
    )
    db.session.commit()
    assert (
        post(
            client,
            f"/fr/commitments/4/milestones/{milestone.id}/done",
            {"done_on": "2019-01-02"},
            "done",
        ).status_code
        == 404
    )


def test_an_observer_adds_an_evidence_link(client, signed_in_observer):
    response = post(
        client,
        "/fr/commitments/4/evidence",
        {"url": "http://www.finances.gov.ma/rapport.pdf", "label_ar": "تقرير"},
        "evidence",
    )
    assert response.status_code == 302
    link = db.session.scalar(sa.select(EvidenceLink))
    assert (link.url, link.label) == ("http://www.finances.gov.ma/rapport.pdf", {"ar": "تقرير"})


@pytest.mark.parametrize(
    "url", ["javascript:alert(1)", "ftp://example.org/file", "www.maroc.ma", ""]
)
@pytest.mark.parametrize(
    "lang, message",
    [
        ("fr", "Saisissez une adresse web complète commençant par http:// ou https://."),
        ("zgh", "ⵙⴽⵛⵎ ⵢⴰⵜ ⵜⵏⵙⴰ ⵏ ⵡⵉⴱ ⵉⴽⵎⵍⵏ (HTTP)"),
    ],
)
def test_a_bad_evidence_address_is_a_translated_error(
    client, signed_in_observer, url, lang, message
):
    response = post(client, f"/{lang}/commitments/4/evidence", {"url": url}, "evidence")
    assert response.status_code == 400
    page = text_of(response)
    if url:
        assert message in page
    assert db.session.scalar(sa.select(sa.func.count(EvidenceLink.id))) == 0


def test_an_observer_adds_a_progress_note_and_a_correction(client, signed_in_observer):
    response = post(
        client,
        "/zgh/commitments/4/notes",
        {"text_zgh": "ⵜⴰⵣⵎⵎⴰⵎⵜ ⵜⴰⵎⵣⵡⴰⵔⵓⵜ", "noted_on": "2019-05-01"},
        "note",
    )
    assert response.status_code == 302
    first = db.session.scalar(sa.select(ProgressNote))
    assert (first.body, first.noted_on, first.author_id) == (
        {"zgh": "ⵜⴰⵣⵎⵎⴰⵎⵜ ⵜⴰⵎⵣⵡⴰⵔⵓⵜ"},
        date(2019, 5, 1),
        signed_in_observer.id,
    )
    response = post(
        client,
        "/fr/commitments/4/notes",
        {"text_fr": "Correction : mai 2019.", "corrects_id": str(first.id)},
        "note",
    )
    assert response.status_code == 302
    notes = get_commitment(4).notes
    assert len(notes) == 2
    assert notes[1].id == first.id
    assert notes[1].body == {"zgh": "ⵜⴰⵣⵎⵎⴰⵎⵜ ⵜⴰⵎⵣⵡⴰⵔⵓⵜ"}
    correction = next(n for n in notes if n.id != first.id)
    assert correction.corrects_id == first.id
    assert f'href="#note-{first.id}"' in text_of(client.get("/fr/commitments/4"))


@pytest.mark.parametrize(
    "lang, message",
    [
        ("ar", "اكتبوا الملاحظة بلغة واحدة على الأقل."),
        ("fr", "Rédigez la note dans au moins une langue."),
        ("zgh", "ⴰⵔⵓ ⵜⴰⵣⵎⵎⴰⵎⵜ ⵙ ⵢⴰⵜ ⵜⵓⵜⵍⴰⵢⵜ ⵏⵖ ⵓⴳⴳⴰⵔ."),
    ],
)
def test_an_empty_note_is_a_translated_error(client, signed_in_observer, lang, message):
    response = post(
        client, f"/{lang}/commitments/4/notes", {"text_fr": "   ", "noted_on": ""}, "note"
    )
    assert response.status_code == 400
    assert message in text_of(response)
    assert db.session.scalar(sa.select(sa.func.count(ProgressNote.id))) == 0


@pytest.mark.parametrize(
    "data",
    [
        {"noted_on": "2019-13-01"},
        {"corrects_id": "999"},
        {"corrects_id": "abc"},
        {"text_fr": "x" * 4001},
    ],
)
def test_bad_note_input_is_refused_without_a_server_error(client, signed_in_observer, data):
    response = post(client, "/fr/commitments/4/notes", {"text_fr": "Observation.", **data}, "note")
    assert response.status_code == 400
    assert db.session.scalar(sa.select(sa.func.count(ProgressNote.id))) == 0


def test_a_post_without_csrf_token_changes_nothing(client, signed_in_observer):
    response = client.post("/fr/commitments/4/notes", data={"note-text_fr": "Sans jeton"})
    assert response.status_code == 400
    assert db.session.scalar(sa.select(sa.func.count(ProgressNote.id))) == 0


def test_the_record_of_an_unknown_commitment_is_404(client, signed_in_observer):
    assert client.get("/fr/commitments/42/manage").status_code == 404
    assert post(client, "/fr/commitments/42/notes", {"text_fr": "x"}, "note").status_code == 404


def test_an_observer_s_notes_are_in_their_data_download(client, signed_in_observer):
    services.add_progress_note(
        signed_in_observer,
        get_commitment(4),
        text={"fr": "Mon observation."},
        noted_on=date(2019, 2, 1),
        today=TODAY,
    )
    db.session.commit()
    data = client.get("/fr/account/data.json").get_json(force=True)
    assert [(n["text"], n["noted_on"]) for n in data["ogp"]["progress_notes"]] == [
        ({"fr": "Mon observation."}, "2019-02-01")
    ]
