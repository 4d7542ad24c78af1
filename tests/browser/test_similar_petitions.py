"""Search before you start in a real browser: static/js/similar.js lists the public petitions
with similar titles while a drafter types (the step hidden), and without script the step brings
the same list back; axe-core on the drafting page in ar, fr and zgh."""

from types import SimpleNamespace

import pytest
from playwright.sync_api import expect

from participation.extensions import db
from tests.browser.helpers import sign_in_as


@pytest.fixture
def drafting(live_app):
    from participation.institutions.models import InstitutionKind
    from participation.institutions.services import load_territories
    from participation.petitions.rules import load_petition_kinds
    from tests.factories import make_institution
    from tests.petition_world import citizen, open_petition

    with live_app.test_request_context():  # e-mails need absolute links
        load_territories()
        make_institution(
            kind=InstitutionKind.HEAD_OF_GOVERNMENT,
            name={"fr": "Chef du gouvernement", "ar": "رئيس الحكومة"},
        )
        load_petition_kinds()
        db.session.commit()
        petition, *_ = open_petition(
            title={
                "fr": "Pour des bibliothèques ouvertes le soir",
                "ar": "من أجل مكتبات مفتوحة ليلا",
            }
        )
        open_petition(title={"fr": "Des pistes cyclables sécurisées"})
        drafter = citizen()
        db.session.commit()
        return SimpleNamespace(
            id=drafter.id, email=drafter.email, petition_id=petition.id, slug=petition.slug
        )


@pytest.mark.parametrize("lang", ["ar", "fr", "zgh"])
def test_similar_petitions_appear_while_typing(page, live_app, axe_check, drafting, lang):
    sign_in_as(page, live_app, drafting.email)
    page.goto(f"/{lang}/petitions/new")
    assert page.locator("[data-similar-step]").is_hidden()
    axe_check(page)
    results = page.locator("[data-similar-results]")
    page.fill("#title_ar", "مكتبات مفتوحة")
    link = results.locator(f"a[href*='/petitions/{drafting.petition_id}-']")
    expect(link).to_have_count(1)
    expect(results.locator("h2")).to_have_count(1)
    expect(results.locator("li")).to_have_count(1)
    axe_check(page)
    page.fill("#title_ar", "")
    page.fill("#title_fr", "Zzzz qqqq inconnu")
    expect(results.locator("li")).to_have_count(0)
    expect(results.locator("p")).to_have_count(1)
    assert page.console_errors == []


def test_without_script_the_step_brings_the_list(browser, live_app, drafting):
    context = browser.new_context(base_url=live_app.base_url, java_script_enabled=False)
    page = context.new_page()
    sign_in_as(page, live_app, drafting.email)
    page.goto("/fr/petitions/new")
    page.fill("#title_fr", "Bibliothèques ouvertes la nuit")
    page.click("[data-similar-step] button[name=step]")
    page.wait_for_load_state()
    results = page.locator("[data-similar-results]")
    expect(results.locator(f"a[href*='/petitions/{drafting.petition_id}-']")).to_have_count(1)
    assert page.input_value("#title_fr") == "Bibliothèques ouvertes la nuit"
    context.close()
