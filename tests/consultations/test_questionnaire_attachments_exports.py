import csv
import io
import json
from datetime import timedelta

import pytest
import sqlalchemy as sa

from participation.auth.models import Role
from participation.consultations import questionnaire
from participation.consultations.models import AnswerSet, Attachment
from participation.core.audit import AuditEntry
from participation.core.errors import DomainError, PermissionDenied
from participation.core.models import utcnow
from participation.extensions import db
from tests.factories import make_consultation, make_institution, make_user

PDF = b"%PDF-1.4\n1 0 obj << >> endobj\ntrailer << >>\n%%EOF\n"


@pytest.fixture
def setting(app):
    institution = make_institution()
    officer = make_user(roles=[Role.OFFICER], institution=institution)
    draft = make_consultation(institution=institution, state="draft")
    return institution, officer, draft


def _questions(officer, consultation):
    single = questionnaire.add_question(
        officer,
        consultation,
        kind="single",
        prompt={"fr": "Êtes-vous d'accord ?"},
        option_lines={"fr": "Oui\nNon", "ar": "نعم\nلا"},
        required=True,
    )
    multiple = questionnaire.add_question(
        officer,
        consultation,
        kind="multiple",
        prompt={"fr": "Quels axes ?"},
        option_lines={"fr": "A\nB\nC"},
    )
    scale = questionnaire.add_question(
        officer, consultation, kind="scale", prompt={"fr": "Note"}, scale_min=1, scale_max=5
    )
    text = questionnaire.add_question(
        officer, consultation, kind="text", prompt={"fr": "Commentaire"}
    )
    return single, multiple, scale, text


def test_questions_are_validated(setting):
    _, officer, draft = setting
    with pytest.raises(DomainError):
        questionnaire.add_question(
            officer, draft, kind="single", prompt={"fr": "Q"}, option_lines={"fr": "Seule"}
        )
    with pytest.raises(DomainError):
        questionnaire.add_question(
            officer, draft, kind="scale", prompt={"fr": "Q"}, scale_min=5, scale_max=2
        )
    with pytest.raises(DomainError):
        questionnaire.add_question(officer, draft, kind="text", prompt={"fr": " "})
    single = questionnaire.add_question(
        officer,
        draft,
        kind="single",
        prompt={"fr": "Q"},
        option_lines={"fr": "Oui\nNon", "ar": "نعم\nلا"},
    )
    assert single.options == [{"fr": "Oui", "ar": "نعم"}, {"fr": "Non", "ar": "لا"}]


def test_one_answer_set_per_citizen_editable_until_closing(setting):
    _, officer, consultation = setting
    single, multiple, scale, text = _questions(officer, consultation)
    consultation.state = "open"
    citizen = make_user()
    questionnaire.save_answers(
        citizen,
        consultation,
        {single.id: ["0"], multiple.id: ["0", "2"], scale.id: ["4"], text.id: ["Bien"]},
    )
    questionnaire.save_answers(
        citizen, consultation, {single.id: ["1"], multiple.id: [], scale.id: ["5"], text.id: [""]}
    )
    db.session.commit()
    [answer_set] = db.session.scalars(sa.select(AnswerSet)).all()
    assert answer_set.answers == {str(single.id): 1, str(scale.id): 5}
    consultation.closes_at = utcnow() - timedelta(minutes=1)
    with pytest.raises(PermissionDenied):
        questionnaire.save_answers(citizen, consultation, {single.id: ["0"]})


@pytest.mark.parametrize(
    "bad",
    [
        {"single": []},  # required
        {"single": ["7"]},  # out of range
        {"single": ["0", "1"]},  # two answers to a single choice
        {"single": ["x"]},
        {"single": ["0"], "scale": ["9"]},
        {"single": ["0"], "multiple": ["1", "1"]},
        {"single": ["0"], "text": ["x" * 2001]},
    ],
)
def test_invalid_answers_are_refused(setting, bad):
    _, officer, consultation = setting
    questions = dict(
        zip(("single", "multiple", "scale", "text"), _questions(officer, consultation))
    )
    consultation.state = "open"
    with pytest.raises(questionnaire.AnswerError):
        questionnaire.save_answers(
            make_user(), consultation, {questions[k].id: v for k, v in bad.items()}
        )


