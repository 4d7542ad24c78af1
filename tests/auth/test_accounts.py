"""Registration, e-mail verification, sign-in, password reset: the journeys and their refusals."""

import re
from datetime import timedelta

import sqlalchemy as sa

from participation.auth.models import AccountToken, User
from participation.core.models import utcnow
from participation.extensions import db
from tests.factories import PASSWORD, make_user


def _link_token(message, kind):
    match = re.search(rf"/account/{kind}/([A-Za-z0-9_\-]+)", message.body_text)
    assert match, message.body_text
    return match.group(1)


def register(post_form, email="new@example.org", language="fr", **extra):
    data = {
        "email": email,
        "display_name": "Fatima Zahra",
        "password": "a long enough secret",
        "password_confirm": "a long enough secret",
        "language": language,
        **extra,
    }
    return post_form(f"/{language}/account/register", data)


def test_registration_creates_an_unverified_account_and_sends_a_link(client, post_form, outbox):
    response = register(post_form, email="  New@Example.org ")
    assert response.status_code == 200
    user = db.session.scalar(sa.select(User).where(User.email == "new@example.org"))
    assert user is not None
    assert not user.email_verified
    assert user.password_hash.startswith("$argon2id$")
    [message] = outbox(to_address="new@example.org")
    assert message.language == "fr"
    assert message.template == "verify_email"
    assert "/fr/account/verify/" in message.body_text


def test_registration_with_an_existing_address_reveals_nothing(client, post_form, outbox):
    existing = make_user(email="taken@example.org")
    first = register(post_form, email="taken@example.org")
    other = register(post_form, email="free@example.org")
    # Same page either way, so the form cannot tell who is registered.
    assert first.status_code == other.status_code == 200
    assert (
        db.session.scalar(
            sa.select(sa.func.count()).select_from(User).where(User.email == "taken@example.org")
        )
        == 1
    )
    assert [m.template for m in outbox(to_address=existing.email)] == ["already_registered"]


def test_registration_errors_are_shown_and_keep_the_input(client, post_form):
    response = register(post_form, email="not-an-email", password_confirm="different")
    html = response.get_data(as_text=True)
    assert response.status_code == 200
    assert 'aria-invalid="true"' in html
    assert 'value="Fatima Zahra"' in html
    assert db.session.scalar(sa.select(sa.func.count()).select_from(User)) == 0


def test_verification_link_get_does_not_consume_the_token(client, post_form, outbox):
    register(post_form)
    token = _link_token(outbox()[0], "verify")
    for _ in range(3):  # a mail scanner opening the link, several times
        page = client.get(f"/fr/account/verify/{token}")
        assert page.status_code == 200
        assert "<form" in page.get_data(as_text=True)
    user = db.session.scalar(sa.select(User))
    assert not user.email_verified
    response = post_form(f"/fr/account/verify/{token}")
    assert response.status_code == 302
    db.session.refresh(user)
    assert user.email_verified


def test_reused_verification_token_is_refused_and_changes_nothing(client, post_form, outbox):
    register(post_form)
    token = _link_token(outbox()[0], "verify")
    csrf_page = f"/fr/account/verify/{token}"
    post_form(csrf_page)
    verified_at = db.session.scalar(sa.select(User.email_verified_at))
    again = client.get(csrf_page)
    assert again.status_code == 400
    assert "déjà été utilisé" in again.get_data(as_text=True) or "already" in again.get_data(
        as_text=True
    )
    assert db.session.scalar(sa.select(User.email_verified_at)) == verified_at


def test_tampered_verification_token_is_refused(client, post_form, outbox):
    register(post_form)
    token = _link_token(outbox()[0], "verify")
    tampered = token[:-2] + ("AA" if token[-2:] != "AA" else "BB")
    response = client.get(f"/fr/account/verify/{tampered}")
    assert response.status_code == 400
    assert not db.session.scalar(sa.select(User)).email_verified
    assert db.session.scalar(sa.select(AccountToken.used_at)) is None


