"""The signing route (the platform's busiest request) end to end: it reads the signer and the
petition in one query instead of going through Flask-Login and the ORM, so every refusal the
service and the session handling make elsewhere is checked here through HTTP."""

from datetime import date, timedelta

import pytest
import sqlalchemy as sa
from flask_babel import force_locale, gettext

from participation.auth.models import User
from participation.core.driver_statements import DriverStatement
from participation.core.mail import OutboxMessage
from participation.core.models import utcnow
from participation.core.switches import SiteSwitch, Switch
from participation.extensions import db
from participation.petitions import queries, signing
from participation.petitions.forms import SignForm, consent_given
from participation.petitions.models import Signature
from participation.petitions.signers import load_signer_and_petition
from tests.conftest import csrf_token
from tests.factories import make_identity, make_user
from tests.petition_world import citizen, data, open_petition, provinces_of_regions


def page_of(petition):
    return f"/fr/petitions/{petition.id}-{petition.slug}"


def sign(client, post_form, petition, consent="y", **kwargs):
    payload = {"consent": consent} if consent is not None else {}
    return post_form(
        f"/fr/petitions/{petition.id}/sign", payload, form_page=page_of(petition), **kwargs
    )


def fr(message):
    """The French page's wording of an interface message."""
    with force_locale("fr"):
        return gettext(message)


def flashes(client):
    with client.session_transaction() as stored:
        return [message for _category, message in stored.get("_flashes", [])]


def signatures_of(petition):
    return db.session.scalar(
        sa.select(sa.func.count())
        .select_from(Signature)
        .where(Signature.petition_id == petition.id)
    )


def test_a_signature_is_counted_then_a_second_one_is_refused(client, login, post_form, world):
    petition, *_ = open_petition()
    login(citizen())
    response = sign(client, post_form, petition)
    # Back to the petition's signature panel, which says the signature is counted (no flash
    # message: the session cookie is not rewritten).
    assert response.status_code == 302 and response.headers["Location"].endswith(
        page_of(petition).replace("è", "%C3%A8") + "#your-signature"
    )
    # Only the receipt code's own short-lived cookie is set (petitions/receipts.py).
    cookies = response.headers.getlist("Set-Cookie")
    assert flashes(client) == [] and [c.split("=")[0] for c in cookies] == ["receipt"]
    assert "Max-Age=600" in cookies[0] and "HttpOnly" in cookies[0]
    code = cookies[0].split("=", 1)[1].split(";")[0].split(".", 1)[1]
    shown = client.get(page_of(petition))
    panel = shown.get_data(as_text=True)
    assert 'id="your-signature"' in panel and fr("You signed this petition.") in panel
    # The code is shown once, e-mailed, and its cookie deleted; the page is never stored.
    assert code in panel and "private, no-store" in shown.headers["Cache-Control"]
    assert any(c.startswith("receipt=;") for c in shown.headers.getlist("Set-Cookie"))
    mail = db.session.scalar(
        sa.select(OutboxMessage).where(OutboxMessage.template == "signature_receipt")
    )
    assert mail is not None and code in mail.body_text
    assert code not in client.get(page_of(petition)).get_data(as_text=True)
    assert queries.count_signatures(petition.id) == 1
    sign(client, post_form, petition)
    assert fr(
        "You have already signed this petition (with this account or this identity card)."
    ) in flashes(client)
    assert queries.count_signatures(petition.id) == signatures_of(petition) == 1


@pytest.mark.parametrize("consent", [None, "", "false"])
def test_no_consent_no_signature(client, login, post_form, world, consent):
    petition, *_ = open_petition()
    login(citizen())
    assert sign(client, post_form, petition, consent=consent).status_code == 302
    assert flashes(client) == [
        fr(
            "Tick the box to confirm that you support this petition and consent to the use of your data."
        )
    ]
    assert signatures_of(petition) == 0


@pytest.mark.parametrize("value", [None, "", "false", "y", "on", "1", "true", "no"])
def test_consent_is_read_as_the_form_reads_it(app, value):
    formdata = {} if value is None else {"consent": value}
    with app.test_request_context("/", method="POST", data=formdata):
        form = SignForm(meta={"csrf": False})
        assert consent_given(formdata) == form.validate()


