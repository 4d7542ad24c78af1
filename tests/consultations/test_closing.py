"""An officer closes an open consultation early or extends it (issue 16, item 5): a public, dated
reason, audited, followers e-mailed in their language, the state following the closing date."""

from datetime import timedelta

import pytest
import sqlalchemy as sa

from participation.auth.models import Role
from participation.consultations import permissions as perms
from participation.consultations import services
from participation.consultations.models import (
    ClosingDateChange,
    Consultation,
    ConsultationState,
)
from participation.core.audit import AppendOnlyViolation, AuditEntry
from participation.core.errors import DomainError, PermissionDenied
from participation.core.models import utcnow
from participation.extensions import db
from tests.factories import make_consultation, make_institution, make_user

S = ConsultationState
REASON = {"fr": "Le texte est retiré de l'ordre du jour.", "ar": "سُحب النص من جدول الأعمال."}


@pytest.fixture
def institution(app):
    return make_institution()


@pytest.fixture
def officer(institution):
    return make_user(roles=[Role.OFFICER], institution=institution)


def _open(institution, **kwargs):
    now = utcnow()
    kwargs.setdefault("opens_at", now - timedelta(days=5))
    kwargs.setdefault("closes_at", now + timedelta(days=10))
    return make_consultation(institution=institution, state=kwargs.pop("state", "open"), **kwargs)


def _audit(action):
    return db.session.scalars(
        sa.select(AuditEntry).where(AuditEntry.action == action).order_by(AuditEntry.id)
    ).all()


def _state_in_sql(consultation, now):
    return db.session.scalar(
        sa.select(Consultation.effective_state_sql(now)).where(Consultation.id == consultation.id)
    )


# ---- permissions, over roles and states ----

ROLES = {
    "anonymous": lambda institution: None,
    "citizen": lambda institution: make_user(),
    "moderator": lambda institution: make_user(roles=[Role.MODERATOR]),
    "observer": lambda institution: make_user(roles=[Role.OBSERVER]),
    "administrator": lambda institution: make_user(roles=[Role.ADMINISTRATOR]),
    "officer of another institution": lambda institution: make_user(roles=[Role.OFFICER]),
    "officer of the institution": lambda institution: make_user(
        roles=[Role.OFFICER], institution=institution
    ),
}


@pytest.mark.parametrize("predicate", ["can_close_consultation", "can_extend_consultation"])
@pytest.mark.parametrize("role", list(ROLES))
def test_only_the_institutions_officers_may_close_or_extend(institution, predicate, role):
    from flask_login import AnonymousUserMixin

    user = ROLES[role](institution) or AnonymousUserMixin()
    consultation = _open(institution)
    allowed = getattr(perms, predicate)(user, consultation)
    assert allowed == (role == "officer of the institution")


STATE_CASES = [
    ("draft", 10, False),
    ("scheduled", 10, True),  # its opening time is past: open for everyone already
    ("open", 10, True),
    ("open", -1, False),  # the clock has closed it, the tick has not recorded it yet
    ("closed", -1, False),
    ("outcome_published", -1, False),
    ("withdrawn", 10, False),
]


@pytest.mark.parametrize("predicate", ["can_close_consultation", "can_extend_consultation"])
@pytest.mark.parametrize("state, closes_in_days, allowed", STATE_CASES)
def test_only_an_open_consultation_may_be_closed_or_extended(
    institution, officer, predicate, state, closes_in_days, allowed
):
    consultation = _open(
        institution, state=state, closes_at=utcnow() + timedelta(days=closes_in_days)
    )
    assert getattr(perms, predicate)(officer, consultation) is allowed


# ---- closing early ----


