"""The OGP commitments tracker in a real browser: the public list and a commitment page in each
language, commitment 15 with the platform's live numbers, and an observer adding a progress note;
axe-core on every page visited."""

from datetime import date

import sqlalchemy as sa

from participation.auth.models import Role
from participation.extensions import db
from participation.ogp import services
from participation.ogp.models import ProgressNote
from participation.ogp.queries import get_commitment
from tests.browser.helpers import sign_in_as
from tests.factories import make_user


def test_public_commitment_pages_and_an_observer_adding_a_note(browser, live_app, axe_check):
    with live_app.app_context():
        services.load_commitments()
        observer = make_user(
            roles=[Role.OBSERVER], display_name="Hassan Observateur", language="fr"
        )
        commitment = get_commitment(4)
        services.add_milestone(
            observer,
            commitment,
            title={"ar": "نشر البيانات", "fr": "Publication des données", "zgh": "ⴰⵙⵙⵓⴼⵖ ⵏ ⵉⵙⴼⴽⴰ"},
            due_on=date(2019, 6, 30),
        )
        services.add_evidence_link(
            observer,
            commitment,
            url="https://data.gov.ma/",
            label={"fr": "Portail des données ouvertes"},
        )
        db.session.commit()
        observer_email = observer.email
        titles = {lang: commitment.title[lang] for lang in ("ar", "fr", "zgh")}

    context = browser.new_context(base_url=live_app.base_url)
    page = context.new_page()
    for lang in ("ar", "fr", "zgh"):
        page.goto(f"/{lang}/commitments/")
        axe_check(page)
        assert page.locator("main table tbody tr").count() == 18
        page.click(f"a[href='/{lang}/commitments/4']")
        page.wait_for_load_state()
        assert titles[lang] in page.locator("h1").inner_text()
        axe_check(page)
        page.goto(f"/{lang}/commitments/15")
        assert page.locator("#platform-heading").count() == 1
        axe_check(page)

    sign_in_as(page, live_app, observer_email)
    page.goto("/fr/commitments/4")
    page.click("a[href='/fr/commitments/4/manage']")
    page.wait_for_load_state()
    axe_check(page)

    # An empty note is refused with a translated message, then a real one is added.
    page.locator("form[action$='/notes'] button[type=submit]").click()
    page.wait_for_load_state()
    assert (
        "Rédigez la note dans au moins une langue." in page.locator(".error-summary").inner_text()
    )
    axe_check(page)
    page.fill("#note-text_fr", "Le portail data.gov.ma publie ses premiers jeux de données.")
    page.fill("#note-noted_on", "2019-07-01")
    page.locator("form[action$='/notes'] button[type=submit]").click()
    page.wait_for_load_state()
    assert "La note d'avancement est ajoutée." in page.locator(".flashes").inner_text()
    axe_check(page)
    page.goto("/zgh/commitments/4")
    assert (
        "Le portail data.gov.ma publie ses premiers jeux de données."
        in page.locator("#notes-heading + ol").inner_text()
    )
    axe_check(page)
    context.close()

    with live_app.app_context():
        note = db.session.scalar(sa.select(ProgressNote))
        assert note.body == {"fr": "Le portail data.gov.ma publie ses premiers jeux de données."}
        assert note.noted_on == date(2019, 7, 1)
