"""Steps the browser tests share: signing in (through the form, or directly), submitting a form."""

import sqlalchemy as sa

from participation.auth.models import User
from participation.extensions import db
from tests.conftest import signed_in_client
from tests.factories import PASSWORD


def sign_in(page, axe_check, lang, user):
    page.goto(f"/{lang}/account/login")
    axe_check(page)
    page.fill("#email", user.email)
    page.fill("#password", PASSWORD)
    page.click("main form.form button[type=submit]")
    page.wait_for_load_state()


def submit(page, form_selector):
    page.locator(form_selector).locator("button[type=submit]").first.click()
    page.wait_for_load_state()


def sign_in_as(target, app, email):
    """Make the tabs of `target` (a page or a browser context) act as the account `email`, by
    giving them the session cookie a sign-in leaves (tests/conftest.Login) without the sign-in
    form: for the tests that are not about signing in. The form, in each language, is the subject
    of test_foundation_journeys.py and the first step of each journey (sign_in above)."""
    with app.app_context():
        user = db.session.scalar(sa.select(User).where(User.email == email))
        assert user is not None, email
        client = signed_in_client(app, user)
        db.session.remove()
    name = app.config["SESSION_COOKIE_NAME"]
    context = getattr(target, "context", target)
    context.add_cookies(
        [{"name": name, "value": client.get_cookie(name).value, "url": app.base_url}]
    )
