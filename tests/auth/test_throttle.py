"""Sign-in throttling: limits keyed on (account, address) and per address, the per-account backoff
that strangers cannot turn into a lockout of the owner, and the cap on codes per pending sign-in."""

import pytest
import sqlalchemy as sa

from participation.auth.models import User
from participation.auth.services import confirm_two_factor, start_two_factor_setup
from participation.core import totp
from participation.core.limits import RateLimits
from participation.extensions import db
from tests.conftest import csrf_token
from tests.factories import PASSWORD, make_user

LOGIN = "/fr/account/login"
CODE = "/fr/account/login/code"
OWNER_ADDRESS = "198.51.100.7"


def attempt(client, email, password, address):
    return client.post(
        LOGIN,
        data={"email": email, "password": password, "csrf_token": csrf_token(client, LOGIN)},
        environ_base={"REMOTE_ADDR": address},
    )


def give_code(client, code, address=OWNER_ADDRESS):
    return client.post(
        CODE,
        data={"code": code, "csrf_token": csrf_token(client, LOGIN)},
        environ_base={"REMOTE_ADDR": address},
    )


def signed_in(client):
    return client.get("/fr/account/").status_code == 200


def with_two_factor(user):
    secret = start_two_factor_setup(user, user)
    confirm_two_factor(user, user, code=totp.code_for(secret, totp.current_step() - 1))
    db.session.commit()
    return secret


def test_wrong_passwords_from_other_addresses_do_not_lock_the_owner_out(app, client):
    owner = make_user()
    stranger = app.test_client()
    for i in range(12):
        assert (
            attempt(
                stranger, owner.email, f"guess number {i}", f"203.0.113.{i % 2 + 1}"
            ).status_code
            == 200
        )
    response = attempt(client, owner.email, PASSWORD, OWNER_ADDRESS)
    assert response.status_code == 302
    assert signed_in(client)


def test_one_address_guessing_one_account_is_stopped_there_only(app, client):
    owner, other = make_user(), make_user()
    statuses = [
        attempt(client, owner.email, f"guess number {i}", "203.0.113.1").status_code
        for i in range(11)
    ]
    assert statuses[:10] == [200] * 10
    assert statuses[10] == 429
    assert attempt(client, other.email, "guess number 0", "203.0.113.1").status_code == 200
    assert attempt(app.test_client(), owner.email, PASSWORD, OWNER_ADDRESS).status_code == 302


@pytest.fixture
def config_overrides(request):
    return getattr(request, "param", {})


@pytest.mark.parametrize(
    "config_overrides", [{"RATELIMIT_LOGIN_ADDRESS": "5 per minute"}], indirect=True
)
def test_one_address_trying_many_accounts_is_stopped(client):
    statuses = [
        attempt(client, f"someone{i}@example.org", "guess number 1", "203.0.113.1").status_code
        for i in range(6)
    ]
    assert statuses == [200] * 5 + [429]


BACKOFF = {"RATELIMIT_LOGIN_ACCOUNT": "5 per hour"}


def attack(app, email, times=6):
    stranger = app.test_client()
    for i in range(times):
        attempt(stranger, email, f"guess number {i}", f"203.0.113.{i + 1}")


def password_error(response):
    import re

    return re.search(r'id="password-error">(.*?)</p>', response.get_data(as_text=True), re.S).group(
        1
    )


@pytest.mark.parametrize("config_overrides", [BACKOFF], indirect=True)
def test_under_backoff_the_owners_usual_browser_still_signs_in(app, client, post_form):
    owner = make_user()
    assert attempt(client, owner.email, PASSWORD, OWNER_ADDRESS).status_code == 302
    post_form("/fr/account/logout", form_page="/fr/account/")
    attack(app, owner.email)
    assert attempt(client, owner.email, PASSWORD, "192.0.2.50").status_code == 302
    assert signed_in(client)


@pytest.mark.parametrize("config_overrides", [BACKOFF], indirect=True)
def test_under_backoff_a_password_alone_does_not_sign_in_from_another_browser_until_a_reset(
    app, client, post_form, outbox
):
    owner = make_user()
    attack(app, owner.email)
    right = attempt(client, owner.email, PASSWORD, OWNER_ADDRESS)
    wrong = attempt(client, owner.email, "not the password", OWNER_ADDRESS)
    assert right.status_code == wrong.status_code == 200
    assert password_error(right) == password_error(
        wrong
    )  # the answer does not tell a right password
    assert not signed_in(client)
    # The way out for the owner: a reset proves the mailbox and makes this browser a known one.
    import re

    post_form("/fr/account/password/forgot", {"email": owner.email})
    token = re.search(
        r"/account/password/reset/([A-Za-z0-9_\-]+)", outbox(to_address=owner.email)[-1].body_text
    ).group(1)
    assert (
        post_form(
            f"/fr/account/password/reset/{token}",
            {"password": "brand new secret 1", "password_confirm": "brand new secret 1"},
        ).status_code
        == 302
    )
    assert attempt(client, owner.email, "brand new secret 1", OWNER_ADDRESS).status_code == 302
    assert signed_in(client)


