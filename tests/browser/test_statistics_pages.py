"""The observatory and the public statistics page in a real browser: an observer filters the
dashboard by region and downloads a CSV; the public page in each language; axe-core on every
page visited."""

from pathlib import Path


from participation.auth.models import Role
from participation.extensions import db
from participation.institutions.models import Region
from participation.stats.aggregates import refresh_statistics
from tests.browser.helpers import sign_in_as, submit
from tests.factories import make_user


def _data(live_app):
    from participation.institutions.models import InstitutionKind
    from participation.institutions.services import load_territories
    from participation.petitions.rules import load_petition_kinds
    from tests.factories import make_institution
    from tests.petition_world import deposited

    with live_app.test_request_context():  # e-mails need absolute links
        load_territories()
        make_institution(
            kind=InstitutionKind.HEAD_OF_GOVERNMENT,
            name={"fr": "Chef du gouvernement", "ar": "رئيس الحكومة"},
        )
        load_petition_kinds()
        db.session.commit()
        _petition, people = deposited(signers=6)
        refresh_statistics()
        db.session.commit()
        region = db.session.get(Region, people[0].identity.region_id)
        observer = make_user(display_name="Observatrice", language="fr", roles=[Role.OBSERVER])
        return region.id, region.display_name("fr"), type("Account", (), {"email": observer.email})


def test_observer_filters_by_region_and_downloads_a_csv(browser, live_app, axe_check):
    region_id, region_name, observer = _data(live_app)
    context = browser.new_context(base_url=live_app.base_url, locale="fr-MA", accept_downloads=True)
    page = context.new_page()
    sign_in_as(page, live_app, observer.email)
    page.goto("/fr/")
    page.click("a[href='/fr/observatory/']")
    page.wait_for_load_state()
    axe_check(page)
    page.select_option("#region", str(region_id))
    submit(page, "form.filters")
    assert f"region={region_id}" in page.url
    axe_check(page)
    table = page.locator("#participation-by-region")
    assert table.locator("tbody tr").count() == 1
    assert region_name in table.locator("tbody th").inner_text()
    with page.expect_download() as download_info:
        page.click("a[href^='/fr/observatory/participation-by-region.csv']")
    download = download_info.value
    text = Path(download.path()).read_text(encoding="utf-8-sig")
    lines = text.strip().splitlines()
    assert len(lines) == 2
    assert lines[1].startswith(region_name)
    assert ",6," in lines[1]
    page.goto("/fr/observatory/?start=2026-13")
    assert page.locator(".field__error").count() == 1
    axe_check(page)
    context.close()


def test_public_statistics_page_in_each_language(browser, live_app, axe_check):
    _data(live_app)
    context = browser.new_context(base_url=live_app.base_url)
    page = context.new_page()
    for lang in ("ar", "fr", "zgh"):
        page.goto(f"/{lang}/")
        page.click(f"footer a[href='/{lang}/stats']")
        page.wait_for_load_state()
        assert page.locator("#headline tbody tr").count() == 11
        assert page.locator("svg[role=img]").count() >= 3
        axe_check(page)
    page.set_viewport_size({"width": 320, "height": 800})
    page.goto("/ar/stats")
    assert page.evaluate(
        "document.documentElement.scrollWidth <= document.documentElement.clientWidth"
    )
    context.close()
