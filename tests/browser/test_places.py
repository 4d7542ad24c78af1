"""Region → prefecture or province → commune in a real browser: at once with static/js/places.js,
and step by step with the script off; axe-core on the identity page in each language."""

from types import SimpleNamespace

import pytest
import sqlalchemy as sa
from playwright.sync_api import expect

from participation.auth.models import IdentityProfile
from participation.extensions import db
from participation.institutions.models import Commune, Province
from participation.institutions.services import load_communes, load_territories
from tests.browser.helpers import sign_in_as
from tests.factories import PASSWORD, make_user


@pytest.fixture
def citizen(live_app):
    with live_app.app_context():
        load_territories()
        load_communes()
        user = make_user()
        db.session.commit()
        return SimpleNamespace(id=user.id, email=user.email)


def ids(live_app, province_iso, commune_code):
    with live_app.app_context():
        province = db.session.scalar(sa.select(Province).where(Province.iso_code == province_iso))
        commune = db.session.scalar(sa.select(Commune).where(Commune.code == commune_code))
        return str(province.region_id), str(province.id), str(commune.id)


def fill_identity(page):
    page.fill("#first_name", "Karima")
    page.fill("#last_name", "Bennani")
    page.fill("#cin", "ZX998877")
    page.fill("#cin_expiry", "2032-01-01")
    page.fill("#birth_date", "1985-05-20")
    page.fill("#address", "3 avenue Mohammed V")


def option_count(page, select):
    return page.locator(f"{select} option").count()


@pytest.mark.parametrize("lang", ["ar", "fr", "zgh"])
def test_the_script_fills_each_list_at_once(page, live_app, axe_check, citizen, lang):
    region, province, commune = ids(live_app, "MA-RAB", "04.421.01.07")  # Touarga
    sign_in_as(page, live_app, citizen.email)
    page.goto(f"/{lang}/account/identity")
    axe_check(page)
    assert page.locator("[data-places-step]").first.is_hidden()
    fill_identity(page)
    page.select_option("#region_id", region)
    expect(page.locator("#province_id option")).to_have_count(8)  # Choose… and the region's 7
    assert option_count(page, "#commune_id") == 1
    page.select_option("#province_id", province)
    expect(page.locator("#commune_id option")).to_have_count(3)  # Choose…, Rabat, Touarga
    expect(page.locator("[data-places-status]")).not_to_have_text("")
    # A new region empties the lists below it.
    other_region, _, _ = ids(live_app, "MA-TNG", "01.511.01.0")
    page.select_option("#region_id", other_region)
    expect(page.locator("#province_id option")).to_have_count(9)
    assert option_count(page, "#commune_id") == 1
    page.select_option("#region_id", region)
    expect(page.locator("#province_id option")).to_have_count(8)
    page.select_option("#province_id", province)
    expect(page.locator("#commune_id option")).to_have_count(3)
    page.select_option("#commune_id", commune)
    page.check("#declaration")
    # Enter saves: the form's default button is saving, not a region or province step.
    page.press("#address", "Enter")
    page.wait_for_url(f"**/{lang}/account/identity")
    page.wait_for_load_state()
    axe_check(page)
    with live_app.app_context():
        profile = db.session.scalar(
            sa.select(IdentityProfile).where(IdentityProfile.user_id == citizen.id)
        )
        assert str(profile.commune_id) == commune
    assert page.console_errors == []


def test_without_the_script_a_step_per_level(browser, live_app, axe_check, citizen):
    region, province, commune = ids(live_app, "MA-RAB", "04.421.01.07")
    context = browser.new_context(
        base_url=live_app.base_url, locale="fr-MA", java_script_enabled=False
    )
    page = context.new_page()
    try:
        page.goto("/fr/account/login")
        page.fill("#email", citizen.email)
        page.fill("#password", PASSWORD)
        page.click("main form.form button[type=submit]")
        page.wait_for_load_state()
        page.goto("/fr/account/identity")
        fill_identity(page)
        page.select_option("#region_id", region)
        page.get_by_role(
            "button", name="Afficher les préfectures et provinces de cette région"
        ).click()
        page.wait_for_load_state()
        assert option_count(page, "#province_id") == 8
        assert page.input_value("#first_name") == "Karima"
        page.select_option("#province_id", province)
        page.get_by_role(
            "button", name="Afficher les communes de cette préfecture ou province"
        ).click()
        page.wait_for_load_state()
        assert option_count(page, "#commune_id") == 3
        assert page.input_value("#cin") == "ZX998877"
        page.select_option("#commune_id", commune)
        page.check("#declaration")
        page.get_by_role("button", name="Enregistrer mes données d'identité").click()
        page.wait_for_load_state()
        assert page.url.endswith("/fr/account/identity")
        with live_app.app_context():
            profile = db.session.scalar(
                sa.select(IdentityProfile).where(IdentityProfile.user_id == citizen.id)
            )
            assert str(profile.commune_id) == commune
    finally:
        context.close()