def test_anonymous_visitors_are_sent_to_sign_in(client, world):
    petition, *_ = open_petition()
    response = client.post(f"/fr/petitions/{petition.id}/sign", data={"consent": "y"})
    assert response.status_code in (302, 400)  # the login page, or the CSRF refusal first
    assert signatures_of(petition) == 0


@pytest.mark.parametrize("case", ["rotated_token", "deleted"])
def test_a_session_no_longer_valid_signs_nothing(client, login, post_form, world, case):
    petition, *_ = open_petition()
    person = citizen()
    login(person)
    token = csrf_token(client, page_of(petition))
    if case == "rotated_token":
        person.session_token = "rotated0rotated0rotated0rotated0"
    else:
        person.deleted_at = utcnow()
    db.session.commit()
    response = client.post(
        f"/fr/petitions/{petition.id}/sign", data={"consent": "y", "csrf_token": token}
    )
    assert response.status_code == 302 and "/account/login" in response.headers["Location"]
    assert signatures_of(petition) == 0


@pytest.mark.parametrize(
    "case, message",
    [
        (
            "no_identity",
            "Complete your identity details to sign: the organic laws require them from every signatory.",
        ),
        ("expired_cin", "Your identity card has expired. Update your identity details to sign."),
        ("unverified", "Sign in with a confirmed account to sign."),
        ("blocked", "Sign in with a confirmed account to sign."),
        (
            "paused",
            "Signing is paused on the whole platform for the moment. Please come back later.",
        ),
    ],
)
def test_each_refusal_is_explained(client, login, post_form, world, case, message):
    petition, *_ = open_petition()
    if case == "no_identity":
        person = make_user()
    elif case == "expired_cin":
        person = make_user()
        make_identity(
            person,
            cin="EXP1",
            province=provinces_of_regions(1)[0],
            cin_expiry=date.today() - timedelta(days=1),
        )
    else:
        person = citizen()
    db.session.commit()
    login(person)
    if case == "unverified":
        person.email_verified_at = None
    elif case == "blocked":
        person.blocked_at = utcnow()
    elif case == "paused":
        db.session.add(SiteSwitch(key=Switch.PAUSE_SIGNING.value, enabled=True))
    db.session.commit()
    assert sign(client, post_form, petition).status_code == 302
    assert fr(message) in flashes(client)
    assert signatures_of(petition) == 0


def test_residents_only_for_a_regional_petition(client, login, post_form, world):
    from participation.institutions.models import InstitutionKind, Province, Region
    from tests.factories import make_institution

    region = db.session.scalar(sa.select(Region).where(Region.code == "04"))
    region.population = 5_000_000
    make_institution(kind=InstitutionKind.REGIONAL_COUNCIL, region=region)
    petition, *_ = open_petition("regional_petition", region=region)
    outsider = citizen(
        province=db.session.scalar(sa.select(Province).where(Province.region_id != region.id))
    )
    db.session.commit()
    login(outsider)
    sign(client, post_form, petition)
    assert fr("This petition can only be signed by residents of its territory.") in flashes(client)
    assert signatures_of(petition) == 0


def test_petitions_not_open(client, login, post_form, world):
    from participation.petitions import services

    expired, *_ = open_petition()
    expired.state = "expired"
    initiator = citizen()
    draft = services.create_petition(initiator, expired.kind, data())
    db.session.commit()
    person = citizen()
    login(person)
    sign(client, post_form, expired)
    assert fr("This petition is not open for signatures.") in flashes(client)
    token = csrf_token(client, page_of(expired))
    # Someone else's draft does not exist for this person; neither does an unknown id.
    assert (
        client.post(
            f"/fr/petitions/{draft.id}/sign", data={"consent": "y", "csrf_token": token}
        ).status_code
        == 404
    )
    assert (
        client.post(
            "/fr/petitions/999999/sign", data={"consent": "y", "csrf_token": token}
        ).status_code
        == 404
    )
    assert (
        client.post(
            "/fr/petitions/99999999999999999999/sign", data={"consent": "y", "csrf_token": token}
        ).status_code
        == 404
    )
    # Its initiator sees it, and is told it is not open.
    client.post("/fr/account/logout", data={"csrf_token": token})
    login(initiator)
    token = csrf_token(client, page_of(expired))
    assert (
        client.post(
            f"/fr/petitions/{draft.id}/sign", data={"consent": "y", "csrf_token": token}
        ).status_code
        == 302
    )
    assert fr("This petition is not open for signatures.") in flashes(client)
    assert signatures_of(expired) == signatures_of(draft) == 0


