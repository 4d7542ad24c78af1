"""An officer creates and opens a consultation; a citizen comments on a section in Arabic and
replies in French; the officer answers and later publishes the outcome report. axe-core runs on
every page visited."""

from datetime import timedelta

import sqlalchemy as sa

from participation.auth.models import Role
from participation.comments.models import Comment
from participation.consultations.models import Consultation
from participation.core.models import utcnow
from participation.core.timezones import utc_to_local_naive
from participation.extensions import db
from tests.browser.helpers import sign_in, sign_in_as, submit
from tests.factories import make_institution, make_user

DRAFT = """Exposé des motifs : le texte organise l'accès aux données publiques.
Article 1
Les administrations publient leurs données dans un format ouvert.
Article 2
Les données personnelles sont exclues."""


def test_consultation_journey(browser, live_app, axe_check):
    with live_app.app_context():
        institution = make_institution(
            name={"fr": "Ministère de la Transition numérique", "ar": "وزارة الانتقال الرقمي"}
        )
        officer = make_user(
            roles=[Role.OFFICER], institution=institution, display_name="Agent Officiel"
        )
        citizen = make_user(display_name="Salma Citoyenne", language="ar")
        officer_email, citizen_email = officer.email, citizen.email
    officer_ctx = browser.new_context(base_url=live_app.base_url)
    officer_page = officer_ctx.new_page()
    sign_in(officer_page, axe_check, "fr", type("U", (), {"email": officer_email}))

    # The officer drafts, splits the text into sections and publishes; it opens at once.
    officer_page.goto("/fr/institution/consultations/new")
    axe_check(officer_page)
    now_local = utc_to_local_naive(utcnow())
    officer_page.fill("#title_fr", "Projet de loi sur les données ouvertes")
    officer_page.fill("#title_ar", "مشروع قانون البيانات المفتوحة")
    officer_page.fill("#summary_fr", "Ouvrir les données publiques à tous.")
    officer_page.fill("#opens_at", (now_local - timedelta(hours=1)).strftime("%Y-%m-%dT%H:%M"))
    officer_page.fill("#closes_at", (now_local + timedelta(days=10)).strftime("%Y-%m-%dT%H:%M"))
    officer_page.select_option("#moderation_mode", "post")
    # Enter saves the draft: the form's default button is saving, not the scope's region step
    # (a submit button too, placed before "Save the draft").
    officer_page.press("#title_fr", "Enter")
    officer_page.wait_for_load_state()
    axe_check(officer_page)
    officer_page.select_option("#import-language", "fr")
    officer_page.fill("#import-text", DRAFT)
    submit(officer_page, "form[action*='/sections/import']")
    axe_check(officer_page)
    submit(officer_page, "form[action$='/schedule']")
    axe_check(officer_page)
    with live_app.app_context():
        consultation = db.session.scalar(sa.select(Consultation))
        assert consultation.state == "open"
        assert len(consultation.sections) == 3
        consultation_id, slug = consultation.id, consultation.slug
        section_id = consultation.sections[1].id
    section_path = f"/consultations/{consultation_id}-{slug}/sections/{section_id}"

    # A citizen reads it in Arabic, comments on a section, then replies in French.
    citizen_ctx = browser.new_context(base_url=live_app.base_url, locale="ar-MA")
    citizen_page = citizen_ctx.new_page()
    sign_in_as(citizen_page, live_app, citizen_email)
    citizen_page.goto(f"/ar/consultations/{consultation_id}-{slug}")
    axe_check(citizen_page)
    citizen_page.goto(f"/ar{section_path}")
    axe_check(citizen_page)
    citizen_page.locator("form[action*='/comments/section/'] textarea").fill(
        "أقترح نشر البيانات **بصيغة مفتوحة** ومجانية."
    )
    citizen_page.locator("form[action*='/comments/section/'] select").select_option("agree")
    submit(citizen_page, "form[action*='/comments/section/']")
    axe_check(citizen_page)
    assert "بصيغة مفتوحة" in citizen_page.content()
    with live_app.app_context():
        first = db.session.scalar(sa.select(Comment).order_by(Comment.id))
        first_id = first.id
        assert first.stance == "agree"
        assert "<strong>" in first.body_html
    citizen_page.goto(f"/fr{section_path}")
    reply_box = citizen_page.locator(
        f"#comment-{first_id} details:has(form[action$='/reply'])"
    ).first
    reply_box.locator("summary").click()
    reply_box.locator("textarea").fill("J'ajoute : les formats doivent être documentés.")
    submit(citizen_page, f"#comment-{first_id} form[action$='/reply']")
    axe_check(citizen_page)
    assert "les formats doivent être documentés" in citizen_page.content()

    # The officer answers officially.
    officer_page.goto(f"/fr{section_path}")
    axe_check(officer_page)
    answer_box = officer_page.locator(
        f"#comment-{first_id} details:has(form[action$='/reply'])"
    ).first
    answer_box.locator("summary").click()
    answer_box.locator("textarea").fill("Merci, l'article 2 précisera les formats ouverts.")
    submit(officer_page, f"#comment-{first_id} form[action$='/reply']")
    axe_check(officer_page)
    with live_app.app_context():
        official = db.session.scalar(sa.select(Comment).where(Comment.is_official))
        assert official is not None
        assert official.parent_id == first_id

    # Later: the consultation has closed; the officer publishes the outcome report.
    with live_app.app_context():
        consultation = db.session.get(Consultation, consultation_id)
        consultation.opens_at = utcnow() - timedelta(days=20)
        consultation.closes_at = utcnow() - timedelta(days=1)
        db.session.commit()
        sections = [s.id for s in consultation.sections]
    officer_page.goto(f"/fr/institution/consultations/{consultation_id}/outcome")
    axe_check(officer_page)
    officer_page.fill("#summary_fr", "Nous avons retenu la publication en format ouvert.")
    for number, sid in enumerate(sections):
        officer_page.select_option(f"#decision_{sid}", "accepted" if number else "partly_accepted")
        officer_page.fill(f"#reasons_{sid}_fr", "Proposition retenue.")
    officer_page.check("#publish")
    submit(officer_page, "main form.form--wide")
    axe_check(officer_page)
    with live_app.app_context():
        assert db.session.get(Consultation, consultation_id).state == "outcome_published"

    citizen_page.goto(f"/ar/consultations/{consultation_id}-{slug}")
    axe_check(citizen_page)
    assert "Nous avons retenu la publication en format ouvert." in citizen_page.content()
    citizen_page.goto("/fr/consultations/?state=outcome_published")
    axe_check(citizen_page)
    officer_ctx.close()
    citizen_ctx.close()


def test_listing_and_search_pages_are_accessible(page, live_app, axe_check):
    from tests.factories import make_consultation

    with live_app.app_context():
        make_consultation(
            state="open",
            title={"ar": "إصلاح المدرسة العمومية", "fr": "Réforme de l'école publique"},
        )
    for path in (
        "/ar/consultations/",
        "/zgh/consultations/?q=ecole",
        "/fr/consultations/?q=%D8%A7%D9%84%D9%85%D8%AF%D8%B1%D8%B3%D9%87",
    ):
        page.goto(path)
        axe_check(page)
    assert "Réforme de l'école publique" in page.content()