def test_results_after_closing(setting, client):
    _, officer, consultation = setting
    single, multiple, scale, text = _questions(officer, consultation)
    consultation.state = "open"
    for choice, note in (("0", "5"), ("0", "3"), ("1", "4")):
        questionnaire.save_answers(
            make_user(), consultation, {single.id: [choice], scale.id: [note], multiple.id: ["1"]}
        )
    db.session.commit()
    results = questionnaire.list_results(consultation)
    assert [count for _, count in results[0]["options"]] == [2, 1]
    assert results[2]["mean"] == 4.0
    page = f"/fr/consultations/{consultation.id}-{consultation.slug}/questionnaire"
    assert "<h2>" not in client.get(page).get_data(as_text=True)  # no results while open
    consultation.closes_at = utcnow() - timedelta(minutes=1)
    db.session.commit()
    html = client.get(page).get_data(as_text=True)
    assert "<h2>" in html
    assert "<td>2</td>" in html


def test_answering_through_the_page(setting, client, login, post_form):
    _, officer, consultation = setting
    single, *_ = _questions(officer, consultation)
    consultation.state = "open"
    db.session.commit()
    login(make_user())
    page = f"/fr/consultations/{consultation.id}-{consultation.slug}/questionnaire"
    response = post_form(page, {f"q{single.id}": "9"})
    assert response.status_code == 400
    assert f'id="q{single.id}-error"' in response.get_data(as_text=True)
    assert post_form(page, {f"q{single.id}": "1"}).status_code == 302
    assert db.session.scalar(sa.select(AnswerSet.answers)) == {str(single.id): 1}


class Upload:
    def __init__(self, data, filename="projet.pdf"):
        self.stream = io.BytesIO(data)
        self.filename = filename


def test_pdf_attachments_are_checked_by_content(setting, app):
    from participation.consultations import attachments

    _, officer, draft = setting
    with pytest.raises(DomainError):
        attachments.add_attachment(officer, draft, Upload(b"<html>not a pdf</html>", "evil.pdf"))
    app.config["ATTACHMENT_MAX_BYTES"] = 100
    with pytest.raises(DomainError):
        attachments.add_attachment(officer, draft, Upload(PDF + b"x" * 200))
    app.config["ATTACHMENT_MAX_BYTES"] = 10_000
    attachment = attachments.add_attachment(officer, draft, Upload(PDF, "../../etc/passwd"))
    db.session.commit()
    assert attachment.original_name == "passwd.pdf"
    assert attachments.stored_path(attachment).read_bytes() == PDF
    app.config["ATTACHMENT_MAX_COUNT"] = 1
    with pytest.raises(DomainError):
        attachments.add_attachment(officer, draft, Upload(PDF))


def test_rolled_back_upload_leaves_no_file(setting):
    from participation.consultations import attachments

    _, officer, draft = setting
    attachment = attachments.add_attachment(officer, draft, Upload(PDF))
    path = attachments.stored_path(attachment)
    assert path.exists()
    db.session.rollback()
    assert not path.exists()


def test_attachment_upload_and_download_through_the_pages(setting, client, login, post_form):
    _, officer, draft = setting
    login(officer)
    manage = f"/fr/institution/consultations/{draft.id}"
    response = post_form(
        f"{manage}/attachments",
        {"attachment-document": (io.BytesIO(PDF), "décret.pdf")},
        form_page=manage,
        content_type="multipart/form-data",
    )
    assert response.status_code == 302
    attachment = db.session.scalar(sa.select(Attachment))
    with client.get(f"/fr/consultations/{draft.id}/documents/{attachment.id}") as response:
        assert response.status_code == 200
        assert response.headers["Content-Type"] == "application/pdf"
        assert response.headers["Content-Disposition"].startswith("attachment")
        assert response.data == PDF
    bad = post_form(
        f"{manage}/attachments",
        {"attachment-document": (io.BytesIO(b"MZ binary"), "x.pdf")},
        form_page=manage,
        content_type="multipart/form-data",
    )
    assert bad.status_code == 400