def test_closing_early_closes_now_and_records_why(institution, officer, outbox):
    now = utcnow()
    consultation = _open(institution)
    planned = consultation.closes_at
    follower = make_user(language="fr")
    services.follow_consultation(follower, consultation)

    change = services.close_consultation_early(officer, consultation, reason=REASON, now=now)
    db.session.commit()

    assert consultation.closes_at == now
    assert consultation.state == "closed"
    assert consultation.closed_at == now
    assert consultation.effective_state(now) == S.CLOSED
    assert _state_in_sql(consultation, now) == "closed"
    assert (change.kind, change.previous_closes_at, change.closes_at) == (
        "closed_early",
        planned,
        now,
    )
    assert change.reason == REASON
    [entry] = _audit("consultation.closed")
    assert entry.actor_id == officer.id
    assert entry.details["early"] is True
    assert entry.details["change_id"] == change.id
    assert entry.details["previous_closes_at"] == planned.isoformat()
    [message] = outbox(to_address=follower.email)
    assert message.template == "consultation_closed_early"
    assert "Le texte est retiré de l'ordre du jour." in message.body_text
    assert f"/fr/consultations/{consultation.id}-{consultation.slug}" in message.body_text


def test_closing_early_is_mailed_once_not_also_as_an_ordinary_closing(institution, officer, outbox):
    consultation = _open(institution)
    follower = make_user()
    services.follow_consultation(follower, consultation)
    services.close_consultation_early(officer, consultation, reason=REASON)
    services.advance_due_consultations(now=utcnow() + timedelta(days=30))
    db.session.commit()
    assert [m.template for m in outbox(to_address=follower.email)] == ["consultation_closed_early"]


def test_followers_read_the_reason_in_their_language(institution, officer, outbox):
    consultation = _open(institution)
    readers = {lang: make_user(language=lang) for lang in ("ar", "fr", "zgh")}
    for reader in readers.values():
        services.follow_consultation(reader, consultation)
    services.close_consultation_early(officer, consultation, reason=REASON)
    db.session.commit()
    messages = {lang: outbox(to_address=reader.email)[0] for lang, reader in readers.items()}
    assert "سُحب النص من جدول الأعمال." in messages["ar"].body_text
    assert "Le texte est retiré" not in messages["ar"].body_text
    assert "Le texte est retiré" in messages["fr"].body_text
    # No Amazigh reason was written: Amazigh readers get the French one (core.models.translated).
    assert "Le texte est retiré" in messages["zgh"].body_text
    assert messages["zgh"].language == "zgh"
    assert "The consultation" not in messages["zgh"].subject + messages["ar"].subject
    assert all(m.subject != messages["fr"].subject for m in (messages["ar"], messages["zgh"]))


@pytest.mark.parametrize(
    "reason, code",
    [
        ({}, "reason_required"),
        ({"fr": "   ", "ar": ""}, "reason_required"),
        ({"fr": "x" * 2001}, "reason_too_long"),
    ],
)
def test_closing_early_needs_a_reason(institution, officer, reason, code):
    consultation = _open(institution)
    with pytest.raises(DomainError) as error:
        services.close_consultation_early(officer, consultation, reason=reason)
    assert error.value.code == code
    db.session.rollback()
    assert db.session.get(Consultation, consultation.id).state == "open"


@pytest.mark.parametrize("state", ["closed", "outcome_published", "withdrawn"])
def test_only_an_open_consultation_is_closed_early(institution, officer, state):
    consultation = _open(institution, state=state, closes_at=utcnow() - timedelta(days=1))
    with pytest.raises(DomainError) as error:
        services.close_consultation_early(officer, consultation, reason=REASON)
    assert error.value.code == "not_open"


def test_a_consultation_the_clock_has_closed_is_not_closed_again(institution, officer, outbox):
    consultation = _open(institution, closes_at=utcnow() + timedelta(hours=1))
    services.follow_consultation(make_user(), consultation)
    with pytest.raises(DomainError) as error:
        services.close_consultation_early(
            officer, consultation, reason=REASON, now=utcnow() + timedelta(hours=2)
        )
    assert error.value.code == "not_open"
    assert db.session.scalar(sa.select(sa.func.count()).select_from(ClosingDateChange)) == 0


def test_closing_early_records_a_due_opening_first(institution, officer):
    now = utcnow()
    consultation = _open(institution, state="scheduled", opens_at=now - timedelta(hours=3))
    services.close_consultation_early(officer, consultation, reason=REASON, now=now)
    actions = db.session.scalars(sa.select(AuditEntry.action).order_by(AuditEntry.id)).all()
    assert actions[-2:] == ["consultation.open", "consultation.closed"]
    assert consultation.opened_at == consultation.opens_at


