"""The password policy: common, e-mail-derived and repetitive passwords are refused wherever a
password is set (registration, change, reset, `flask create-admin`)."""

import re

import pytest
import sqlalchemy as sa

from participation.auth.models import User
from participation.auth.passwords import password_problem
from participation.extensions import db
from tests.factories import PASSWORD, make_user

REFUSED = [
    "aaaaaaaaaa",  # one character repeated
    "1234567890",  # a run, and among the most common passwords
    "password12",
    "Password12",  # case does not make it less common
    "sunshine2024!",  # a common password followed by digits and symbols
    "qwertyuiop",
    "abcabcabcabc",  # a short group repeated
    "zyxwvutsrqp",  # a run downwards
    "ababababab1",  # fewer than four different characters
]
ACCEPTED = ["a long enough secret", PASSWORD, "Tajine au citron 1987", "ⴰⵣⵓⵍ ⴼⵍⵍⴰⵡⵏ ⴰⴽⴽⵯ"]


@pytest.mark.parametrize("password", REFUSED)
def test_common_and_trivial_passwords_are_refused(app, password):
    assert password_problem(password) is not None


@pytest.mark.parametrize("password", ACCEPTED)
def test_ordinary_passphrases_are_accepted(app, password):
    assert password_problem(password, email="fatima.zahra@example.org") is None


@pytest.mark.parametrize(
    "password",
    ["fatima.zahra@example.org", "my FATIMA.ZAHRA@example.org!", "fatima.zahra 2024 secret"],
)
def test_passwords_containing_the_email_address_or_its_local_part_are_refused(app, password):
    assert password_problem(password, email="Fatima.Zahra@example.org") is not None


def test_a_short_local_part_alone_is_not_a_reason_to_refuse(app):
    assert password_problem("a long enough secret", email="ali@example.org") is None


def _password_error(response):
    html = response.get_data(as_text=True)
    match = re.search(r'id="(?:pw-)?password-error"[^>]*>(.*?)</', html, re.DOTALL)
    return match and match.group(1).strip()


@pytest.mark.parametrize("password", ["aaaaaaaaaa", "1234567890", "password12", "fatima.zahra99"])
def test_registration_refuses_them_with_a_message_on_the_password(client, post_form, password):
    response = post_form(
        "/fr/account/register",
        {
            "email": "fatima.zahra@example.org",
            "display_name": "Fatima",
            "password": password,
            "password_confirm": password,
            "language": "fr",
        },
    )
    assert response.status_code == 200
    assert _password_error(response)
    assert db.session.scalar(sa.select(sa.func.count()).select_from(User)) == 0


def test_changing_the_password_refuses_one_containing_the_email(client, login, post_form):
    user = make_user(email="karim.tazi@example.org")
    login(user)
    for new in ("password12", "karim.tazi-secret"):
        response = post_form(
            "/fr/account/password",
            {"pw-current_password": PASSWORD, "pw-password": new, "pw-password_confirm": new},
            form_page="/fr/account/",
        )
        assert response.status_code == 400
        assert _password_error(response)
    from participation.auth.services import password_matches

    db.session.refresh(user)
    assert password_matches(user, PASSWORD)


def test_a_reset_refuses_them_too_and_keeps_the_link_usable(client, post_form, outbox):
    user = make_user(email="karim.tazi@example.org")
    post_form("/fr/account/password/forgot", {"email": user.email})
    token = re.search(r"/account/password/reset/([A-Za-z0-9_\-]+)", outbox()[-1].body_text).group(1)
    for new in ("1234567890", "karim.tazi@example.org"):
        response = post_form(
            f"/fr/account/password/reset/{token}", {"password": new, "password_confirm": new}
        )
        assert response.status_code == 200
        assert _password_error(response)
    response = post_form(
        f"/fr/account/password/reset/{token}",
        {"password": "brand new secret 1", "password_confirm": "brand new secret 1"},
    )
    assert response.status_code == 302


def test_create_admin_refuses_a_common_password(app):
    result = app.test_cli_runner().invoke(
        args=["create-admin", "--email", "admin@example.org", "--password", "password12"]
    )
    assert result.exit_code != 0
    assert db.session.scalar(sa.select(sa.func.count()).select_from(User)) == 0
    result = app.test_cli_runner().invoke(
        args=["create-admin", "--email", "admin@example.org", "--password", "a long enough secret"]
    )
    assert result.exit_code == 0, result.output


def test_production_hashes_with_argon2s_recommended_costs(monkeypatch):
    from config import Config

    for name in ("ARGON2_TIME_COST", "ARGON2_MEMORY_COST", "ARGON2_PARALLELISM"):
        monkeypatch.delenv(name, raising=False)
    config = Config()
    assert (config.ARGON2_TIME_COST, config.ARGON2_MEMORY_COST, config.ARGON2_PARALLELISM) == (
        3,
        64 * 1024,
        4,
    )


def test_hashes_use_the_configured_costs_and_older_ones_are_rehashed_at_sign_in(
    app, login_with_form
):
    from argon2 import PasswordHasher

    user = make_user(password="a long enough secret")
    assert "$m=8,t=1,p=1$" in user.password_hash  # TestingConfig's costs
    user.password_hash = PasswordHasher(time_cost=2, memory_cost=16, parallelism=1).hash(PASSWORD)
    db.session.commit()
    login_with_form(user)
    db.session.refresh(user)
    assert "$m=8,t=1,p=1$" in user.password_hash
