"""The officer's consultation steps in a browser (issue 16, items 4-6): a second language's draft
fills the sections with a report of what did not match, an extension and an early closing with
their public reasons, and the outcome report with what was heard. axe-core runs on each page, in
Arabic, French and Amazigh, at 360 and 1280 px; none may scroll sideways. SHOTS=<directory> keeps
screenshots of them to look at."""

import os
from datetime import timedelta
from pathlib import Path

import pytest

from participation.auth.models import Role
from participation.consultations import services
from participation.consultations.models import Consultation, OutcomeReport, SectionOutcome
from participation.core.models import utcnow
from participation.core.timezones import utc_to_local_naive
from participation.extensions import db
from tests.browser.helpers import sign_in_as, submit
from tests.factories import make_consultation, make_institution, make_user

ARABIC = """تقديم.
المادة 1
تنشر الإدارات معطياتها بصيغة مفتوحة.
المادة 2
تُستثنى المعطيات الشخصية.
المادة 3
يدخل هذا القانون حيز التنفيذ فور نشره."""
FRENCH_WITHOUT_ARTICLE_2 = """Présentation.
Article 1
Les administrations publient leurs données dans un format ouvert.
Article 3
La présente loi entre en vigueur dès sa publication.
Article 4
Un article que le texte arabe n'a pas."""
WIDTHS = (360, 1280)
LANGUAGES = ("ar", "fr", "zgh")


def _look(page, axe_check, name, focus):
    """axe-clean, no sideways scroll, at each width; screenshots of the part at `focus` kept when
    SHOTS is set."""
    for width in WIDTHS:
        page.set_viewport_size({"width": width, "height": 900})
        axe_check(page)
        overflow = page.evaluate(
            "() => document.documentElement.scrollWidth - document.documentElement.clientWidth"
        )
        assert overflow <= 0, f"{page.url} scrolls sideways by {overflow} px at {width} px"
        if os.environ.get("SHOTS"):
            Path(os.environ["SHOTS"]).mkdir(parents=True, exist_ok=True)
            page.locator(focus).first.scroll_into_view_if_needed()
            page.screenshot(path=f"{os.environ['SHOTS']}/{name}-{width}.png")


class Account:
    def __init__(self, email):
        self.email = email


@pytest.mark.parametrize("lang", LANGUAGES)
def test_officer_steps_and_public_pages(browser, live_app, axe_check, lang):
    with live_app.app_context():
        institution = make_institution(
            name={"fr": "Ministère de la Transition numérique", "ar": "وزارة الانتقال الرقمي"}
        )
        officer = make_user(roles=[Role.OFFICER], institution=institution, language=lang)
        draft = make_consultation(institution=institution, sections=0)
        services.import_sections(
            officer, draft, text=ARABIC, language="ar", preamble_heading="الديباجة"
        )
        db.session.commit()
        officer_account, draft_id = Account(officer.email), draft.id
    context = browser.new_context(base_url=live_app.base_url)
    page = context.new_page()
    sign_in_as(page, live_app, officer_account.email)
    manage = f"/{lang}/institution/consultations/{draft_id}"

    # Item 4: the French text fills the Arabic sections; the report says what did not match.
    page.goto(manage)
    page.select_option("#import-language", "fr")
    page.fill("#import-text", FRENCH_WITHOUT_ARTICLE_2)
    submit(page, "form[action*='/sections/import']")
    report = page.locator("#import-report")
    assert report.is_visible()
    assert (
        report.locator("li").count() == 2
    )  # article 2 without French, article 4 without a section
    assert page.input_value("#import-text") == FRENCH_WITHOUT_ARTICLE_2
    _look(page, axe_check, f"{lang}-import-report", "#import-report")

    # Item 5: open it; extend it, then close it early, each with a public reason.
    with live_app.app_context():
        consultation = db.session.get(Consultation, draft_id)
        consultation.state = "open"
        consultation.opens_at = utcnow() - timedelta(days=3)
        consultation.closes_at = utcnow() + timedelta(days=5)
        db.session.commit()
        slug = consultation.slug
    page.goto(manage)
    page.locator("details.lifecycle-step summary").first.click()
    _look(page, axe_check, f"{lang}-manage-open", "#lifecycle-heading")
    new_date = utc_to_local_naive(utcnow() + timedelta(days=20)).strftime("%Y-%m-%dT%H:%M")
    page.fill("#extend-closes_at", new_date)
    page.fill("#extend-reason_fr", "À la demande de plusieurs associations.")
    page.fill("#extend-reason_ar", "بطلب من عدة جمعيات.")
    submit(page, "form[action$='/extend']")
    page.locator("details.lifecycle-step summary").last.click()
    submit(page, "form[action$='/close']")  # no reason: refused, the form open again
    assert page.locator("#close-reason_ar-error").is_visible()
    _look(page, axe_check, f"{lang}-close-refused", "details[open]")
    page.fill("#close-reason_fr", "Le texte est retiré de l'ordre du jour du Conseil.")
    submit(page, "form[action$='/close']")
    with live_app.app_context():
        consultation = db.session.get(Consultation, draft_id)
        assert consultation.state == "closed"
        assert [c.kind for c in consultation.closing_changes] == ["extended", "closed_early"]

    page.goto(f"/{lang}/consultations/{draft_id}-{slug}")
    history = page.locator("#closing-changes-heading")
    assert history.is_visible()
    _look(page, axe_check, f"{lang}-public-closed-early", "h1")

    # Item 6: the outcome report shows what was heard.
    with live_app.app_context():
        consultation = db.session.get(Consultation, draft_id)
        report = OutcomeReport(
            consultation_id=consultation.id,
            summary={
                "fr": "Nous avons retenu l'essentiel des propositions.",
                "ar": "أخذنا بمعظم المقترحات.",
            },
            published_at=utcnow(),
        )
        report.sections = [
            SectionOutcome(
                section_id=section.id,
                decision="partly_accepted",
                heard={
                    "ar": "طالب عدد من المشاركين بتوضيح مفهوم المعطيات المفتوحة.",
                    "fr": "Plusieurs participants demandent de préciser la notion de données ouvertes.",
                },
                reasons={"fr": "Définition ajoutée à l'article premier."},
            )
            for section in consultation.sections
        ]
        db.session.add(report)
        consultation.state = "outcome_published"
        db.session.commit()
    page.reload()  # the same page as above, now with its outcome report
    assert page.locator("#outcome-heading").is_visible()
    _look(page, axe_check, f"{lang}-outcome", "#outcome-heading")
    context.close()
