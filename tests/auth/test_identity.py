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
from tests.factories import make_identity, make_user


@pytest.mark.parametrize("raw, expected", [(" ab 123456 ", "AB123456"), ("k-12.345", "K12345"), ("ｂｋ１２３", "BK123")])
def test_cin_is_normalised(raw, expected):
    assert normalise_cin(raw) == expected


@pytest.fixture
def rabat(territories):
    return db.session.scalar(sa.select(Province).where(Province.iso_code == "MA-RAB"))


def identity_data(province, **overrides):
    data = {
        "first_name": "Karim",
        "last_name": "Tazi",
        "cin": "ab 654321",
        "cin_expiry": (date.today() + timedelta(days=400)).isoformat(),
        "birth_date": "1985-05-20",
        "address": "3 avenue Mohammed V, Rabat",
        "region_id": str(province.region_id),
        "province_id": str(province.id),
        "country": "",
        "declaration": "y",
    }
    data.update(overrides)
    return data


def test_identity_is_saved_hashed_and_encrypted(client, login, post_form, rabat, app):
    user = make_user()
    login(user)
    response = post_form("/fr/account/identity", identity_data(rabat))
    assert response.status_code == 302
    profile = db.session.scalar(sa.select(IdentityProfile).where(IdentityProfile.user_id == user.id))
    assert profile.cin_hash == hash_cin("AB654321") and profile.cin_hash != "AB654321"
    assert "654321" not in profile.cin_encrypted
    assert decrypt(profile.cin_encrypted) == "AB654321"
    page = client.get("/fr/account/identity").get_data(as_text=True)
    assert "AB654321" not in page and "654321" not in page
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
def test_invalid_identity_is_refused_with_a_message(client, login, post_form, rabat, overrides, field):
    login(make_user())
    response = post_form("/fr/account/identity", identity_data(rabat, **overrides))
    assert response.status_code == 200
    html = response.get_data(as_text=True)
    assert f'id="{field}-error"' in html
    assert db.session.scalar(sa.select(sa.func.count()).select_from(IdentityProfile)) == 0


def test_province_must_be_in_the_region(client, login, post_form, rabat):
    login(make_user())
    other_region = db.session.scalar(sa.select(Province).where(Province.region_id != rabat.region_id))
    response = post_form("/fr/account/identity", identity_data(rabat, province_id=str(other_region.id)))
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
    response = post_form("/fr/account/identity", identity_data(rabat, abroad="y", country="fr", region_id="0", province_id="0"))
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
    assert refused.status_code == 200 and db.session.get(User, user.id).deleted_at is None
    response = post_form("/fr/account/delete", {"password": "correct horse battery", "confirm": "y"})
    assert response.status_code == 302
    stored = db.session.get(User, user.id)
    assert stored.deleted_at is not None and stored.email != "leaving@example.org" and stored.display_name == ""
    assert stored.password_hash is None
    assert db.session.scalar(sa.select(sa.func.count()).select_from(IdentityProfile)) == 0
    assert client.get("/fr/account/").status_code == 302
    assert outbox(to_address="leaving@example.org")[-1].template == "account_deleted"
    assert db.session.scalar(sa.select(AuditEntry.action).where(AuditEntry.target_id == user.id)) == "account.deleted"


@pytest.mark.parametrize("overrides", [{"region_id": "abc"}, {"birth_date": "31/02/1990"}])
def test_malformed_values_get_a_translated_message(client, login, post_form, rabat, overrides):
    login(make_user())
    response = post_form("/zgh/account/identity", identity_data(rabat, **overrides))
    html = response.get_data(as_text=True)
    assert response.status_code == 200
    assert "Not a valid" not in html and "could not coerce" not in html
    assert 'aria-invalid="true"' in html
