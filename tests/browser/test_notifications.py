"""Notifications in a real browser (issue 16, item 15): the demo citizen signs in after
`flask seed-demo`, sees the unread count in the header, opens her notifications page in Arabic,
French and Amazigh (axe-core on each, on a phone and on a wide screen), marks one as read, opens
one through the platform (it is read then), and marks all as read."""

import pytest

from participation.demo import seed
from participation.demo.accounts import DEMO_DOMAIN
from participation.demo.notifications import UNREAD
from participation.extensions import db
from tests.browser.helpers import sign_in_as
from tests.factories import PASSWORD

COUNT = "header a.notifications-link .notifications-link__count"
UNREAD_ITEMS = "main li.notification--unread"
SCREEN_READER_COUNT = {
    "ar": "(3 إشعارات غير مقروءة)",
    "fr": "(3 non lues)",
    "zgh": "(3 ⵓⵔ ⵜⵜⵓⵖⵔⴰⵏ)",
}


@pytest.fixture
def demo(live_app):
    with live_app.test_request_context():
        seed(password_for=lambda: PASSWORD)
        db.session.commit()


def _fits(page, width):
    assert page.evaluate("document.documentElement.scrollWidth") <= width, page.url


def test_the_demo_citizen_reads_her_notifications(browser, live_app, demo, axe_check):
    context = browser.new_context(
        base_url=live_app.base_url, viewport={"width": 360, "height": 800}
    )
    page = context.new_page()
    citizen = type("Citizen", (), {"email": f"citizen@{DEMO_DOMAIN}"})
    sign_in_as(page, live_app, citizen.email)
    page.goto("/ar/")
    assert "/login" not in page.url
    assert page.locator(COUNT).inner_text() == str(UNREAD)
    for lang in ("ar", "fr", "zgh"):
        page.goto(f"/{lang}/")
        link = page.locator("header a.notifications-link")
        assert SCREEN_READER_COUNT[lang] in link.locator(".visually-hidden").inner_text()
        link.click()
        page.wait_for_url(f"**/{lang}/account/notifications")
        assert page.locator(UNREAD_ITEMS).count() == UNREAD
        assert page.locator("main li.notification").count() > UNREAD  # read ones too
        _fits(page, 360)
        axe_check(page)
        page.set_viewport_size({"width": 1280, "height": 800})
        axe_check(page)
        page.set_viewport_size({"width": 360, "height": 800})

    # Mark one as read: the page comes back with one unread fewer, and so does the header.
    page.locator(UNREAD_ITEMS).first.locator("form button[type=submit]").click()
    page.wait_for_load_state()
    assert page.locator(UNREAD_ITEMS).count() == UNREAD - 1
    assert page.locator(COUNT).inner_text() == str(UNREAD - 1)
    axe_check(page)

    # Open one through the platform: its page, in this language; it is read now.
    page.locator(UNREAD_ITEMS).first.locator(".notification__text a").click()
    page.wait_for_load_state()
    assert "/zgh/" in page.url and "/account/notifications" not in page.url
    assert page.locator(COUNT).inner_text() == str(UNREAD - 2)

    # Mark all as read: no count left.
    page.goto("/zgh/account/notifications")
    page.locator("main form[action$='/notifications/read'] button").click()
    page.wait_for_load_state()
    assert page.locator(UNREAD_ITEMS).count() == 0
    assert page.locator(COUNT).count() == 0
    axe_check(page)
    context.close()
