"""Petition pages in a real browser: listing, an open petition, signing with consent; axe-core on
every page."""

import sqlalchemy as sa

from participation.extensions import db
from participation.petitions import queries
from participation.petitions.models import Petition
from tests.factories import PASSWORD


def test_sign_a_petition(browser, live_app, axe_check):
    from participation.institutions.services import load_territories
    from tests.petition_world import citizen, open_petition

    with live_app.test_request_context():  # e-mails need absolute links
        from participation.institutions.models import InstitutionKind
        from participation.petitions.rules import load_petition_kinds
        from tests.factories import make_institution

        load_territories()
        make_institution(
            kind=InstitutionKind.HEAD_OF_GOVERNMENT,
            name={"fr": "Chef du gouvernement", "ar": "رئيس الحكومة"},
        )
        load_petition_kinds()
        db.session.commit()
        petition, *_ = open_petition()
        signer = citizen(language="ar")
        petition_id, slug, email = petition.id, petition.slug, signer.email
    context = browser.new_context(base_url=live_app.base_url)
    page = context.new_page()
    for path in ("/ar/petitions/", "/zgh/petitions/", f"/fr/petitions/{petition_id}-{slug}"):
        page.goto(path)
        axe_check(page)
    page.goto("/ar/account/login")
    page.fill("#email", email)
    page.fill("#password", PASSWORD)
    page.click("main form.form button[type=submit]")
    page.wait_for_load_state()
    page.goto(f"/ar/petitions/{petition_id}-{slug}")
    axe_check(page)
    page.check("#consent")
    page.click("form[action$='/sign'] button[type=submit]")
    page.wait_for_load_state()
    axe_check(page)
    with live_app.app_context():
        assert queries.count_signatures(petition_id) == 1
        assert (
            db.session.scalar(sa.select(Petition.state).where(Petition.id == petition_id)) == "open"
        )
    context.close()