def test_another_institutions_officer_is_refused(institution):
    consultation = _open(institution)
    other = make_user(roles=[Role.OFFICER])
    with pytest.raises(PermissionDenied):
        services.close_consultation_early(other, consultation, reason=REASON)
    with pytest.raises(PermissionDenied):
        services.extend_consultation(
            other, consultation, closes_at=utcnow() + timedelta(days=40), reason=REASON
        )


# ---- extending ----


def test_extending_moves_the_closing_date_and_keeps_it_open(institution, officer, outbox):
    now = utcnow()
    consultation = _open(institution, closes_at=now + timedelta(days=2))
    planned = consultation.closes_at
    follower = make_user(language="ar")
    services.follow_consultation(follower, consultation)
    new_date = now + timedelta(days=20)

    change = services.extend_consultation(
        officer, consultation, closes_at=new_date, reason=REASON, now=now
    )
    db.session.commit()

    assert consultation.closes_at == new_date
    assert consultation.state == "open"
    later = now + timedelta(days=5)  # after the first closing date, before the new one
    assert consultation.effective_state(later) == S.OPEN
    assert _state_in_sql(consultation, later) == "open"
    assert services.advance_due_consultations(now=later) == 0
    assert consultation.effective_state(new_date) == S.CLOSED
    assert _state_in_sql(consultation, new_date) == "closed"
    assert (change.kind, change.previous_closes_at, change.closes_at) == (
        "extended",
        planned,
        new_date,
    )
    [entry] = _audit("consultation.extended")
    assert entry.actor_id == officer.id
    assert entry.details == {
        "change_id": change.id,
        "previous_closes_at": planned.isoformat(),
        "closes_at": new_date.isoformat(),
    }
    [message] = outbox(to_address=follower.email)
    assert message.template == "consultation_extended"
    assert message.language == "ar"
    assert "سُحب النص من جدول الأعمال." in message.body_text


@pytest.mark.parametrize(
    "closes_at, code",
    [
        (None, "closing_required"),
        (timedelta(hours=-1), "closing_past"),
        (timedelta(days=1), "not_later"),  # before the current closing date (in 10 days)
        (timedelta(days=10), "not_later"),  # the same date
        (timedelta(days=10 + 181), "too_far"),
    ],
)
def test_extension_refusals(institution, officer, closes_at, code):
    now = utcnow()
    consultation = _open(institution, closes_at=now + timedelta(days=10))
    planned = consultation.closes_at
    with pytest.raises(DomainError) as error:
        services.extend_consultation(
            officer,
            consultation,
            closes_at=None if closes_at is None else planned - timedelta(days=10) + closes_at,
            reason=REASON,
            now=now,
        )
    assert error.value.code == code
    db.session.rollback()
    assert db.session.get(Consultation, consultation.id).closes_at == planned


def test_extension_by_the_longest_allowed(institution, officer):
    now = utcnow()
    consultation = _open(institution, closes_at=now + timedelta(days=10))
    new_date = consultation.closes_at + services.MAX_EXTENSION
    services.extend_consultation(officer, consultation, closes_at=new_date, reason=REASON, now=now)
    assert consultation.closes_at == new_date


def test_extension_needs_a_reason(institution, officer):
    consultation = _open(institution)
    with pytest.raises(DomainError) as error:
        services.extend_consultation(
            officer, consultation, closes_at=utcnow() + timedelta(days=40), reason={"fr": ""}
        )
    assert error.value.code == "reason_required"


def test_a_closed_consultation_is_not_reopened(institution, officer):
    """Decided: extending only while open (see permissions.can_extend_consultation)."""
    now = utcnow()
    consultation = _open(institution, closes_at=now - timedelta(minutes=5))
    with pytest.raises(DomainError) as error:
        services.extend_consultation(
            officer, consultation, closes_at=now + timedelta(days=3), reason=REASON, now=now
        )
    assert error.value.code == "not_open"


