"""The whole life of a petition in a real browser, each person in their own browser context: a
citizen drafts it, four people accept the committee invitations they got by e-mail, the initiator
names the agent and submits, a moderator publishes, citizens sign, the agent deposits, and the
addressee's officer records receipt, decision and final answer, which the public page then shows.
axe-core checks every page on the way."""

import re

import sqlalchemy as sa

from participation.core.mail import OutboxMessage
from participation.extensions import db
from participation.core.timezones import morocco_date
from participation.petitions.models import Petition, PetitionKind
from tests.browser.helpers import sign_in_as
from tests.factories import PASSWORD


def _sign_in(browser, live_app, email, form=False):
    """A browser context signed in as `email`: through the sign-in form (`form`), or directly."""
    context = browser.new_context(base_url=live_app.base_url)
    page = context.new_page()
    if form:
        page.goto("/fr/account/login")
        page.fill("#email", email)
        page.fill("#password", PASSWORD)
        page.click("main form.form button[type=submit]")
        page.wait_for_load_state()
        assert "/login" not in page.url
    else:
        sign_in_as(page, live_app, email)
    return context, page


def _submit(page, selector="main form.form button[type=submit]:visible"):
    # :visible: a form with step buttons (region → province → commune) starts with a hidden copy
    # of its save button, the default for Enter; a person clicks the visible one.
    page.click(selector)
    page.wait_for_load_state()


def _invitation_path(live_app, email):
    with live_app.app_context():
        body = db.session.scalar(
            sa.select(OutboxMessage.body_text).where(
                OutboxMessage.to_address == email, OutboxMessage.template == "petition_invitation"
            )
        )
    return re.search(r"(/\w+/petitions/invitation/[\w\-]+)", body).group(1)