def test_drafts_attachments_are_not_public(setting, client):
    from participation.consultations import attachments

    _, officer, draft = setting
    attachment = attachments.add_attachment(officer, draft, Upload(PDF))
    db.session.commit()
    assert client.get(f"/fr/consultations/{draft.id}/documents/{attachment.id}").status_code == 404


def _commented(institution):
    from participation.comments.services import post_comment
    from participation.comments.targets import resolve_target

    consultation = make_consultation(institution=institution, state="open")
    author = make_user(display_name="Nadia Secret")
    post_comment(
        author,
        resolve_target("section", consultation.sections[0].id),
        body='=HYPERLINK("x") المادة جيدة',
        stance="agree",
    )
    db.session.commit()
    return consultation


def test_institution_export_has_names_and_is_audited(setting, client, login):
    institution, officer, _ = setting
    consultation = _commented(institution)
    login(officer)
    response = client.get(f"/fr/consultations/{consultation.id}/export/comments.csv")
    assert response.status_code == 200
    text = response.data.decode("utf-8")
    assert text.startswith("\ufeff")
    rows = list(csv.DictReader(io.StringIO(text.lstrip("\ufeff"))))
    assert rows[0]["author_name"] == "Nadia Secret"
    assert rows[0]["stance"] == "agree"
    assert rows[0]["text"].startswith("'=")  # no formula injection in spreadsheets
    assert (
        db.session.scalar(
            sa.select(AuditEntry.action).where(AuditEntry.action == "consultation.exported")
        )
        is not None
    )


def test_observer_export_has_no_personal_data(setting, client, login):
    institution, _, _ = setting
    consultation = _commented(institution)
    login(make_user(roles=[Role.OBSERVER]))
    response = client.get(f"/fr/consultations/{consultation.id}/export/comments.json")
    assert response.status_code == 200
    data = json.loads(response.data)
    assert data
    assert "author_name" not in data[0]
    assert "Nadia Secret" not in response.get_data(as_text=True)


@pytest.mark.parametrize("roles", [[], [Role.MODERATOR], [Role.OFFICER]])
def test_others_cannot_export(setting, client, login, roles):
    institution, _, _ = setting
    consultation = _commented(institution)
    login(make_user(roles=roles))
    assert client.get(f"/fr/consultations/{consultation.id}/export/comments.csv").status_code == 403


def test_api_hides_drafts_and_validates_parameters(setting, client):
    institution, _, draft = setting
    published = make_consultation(institution=institution, state="open")
    assert client.get(f"/api/v1/consultations/{draft.id}").status_code == 404
    data = client.get(f"/api/v1/consultations/{published.id}").get_json()
    assert data["state"] == "open"
    assert len(data["sections"]) == 2
    listing = client.get("/api/v1/consultations").get_json()
    assert [item["id"] for item in listing["data"]] == [published.id]
    for bad in ("?per_page=500", "?page=0", "?page=abc", "?state=draft"):
        response = client.get("/api/v1/consultations" + bad)
        assert response.status_code == 400
        assert response.get_json()["error"] == "invalid_parameter"


def test_observer_export_leaves_out_blocked_authors(setting, client, login):
    institution, _, _ = setting
    consultation = _commented(institution)
    from participation.comments.models import Comment

    author = db.session.scalar(sa.select(Comment)).author
    author.blocked_at = utcnow()
    db.session.commit()
    login(make_user(roles=[Role.OBSERVER]))
    assert (
        json.loads(client.get(f"/fr/consultations/{consultation.id}/export/comments.json").data)
        == []
    )