def test_expired_verification_token_is_refused_with_a_way_to_get_a_new_one(
    client, post_form, outbox
):
    register(post_form)
    token = _link_token(outbox()[0], "verify")
    db.session.execute(sa.update(AccountToken).values(expires_at=utcnow() - timedelta(minutes=1)))
    db.session.commit()
    page = client.get(f"/fr/account/verify/{token}")
    assert page.status_code == 400
    assert 'action="/fr/account/verify/resend"' in page.get_data(as_text=True)
    # Even a POST with a valid CSRF token changes nothing.
    from tests.conftest import csrf_token

    response = client.post(
        f"/fr/account/verify/{token}", data={"csrf_token": csrf_token(client, "/fr/account/login")}
    )
    assert response.status_code == 400
    assert not db.session.scalar(sa.select(User)).email_verified
    assert db.session.scalar(sa.select(AccountToken.used_at)) is None


def test_resend_verification_replaces_the_old_link(client, post_form, outbox):
    register(post_form)
    old = _link_token(outbox()[0], "verify")
    post_form("/fr/account/verify/resend", {"email": "new@example.org"})
    new = _link_token(outbox()[-1], "verify")
    assert old != new
    assert client.get(f"/fr/account/verify/{old}").status_code == 400
    assert client.get(f"/fr/account/verify/{new}").status_code == 200


def test_full_journey_register_verify_login(client, post_form, outbox):
    register(post_form, language="ar")
    token = _link_token(outbox()[0], "verify")
    post_form(f"/ar/account/verify/{token}")
    response = post_form(
        "/ar/account/login", {"email": "new@example.org", "password": "a long enough secret"}
    )
    assert response.status_code == 302
    assert response.headers["Location"].endswith("/ar/account/")
    assert "Fatima Zahra" in client.get("/ar/account/").get_data(as_text=True)


def test_login_with_wrong_password_is_refused(client, post_form):
    user = make_user()
    response = post_form("/fr/account/login", {"email": user.email, "password": "wrong password!"})
    assert response.status_code == 200
    assert 'aria-invalid="true"' in response.get_data(as_text=True)
    assert client.get("/fr/account/").status_code == 302


def test_login_redirects_to_a_safe_next_only(client, post_form):
    user = make_user()
    response = post_form(
        "/fr/account/login?next=https://evil.example/",
        {"email": user.email, "password": PASSWORD},
        form_page="/fr/account/login",
    )
    assert response.headers["Location"].endswith("/fr/account/")
    client.post(
        "/fr/account/logout",
        data={
            "csrf_token": __import__("tests.conftest", fromlist=["x"]).csrf_token(
                client, "/fr/account/"
            )
        },
    )
    response = post_form(
        "/fr/account/login?next=/fr/account/identity",
        {"email": user.email, "password": PASSWORD},
        form_page="/fr/account/login",
    )
    assert response.headers["Location"] == "/fr/account/identity"


def test_deleted_or_unknown_accounts_cannot_sign_in(client, post_form):
    user = make_user()
    user.deleted_at = utcnow()
    db.session.commit()
    for email in (user.email, "nobody@example.org"):
        response = post_form("/fr/account/login", {"email": email, "password": PASSWORD})
        assert response.status_code == 200


def test_burst_of_wrong_passwords_ends_in_429(client, app):
    from tests.conftest import csrf_token

    user = make_user()
    token = csrf_token(client, "/fr/account/login")
    statuses = [
        client.post(
            "/fr/account/login",
            data={"email": user.email, "password": f"wrong {i}", "csrf_token": token},
        ).status_code
        for i in range(12)
    ]
    assert statuses[:10] == [200] * 10
    assert statuses[-1] == 429
    page = client.post(
        "/fr/account/login", data={"email": user.email, "password": "x", "csrf_token": token}
    )
    assert page.status_code == 429
    assert 'lang="fr"' in page.get_data(as_text=True)


