"""Steps the browser journeys share: signing in, submitting a form."""

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