def test_extended_then_closed_early_keeps_its_whole_history(institution, officer):
    now = utcnow()
    consultation = _open(institution, closes_at=now + timedelta(days=3))
    services.extend_consultation(
        officer, consultation, closes_at=now + timedelta(days=9), reason=REASON, now=now
    )
    later = now + timedelta(days=4)
    services.close_consultation_early(officer, consultation, reason={"fr": "Fin."}, now=later)
    db.session.commit()
    db.session.expire_all()
    consultation = db.session.get(Consultation, consultation.id)
    assert [(c.kind, c.closes_at) for c in consultation.closing_changes] == [
        ("extended", now + timedelta(days=9)),
        ("closed_early", later),
    ]
    assert consultation.state == "closed"


# ---- the history is append-only ----


def test_a_closing_change_cannot_be_edited_or_deleted(institution, officer):
    consultation = _open(institution)
    change = services.extend_consultation(
        officer, consultation, closes_at=utcnow() + timedelta(days=40), reason=REASON
    )
    db.session.commit()
    change.reason = {"fr": "Autre raison"}
    with pytest.raises(AppendOnlyViolation):
        db.session.flush()
    db.session.rollback()
    db.session.delete(db.session.get(ClosingDateChange, change.id))
    with pytest.raises(AppendOnlyViolation):
        db.session.flush()
    db.session.rollback()


@pytest.mark.parametrize(
    "statement",
    [
        "UPDATE consultation_closing_changes SET reason = '{}'",
        "DELETE FROM consultation_closing_changes",
    ],
)
def test_the_database_refuses_to_change_the_history(institution, officer, statement):
    consultation = _open(institution)
    services.extend_consultation(
        officer, consultation, closes_at=utcnow() + timedelta(days=40), reason=REASON
    )
    db.session.commit()
    with pytest.raises(sa.exc.DBAPIError, match="append-only"):
        db.session.execute(sa.text(statement))
    db.session.rollback()
    assert db.session.scalar(sa.select(sa.func.count()).select_from(ClosingDateChange)) == 1


# ---- the officer's page, the public page ----


def _manage(consultation, lang="fr"):
    return f"/{lang}/institution/consultations/{consultation.id}"


def _morocco(value):
    """What an officer types in a datetime-local field (Morocco is on UTC+0)."""
    from participation.core.timezones import utc_to_local_naive

    return utc_to_local_naive(value).strftime("%Y-%m-%dT%H:%M")


def test_the_manage_page_offers_both_only_while_open(client, login, institution, officer):
    login(officer)
    open_one = _open(institution)
    html = client.get(_manage(open_one)).get_data(as_text=True)
    assert f'action="/fr/institution/consultations/{open_one.id}/close"' in html
    assert f'action="/fr/institution/consultations/{open_one.id}/extend"' in html
    closed = _open(institution, state="closed", closes_at=utcnow() - timedelta(days=1))
    html = client.get(_manage(closed)).get_data(as_text=True)
    assert "/close" not in html and "/extend" not in html


def test_an_officer_closes_early_and_the_public_page_says_why(
    client, login, post_form, institution, officer, outbox
):
    consultation = _open(institution)
    services.follow_consultation(make_user(language="zgh"), consultation)
    db.session.commit()
    login(officer)
    response = post_form(
        f"{_manage(consultation)}/close",
        {"close-reason_fr": "Le projet est retiré du circuit.", "close-reason_ar": ""},
        form_page=_manage(consultation),
    )
    assert response.status_code == 302
    db.session.expire_all()
    assert db.session.get(Consultation, consultation.id).state == "closed"
    assert len(_audit("consultation.closed")) == 1
    assert [m.template for m in outbox()] == ["consultation_closed_early"]
    page = client.get(f"/fr/consultations/{consultation.id}-{consultation.slug}")
    html = page.get_data(as_text=True)
    assert "Modifications de la date de clôture" in html
    assert "Clôturée par anticipation" in html
    assert "Le projet est retiré du circuit." in html
    assert "Clôturée" in html  # the state badge follows the new closing date
    ar = client.get(f"/ar/consultations/{consultation.id}-{consultation.slug}").get_data(
        as_text=True
    )
    assert "تغييرات تاريخ الإغلاق" in ar
    assert '<span lang="fr" dir="ltr">Le projet est retiré du circuit.</span>' in ar