def test_a_petition_from_draft_to_answer(browser, live_app, axe_check):
    from participation.auth.models import Role
    from participation.institutions.models import InstitutionKind
    from participation.institutions.services import load_territories
    from participation.petitions.rules import load_petition_kinds
    from tests.factories import make_institution, make_user
    from tests.petition_world import citizen, provinces_of_regions

    with live_app.test_request_context():
        load_territories()
        hog = make_institution(
            kind=InstitutionKind.HEAD_OF_GOVERNMENT,
            name={"fr": "Chef du gouvernement", "ar": "رئيس الحكومة"},
        )
        load_petition_kinds()
        provinces = provinces_of_regions(2)
        initiator = citizen(province=provinces[0])
        members = [citizen(province=provinces[i % 2]) for i in range(4)]
        signers = [citizen(province=provinces[i % 2], language="ar") for i in range(2)]
        moderator = make_user(roles=[Role.MODERATOR])
        officer = make_user(roles=[Role.OFFICER], institution=hog, language="ar")
        db.session.commit()
        kind_id = db.session.scalar(
            sa.select(PetitionKind.id).where(PetitionKind.key == "petition_head_of_government")
        )
        emails = {
            "initiator": initiator.email,
            "members": [m.email for m in members],
            "signers": [s.email for s in signers],
            "moderator": moderator.email,
            "officer": officer.email,
        }

    # The initiator drafts the petition and invites the committee.
    context, page = _sign_in(browser, live_app, emails["initiator"], form=True)
    page.goto("/fr/petitions/new")
    axe_check(page)
    page.select_option("#kind_id", str(kind_id))
    page.fill("#title_fr", "Des bibliothèques ouvertes le soir")
    page.fill("#title_ar", "مكتبات مفتوحة في المساء")
    page.fill("#demands_fr", "Ouvrir les bibliothèques publiques jusqu'à 21 heures.")
    page.fill(
        "#memorandum_fr", "Étudiants et salariés ont besoin de lieux de lecture après le travail."
    )
    _submit(page)
    axe_check(page)
    for email in emails["members"]:
        page.fill("#invite-email", email)
        page.click("form:has(input[value=invite]) button[type=submit]")
        page.wait_for_load_state()
    axe_check(page)
    committee_url = page.url

    # Each member accepts with their own account.
    for email in emails["members"]:
        member_context, member_page = _sign_in(browser, live_app, email)
        member_page.goto(_invitation_path(live_app, email))
        axe_check(member_page)
        _submit(member_page, "main form button[type=submit]")
        member_context.close()

    # The initiator names the agent (themself) and a deputy, then submits for review.
    page.goto(committee_url)
    page.select_option("#roles-agent_id", index=1)
    page.select_option("#roles-deputy_id", index=2)
    page.click("form:has(input[value=roles]) button[type=submit]")
    page.wait_for_load_state()
    page.click("form:has(input[value=submit]) button[type=submit]")
    page.wait_for_load_state()
    axe_check(page)
    with live_app.app_context():
        petition = db.session.scalar(sa.select(Petition))
        assert petition.state == "submitted", petition.state
        petition_id, slug = petition.id, petition.slug

    # A moderator ticks the checklist and publishes.
    moderator_context, moderator_page = _sign_in(browser, live_app, emails["moderator"])
    moderator_page.goto(f"/fr/petitions/{petition_id}/review")
    axe_check(moderator_page)
    for box in moderator_page.locator("input[name=checked]").all():
        box.check()
    moderator_page.select_option("#decision", "publish")
    _submit(moderator_page)
    moderator_context.close()
    with live_app.app_context():
        petition = db.session.get(Petition, petition_id)
        assert petition.state == "open"
        petition.signatures_required = (
            2  # the real threshold is 4,000: two signers stand for them here
        )
        db.session.commit()

    # Citizens sign in Arabic.
    for email in emails["signers"]:
        signer_context, signer_page = _sign_in(browser, live_app, email)
        signer_page.goto(f"/ar/petitions/{petition_id}-{slug}")
        signer_page.check("#consent")
        signer_page.click("form[action$='/sign'] button[type=submit]")
        signer_page.wait_for_load_state()
        axe_check(signer_page)
        signer_context.close()

    # The agent deposits it.
    page.goto(f"/fr/petitions/{petition_id}-{slug}")
    page.click("form[action$='/deposit'] button[type=submit]")
    page.wait_for_load_state()
    axe_check(page)

    # The officer of the Head of Government records receipt, decision and answer, in Arabic.
    officer_context, officer_page = _sign_in(browser, live_app, emails["officer"])
    officer_page.goto("/ar/institution/petitions/")
    axe_check(officer_page)
    officer_page.click(f"a[href='/ar/institution/petitions/{petition_id}']")
    officer_page.wait_for_load_state()
    axe_check(officer_page)
    for kind, extra in (("receipt", {}), ("decision", {"#admissible": "yes"}), ("answer", {})):
        officer_page.select_option("#kind", kind)
        officer_page.fill("#occurred_on", morocco_date().isoformat())
        for selector, value in extra.items():
            officer_page.select_option(selector, value)
        officer_page.fill(
            "#text_ar",
            {
                "receipt": "توصل بها مكتب الضبط.",
                "decision": "العريضة مقبولة.",
                "answer": "ستفتح المكتبات حتى التاسعة ليلا.",
            }[kind],
        )
        if kind == "answer":
            officer_page.fill("#measures_ar", "تعيين أعوان إضافيين ابتداء من يناير.")
        _submit(officer_page, "form:has(#kind) button[type=submit]")
        axe_check(officer_page)
    officer_context.close()

    # The public page shows the answer and the timeline.
    page.goto(f"/fr/petitions/{petition_id}-{slug}")
    axe_check(page)
    timeline = page.locator("#timeline-heading").locator("xpath=..").inner_text()
    assert "ستفتح المكتبات حتى التاسعة ليلا." in timeline
    assert "تعيين أعوان إضافيين" in timeline
    context.close()
    with live_app.app_context():
        assert db.session.get(Petition, petition_id).state == "answered"