def test_registration_is_rate_limited(client):
    from tests.conftest import csrf_token

    token = csrf_token(client, "/fr/account/register")
    statuses = [
        client.post("/fr/account/register", data={"csrf_token": token}).status_code
        for _ in range(7)
    ]
    assert 429 in statuses


def test_password_reset_journey(client, post_form, outbox):
    user = make_user()
    response = post_form("/fr/account/password/forgot", {"email": user.email})
    assert response.status_code == 200
    token = _link_token(outbox(to_address=user.email)[-1], "password/reset")
    old_session = user.session_token
    assert client.get(f"/fr/account/password/reset/{token}").status_code == 200
    response = post_form(
        f"/fr/account/password/reset/{token}",
        {"password": "brand new secret 1", "password_confirm": "brand new secret 1"},
    )
    assert response.status_code == 302
    db.session.refresh(user)
    assert user.session_token != old_session
    assert (
        post_form(
            "/fr/account/login", {"email": user.email, "password": "brand new secret 1"}
        ).status_code
        == 302
    )
    assert outbox(to_address=user.email)[-1].template == "password_changed"


def test_password_reset_token_is_single_use(client, post_form, outbox):
    user = make_user()
    post_form("/fr/account/password/forgot", {"email": user.email})
    token = _link_token(outbox()[-1], "password/reset")
    post_form(
        f"/fr/account/password/reset/{token}",
        {"password": "brand new secret 1", "password_confirm": "brand new secret 1"},
    )
    hash_after_first = db.session.scalar(sa.select(User.password_hash).where(User.id == user.id))
    from tests.conftest import csrf_token

    again = client.post(
        f"/fr/account/password/reset/{token}",
        data={
            "password": "another secret 22",
            "password_confirm": "another secret 22",
            "csrf_token": csrf_token(client, "/fr/account/login"),
        },
    )
    assert again.status_code == 400
    assert (
        db.session.scalar(sa.select(User.password_hash).where(User.id == user.id))
        == hash_after_first
    )


def test_expired_reset_token_is_refused(client, post_form, outbox):
    user = make_user()
    post_form("/fr/account/password/forgot", {"email": user.email})
    token = _link_token(outbox()[-1], "password/reset")
    db.session.execute(sa.update(AccountToken).values(expires_at=utcnow() - timedelta(seconds=1)))
    db.session.commit()
    response = client.get(f"/fr/account/password/reset/{token}")
    assert response.status_code == 400
    assert 'action="/fr/account/password/forgot"' in response.get_data(as_text=True)


def test_forgot_password_for_unknown_address_sends_nothing_and_says_the_same(
    client, post_form, outbox
):
    response = post_form("/fr/account/password/forgot", {"email": "nobody@example.org"})
    assert response.status_code == 200
    assert outbox() == []


def test_changing_the_password_signs_out_other_sessions(app, client, login, post_form):
    user = make_user()
    other = app.test_client()
    from tests.conftest import Login

    Login(other)(user)
    login(user)
    response = post_form(
        "/fr/account/password",
        {
            "pw-current_password": PASSWORD,
            "pw-password": "fresh secret 123",
            "pw-password_confirm": "fresh secret 123",
        },
        form_page="/fr/account/",
    )
    assert response.status_code == 302
    assert client.get("/fr/account/").status_code == 200  # this session continues
    assert other.get("/fr/account/").status_code == 302  # the other one is signed out


def test_change_password_needs_the_current_one(client, login, post_form):
    user = make_user()
    login(user)
    response = post_form(
        "/fr/account/password",
        {
            "pw-current_password": "not it at all",
            "pw-password": "fresh secret 123",
            "pw-password_confirm": "fresh secret 123",
        },
        form_page="/fr/account/",
    )
    assert response.status_code == 400
    db.session.refresh(user)
    from participation.auth.services import password_matches

    assert password_matches(user, PASSWORD)