def test_without_the_csrf_token_nothing_is_signed(client, login, world):
    petition, *_ = open_petition()
    login(citizen())
    response = client.post(f"/fr/petitions/{petition.id}/sign", data={"consent": "y"})
    assert response.status_code == 400
    assert signatures_of(petition) == 0


def test_over_the_signing_limit_the_signature_is_held_and_the_signer_told(
    client, login, post_form, world, app
):
    app.config["SIGNING_LIMIT_PER_IP"] = "1 per hour"
    first, *_ = open_petition()
    second, *_ = open_petition()
    login(citizen())
    sign(client, post_form, first)
    assert sign(client, post_form, second).headers["Location"].endswith("#your-signature")
    assert fr(
        "Your signature is held for a check by a moderator; it will be counted once checked."
    ) in client.get(page_of(second)).get_data(as_text=True)
    held = db.session.scalar(sa.select(Signature).where(Signature.petition_id == second.id))
    assert held.status == "suspect" and held.held_limit == "ip"
    assert queries.count_signatures(second.id) == 0 and queries.count_signatures(first.id) == 1


def test_hammering_the_route_ends_in_429(client, login, post_form, world, app):
    app.config["RATELIMIT_SIGN"] = "2 per minute"
    petition, *_ = open_petition()
    login(citizen())
    statuses = [sign(client, post_form, petition).status_code for _ in range(3)]
    assert statuses == [302, 302, 429]
    assert queries.count_signatures(petition.id) == 1


def test_a_fresh_request_signs_in_autocommit_and_leaves_the_session_transactional(
    client, login, post_form, world, monkeypatch
):
    """In production each request starts with no transaction; on PostgreSQL the signature is then
    written in autocommit. The tests' shared session usually has one open, so close it first."""
    petition, *_ = open_petition()
    person = citizen()
    login(person)
    token = csrf_token(client, page_of(petition))
    petition_id = petition.id
    db.session.commit()
    assert not db.session().in_transaction()
    levels = []
    rows = DriverStatement.rows

    def spy(statement, connection, parameters, **options):
        if "petition_signatures" in str(statement.statement) and "INSERT" in str(
            statement.statement
        ):
            levels.append(
                bool(getattr(connection.connection.driver_connection, "autocommit", False))
            )
        return rows(statement, connection, parameters, **options)

    monkeypatch.setattr(DriverStatement, "rows", spy)
    assert (
        client.post(
            f"/fr/petitions/{petition_id}/sign", data={"consent": "y", "csrf_token": token}
        ).status_code
        == 302
    )
    assert levels == [
        db.engine.dialect.name == "postgresql"
    ]  # psycopg's autocommit; SQLite: the session's transaction
    assert queries.count_signatures(petition_id) == 1 and signatures_of(petition) == 1
    # The session's connections stay transactional: a write rolled back leaves nothing.
    db.session.execute(
        sa.update(User).where(User.id == person.id).values(display_name="rolled back")
    )
    db.session.rollback()
    assert db.session.get(User, person.id).display_name != "rolled back"
    assert signing.reconcile_counts() == []


def test_the_record_loaded_for_signing_matches_the_account(app, world):
    petition, *_ = open_petition()
    person = citizen()
    db.session.commit()
    signer, loaded = load_signer_and_petition(person.get_id(), petition.id)
    assert signer.id == person.id and signer.email_verified and not signer.is_blocked
    assert (
        signer.identity.cin_hash == person.identity.cin_hash
        and signer.identity.province_id == person.identity.province_id
    )
    assert (loaded.id, loaded.slug, loaded.status, loaded.level) == (
        petition.id,
        petition.slug,
        petition.status,
        petition.kind.level,
    )
    assert load_signer_and_petition(f"{person.id}:wrong", petition.id) == (None, None)
    assert load_signer_and_petition("nonsense", petition.id) == (None, None)
    assert load_signer_and_petition(f"{2**40}:{person.session_token}", petition.id) == (None, None)
    signer, missing = load_signer_and_petition(person.get_id(), 10**6)
    assert signer is not None and missing is None