@pytest.mark.parametrize("config_overrides", [BACKOFF], indirect=True)
def test_under_backoff_a_right_password_with_a_valid_code_always_signs_in(app, client):
    owner = make_user()
    secret = with_two_factor(owner)
    attack(app, owner.email)
    response = attempt(client, owner.email, PASSWORD, OWNER_ADDRESS)
    assert response.status_code == 302
    assert response.headers["Location"].endswith(CODE)
    assert give_code(client, totp.code_for(secret, totp.current_step())).status_code == 302
    assert signed_in(client)


@pytest.mark.parametrize("config_overrides", [BACKOFF], indirect=True)
def test_under_backoff_a_wrong_password_gets_the_same_code_page_and_no_code_opens_it(app, client):
    owner = make_user()
    secret = with_two_factor(owner)
    attack(app, owner.email)
    response = attempt(client, owner.email, "not the password", OWNER_ADDRESS)
    assert response.status_code == 302
    assert response.headers["Location"].endswith(CODE)
    refused = give_code(client, totp.code_for(secret, totp.current_step()))
    assert refused.status_code == 200
    assert 'aria-invalid="true"' in refused.get_data(as_text=True)
    assert not signed_in(client)


@pytest.mark.parametrize("config_overrides", [BACKOFF], indirect=True)
def test_a_wrong_password_stays_refused_when_the_code_reaches_a_node_that_counted_nothing(
    app, client
):
    """The code step may reach another node, or the rate-limit storage may have fallen back to
    one process's memory while Redis is away (docs/degradation.md): the refusal travels sealed in
    the pending sign-in, not in that storage."""
    owner = make_user()
    secret = with_two_factor(owner)
    attack(app, owner.email)
    assert attempt(client, owner.email, "not the password", OWNER_ADDRESS).status_code == 302
    RateLimits.strategy().storage.reset()  # what another node's memory, or a new Redis, holds
    refused = give_code(client, totp.code_for(secret, totp.current_step()))
    assert refused.status_code == 200
    assert not signed_in(client)


def test_code_attempts_are_capped_per_pending_sign_in_whatever_the_address(app, client):
    owner = make_user()
    secret = with_two_factor(owner)
    assert attempt(client, owner.email, PASSWORD, OWNER_ADDRESS).status_code == 302
    copied = client.get_cookie("session", domain="participation.test").value
    for i in range(app.config.get("TWO_FACTOR_CODE_ATTEMPTS", 5)):
        give_code(client, "000000", address=f"203.0.113.{i + 1}")
    right = totp.code_for(secret, totp.current_step())
    voided = give_code(client, right, address="203.0.113.99")
    assert voided.status_code == 302
    assert voided.headers["Location"].endswith(LOGIN)
    replay = app.test_client()
    replay.set_cookie("session", copied, domain="participation.test")
    again = give_code(replay, right, address="203.0.113.100")
    assert again.status_code == 302
    assert again.headers["Location"].endswith(LOGIN)
    assert not signed_in(client)
    assert not signed_in(replay)


def test_a_pending_sign_in_ends_when_it_succeeds(app, client):
    owner = make_user()
    secret = with_two_factor(owner)
    attempt(client, owner.email, PASSWORD, OWNER_ADDRESS)
    copied = client.get_cookie("session", domain="participation.test").value
    step = totp.current_step()
    assert give_code(client, totp.code_for(secret, step)).status_code == 302
    assert signed_in(client)
    replay = app.test_client()
    replay.set_cookie("session", copied, domain="participation.test")
    response = give_code(
        replay, totp.code_for(secret, step + 1), address="203.0.113.5"
    )  # a later code, not a replayed one
    assert response.status_code == 302
    assert response.headers["Location"].endswith(LOGIN)
    assert not signed_in(replay)
    assert db.session.scalar(sa.select(User.totp_last_step).where(User.id == owner.id)) == step
