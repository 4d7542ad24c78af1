"""The platform-wide search in a real browser (issue 16, item 16): typed into the header's box in
each language, on a phone and on a wide screen, the results grouped by kind; the header keeps its
width on a phone; axe-core on every page."""

import pytest

from participation.extensions import db
from participation.institutions.services import load_territories
from participation.ogp.services import load_commitments
from tests.factories import make_consultation
from tests.petition_world import open_petition, set_up_world

QUERIES = {"ar": "الشفافيه", "fr": "transparence", "zgh": "ⵜⴼⵔⵓⵔⵉ"}
TITLES = {
    "ar": "الشفافية في الصفقات العمومية",
    "fr": "La transparence des marchés publics",
    "zgh": "ⵜⴼⵔⵓⵔⵉ ⵏ ⵜⵙⵖⴰⵡⵙⵉⵡⵉⵏ ⵜⵉⴳⴷⵓⴷⴰⵏⵉⵏ",
}


@pytest.fixture
def site(live_app):
    with live_app.test_request_context():
        load_territories()
        set_up_world()
        load_commitments()
        make_consultation(title=TITLES, state="open")
        open_petition(title={"fr": "Pour la transparence des budgets communaux"})
        db.session.commit()


@pytest.mark.parametrize("width", [360, 1280])
def test_search_from_the_header_box(browser, live_app, site, axe_check, width):
    context = browser.new_context(
        base_url=live_app.base_url, viewport={"width": width, "height": 800}
    )
    page = context.new_page()
    for lang in ("ar", "fr", "zgh"):
        page.goto(f"/{lang}/")
        # The header's box does not widen the page on a phone (RTL included).
        assert page.evaluate("document.documentElement.scrollWidth") <= width
        box = page.locator("header form.site-search input[name=q]")
        assert box.is_visible()
        box.fill(QUERIES[lang])
        box.press("Enter")
        page.wait_for_url(f"**/{lang}/search?q=*")
        assert page.evaluate("document.documentElement.scrollWidth") <= width
        consultations = page.locator("#results-consultations + ul")
        assert TITLES[lang] in consultations.inner_text()
        groups = page.locator("main section.search-group h2").evaluate_all(
            "headings => headings.map(h => h.id.replace('results-', ''))"
        )
        assert groups == ["consultations", "petitions", "commitments"]  # with their counts
        axe_check(page)
    # No result: a translated message; then the page's own form searches again.
    page.fill("#search-q", "ⵣⵣⵣⵣ")
    page.click("main form button[type=submit]")
    page.wait_for_load_state()
    assert "ⵓⵔ ⵉⵍⵍⵉ ⴽⵔⴰ ⵏ ⵓⵏⵛⵔ" in page.locator("main").inner_text()
    axe_check(page)
    context.close()
