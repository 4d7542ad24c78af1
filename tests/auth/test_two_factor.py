"""Two-factor authentication (TOTP): the algorithm, turning it on and off, signing in with it,
and the staff requirement."""

import hashlib
import re

import pytest
import sqlalchemy as sa

from participation.auth.models import Role, User
from participation.auth.services import (
    check_second_factor,
    confirm_two_factor,
    start_two_factor_setup,
)
from participation.core import totp
from participation.core.audit import AuditEntry
from participation.core.errors import DomainError
from participation.extensions import db
from tests.auth.helpers import enable_two_factor
from tests.factories import PASSWORD, make_user


@pytest.mark.parametrize(
    "moment, expected",
    [
        (59, "94287082"),
        (1111111109, "07081804"),
        (1234567890, "89005924"),
        (20000000000, "65353130"),
    ],
)
def test_rfc_6238_test_vectors(moment, expected):
    key = b"12345678901234567890"
    assert totp.hotp(key, moment // 30, digits=8, digest=hashlib.sha1) == expected


def test_codes_match_within_one_step_and_never_twice():
    secret = totp.new_secret()
    now = 1_700_000_000
    code = totp.code_for(secret, totp.current_step(now))
    step = totp.matching_step(secret, code, now=now)
    assert step == totp.current_step(now)
    assert totp.matching_step(secret, code, now=now + 30) == step  # clock drift of one step
    assert totp.matching_step(secret, code, now=now + 90) is None
    assert totp.matching_step(secret, code, now=now, last_step=step) is None  # replay
    assert totp.matching_step(secret, "12", now=now) is None
    assert totp.matching_step(secret, "abcdef", now=now) is None


def test_setup_needs_a_right_code(app):
    user = make_user()
    start_two_factor_setup(user, user)
    with pytest.raises(DomainError):
        confirm_two_factor(user, user, code="000000")
    assert not user.totp_enabled


def test_enable_records_audit_and_secret_is_encrypted(app):
    user = make_user()
    secret = enable_two_factor(user)
    assert user.totp_enabled
    assert secret not in user.totp_secret_encrypted
    assert db.session.scalar(sa.select(AuditEntry.action)) == "two_factor.enabled"


def test_sign_in_asks_for_the_code(client, post_form, app):
    user = make_user()
    secret = enable_two_factor(user)
    response = post_form(
        "/fr/account/login?next=/fr/account/identity",
        {"email": user.email, "password": PASSWORD},
        form_page="/fr/account/login",
    )
    assert response.status_code == 302
    assert response.headers["Location"].endswith("/fr/account/login/code")
    assert client.get("/fr/account/").status_code == 302  # not signed in yet
    wrong = post_form("/fr/account/login/code", {"code": "000000"})
    assert wrong.status_code == 200
    assert 'aria-invalid="true"' in wrong.get_data(as_text=True)
    code = totp.code_for(secret, totp.current_step())
    response = post_form("/fr/account/login/code", {"code": code})
    assert response.status_code == 302
    assert response.headers["Location"] == "/fr/account/identity"
    assert client.get("/fr/account/").status_code == 200


def test_a_used_code_cannot_sign_in_again(client, post_form, app):
    user = make_user()
    secret = enable_two_factor(user)
    code = totp.code_for(secret, totp.current_step())
    assert check_second_factor(user, code=code)
    db.session.commit()
    post_form("/fr/account/login", {"email": user.email, "password": PASSWORD})
    response = post_form("/fr/account/login/code", {"code": code})
    assert response.status_code == 200
    assert client.get("/fr/account/").status_code == 302


def test_code_page_without_a_password_step_sends_back_to_login(client):
    response = client.get("/fr/account/login/code")
    assert response.status_code == 302
    assert response.headers["Location"].endswith("/fr/account/login")


def test_turn_on_and_off_through_the_pages(client, login, post_form):
    user = make_user()
    login(user)
    assert post_form("/fr/account/two-factor", {"action": "start"}).status_code == 302
    page = client.get("/fr/account/two-factor").get_data(as_text=True)
    key = re.search(r"<code>([A-Z2-7 ]+)</code>", page).group(1).replace(" ", "")
    response = post_form(
        "/fr/account/two-factor",
        {"action": "confirm", "confirm-code": totp.code_for(key, totp.current_step())},
    )
    assert response.status_code == 200  # the recovery codes, shown once
    assert len(re.findall(r"<li><code>[a-z2-9]{5}-[a-z2-9]{5}</code></li>", response.text)) == 10
    db.session.refresh(user)
    assert user.totp_enabled
    refused = post_form(
        "/fr/account/two-factor",
        {"action": "disable", "disable-password": "wrong one", "disable-code": "123456"},
    )
    assert refused.status_code == 400
    response = post_form(
        "/fr/account/two-factor",
        {
            "action": "disable",
            "disable-password": PASSWORD,
            "disable-code": totp.code_for(key, totp.current_step() + 1),
        },
    )
    assert response.status_code == 302
    db.session.refresh(user)
    assert not user.totp_enabled
    assert user.totp_secret_encrypted is None
    assert client.get("/fr/account/").status_code == 200  # still signed in


def test_staff_must_turn_it_on_when_required(client, login, app):
    app.config["REQUIRE_STAFF_2FA"] = True
    admin = make_user(roles=[Role.ADMINISTRATOR])
    login(admin)
    response = client.get("/fr/admin/")
    assert response.status_code == 303
    assert response.headers["Location"].endswith("/fr/account/two-factor")
    enable_two_factor(db.session.get(User, admin.id))
    assert client.get("/fr/admin/").status_code == 200


def test_citizens_are_not_required_to(client, login, app):
    app.config["REQUIRE_STAFF_2FA"] = True
    login(make_user())
    assert client.get("/fr/account/").status_code == 200
