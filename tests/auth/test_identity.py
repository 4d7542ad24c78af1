"""The identity profile: CIN normalised, hashed and encrypted, never shown in full."""

import json
from datetime import date, timedelta

import pytest
import sqlalchemy as sa

from participation.auth.identity import hash_cin, normalise_cin
from participation.auth.models import IdentityProfile
from participation.core.crypto import decrypt
from participation.extensions import db
from participation.institutions.models import Province
from tests.auth.identity_form import identity_data
from tests.factories import make_identity, make_user


@pytest.mark.parametrize(
    "raw, expected", [(" ab 123456 ", "AB123456"), ("k-12.345", "K12345"), ("ｂｋ１２３", "BK123")]
)
def test_cin_is_normalised(raw, expected):
    assert normalise_cin(raw) == expected


@pytest.fixture
def rabat(territories):
    return db.session.scalar(sa.select(Province).where(Province.iso_code == "MA-RAB"))


def test_identity_is_saved_hashed_and_encrypted(client, login, post_form, rabat, app):
    user = make_user()
    login(user)
    response = post_form("/fr/account/identity", identity_data(rabat))
    assert response.status_code == 302
    profile = db.session.scalar(
        sa.select(IdentityProfile).where(IdentityProfile.user_id == user.id)
    )
    assert profile.cin_hash == hash_cin("AB654321")
    assert profile.cin_hash != "AB654321"
    assert "654321" not in profile.cin_encrypted
    assert decrypt(profile.cin_encrypted) == "AB654321"
    page = client.get("/fr/account/identity").get_data(as_text=True)
    assert "AB654321" not in page
    assert "654321" not in page
    assert "••••••21" in page


@pytest.mark.parametrize(
    "overrides, field",
    [
        ({"cin": "123"}, "cin"),
        ({"cin_expiry": "2020-01-01"}, "cin_expiry"),
        ({"birth_date": (date.today() - timedelta(days=365 * 17)).isoformat()}, "birth_date"),
        ({"declaration": ""}, "declaration"),
        ({"province_id": "999999"}, "province_id"),
        ({"cin_expiry": "not a date"}, "cin_expiry"),
    ],
)
def test_invalid_identity_is_refused_with_a_message(
    client, login, post_form, rabat, overrides, field
):
    login(make_user())
    response = post_form("/fr/account/identity", identity_data(rabat, **overrides))
    assert response.status_code == 200
    html = response.get_data(as_text=True)
    assert f'id="{field}-error"' in html
    assert db.session.scalar(sa.select(sa.func.count()).select_from(IdentityProfile)) == 0


def test_province_must_be_in_the_region(client, login, post_form, rabat):
    login(make_user())
    other_region = db.session.scalar(
        sa.select(Province).where(Province.region_id != rabat.region_id)
    )
    response = post_form(
        "/fr/account/identity", identity_data(rabat, province_id=str(other_region.id))
    )
    assert 'id="province_id-error"' in response.get_data(as_text=True)


def test_one_cin_belongs_to_one_account(client, login, post_form, rabat):
    make_identity(make_user(), cin="AB654321", province=rabat)
    login(make_user())
    response = post_form("/fr/account/identity", identity_data(rabat))
    assert 'id="cin-error"' in response.get_data(as_text=True)
    assert db.session.scalar(sa.select(sa.func.count()).select_from(IdentityProfile)) == 1


def test_living_abroad_needs_a_country(client, login, post_form, rabat):
    user = make_user()
    login(user)
    response = post_form("/fr/account/identity", identity_data(rabat, abroad="y", country=""))
    assert 'id="country-error"' in response.get_data(as_text=True)
    response = post_form(
        "/fr/account/identity",
        identity_data(rabat, abroad="y", country="fr", region_id="0", province_id="0"),
    )
    assert response.status_code == 302
    assert db.session.scalar(sa.select(IdentityProfile.country)) == "FR"


def test_download_my_data_never_contains_the_plain_cin(client, login, rabat):
    user = make_user(display_name="Leila")
    make_identity(user, cin="ZT998877", province=rabat)
    login(user)
    response = client.get("/fr/account/data.json")
    assert response.status_code == 200
    assert "attachment" in response.headers["Content-Disposition"]
    data = json.loads(response.get_data(as_text=True))
    assert data["account"]["display_name"] == "Leila"
    assert data["identity_profile"]["cin"] == "••••••77"
    assert "998877" not in response.get_data(as_text=True)