def test_profile_update(client, login, post_form):
    user = make_user(language="fr")
    login(user)
    response = post_form("/fr/account/", {"display_name": "Nouveau Nom", "language": "zgh"})
    assert response.status_code == 302
    db.session.refresh(user)
    assert (user.display_name, user.language) == ("Nouveau Nom", "zgh")


def test_logout_requires_post(client, login, post_form):
    login(make_user())
    assert client.get("/fr/account/logout").status_code == 405
    assert post_form("/fr/account/logout", form_page="/fr/account/").status_code == 302
    assert client.get("/fr/account/").status_code == 302


def test_a_session_cookie_copied_before_logout_is_anonymous_after_it(app, client, login, post_form):
    user = make_user()
    login(user)
    copied = client.get_cookie("session", domain="participation.test").value
    assert post_form("/fr/account/logout", form_page="/fr/account/").status_code == 302
    replay = app.test_client()
    replay.set_cookie("session", copied, domain="participation.test")
    assert replay.get("/fr/account/").status_code == 302
    assert replay.get("/fr/account/data.json").status_code == 302


def test_registration_does_the_same_work_for_a_new_and_a_registered_address(
    client, post_form, outbox, monkeypatch
):
    from participation.auth import services

    make_user(email="taken@example.org")
    hashed = []
    real_hash = services.hash_password
    monkeypatch.setattr(
        services, "hash_password", lambda password: hashed.append(password) or real_hash(password)
    )
    register(post_form, email="taken@example.org")
    calls_for_registered = len(hashed)
    register(post_form, email="free@example.org")
    assert calls_for_registered == len(hashed) - calls_for_registered == 1
    # One mail queued either way: the outbox grows the same.
    assert (
        len(outbox(to_address="taken@example.org"))
        == len(outbox(to_address="free@example.org"))
        == 1
    )


def _reset_link(client, post_form, outbox, user):
    post_form("/fr/account/password/forgot", {"email": user.email})
    return _link_token(outbox(to_address=user.email)[-1], "password/reset")


def test_a_reset_link_issued_before_a_password_change_no_longer_works(
    client, login, post_form, outbox
):
    user = make_user()
    token = _reset_link(client, post_form, outbox, user)
    login(user)
    changed = post_form(
        "/fr/account/password",
        {
            "pw-current_password": PASSWORD,
            "pw-password": "fresh secret 123",
            "pw-password_confirm": "fresh secret 123",
        },
        form_page="/fr/account/",
    )
    assert changed.status_code == 302
    post_form("/fr/account/logout", form_page="/fr/account/")
    assert client.get(f"/fr/account/password/reset/{token}").status_code == 400
    hash_before = db.session.scalar(sa.select(User.password_hash).where(User.id == user.id))
    from tests.conftest import csrf_token

    response = client.post(
        f"/fr/account/password/reset/{token}",
        data={
            "password": "attacker secret 99",
            "password_confirm": "attacker secret 99",
            "csrf_token": csrf_token(client, "/fr/account/login"),
        },
    )
    assert response.status_code == 400
    assert db.session.scalar(sa.select(User.password_hash).where(User.id == user.id)) == hash_before


def test_a_reset_revokes_the_other_outstanding_links_of_the_account(client, post_form, outbox):
    user = make_user(verified=False)
    post_form("/fr/account/verify/resend", {"email": user.email})
    verify_token = _link_token(outbox(to_address=user.email)[-1], "verify")
    token = _reset_link(client, post_form, outbox, user)
    response = post_form(
        f"/fr/account/password/reset/{token}",
        {"password": "brand new secret 1", "password_confirm": "brand new secret 1"},
    )
    assert response.status_code == 302
    assert (
        db.session.scalar(
            sa.select(sa.func.count())
            .select_from(AccountToken)
            .where(AccountToken.used_at.is_(None))
        )
        == 0
    )
    assert client.get(f"/fr/account/verify/{verify_token}").status_code == 400
