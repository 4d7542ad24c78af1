"""Where a citizen lives: region → prefecture or province → commune on the identity profile, with
a step per level without JavaScript, and the commune checked against the province."""

import re
from datetime import date, timedelta

import pytest
import sqlalchemy as sa

from participation.auth.identity import IdentitySubmission
from participation.auth.models import IdentityProfile
from participation.auth.services import IdentityRejected, save_identity_profile
from participation.extensions import db
from participation.institutions.models import Commune, Province
from participation.institutions.services import load_communes
from tests.auth.identity_form import identity_data
from tests.factories import make_user


@pytest.fixture
def communes(territories):
    load_communes()
    db.session.commit()


def province(iso):
    return db.session.scalar(sa.select(Province).where(Province.iso_code == iso))


def commune(code):
    return db.session.scalar(sa.select(Commune).where(Commune.code == code))


def options(page, select_id):
    """The (value, text) options of a select of the page."""
    block = re.search(rf'<select[^>]*id="{select_id}"[^>]*>(.*?)</select>', page, re.S).group(1)
    return re.findall(r'<option[^>]*value="([^"]*)"[^>]*>([^<]*)</option>', block)


def profile_of(user):
    return db.session.scalar(sa.select(IdentityProfile).where(IdentityProfile.user_id == user.id))


def test_the_lists_start_empty_below_the_region(client, login, communes):
    login(make_user())
    page = client.get("/fr/account/identity").get_data(as_text=True)
    assert len(options(page, "region_id")) == 13  # "Choose…" and the 12 regions
    assert options(page, "province_id") == [("0", "Choisir…")]
    assert options(page, "commune_id") == [("0", "Choisir…")]


def test_without_script_each_step_fills_the_next_list_and_keeps_what_was_typed(
    client, login, post_form, communes
):
    user = make_user()
    login(user)
    rabat = province("MA-RAB")
    typed = identity_data(rabat, province_id="0", first_name="Karima", cin="ZX998877")
    first = post_form(
        "/fr/account/identity/places", {**typed, "step": "region"}, form_page="/fr/account/identity"
    )
    assert first.status_code == 200
    page = first.get_data(as_text=True)
    provinces = options(page, "province_id")
    assert len(provinces) == 8  # Choose… and the 7 of Rabat-Salé-Kénitra
    assert (str(rabat.id), "Rabat") in provinces
    assert options(page, "commune_id") == [("0", "Choisir…")]
    assert 'value="Karima"' in page and 'value="ZX998877"' in page
    # Saving from the step's page goes to the identity page, not to the step's address.
    assert 'action="/fr/account/identity"' in page
    second = post_form(
        "/fr/account/identity/places",
        {**typed, "province_id": str(rabat.id), "step": "province"},
        form_page="/fr/account/identity",
    )
    communes_listed = options(second.get_data(as_text=True), "commune_id")
    assert communes_listed[1:] == [
        (str(commune("04.421.01.0").id), "Rabat"),
        (str(commune("04.421.01.07").id), "Touarga"),
    ]
    assert profile_of(user) is None  # a step saves nothing


def test_the_steps_do_not_spend_the_identity_rate_limit(app, client, login, post_form, communes):
    app.config["RATELIMIT_IDENTITY"] = "2 per minute"
    login(make_user())
    typed = identity_data(province("MA-RAB"), province_id="0", step="region")
    for _ in range(4):
        answer = post_form("/fr/account/identity/places", typed, form_page="/fr/account/identity")
        assert answer.status_code == 200


def test_the_commune_is_saved_on_the_profile(client, login, post_form, communes):
    user = make_user()
    login(user)
    rabat_commune = commune("04.421.01.0")
    response = post_form(
        "/fr/account/identity",
        identity_data(province("MA-RAB"), commune_id=str(rabat_commune.id)),
    )
    assert response.status_code == 302
    assert profile_of(user).commune_id == rabat_commune.id
    page = client.get("/fr/account/identity").get_data(as_text=True)
    assert (str(rabat_commune.id), "Rabat") in options(page, "commune_id")
    assert re.search(rf'<option selected value="{rabat_commune.id}">', page) or re.search(
        rf'<option value="{rabat_commune.id}" selected', page
    )


@pytest.mark.parametrize(
    "commune_code, message",
    [
        (None, "Choisissez votre commune."),
        ("01.511.01.0", "Cette commune ne fait pas partie de la préfecture ou province choisie."),
    ],
)
def test_a_commune_outside_the_province_or_none_is_refused(
    client, login, post_form, communes, commune_code, message
):
    user = make_user()
    login(user)
    chosen = str(commune(commune_code).id) if commune_code else "0"
    response = post_form(
        "/fr/account/identity", identity_data(province("MA-RAB"), commune_id=chosen)
    )
    assert response.status_code == 200  # the form again, with the error
    assert message in response.get_data(as_text=True)
    assert profile_of(user) is None


def test_a_province_outside_the_region_is_refused(client, login, post_form, communes):
    user = make_user()
    login(user)
    data = identity_data(province("MA-RAB"), region_id=str(province("MA-TNG").region_id))
    response = post_form("/fr/account/identity", data)
    assert response.status_code == 200
    assert "Cette préfecture ou province ne fait pas partie de la région choisie." in (
        response.get_data(as_text=True)
    )


def test_without_loaded_communes_the_commune_is_not_asked(client, login, post_form, territories):
    user = make_user()
    login(user)
    response = post_form("/fr/account/identity", identity_data(province("MA-RAB")))
    assert response.status_code == 302
    assert profile_of(user).commune_id is None


def test_living_abroad_keeps_no_commune(client, login, post_form, communes):
    user = make_user()
    login(user)
    data = identity_data(
        province("MA-RAB"),
        commune_id=str(commune("04.421.01.0").id),
        abroad="y",
        country="FR",
        region_id="0",
        province_id="0",
    )
    assert post_form("/fr/account/identity", data).status_code == 302
    profile = profile_of(user)
    assert profile.abroad and profile.commune_id is None


def submission(**overrides):
    values = dict(
        first_name="Karim",
        last_name="Tazi",
        cin="AB654321",
        cin_expiry=date.today() + timedelta(days=400),
        birth_date=date(1985, 5, 20),
        address="3 avenue Mohammed V",
        abroad=False,
        country=None,
        region_id=None,
        province_id=None,
        declaration=True,
    )
    values.update(overrides)
    return IdentitySubmission(**values)


def test_the_service_checks_the_places_for_every_caller(communes):
    """The API or any other caller of the service gets the same check as the form."""
    user = make_user()
    rabat = province("MA-RAB")
    with pytest.raises(IdentityRejected) as wrong_commune:
        save_identity_profile(
            user,
            user,
            submission(
                region_id=rabat.region_id,
                province_id=rabat.id,
                commune_id=commune("01.511.01.0").id,
            ),
            today=date.today(),
        )
    assert [field for field, _ in wrong_commune.value.problems] == ["commune_id"]
    with pytest.raises(IdentityRejected) as wrong_province:
        save_identity_profile(
            user,
            user,
            submission(region_id=province("MA-TNG").region_id, province_id=rabat.id),
            today=date.today(),
        )
    assert [field for field, _ in wrong_province.value.problems] == ["province_id"]
    saved = save_identity_profile(
        user,
        user,
        submission(
            region_id=rabat.region_id, province_id=rabat.id, commune_id=commune("04.421.01.0").id
        ),
        today=date.today(),
    )
    assert saved.commune.name["fr"] == "Rabat"