def test_delete_account_erases_personal_data(client, login, post_form, rabat, outbox):
    from participation.auth.models import User
    from participation.core.audit import AuditEntry

    user = make_user(email="leaving@example.org", display_name="Omar")
    make_identity(user, province=rabat)
    login(user)
    refused = post_form("/fr/account/delete", {"password": "wrong password", "confirm": "y"})
    assert refused.status_code == 200
    assert db.session.get(User, user.id).deleted_at is None
    response = post_form(
        "/fr/account/delete", {"password": "correct horse battery", "confirm": "y"}
    )
    assert response.status_code == 302
    stored = db.session.get(User, user.id)
    assert stored.deleted_at is not None
    assert stored.email != "leaving@example.org"
    assert stored.display_name == ""
    assert stored.password_hash is None
    assert db.session.scalar(sa.select(sa.func.count()).select_from(IdentityProfile)) == 0
    assert client.get("/fr/account/").status_code == 302
    assert outbox(to_address="leaving@example.org")[-1].template == "account_deleted"
    assert (
        db.session.scalar(sa.select(AuditEntry.action).where(AuditEntry.target_id == user.id))
        == "account.deleted"
    )


@pytest.mark.parametrize("overrides", [{"region_id": "abc"}, {"birth_date": "31/02/1990"}])
def test_malformed_values_get_a_translated_message(client, login, post_form, rabat, overrides):
    login(make_user())
    response = post_form("/zgh/account/identity", identity_data(rabat, **overrides))
    html = response.get_data(as_text=True)
    assert response.status_code == 200
    assert "Not a valid" not in html
    assert "could not coerce" not in html
    assert 'aria-invalid="true"' in html


@pytest.mark.parametrize(
    "overrides",
    [
        {"cin_expiry": "2020-01-01"},
        {"birth_date": (date.today() - timedelta(days=365 * 17)).isoformat()},
    ],
)
def test_a_cin_in_use_is_not_revealed_while_the_rest_of_the_form_is_refused(
    client, login, post_form, rabat, overrides
):
    make_identity(make_user(), cin="AB654321", province=rabat)
    login(make_user())
    html = post_form("/fr/account/identity", identity_data(rabat, **overrides)).get_data(
        as_text=True
    )
    assert 'aria-invalid="true"' in html
    assert 'id="cin-error"' not in html


def test_a_cin_in_use_is_said_when_the_form_is_valid_and_nothing_is_saved(
    client, login, post_form, rabat
):
    make_identity(make_user(), cin="AB654321", province=rabat)
    user = make_user()
    login(user)
    html = post_form("/fr/account/identity", identity_data(rabat)).get_data(as_text=True)
    assert 'id="cin-error"' in html
    assert (
        db.session.scalar(sa.select(IdentityProfile).where(IdentityProfile.user_id == user.id))
        is None
    )


def test_probing_the_identity_form_is_rate_limited(client, login, post_form, rabat):
    login(make_user())
    statuses = [
        post_form("/fr/account/identity", identity_data(rabat, cin=f"AB{100000 + i}")).status_code
        for i in range(8)
    ]
    assert statuses[0] == 302
    assert 429 in statuses


def test_the_limit_counts_per_account_from_every_address(client, login, post_form, rabat):
    login(make_user())
    statuses = [
        post_form(
            "/fr/account/identity",
            identity_data(rabat, cin=""),
            environ_base={"REMOTE_ADDR": f"203.0.113.{i}"},
        ).status_code
        for i in range(8)
    ]
    assert 429 in statuses


def test_the_same_new_cin_saved_by_two_accounts_at_once_is_a_form_error(
    client, login, post_form, rabat, monkeypatch
):
    """The race: both requests find the CIN free, the other account's row is written first, then
    this one's insert meets the unique index. Simulated by writing the other row after the check."""
    from participation.auth import identity, services

    other = make_user()
    user = make_user()
    login(user)
    accept = identity.DeclarativeVerifier.verify

    def verify_then_lose_the_race(verifier, submission, user, today):
        problems = accept(verifier, submission, user, today)
        make_identity(other, cin="AB654321", province=rabat, commit=False)
        return problems

    monkeypatch.setattr(identity.DeclarativeVerifier, "verify", verify_then_lose_the_race)
    checks = []

    def free_at_the_first_check(cin):
        checks.append(cin)
        return None if len(checks) == 1 else identity.get_cin_owner(cin)

    monkeypatch.setattr(services, "get_cin_owner", free_at_the_first_check, raising=False)
    response = post_form("/fr/account/identity", identity_data(rabat))
    assert response.status_code == 200
    assert 'id="cin-error"' in response.get_data(as_text=True)
    assert (
        db.session.scalar(sa.select(IdentityProfile).where(IdentityProfile.user_id == user.id))
        is None
    )