def test_an_officer_extends_and_the_public_page_shows_both_dates(
    client, login, post_form, institution, officer
):
    consultation = _open(institution, closes_at=utcnow() + timedelta(days=3))
    new_date = (utcnow() + timedelta(days=30)).replace(second=0, microsecond=0)
    login(officer)
    response = post_form(
        f"{_manage(consultation)}/extend",
        {"extend-closes_at": _morocco(new_date), "extend-reason_ar": "بطلب من عدة جمعيات."},
        form_page=_manage(consultation),
    )
    assert response.status_code == 302, response.get_data(as_text=True)
    db.session.expire_all()
    consultation = db.session.get(Consultation, consultation.id)
    assert consultation.closes_at == new_date
    assert consultation.state == "open"
    [entry] = _audit("consultation.extended")
    assert entry.actor_id == officer.id
    html = client.get(f"/zgh/consultations/{consultation.id}-{consultation.slug}").get_data(
        as_text=True
    )
    assert "ⵉⵜⵜⵓⵙⵖⵣⴼ" in html
    assert "بطلب من عدة جمعيات." in html


EXTEND_ERRORS = [
    # (form data, field with the error, message in Arabic)
    ({"extend-closes_at": "", "extend-reason_fr": "x"}, "extend-closes_at", "تاريخ الإغلاق الجديد"),
    ({"extend-closes_at": "demain", "extend-reason_fr": "x"}, "extend-closes_at", "تاريخ وساعة"),
    (
        {"extend-closes_at": "2001-01-01T10:00", "extend-reason_fr": "x"},
        "extend-closes_at",
        "في المستقبل",
    ),
    (
        {"extend-closes_at": "+1d", "extend-reason_fr": "x"},
        "extend-closes_at",
        "لاحقًا للتاريخ الحالي",
    ),
    ({"extend-closes_at": "+400d", "extend-reason_fr": "x"}, "extend-closes_at", "يومًا"),
    ({"extend-closes_at": "+30d", "extend-reason_fr": " "}, "extend-reason_ar", "السبب المعلن"),
    ({"extend-closes_at": "+30d", "extend-reason_fr": "x" * 2001}, "extend-reason_fr", "2000"),
]


@pytest.mark.parametrize("data, field, message", EXTEND_ERRORS)
def test_bad_extensions_get_a_translated_error_never_a_500(
    client, login, post_form, institution, officer, data, field, message
):
    consultation = _open(institution, closes_at=utcnow() + timedelta(days=10))
    planned = consultation.closes_at
    data = dict(data)
    if data["extend-closes_at"].startswith("+"):
        days = int(data["extend-closes_at"][1:-1])
        data["extend-closes_at"] = _morocco(utcnow() + timedelta(days=days))
    login(officer)
    response = post_form(
        f"{_manage(consultation, 'ar')}/extend", data, form_page=_manage(consultation, "ar")
    )
    assert response.status_code == 400
    html = response.get_data(as_text=True)
    assert f'id="{field}-error"' in html
    error = html[html.index(f'id="{field}-error"') :].split("</p>", 1)[0]
    assert message in error
    assert not any(c.isascii() and c.isalpha() for c in error.split(">", 1)[1])
    assert '<details class="lifecycle-step" open>' in html  # the form is shown open again
    db.session.expire_all()
    assert db.session.get(Consultation, consultation.id).closes_at == planned
    assert db.session.scalar(sa.select(sa.func.count()).select_from(ClosingDateChange)) == 0


@pytest.mark.parametrize(
    "data, field",
    [
        ({}, "close-reason_ar"),
        ({"close-reason_zgh": "x" * 2001}, "close-reason_zgh"),
    ],
)
def test_bad_early_closings_are_refused(
    client, login, post_form, institution, officer, data, field
):
    consultation = _open(institution)
    login(officer)
    response = post_form(
        f"{_manage(consultation, 'fr')}/close", data, form_page=_manage(consultation, "fr")
    )
    assert response.status_code == 400
    assert f'id="{field}-error"' in response.get_data(as_text=True)
    db.session.expire_all()
    assert db.session.get(Consultation, consultation.id).state == "open"


