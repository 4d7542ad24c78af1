"""Real-browser journeys of the foundation, with axe-core on every page visited."""

import re

import pytest
import sqlalchemy as sa

from participation.core.mail import OutboxMessage
from participation.extensions import db

LANG_DIR = {"ar": "rtl", "fr": "ltr", "zgh": "ltr"}


@pytest.mark.parametrize("lang", ["ar", "fr", "zgh"])
def test_home_page_in_each_language(page, axe_check, lang):
    response = page.goto(f"/{lang}/")
    assert response.status == 200
    html = page.locator("html")
    assert html.get_attribute("lang") == lang
    assert html.get_attribute("dir") == LANG_DIR[lang]
    if lang == "zgh":
        assert re.search("[\u2d30-\u2d7f]", page.locator("h1").inner_text())
    axe_check(page)
    assert page.console_errors == []


def test_language_switcher_keeps_the_page(page, axe_check):
    page.goto("/fr/account/login")
    page.get_by_role("navigation", name=re.compile(".")).first.get_by_role(
        "link", name="العربية"
    ).click()
    assert page.url.endswith("/ar/account/login")
    assert page.locator("html").get_attribute("dir") == "rtl"
    axe_check(page)


def test_no_horizontal_scroll_at_320_pixels(page):
    page.set_viewport_size({"width": 320, "height": 640})
    for path in ("/ar/", "/fr/account/register", "/zgh/account/login"):
        page.goto(path)
        assert page.evaluate("document.documentElement.scrollWidth <= window.innerWidth"), path


def _latest_link(app, kind):
    with app.app_context():
        body = db.session.scalars(
            sa.select(OutboxMessage.body_text).order_by(OutboxMessage.id.desc())
        ).first()
    match = re.search(rf"https?://\S+/account/{kind}/\S+", body)
    assert match, body
    return re.sub(r"^https?://[^/]+", "", match.group(0))


@pytest.mark.parametrize("lang", ["ar", "fr"])
def test_register_verify_login_journey(page, live_app, axe_check, lang):
    page.goto(f"/{lang}/account/register")
    axe_check(page)
    page.fill("#email", f"journey-{lang}@example.org")
    page.fill("#display_name", "Zineb Alaoui")
    page.fill("#password", "a long enough secret")
    page.fill("#password_confirm", "a long enough secret")
    page.click("form.form button[type=submit]")
    page.wait_for_load_state()
    assert f"journey-{lang}@example.org" in page.content()
    axe_check(page)

    page.goto(_latest_link(live_app, "verify"))
    axe_check(page)
    page.click("form.form button[type=submit]")
    page.wait_for_load_state()
    assert page.url.endswith(f"/{lang}/account/login")
    axe_check(page)

    page.fill("#email", f"journey-{lang}@example.org")
    page.fill("#password", "a long enough secret")
    page.click("form.form button[type=submit]")
    page.wait_for_load_state()
    assert page.url.endswith(f"/{lang}/account/")
    assert "Zineb Alaoui" in page.content()
    axe_check(page)


def test_form_errors_are_announced_and_accessible(page, axe_check):
    page.goto("/zgh/account/register")
    page.fill("#email", "not an address")
    page.click("form.form button[type=submit]")
    page.wait_for_load_state()
    assert page.locator(".error-summary").count() == 1
    assert page.locator("#email").get_attribute("aria-invalid") == "true"
    axe_check(page)