def test_closing_a_consultation_that_closed_meanwhile_is_a_form_error(
    client, login, post_form, institution, officer
):
    consultation = _open(institution)
    login(officer)
    form_page = _manage(consultation)
    token_page = client.get(form_page)
    assert token_page.status_code == 200
    consultation.closes_at = utcnow() - timedelta(minutes=1)
    db.session.commit()
    response = post_form(
        f"{form_page}/close", {"close-reason_fr": "Fin."}, form_page="/fr/account/"
    )
    assert response.status_code == 400
    assert "Seule une consultation ouverte peut être clôturée" in response.get_data(as_text=True)


@pytest.mark.parametrize("action", ["close", "extend"])
def test_without_the_csrf_token_nothing_happens(client, login, institution, officer, action):
    consultation = _open(institution)
    login(officer)
    response = client.post(
        f"{_manage(consultation)}/{action}",
        data={
            "close-reason_fr": "x",
            "extend-reason_fr": "x",
            "extend-closes_at": _morocco(utcnow() + timedelta(days=40)),
        },
    )
    assert response.status_code == 400
    db.session.expire_all()
    assert db.session.scalar(sa.select(sa.func.count()).select_from(ClosingDateChange)) == 0


@pytest.mark.parametrize("action", ["close", "extend"])
@pytest.mark.parametrize(
    "who, status",
    [
        ("citizen", 403),
        ("moderator", 403),
        ("officer of another institution", 403),
    ],
)
def test_only_the_institutions_officers_reach_the_forms(
    client, login, post_form, institution, action, who, status
):
    consultation = _open(institution)
    login(ROLES[who](institution))
    response = post_form(
        f"{_manage(consultation)}/{action}",
        {
            "close-reason_fr": "x",
            "extend-reason_fr": "x",
            "extend-closes_at": _morocco(utcnow() + timedelta(days=40)),
        },
        form_page="/fr/account/",
    )
    assert response.status_code == status
    db.session.expire_all()
    assert db.session.get(Consultation, consultation.id).state == "open"
    assert db.session.scalar(sa.select(sa.func.count()).select_from(ClosingDateChange)) == 0


# ---- the API and the open-data dumps ----


def test_the_api_gives_the_history_and_validates_against_its_document(client, institution, officer):
    from tests.api.openapi_schema import response_schema, validator_for

    now = utcnow()
    consultation = _open(institution, closes_at=now + timedelta(days=3))
    services.extend_consultation(
        officer, consultation, closes_at=now + timedelta(days=9), reason=REASON, now=now
    )
    db.session.commit()
    answer = client.get(f"/api/v1/consultations/{consultation.id}").get_json()
    assert answer["closes_at"] == (now + timedelta(days=9)).isoformat()
    assert answer["closing_date_changes"] == [
        {
            "kind": "extended",
            "changed_at": now.isoformat(),
            "previous_closes_at": (now + timedelta(days=3)).isoformat(),
            "closes_at": (now + timedelta(days=9)).isoformat(),
            "reason": REASON,
        }
    ]
    document = client.get("/api/v1/openapi.json").get_json()
    schema = response_schema(document, "/api/v1/consultations/{consultation_id}", 200)
    assert list(validator_for(document, schema).iter_errors(answer)) == []


def test_the_open_data_dump_lists_the_changes_of_published_consultations(app, institution, officer):
    from tests.opendata.dump_files import read_csv, read_json

    now = utcnow()
    consultation = _open(institution)
    services.close_consultation_early(officer, consultation, reason=REASON, now=now)
    db.session.commit()
    result = app.test_cli_runner().invoke(args=["open-data", "dump"])
    assert result.exit_code == 0, result.output
    [row] = read_csv("consultation_closing_changes.csv")
    assert row["consultation_id"] == str(consultation.id)
    assert row["kind"] == "closed_early"
    assert row["closes_at"] == now.isoformat()
    assert row["reason_fr"] == REASON["fr"] and row["reason_zgh"] == ""
    [record] = read_json("consultation_closing_changes.json")
    assert record["reason_ar"] == REASON["ar"]
